//! The signed JWT a client sends instead of a secret when it signs in with a certificate
//! (Microsoft identity platform "certificate credentials"): RS256, header `x5t` = base64url
//! SHA-1 thumbprint of the certificate, claims `aud` (token endpoint), `iss` = `sub` =
//! client id, a random `jti`, and a ten-minute validity. The key never leaves this function
//! except as the signature; errors never quote the file's contents.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use secrecy::SecretString;
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
     app's certificate and its unencrypted private key, or use AZURE_CLIENT_SECRET instead";

pub(crate) fn client_assertion(
    path: &Path,
    client_id: &str,
    audience: &str,
) -> Result<SecretString, ConnectError> {
    let pem = std::fs::read_to_string(path).map_err(|e| {
        ConnectError::Config(format!(
            "the certificate file {} cannot be read: {e}; {CERTIFICATE_FIX}",
            path.display()
        ))
    })?;
    sign(&pem, client_id, audience, now()).map_err(|why| {
        ConnectError::Config(format!(
            "the certificate file {}: {why}; {CERTIFICATE_FIX}",
            path.display()
        ))
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Signs an assertion with the private key in `pem`, for the certificate in the same text.
pub(crate) fn sign(pem: &str, client_id: &str, audience: &str, now: u64) -> Result<SecretString, String> {
    let cert = pem_block(pem, "CERTIFICATE").ok_or("it holds no CERTIFICATE block")?;
    let der = STANDARD
        .decode(cert.split_whitespace().collect::<String>())
        .map_err(|_| "its CERTIFICATE block is not valid base64")?;
    let key_text = ["PRIVATE KEY", "RSA PRIVATE KEY"]
        .iter()
        .find_map(|label| pem_section(pem, label))
        .ok_or("it holds no PRIVATE KEY block (the key must be in the same PEM file, unencrypted)")?;
    let key =
        EncodingKey::from_rsa_pem(key_text.as_bytes()).map_err(|_| "its private key is not an RSA key")?;
    let mut header = Header::new(Algorithm::RS256);
    header.x5t = Some(thumbprint(&der));
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
        .map_err(|_| "signing the assertion with its private key failed".to_owned())
}

/// base64url(SHA-1(DER)), the `x5t` of the certificate.
pub(crate) fn thumbprint(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
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
    use secrecy::ExposeSecret;

    fn wrap(label: &str, der: &[u8]) -> String {
        let b64 = STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn signs_a_verifiable_assertion_with_the_thumbprint() {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = pair.as_der().unwrap();
        let fake_cert = b"not really a certificate, but hashed the same way";
        let pem = format!(
            "{}{}",
            wrap("CERTIFICATE", fake_cert),
            wrap("PRIVATE KEY", pkcs8.as_ref())
        );
        let aud = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
        let jwt = sign(&pem, "client-1", aud, now()).unwrap();

        let header = jsonwebtoken::decode_header(jwt.expose_secret()).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.x5t.as_deref(), Some(thumbprint(fake_cert).as_str()));
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[aud]);
        v.set_issuer(&["client-1"]);
        let key = DecodingKey::from_rsa_der(pair.public_key().as_ref());
        let data = jsonwebtoken::decode::<serde_json::Value>(jwt.expose_secret(), &key, &v).unwrap();
        assert_eq!(data.claims["sub"], "client-1");
        assert!(data.claims["exp"].as_u64().unwrap() > data.claims["iat"].as_u64().unwrap());
    }

    #[test]
    fn sha1_thumbprint_of_known_input() {
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
        assert_eq!(thumbprint(b"abc"), "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
    }

    #[test]
    fn incomplete_files_are_reported_without_their_contents() {
        assert!(sign("", "c", "a", 0).unwrap_err().contains("CERTIFICATE"));
        let only_cert = wrap("CERTIFICATE", b"x");
        assert!(sign(&only_cert, "c", "a", 0).unwrap_err().contains("PRIVATE KEY"));
        let bad_key = format!("{only_cert}{}", wrap("PRIVATE KEY", b"SECRETKEYMATERIAL"));
        let err = sign(&bad_key, "c", "a", 0).unwrap_err();
        assert!(!err.contains("SECRETKEYMATERIAL") && !err.contains(&STANDARD.encode(b"SECRETKEYMATERIAL")));
    }
}
