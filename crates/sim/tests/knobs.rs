//! Service protection (429 + Retry-After), latency and every fault knob, deterministically.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use ssync_sim::{FaultSpec, Faults, Knobs, Scenario, ServiceLimits};

fn limits(n: u32, concurrent: u32) -> ServiceLimits {
    ServiceLimits {
        requests_per_window: n,
        window: Duration::from_secs(120),
        max_concurrent: concurrent,
    }
}

#[tokio::test]
async fn dataverse_429_after_the_window_is_used() {
    let sim = with_knobs(Knobs {
        limits: Some(limits(3, 52)),
        ..Default::default()
    })
    .await;
    let t = dataverse_token(&sim).await;
    for _ in 0..3 {
        assert_eq!(get(&api(&sim, "WhoAmI"), &t, None).await.0, StatusCode::OK);
    }
    let r = client()
        .get(api(&sim, "WhoAmI"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((100..=120).contains(&retry), "{retry}");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "0x80072322");
    assert_eq!(sim.stats().dataverse.throttled, 1);
    // Identity is not throttled by the Dataverse limits.
    assert!(!dataverse_token(&sim).await.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn concurrency_limit_gives_its_own_code() {
    let sim = with_knobs(Knobs {
        limits: Some(limits(1000, 2)),
        latency: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let t = dataverse_token(&sim).await;
    let url = api(&sim, "WhoAmI");
    let calls = (0..5).map(|_| {
        let (url, t) = (url.clone(), t.clone());
        async move {
            let r = client().get(url).bearer_auth(t).send().await.expect("request");
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    });
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let refused: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(ok, 2, "{results:?}");
    assert_eq!(refused.len(), 3);
    assert!(refused.iter().all(|(_, b)| b["error"]["code"] == "0x80072326"));
    sim.shutdown().await;
}

#[tokio::test]
async fn graph_429_shape_and_inside_batch() {
    let sim = with_knobs(Knobs {
        graph_limits: Some(limits(2, 20)),
        ..Default::default()
    })
    .await;
    let t = graph_token(&sim).await;
    assert_eq!(
        get(&graph(&sim, "organization"), &t, None).await.0,
        StatusCode::OK
    );
    // The batch itself is request 2; its two inner requests are 3 and 4: both throttled.
    let body = serde_json::json!({"requests": [
        {"id": "a", "method": "GET", "url": "/organization"},
        {"id": "b", "method": "GET", "url": "/organization"}]});
    let r = client()
        .post(graph(&sim, "$batch"))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    for inner in v["responses"].as_array().into_iter().flatten() {
        assert_eq!(inner["status"], 429, "{inner}");
        assert_eq!(inner["body"]["error"]["code"], "TooManyRequests");
        assert!(inner["headers"]["Retry-After"].is_string());
    }
    let (s, b) = get(&graph(&sim, "organization"), &t, None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(b["error"]["innerError"]["request-id"].is_string());
    assert_eq!(sim.stats().graph.throttled, 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_is_added() {
    let sim = with_knobs(Knobs {
        latency: Duration::from_millis(150),
        ..Default::default()
    })
    .await;
    let t = dataverse_token(&sim).await;
    let started = Instant::now();
    get(&api(&sim, "WhoAmI"), &t, None).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.shutdown().await;
}

fn faults(spec: FaultSpec) -> Knobs {
    Knobs {
        faults: Faults {
            seed: 42,
            dataverse: spec.clone(),
            graph: spec,
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn statuses(sim: &ssync_sim::Sim, n: usize) -> Vec<u16> {
    let t = dataverse_token(sim).await;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(&api(sim, "WhoAmI"), &t, None).await.0.as_u16());
    }
    out
}

#[tokio::test]
async fn error_rate_is_seeded_and_repeatable() {
    let knobs = faults(FaultSpec {
        error_rate: 0.3,
        ..Default::default()
    });
    let a = with_knobs(knobs.clone()).await;
    let first = statuses(&a, 40).await;
    a.shutdown().await;
    let b = with_knobs(knobs).await;
    let second = statuses(&b, 40).await;
    assert_eq!(first, second, "same seed, same faults");
    // A failing backend answers 500, 502, 503 or 504, varied by the seed.
    let errors = first.iter().filter(|s| **s != 200).count();
    assert!((4..=20).contains(&errors), "{first:?}");
    assert!(
        first.iter().all(|s| matches!(*s, 200 | 500 | 502 | 503 | 504)),
        "{first:?}"
    );
    assert_eq!(b.stats().dataverse.faults as usize, errors);
    b.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_fail_the_body() {
    let sim = with_knobs(faults(FaultSpec {
        drop_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let t = dataverse_token(&sim).await;
    let r = client().get(api(&sim, "WhoAmI")).bearer_auth(&t).send().await;
    let failed = match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "the body must not arrive whole");
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_truncated() {
    let sim = with_knobs(faults(FaultSpec {
        malformed_json_rate: 1.0,
        ..Default::default()
    }))
    .await;
    let t = dataverse_token(&sim).await;
    let r = client()
        .get(api(&sim, "WhoAmI"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn slow_bodies_take_their_time() {
    let sim = with_knobs(faults(FaultSpec {
        slow_body: Some(Duration::from_millis(400)),
        ..Default::default()
    }))
    .await;
    let t = dataverse_token(&sim).await;
    let started = Instant::now();
    let (s, b) = get(&api(&sim, "WhoAmI"), &t, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b["UserId"].is_string(), "the body still arrives whole");
    assert!(started.elapsed() >= Duration::from_millis(350));
    sim.shutdown().await;
}

#[tokio::test]
async fn looping_next_link_points_at_itself() {
    let sim = with_knobs(faults(FaultSpec {
        looping_next_link: true,
        ..Default::default()
    }))
    .await;
    let t = dataverse_token(&sim).await;
    let url = api(&sim, "mailboxes?$select=name");
    let (_, b) = get(&url, &t, None).await;
    assert_eq!(b["@odata.nextLink"], url);
    let g = graph_token(&sim).await;
    let gurl = graph(&sim, "users?$select=id");
    let (_, b) = get(&gurl, &g, None).await;
    assert_eq!(b["@odata.nextLink"], gurl);
    sim.shutdown().await;
}

#[tokio::test]
async fn service_down() {
    let knobs = Knobs {
        faults: Faults {
            identity: FaultSpec {
                down: true,
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let sim = with_knobs(knobs).await;
    let r = token_response(
        &sim,
        &sim.tenant_id,
        &sim.client_id,
        &sim.client_secret,
        &format!("{}/.default", sim.org_url),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"], "temporarily_unavailable");
    assert_eq!(sim.stats().identity.faults, 1);
    assert_eq!(sim.stats().tokens_issued, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn stats_over_http_and_from_the_library() {
    let sim = contoso().await;
    let t = dataverse_token(&sim).await;
    get(&api(&sim, "mailboxes?$select=name"), &t, None).await;
    get(&api(&sim, "mailboxes?$select=emailaddress"), &t, None).await;
    get(&api(&sim, "WhoAmI"), &t, None).await;
    let s = sim.stats();
    assert_eq!(s.dataverse.requests, 3);
    assert_eq!(s.dataverse.routes.get("GET /api/data/v9.2/mailboxes"), Some(&2));
    assert_eq!(s.dataverse.methods.get("GET"), Some(&3));
    assert_eq!(s.identity.requests, 1);
    assert_eq!(s.tokens_issued, 1);
    let v: Value = client()
        .get(format!("{}/_sim/stats", sim.org_url))
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(v["dataverse"]["requests"], 3);
    assert_eq!(v["tokens_issued"], 1);
    assert_eq!(sim.stats().dataverse.requests, 3, "reading stats is not counted");
    sim.shutdown().await;
}

#[tokio::test]
async fn ews_servers_challenge_with_one_header_per_scheme() {
    let sim = contoso().await;
    let r = client()
        .post(sim.ews_server_url("mail-basic"))
        .body("<soap/>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenges: Vec<String> = r
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert_eq!(
        challenges,
        vec!["Basic realm=\"mail-basic.contoso.com\"", "Negotiate", "NTLM"]
    );
    let r = client()
        .get(sim.ews_server_url("mail-legacy"))
        .send()
        .await
        .expect("request");
    let schemes: Vec<_> = r
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(schemes, vec!["Negotiate", "NTLM"]);
    let r = client()
        .get(sim.ews_server_url("nosuch"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    sim.shutdown().await;
}

#[tokio::test]
async fn ews_servers_refuse_with_403_or_offer_bearer_with_trusted_issuers() {
    let sim = contoso().await;
    let r = client()
        .post(sim.ews_server_url("mail-ews-off"))
        .body("<soap/>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("www-authenticate").is_none());
    let r = client()
        .post(sim.ews_server_url("mail-fabrikam-hma"))
        .body("<soap/>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenges: Vec<String> = r
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert_eq!(challenges.len(), 3, "{challenges:?}");
    assert!(
        challenges[0].starts_with("Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\"")
            && challenges[0]
                .contains("trusted_issuers=\"00000001-0000-0000-c000-000000000000@9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c\""),
        "Fabrikam's tenant: {challenges:?}"
    );
    assert_eq!(challenges[1..], ["Negotiate", "NTLM"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn graph_and_ews_faults_in_their_shapes() {
    let knobs = Knobs {
        faults: Faults {
            seed: 1,
            graph: FaultSpec {
                error_rate: 1.0,
                ..Default::default()
            },
            ews: FaultSpec {
                down: true,
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let sim = with_knobs(knobs).await;
    let t = graph_token(&sim).await;
    let (s, b) = get(&graph(&sim, "organization"), &t, None).await;
    // Graph answers 500, 502, 503 or 504 when a backend fails (learn.microsoft.com/graph/errors).
    assert!(matches!(s.as_u16(), 500 | 502 | 503 | 504), "{s}");
    assert_eq!(b["error"]["code"], "serviceNotAvailable");
    assert!(b["error"]["innerError"]["request-id"].is_string());
    let r = client()
        .get(sim.ews_server_url("mail-basic"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get("www-authenticate").is_none());
    let stats = sim.stats();
    assert_eq!((stats.graph.faults, stats.ews.faults), (1, 1));
    sim.shutdown().await;
}

#[tokio::test]
async fn dataverse_refuses_an_app_that_is_no_application_user() {
    let text = Scenario::contoso_toml().replace(
        "name = \"ssync-doctor\"\n",
        "name = \"ssync-doctor\"\napplication_user = false\n",
    );
    let scenario = Scenario::parse("contoso-no-app-user.toml", &text).expect("valid");
    let sim = ssync_sim::start(scenario, Knobs::default()).await.expect("start");
    let t = dataverse_token(&sim).await;
    let (s, b) = get(&api(&sim, "WhoAmI"), &t, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(b["error"]["code"], "0x80072560");
    sim.shutdown().await;
}
