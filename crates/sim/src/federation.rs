//! Workload identity federation: the simulated app trusts one external identity provider
//! (a stand-in for GitHub Actions or Azure DevOps). A federated token is a JWT that provider
//! signs; the app's federated credential names its issuer, subject and audience, and Entra
//! accepts the token as a client assertion when all three match
//! (learn.microsoft.com/entra/workload-id/workload-identity-federation; the client credentials
//! request is "access token request with a federated credential" of
//! v2-oauth2-client-creds-grant-flow). The provider's key here is the TEST-ONLY key of
//! `testdata/`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::json;

use crate::assertion::{Refused, TEST_CERTIFICATE_PEM, TEST_PRIVATE_KEY_PEM};

/// The issuer of the federated credential registered on the simulated app.
pub const FEDERATED_ISSUER: &str = "https://token.sim.ssync-doctor.invalid";
/// Its subject, in the form GitHub Actions uses.
pub const FEDERATED_SUBJECT: &str = "repo:contoso/ssync-doctor-runs:environment:production";
/// The audience Microsoft recommends for federated credentials.
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
}

/// A token of the stand-in provider for `subject`, valid for `lifetime` (tests use other
/// subjects and audiences to see the refusals).
pub fn federated_token(subject: &str, audience: &str, lifetime: Duration) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("sim-federation-key".into());
    let claims = json!({
        "iss": FEDERATED_ISSUER,
        "sub": subject,
        "aud": audience,
        "iat": now,
        "nbf": now.saturating_sub(5),
        "exp": now + lifetime.as_secs(),
    });
    // The key is a constant of the crate; it always parses.
    let key = EncodingKey::from_rsa_pem(TEST_PRIVATE_KEY_PEM.as_bytes()).expect("the test-only key");
    jsonwebtoken::encode(&header, &claims, &key).expect("signing with the test-only key")
}

/// The issuer a client assertion claims, read without checking it (to choose between the
/// certificate and the federated credential).
pub(crate) fn claimed_issuer(assertion: &str) -> Option<String> {
    use base64::Engine;
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Claims>(&bytes).ok().map(|c| c.iss)
}

/// Checks a federated token against the app's federated credential, with Entra's codes:
/// AADSTS700211 issuer, 700212 audience, 700213 subject, 700024 validity, 50027 malformed.
pub(crate) fn verify(assertion: &str) -> Result<(), Refused> {
    let refused = |aadsts: u32, message: String| Refused { aadsts, message };
    let key = DecodingKey::from_rsa_pem(TEST_CERTIFICATE_PEM.as_bytes())
        .map_err(|_| refused(50027, "The provider's key cannot be read.".into()))?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[FEDERATED_AUDIENCE]);
    v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    v.leeway = 60;
    let data = jsonwebtoken::decode::<Claims>(assertion, &key, &v).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::InvalidAudience => refused(
                700212,
                format!(
                    "No matching federated identity record found for presented assertion audience. The audience must be '{FEDERATED_AUDIENCE}'."
                ),
            ),
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => refused(
                700024,
                "Client assertion is not within its valid time range.".into(),
            ),
            _ => refused(50027, "JWT token is invalid or malformed.".into()),
        }
    })?;
    if data.claims.iss != FEDERATED_ISSUER {
        return Err(refused(
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{}'.",
                data.claims.iss
            ),
        ));
    }
    if data.claims.sub != FEDERATED_SUBJECT {
        return Err(refused(
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject '{}'.",
                data.claims.sub
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_registered_credential_only() {
        let hour = Duration::from_secs(3600);
        let ok = federated_token(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, hour);
        assert_eq!(claimed_issuer(&ok).as_deref(), Some(FEDERATED_ISSUER));
        assert_eq!(verify(&ok), Ok(()));
        let code = |t: &str| verify(t).map_err(|r| r.aadsts);
        assert_eq!(
            code(&federated_token(
                "repo:other/x:ref:main",
                FEDERATED_AUDIENCE,
                hour
            )),
            Err(700213)
        );
        assert_eq!(
            code(&federated_token(FEDERATED_SUBJECT, "api://other", hour)),
            Err(700212)
        );
        assert_eq!(code("garbage"), Err(50027));
    }
}
