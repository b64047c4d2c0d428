//! The signed JWT a client sends instead of a secret when it signs in with a certificate.
//! Entra's current guidance (learn.microsoft.com/entra/identity-platform/certificate-credentials):
//! header `alg` PS256 with `x5t#S256` = base64url SHA-256 thumbprint of the DER certificate;
//! claims `aud` (the token endpoint), `iss` = `sub` = client id, a random `jti`, and a short
//! validity. The certificate comes from a PEM file (certificate and unencrypted key) or a
//! PFX/PKCS#12 file opened with a password. The key never leaves this module except as the
//! signature; errors never quote the file's contents or the password.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::error::ConnectError;

const VALIDITY_SECS: u64 = 600;

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: u64,
    iat: u64,
    exp: u64,
}

/// How to fix an unusable certificate file, appended to every message about one.
pub(crate) const CERTIFICATE_FIX: &str = "set AZURE_CLIENT_CERTIFICATE_PATH to a PEM file holding the \
     app's certificate and its unencrypted private key, or to a PFX file with its password in \
     AZURE_CLIENT_CERTIFICATE_PASSWORD";

/// The certificate and key an assertion is signed with.
struct SigningCertificate {
    /// The DER of the (leaf) certificate, for the thumbprint.
    der: Vec<u8>,
    /// The private key as PEM text (`PRIVATE KEY` or `RSA PRIVATE KEY`).
    key_pem: SecretString,
}

pub(crate) fn client_assertion(
    path: &Path,
    password: Option<&SecretString>,
    client_id: &str,
    audience: &str,
) -> Result<SecretString, ConnectError> {
    let fail = |why: String| {
        ConnectError::Config(format!(
            "the certificate file {}: {why}; {CERTIFICATE_FIX}",
            path.display()
        ))
    };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let certificate = if looks_like_pem(&bytes) {
        from_pem(&String::from_utf8_lossy(&bytes))
    } else {
        from_pfx(&bytes, password)
    }
    .map_err(|why| fail(why.to_owned()))?;
    certificate
        .sign(client_id, audience, now())
        .map_err(|why| fail(why.to_owned()))
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The certificate and key of a PEM text.
fn from_pem(pem: &str) -> Result<SigningCertificate, &'static str> {
    let cert = pem_block(pem, "CERTIFICATE").ok_or("it holds no CERTIFICATE block")?;
    let der = STANDARD
        .decode(cert.split_whitespace().collect::<String>())
        .map_err(|_| "its CERTIFICATE block is not valid base64")?;
    let key_pem = ["PRIVATE KEY", "RSA PRIVATE KEY"]
        .iter()
        .find_map(|label| pem_section(pem, label))
        .ok_or(
            "it holds no PRIVATE KEY block (in a PEM file the key must be in the same file, unencrypted)",
        )?;
    Ok(SigningCertificate {
        der,
        key_pem: SecretString::from(key_pem),
    })
}

/// The first private key of a PFX/PKCS#12 archive and the certificate that goes with it.
fn from_pfx(bytes: &[u8], password: Option<&SecretString>) -> Result<SigningCertificate, &'static str> {
    let password = password.map(|p| p.expose_secret()).unwrap_or("");
    let store =
        p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
            .map_err(|_| {
                "it is neither a PEM file nor a PFX file this password opens (check \
                 AZURE_CLIENT_CERTIFICATE_PASSWORD)"
            })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("the PFX file holds no private key")?;
    // The leaf (the app's own certificate) comes first in the chain.
    let cert = chain
        .certs()
        .first()
        .ok_or("the PFX file holds a private key without its certificate")?;
    let key_pem = wrap_pem("PRIVATE KEY", chain.key().as_der());
    Ok(SigningCertificate {
        der: cert.as_der().to_vec(),
        key_pem: SecretString::from(key_pem),
    })
}

