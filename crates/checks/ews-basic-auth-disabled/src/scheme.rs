//! Which `WWW-Authenticate` scheme an EWS endpoint must offer for a connection to sign in.

use ssync_core::records::{AuthProtocol, CredentialRetrieval};

/// The schemes of which the endpoint must offer at least one, or why the connection is not
/// judged by this check.
pub fn required(
    cred: Option<CredentialRetrieval>,
    protocol: Option<AuthProtocol>,
) -> Result<&'static [&'static str], String> {
    let Some(cred) = cred else {
        return Err("the connection has no credential setting".into());
    };
    let windows = match cred {
        CredentialRetrieval::UserOrQueue | CredentialRetrieval::InProfile => false,
        CredentialRetrieval::WindowsIntegrated => true,
        other => {
            return Err(format!(
                "the connection uses {}, which sends no user credentials for EWS to challenge",
                other.label()
            ));
        }
    };
    let Some(protocol) = protocol else {
        return Err("the connection's authentication protocol is not set".into());
    };
    match (protocol, windows) {
        (AuthProtocol::Basic, false) => Ok(&["Basic"]),
        // Auto Detect signs in with Basic where offered, else NTLM.
        (AuthProtocol::AutoDetect, false) => Ok(&["Basic", "NTLM"]),
        // The server's own Windows identity has no password that Basic could carry.
        (AuthProtocol::AutoDetect, true) => Ok(&["NTLM", "Negotiate"]),
        (AuthProtocol::Basic, true) => Err(
            "Windows integrated authentication cannot sign in with Basic (there is no password to send); \
             the profile's protocol setting contradicts its credential setting"
                .into(),
        ),
        (AuthProtocol::Ntlm, _) => Ok(&["NTLM"]),
        (AuthProtocol::Negotiate, _) => Ok(&["Negotiate"]),
        (AuthProtocol::OAuth, _) => {
            Err("the connection uses OAuth, which is not a password scheme this check judges".into())
        }
        (AuthProtocol::Unknown(n), _) => {
            Err(format!("the connection's authentication protocol {n} is unknown"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_connections_need_the_protocol_scheme() {
        let user = Some(CredentialRetrieval::UserOrQueue);
        assert_eq!(required(user, Some(AuthProtocol::Basic)), Ok(&["Basic"][..]));
        assert_eq!(
            required(user, Some(AuthProtocol::AutoDetect)),
            Ok(&["Basic", "NTLM"][..])
        );
        assert_eq!(required(user, Some(AuthProtocol::Ntlm)), Ok(&["NTLM"][..]));
        assert_eq!(
            required(user, Some(AuthProtocol::Negotiate)),
            Ok(&["Negotiate"][..])
        );
        assert!(required(user, Some(AuthProtocol::OAuth)).is_err());
        assert!(required(user, None).is_err());
    }

    #[test]
    fn windows_integrated_never_needs_basic() {
        let win = Some(CredentialRetrieval::WindowsIntegrated);
        assert_eq!(
            required(win, Some(AuthProtocol::AutoDetect)),
            Ok(&["NTLM", "Negotiate"][..])
        );
        assert_eq!(required(win, Some(AuthProtocol::Ntlm)), Ok(&["NTLM"][..]));
        assert!(required(win, Some(AuthProtocol::Basic)).is_err());
    }

    #[test]
    fn credential_free_connections_are_not_judged() {
        for cred in [
            CredentialRetrieval::ServerToServer,
            CredentialRetrieval::HybridModernAuth,
            CredentialRetrieval::EntraOAuth,
            CredentialRetrieval::Anonymous,
        ] {
            assert!(
                required(Some(cred), Some(AuthProtocol::Basic)).is_err(),
                "{cred:?}"
            );
        }
        assert!(required(None, Some(AuthProtocol::Basic)).is_err());
    }
}
