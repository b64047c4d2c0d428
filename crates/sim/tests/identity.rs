//! Token endpoint, audience binding and OpenID discovery.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

const CONTOSO: &str = "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b";
const FABRIKAM: &str = "9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c";

#[tokio::test]
async fn token_then_retrieve_current_organization() {
    let sim = contoso().await;
    assert_eq!(sim.tenant_id, CONTOSO);
    let t = dataverse_token(&sim).await;
    let url = api(
        &sim,
        "RetrieveCurrentOrganization(AccessType=@p)?@p=Microsoft.Dynamics.CRM.EndpointAccessType'Default'",
    );
    let (status, body) = get(&url, &t, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["Detail"]["TenantId"], CONTOSO);
    assert_eq!(body["Detail"]["FriendlyName"], "Contoso");
    assert_eq!(sim.stats().tokens_issued, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_are_bound_to_their_audience() {
    let sim = contoso().await;
    let graph_token = graph_token(&sim).await;
    let url = api(&sim, "WhoAmI");
    let (status, _) = get(&url, &graph_token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get(&url, "not-a-token", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = client().get(&url).send().await.expect("request");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap_or("")
            .starts_with("Bearer authorization_uri=")
    );
    let dv = dataverse_token(&sim).await;
    let (status, body) = get(&graph(&sim, "organization"), &dv, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let sim = with_knobs(ssync_sim::Knobs {
        token_lifetime: Some(std::time::Duration::from_millis(200)),
        ..Default::default()
    })
    .await;
    let t = dataverse_token(&sim).await;
    assert_eq!(get(&api(&sim, "WhoAmI"), &t, None).await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        get(&api(&sim, "WhoAmI"), &t, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    sim.shutdown().await;
}

async fn aad_error(r: reqwest::Response) -> (StatusCode, String, u64) {
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    let desc = v["error_description"].as_str().unwrap_or("");
    assert!(desc.starts_with("AADSTS"), "{v}");
    assert!(v["trace_id"].is_string() && v["correlation_id"].is_string() && v["timestamp"].is_string());
    (
        status,
        v["error"].as_str().unwrap_or("").to_owned(),
        v["error_codes"][0].as_u64().unwrap_or(0),
    )
}

#[tokio::test]
async fn token_errors_carry_aadsts_codes() {
    let sim = contoso().await;
    let scope = format!("{}/.default", sim.org_url);
    let r = token_response(&sim, CONTOSO, &sim.client_id, "wrong", &scope).await;
    assert_eq!(
        aad_error(r).await,
        (StatusCode::UNAUTHORIZED, "invalid_client".into(), 7000215)
    );
    let r = token_response(
        &sim,
        CONTOSO,
        "00000000-0000-0000-0000-000000000001",
        &sim.client_secret,
        &scope,
    )
    .await;
    assert_eq!(
        aad_error(r).await,
        (StatusCode::BAD_REQUEST, "unauthorized_client".into(), 700016)
    );
    let r = token_response(
        &sim,
        "nowhere.example",
        &sim.client_id,
        &sim.client_secret,
        &scope,
    )
    .await;
    assert_eq!(
        aad_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_request".into(), 90002)
    );
    // The app lives in Contoso only.
    let r = token_response(&sim, FABRIKAM, &sim.client_id, &sim.client_secret, &scope).await;
    assert_eq!(aad_error(r).await.2, 700016);
    let r = token_response(&sim, CONTOSO, &sim.client_id, &sim.client_secret, &sim.org_url).await;
    assert_eq!(
        aad_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_scope".into(), 70011)
    );
    let r = token_response(
        &sim,
        CONTOSO,
        &sim.client_id,
        &sim.client_secret,
        "https://elsewhere.example/.default",
    )
    .await;
    assert_eq!(aad_error(r).await.2, 500011);
    // Tenant by domain works; the secret never appears in a response.
    let r = token_response(
        &sim,
        "contoso.onmicrosoft.com",
        &sim.client_id,
        &sim.client_secret,
        &scope,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap_or_default();
    assert!(!text.contains(&sim.client_secret));
    assert_eq!(sim.stats().tokens_issued, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn openid_discovery_by_domain_names_the_tenant() {
    let sim = contoso().await;
    for (domain, id) in [
        ("fabrikam.com", FABRIKAM),
        ("contoso.com", CONTOSO),
        (CONTOSO, CONTOSO),
    ] {
        let url = format!(
            "{}/{domain}/v2.0/.well-known/openid-configuration",
            sim.authority_host
        );
        let r = client().get(url).send().await.expect("request");
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        assert_eq!(
            v["issuer"],
            format!("https://login.microsoftonline.com/{id}/v2.0")
        );
    }
    let url = format!(
        "{}/unknown.example/v2.0/.well-known/openid-configuration",
        sim.authority_host
    );
    let r = client().get(url).send().await.expect("request");
    assert_eq!(
        aad_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_tenant".into(), 90002)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn certificate_sign_in_with_a_client_assertion() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let sim = contoso().await;
    let cert = sim.certificate_pem.clone().unwrap_or_default();
    let key = sim.private_key_pem.clone().unwrap_or_default();
    let der = base64_decode(&cert);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let mut header = Header::new(Algorithm::RS256);
    header.x5t = Some(base64_url(digest.as_ref()));
    let token_url = format!("{}/{}/oauth2/v2.0/token", sim.authority_host, sim.tenant_id);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = serde_json::json!({"aud": token_url, "iss": sim.client_id, "sub": sim.client_id,
        "jti": "t1", "nbf": now - 5, "iat": now, "exp": now + 600});
    let assertion = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(key.as_bytes()).expect("key"),
    )
    .expect("sign");
    let send = |assertion: String| {
        let url = token_url.clone();
        let client_id = sim.client_id.clone();
        let scope = format!("{}/.default", sim.graph_url);
        async move {
            client()
                .post(url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("scope", scope.as_str()),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .expect("request")
        }
    };
    let r = send(assertion.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    let (s, _) = get(
        &graph(&sim, "organization"),
        v["access_token"].as_str().unwrap_or(""),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Flip a character well inside the signature (the last one only carries padding bits).
    let mut chars: Vec<char> = assertion.chars().collect();
    let at = chars.len() - 10;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let r = send(tampered).await;
    assert_eq!(
        aad_error(r).await,
        (StatusCode::UNAUTHORIZED, "invalid_client".into(), 700027)
    );
    sim.shutdown().await;
}

fn base64_decode(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap_or_default()
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
