//! Certificate sign-in: checking a client assertion (a JWT signed with the app's private
//! key, microsoft-apis.md §D.1) against the certificate registered for the app. The
//! simulator registers the TEST-ONLY certificate in `testdata/` for its app.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The test-only certificate registered for the simulator's app (public by design).
pub const TEST_CERTIFICATE_PEM: &str = include_str!("../testdata/test-only-app-cert.pem");
/// Its private key: TEST-ONLY, published so tests and the demo can sign assertions.
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../testdata/test-only-app-key.pem");

/// The same certificate and key as a PFX/PKCS#12 file (PBES2, AES-256), TEST-ONLY.
pub const TEST_PFX: &[u8] = include_bytes!("../testdata/test-only-app.pfx");
/// The same as a legacy PFX (3DES/RC2), as older Windows exports write it. TEST-ONLY.
pub const TEST_PFX_LEGACY: &[u8] = include_bytes!("../testdata/test-only-app-legacy.pfx");
/// The password of both PFX files (TEST-ONLY).
pub const TEST_PFX_PASSWORD: &str = "test-only-pfx-password";

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Why an assertion was refused: the AADSTS code and its message.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub aadsts: u32,
    pub message: String,
}

fn refused(aadsts: u32, message: impl Into<String>) -> Refused {
    Refused {
        aadsts,
        message: message.into(),
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
}

/// The DER of the first certificate of a PEM text.
fn certificate_der(cert_pem: &str) -> Option<Vec<u8>> {
    let body: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    STANDARD.decode(body).ok()
}

/// base64url of a digest of the certificate: SHA-1 gives the older `x5t`, SHA-256 the
/// `x5t#S256` Entra's certificate-credentials page asks for today.
fn thumbprint_with(cert_pem: &str, algorithm: &'static aws_lc_rs::digest::Algorithm) -> Option<String> {
    let der = certificate_der(cert_pem)?;
    Some(URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(algorithm, &der).as_ref()))
}

#[cfg(test)]
fn thumbprint(cert_pem: &str) -> Option<String> {
    thumbprint_with(cert_pem, &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY)
}

/// Checks the assertion: RS256 or PS256, `x5t#S256` (or the older `x5t`) naming the registered
/// certificate, a valid signature, `aud` one of `audiences` (the token endpoint), `iss` = `sub`
/// = the client id, and the validity period.
pub fn verify(assertion: &str, cert_pem: &str, client_id: &str, audiences: &[String]) -> Result<(), Refused> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| refused(50027, "JWT token is invalid or malformed."))?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(refused(
            700027,
            "Client assertion must be signed with RS256 or PS256.",
        ));
    }
    let sha256 =
        header.x5t_s256.is_some() && header.x5t_s256 == thumbprint_with(cert_pem, &aws_lc_rs::digest::SHA256);
    let sha1 = header.x5t.is_some()
        && header.x5t == thumbprint_with(cert_pem, &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY);
    if !sha256 && !sha1 {
        let named = header.x5t_s256.as_deref().or(header.x5t.as_deref()).unwrap_or("");
        return Err(refused(
            700027,
            format!(
                "Client assertion failed signature validation. The key was not found: no certificate with thumbprint '{named}' is registered for app '{client_id}'."
            ),
        ));
    }
    let key = DecodingKey::from_rsa_pem(cert_pem.as_bytes())
        .map_err(|_| refused(700027, "The registered certificate cannot be read."))?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(audiences);
    validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 60;
    let data = jsonwebtoken::decode::<Claims>(assertion, &key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::InvalidSignature => refused(700027, "Client assertion failed signature validation."),
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                refused(
                    700024,
                    format!("Client assertion is not within its valid time range. Current time: {now}."),
                )
            }
            // AADSTS700023 "Client assertion audience claim does not match Realm issuer".
            ErrorKind::InvalidAudience => refused(
                700023,
                format!(
                    "Client assertion audience claim does not match Realm issuer ({}).",
                    audiences.join(" or ")
                ),
            ),
            _ => refused(50027, "JWT token is invalid or malformed."),
        }
    })?;
    if !data.claims.iss.eq_ignore_ascii_case(client_id) || !data.claims.sub.eq_ignore_ascii_case(client_id) {
        return Err(refused(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const AUD: &str = "http://127.0.0.1:1/tenant/oauth2/v2.0/token";

    fn sign(claims: serde_json::Value, x5t: Option<String>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.x5t = x5t;
        let key = EncodingKey::from_rsa_pem(TEST_PRIVATE_KEY_PEM.as_bytes()).expect("test key");
        jsonwebtoken::encode(&header, &claims, &key).expect("sign")
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    fn claims(aud: &str, iss: &str, exp: u64) -> serde_json::Value {
        json!({"aud": aud, "iss": iss, "sub": iss, "jti": "x", "nbf": now() - 10, "exp": exp})
    }

    #[test]
    fn accepts_a_good_assertion_and_refuses_bad_ones() {
        let tp = thumbprint(TEST_CERTIFICATE_PEM);
        let auds = [AUD.to_owned()];
        let ok = sign(claims(AUD, "app", now() + 600), tp.clone());
        assert_eq!(verify(&ok, TEST_CERTIFICATE_PEM, "app", &auds), Ok(()));
        let wrong_aud = sign(claims("https://elsewhere/token", "app", now() + 600), tp.clone());
        assert_eq!(
            verify(&wrong_aud, TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(700023)
        );
        let expired = sign(claims(AUD, "app", now() - 3600), tp.clone());
        assert_eq!(
            verify(&expired, TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(700024)
        );
        let other_app = sign(claims(AUD, "other", now() + 600), tp.clone());
        assert_eq!(
            verify(&other_app, TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(700021)
        );
        let mut ps256 = Header::new(Algorithm::PS256);
        ps256.x5t_s256 = thumbprint_with(TEST_CERTIFICATE_PEM, &aws_lc_rs::digest::SHA256);
        let key = EncodingKey::from_rsa_pem(TEST_PRIVATE_KEY_PEM.as_bytes()).expect("test key");
        let current = jsonwebtoken::encode(&ps256, &claims(AUD, "app", now() + 600), &key).expect("sign");
        assert_eq!(verify(&current, TEST_CERTIFICATE_PEM, "app", &auds), Ok(()));
        let no_x5t = sign(claims(AUD, "app", now() + 600), None);
        assert_eq!(
            verify(&no_x5t, TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(700027)
        );
        // Flip a character well inside the signature (the last one only carries padding bits).
        let mut tampered: Vec<char> = ok.chars().collect();
        let at = tampered.len() - 10;
        tampered[at] = if tampered[at] == 'A' { 'B' } else { 'A' };
        let tampered: String = tampered.into_iter().collect();
        assert_eq!(
            verify(&tampered, TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(700027)
        );
        assert_eq!(
            verify("garbage", TEST_CERTIFICATE_PEM, "app", &auds).map_err(|r| r.aadsts),
            Err(50027)
        );
    }
}