impl SigningCertificate {
    /// The signed assertion for `client_id` and the token endpoint `audience` at time `now`.
    fn sign(&self, client_id: &str, audience: &str, now: u64) -> Result<SecretString, &'static str> {
        let key = EncodingKey::from_rsa_pem(self.key_pem.expose_secret().as_bytes())
            .map_err(|_| "its private key is not an RSA key")?;
        let mut header = Header::new(Algorithm::PS256);
        header.x5t_s256 = Some(thumbprint_sha256(&self.der));
        let mut jti = [0u8; 16];
        rand::rng().fill_bytes(&mut jti);
        let claims = Claims {
            aud: audience,
            iss: client_id,
            sub: client_id,
            jti: URL_SAFE_NO_PAD.encode(jti),
            nbf: now.saturating_sub(60),
            iat: now,
            exp: now + VALIDITY_SECS,
        };
        jsonwebtoken::encode(&header, &claims, &key)
            .map(SecretString::from)
            .map_err(|_| "signing the assertion with its private key failed")
    }
}

/// A PEM text of `der` under `label`, in lines of 64 characters.
fn wrap_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// base64url(SHA-256(DER)), the `x5t#S256` of the certificate.
pub(crate) fn thumbprint_sha256(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// The base64 body of the first `-----BEGIN {label}-----` block.
fn pem_block<'a>(pem: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    Some(&pem[start..stop])
}

/// The whole first block with this label, markers included.
fn pem_section(pem: &str, label: &str) -> Option<String> {
    let body = pem_block(pem, label)?;
    Some(format!("-----BEGIN {label}-----{body}-----END {label}-----\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    use jsonwebtoken::{DecodingKey, Validation};

    fn sign(pem: &str, client_id: &str, aud: &str, now: u64) -> Result<SecretString, &'static str> {
        from_pem(pem)?.sign(client_id, aud, now)
    }

    #[test]
    fn signs_a_verifiable_ps256_assertion_with_the_sha256_thumbprint() {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = pair.as_der().unwrap();
        let fake_cert = b"not really a certificate, but hashed the same way";
        let pem = format!(
            "{}{}",
            wrap_pem("CERTIFICATE", fake_cert),
            wrap_pem("PRIVATE KEY", pkcs8.as_ref())
        );
        let aud = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
        let jwt = sign(&pem, "client-1", aud, now()).unwrap();

        let header = jsonwebtoken::decode_header(jwt.expose_secret()).unwrap();
        assert_eq!(header.alg, Algorithm::PS256);
        assert_eq!(
            header.x5t_s256.as_deref(),
            Some(thumbprint_sha256(fake_cert).as_str())
        );
        assert_eq!(header.x5t, None, "the SHA-1 thumbprint is the older form");
        let raw_header = jwt.expose_secret().split('.').next().unwrap();
        let raw_header = String::from_utf8(URL_SAFE_NO_PAD.decode(raw_header).unwrap()).unwrap();
        assert!(raw_header.contains("\"x5t#S256\""), "{raw_header}");
        let mut v = Validation::new(Algorithm::PS256);
        v.set_audience(&[aud]);
        v.set_issuer(&["client-1"]);
        let key = DecodingKey::from_rsa_der(pair.public_key().as_ref());
        let data = jsonwebtoken::decode::<serde_json::Value>(jwt.expose_secret(), &key, &v).unwrap();
        assert_eq!(data.claims["sub"], "client-1");
        assert!(data.claims["exp"].as_u64().unwrap() > data.claims["iat"].as_u64().unwrap());
    }

    #[test]
    fn sha256_thumbprint_of_known_input() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
        assert_eq!(
            thumbprint_sha256(b"abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn incomplete_files_are_reported_without_their_contents() {
        assert!(sign("", "c", "a", 0).unwrap_err().contains("CERTIFICATE"));
        let only_cert = wrap_pem("CERTIFICATE", b"x");
        assert!(sign(&only_cert, "c", "a", 0).unwrap_err().contains("PRIVATE KEY"));
        let bad_key = format!("{only_cert}{}", wrap_pem("PRIVATE KEY", b"SECRETKEYMATERIAL"));
        let err = sign(&bad_key, "c", "a", 0).unwrap_err();
        assert!(!err.contains("SECRETKEYMATERIAL") && !err.contains(&STANDARD.encode(b"SECRETKEYMATERIAL")));
    }

    #[test]
    fn a_pfx_with_a_wrong_password_or_garbage_is_named_not_quoted() {
        let err = from_pfx(b"\x30\x03garbage", Some(&SecretString::from("pw".to_owned())))
            .err()
            .unwrap();
        assert!(err.contains("AZURE_CLIENT_CERTIFICATE_PASSWORD"), "{err}");
    }
}
