//! The signed JWT a client sends instead of a secret when it signs in with a certificate.

use std::path::Path;

use secrecy::SecretString;

use crate::error::ConnectError;

pub(crate) fn client_assertion(
    path: &Path,
    _client_id: &str,
    _audience: &str,
) -> Result<SecretString, ConnectError> {
    Err(ConnectError::Config(format!(
        "certificate sign-in ({}) is not supported yet; use a client secret",
        path.display()
    )))
}
