//! Sign-in against the simulated tenant: tokens, their renewal, and the advice for each
//! sign-in failure.

mod common;

use std::time::Duration;

use common::*;
use ssync_core::{DataSource, RawService};
use ssync_m365::{ConnectError, Credential, LiveSource};
use ssync_sim::{Knobs, Scenario};

#[tokio::test]
async fn connect_reads_the_environment_with_two_tokens() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    let env = source.environment().await.unwrap();
    assert_eq!(env.tenant_id, sim.tenant_id);
    assert_eq!(env.url, sim.org_url);
    let stats = sim.stats();
    assert_eq!(stats.tokens_issued, 2, "one token per audience");
    assert_eq!(
        stats.dataverse.requests, 1,
        "RetrieveCurrentOrganization only; environment() is cached"
    );
    assert_eq!(source.stats().total_requests(), stats.total_requests());
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_unknown_app_and_unknown_tenant_get_their_aadsts_code_and_advice() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let mut bad_secret = settings(&sim);
    bad_secret.credential = Credential::Secret("not-the-secret".to_owned().into());
    let mut bad_app = settings(&sim);
    bad_app.client_id = "00000000-0000-0000-0000-00000000dead".into();
    let mut bad_tenant = settings(&sim);
    bad_tenant.tenant_id = "00000000-0000-0000-0000-00000000beef".into();
    for (s, code, words) in [
        (bad_secret, "AADSTS7000215", "AZURE_CLIENT_SECRET"),
        (bad_app, "AADSTS700016", "--client-id"),
        (bad_tenant, "AADSTS90002", "--tenant-id"),
    ] {
        let err = LiveSource::connect(s, quick()).await.unwrap_err();
        match &err {
            ConnectError::Auth {
                code: Some(c),
                advice,
            } => {
                assert_eq!(c, code);
                assert!(advice.contains(words), "{advice}");
            }
            other => panic!("expected {code}, got {other:?}"),
        }
        assert_eq!(err.exit_code(), 3);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let mut s = settings(&sim);
    s.graph_url = "http://graph.example.com".into();
    let err = LiveSource::connect(s, quick()).await.unwrap_err();
    assert!(matches!(err, ConnectError::Config(_)), "{err:?}");
    assert_eq!(err.exit_code(), 2);
    assert_eq!(sim.stats().total_requests(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn unreachable_services_are_reported_as_such() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let mut s = settings(&sim);
    s.authority_host = "http://127.0.0.1:9".into();
    let mut o = quick();
    o.max_retries = 1;
    let err = LiveSource::connect(s, o).await.unwrap_err();
    assert!(matches!(err, ConnectError::Unreachable(_)), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_are_renewed_before_they_expire() {
    let knobs = Knobs {
        token_lifetime: Some(Duration::from_millis(1500)),
        ..Knobs::default()
    };
    let sim = sim(Scenario::contoso(), knobs).await;
    let source = connect(&sim, quick()).await;
    // Four different reads: the live source answers a repeated raw path from its run's facts.
    for path in [
        "RetrieveCurrentOrganization(AccessType=@p)?@p=Microsoft.Dynamics.CRM.EndpointAccessType'Default'",
        "organizations?$select=name",
        "emailserverprofiles?$select=name",
        "queues?$select=name",
    ] {
        let v = source
            .raw_get(RawService::Dataverse, path)
            .await
            .expect("a fresh token each time");
        assert!(v.get("Detail").is_some() || v.get("value").is_some(), "{v}");
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let stats = sim.stats();
    assert!(
        stats.tokens_issued >= 3,
        "Dataverse token renewed: {} issued",
        stats.tokens_issued
    );
    assert_eq!(stats.dataverse.requests, 5, "no request was refused and repeated");
    sim.shutdown().await;
}

#[tokio::test]
async fn openid_discovery_finds_each_domains_tenant() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    assert_eq!(
        source.domain_tenant("contoso.com").await.unwrap().as_deref(),
        Some(sim.tenant_id.as_str())
    );
    assert_eq!(
        source.domain_tenant("Fabrikam.com").await.unwrap().as_deref(),
        Some("9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c")
    );
    assert_eq!(source.domain_tenant("nobody-knows.example").await.unwrap(), None);
    let before = sim.stats().identity.requests;
    assert_eq!(
        source.domain_tenant("fabrikam.com").await.unwrap().as_deref(),
        Some("9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c")
    );
    assert_eq!(sim.stats().identity.requests, before, "each domain is asked once");
    sim.shutdown().await;
}
