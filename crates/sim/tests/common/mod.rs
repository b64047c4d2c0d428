//! Helpers shared by the integration tests: start a simulator, get tokens, GET JSON.
#![allow(dead_code)]

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use ssync_sim::{Knobs, Scenario, Sim};

pub async fn contoso() -> Sim {
    ssync_sim::start(Scenario::contoso(), Knobs::default())
        .await
        .expect("start")
}

pub async fn with_knobs(knobs: Knobs) -> Sim {
    ssync_sim::start(Scenario::contoso(), knobs).await.expect("start")
}

/// One client for the whole test binary: building one loads the TLS trust store, which is
/// slow and not what these tests measure. No idle pooling: each test has its own runtime,
/// and a pooled connection must not outlive the runtime (or the port) it was opened on.
pub fn client() -> Client {
    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap_or_default()
        })
        .clone()
}

pub async fn token_response(sim: &Sim, tenant: &str, client_id: &str, secret: &str, scope: &str) -> Response {
    client()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", sim.authority_host))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ])
        .send()
        .await
        .expect("token request")
}

pub async fn token(sim: &Sim, resource: &str) -> String {
    let r = token_response(
        sim,
        &sim.tenant_id,
        &sim.client_id,
        &sim.client_secret,
        &format!("{resource}/.default"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    v["access_token"].as_str().expect("access_token").to_owned()
}

pub async fn dataverse_token(sim: &Sim) -> String {
    token(sim, &sim.org_url).await
}

pub async fn graph_token(sim: &Sim) -> String {
    token(sim, &sim.graph_url).await
}

/// GET with a bearer token and optional `Prefer`; returns status and JSON (Null if none).
pub async fn get(url: &str, token: &str, prefer: Option<&str>) -> (StatusCode, Value) {
    let mut rb = client().get(url).bearer_auth(token);
    if let Some(p) = prefer {
        rb = rb.header("Prefer", p);
    }
    let r = rb.send().await.expect("request");
    let status = r.status();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn api(sim: &Sim, rest: &str) -> String {
    format!("{}/api/data/v9.2/{rest}", sim.org_url)
}

pub fn graph(sim: &Sim, rest: &str) -> String {
    format!("{}/v1.0/{rest}", sim.graph_url)
}
