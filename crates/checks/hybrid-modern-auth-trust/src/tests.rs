use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};

use super::HybridModernAuthTrust;

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const ENTRA: &str = "00000001-0000-0000-c000-000000000000";

fn challenge(scheme: &str, params: &str) -> AuthChallenge {
    AuthChallenge {
        scheme: scheme.into(),
        params: params.into(),
    }
}

/// The on-premises answer of the Exchange HMA docs, trusting `realm`, beside Windows schemes.
fn hma_answer(url: &str, realm: &str) -> EwsProbe {
    EwsProbe {
        url: url.into(),
        status: 401,
        challenges: vec![
            challenge(
                "Bearer",
                &format!(
                    "client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"{ENTRA}@{realm},\
                     00000004-0000-0ff1-ce00-000000000000@contoso.com\", token_types=\"app_asserted_user_v1 \
                     service_asserted_app_v1\", authorization_uri=\"https://login.windows.net/common/oauth2/authorize\""
                ),
            ),
            challenge("Negotiate", ""),
            challenge("NTLM", ""),
        ],
    }
}

fn windows_only(url: &str) -> EwsProbe {
    EwsProbe {
        url: url.into(),
        status: 401,
        challenges: vec![challenge("Negotiate", ""), challenge("NTLM", "")],
    }
}

/// The HMA profile `p1` against `URL`, two mailboxes on it and one elsewhere.
fn source() -> MemorySourceBuilder {
    let on = |id: &str, addr: &str, p: &str| {
        let mut m = fixtures::mailbox(id, addr);
        m.profile_id = Some(p.into());
        m
    };
    MemorySource::builder()
        .environment(fixtures::environment())
        .mailbox(on("mb1", "ivan@contoso.com", "p1"))
        .mailbox(on("mb2", "hank@contoso.com", "p1"))
        .mailbox(on("mb3", "alice@contoso.com", "profile-exo"))
}

async fn run(profile: EmailServerProfile, source: MemorySource) -> Outcome {
    evaluate(
        &HybridModernAuthTrust,
        &CheckContext::new(&source),
        &Subject::Profile(profile),
    )
    .await
}

#[tokio::test]
async fn endpoint_trusting_the_environments_tenant_passes() {
    let src = source().ews_probe(hma_answer(URL, fixtures::TENANT)).build();
    let out = run(fixtures::hybrid_profile("p1"), src).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.mailboxes.is_empty());
    let e = &out.evidence["endpoints"][0];
    assert_eq!(
        e["directions"],
        json!(["incoming", "outgoing"]),
        "one probe for both"
    );
    assert_eq!(e["issuer_for_tenant"], format!("{ENTRA}@{}", fixtures::TENANT));
    assert_eq!(
        e["authorization_uri"],
        "https://login.windows.net/common/oauth2/authorize"
    );
    assert_eq!(out.evidence["tenant_expected"], fixtures::TENANT);
}

#[tokio::test]
async fn a_wildcard_issuer_trusts_the_tenant_too() {
    let src = source().ews_probe(hma_answer(URL, "*")).build();
    let out = run(fixtures::hybrid_profile("p1"), src).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn endpoint_trusting_another_tenant_fails_with_evidence_and_mailboxes() {
    let src = source()
        .ews_probe(hma_answer(URL, fixtures::OTHER_TENANT))
        .build();
    let out = run(fixtures::hybrid_profile("p1"), src).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "tenant-not-trusted");
    assert_eq!(out.mailboxes, ["ivan@contoso.com", "hank@contoso.com"]);
    let e = &out.evidence["endpoints"][0];
    assert_eq!(
        e["trusted_issuers"][0],
        format!("{ENTRA}@{}", fixtures::OTHER_TENANT)
    );
    assert_eq!(e["offered_schemes"], json!(["Bearer", "Negotiate", "NTLM"]));
    assert_eq!(e["issuer_for_tenant"], Value::Null);
    assert!(out.message.contains(fixtures::TENANT), "{}", out.message);
    assert!(
        out.message.contains(fixtures::OTHER_TENANT),
        "names the issuers it found: {}",
        out.message
    );
}

#[tokio::test]
async fn endpoint_without_bearer_fails() {
    let src = source().ews_probe(windows_only(URL)).build();
    let out = run(fixtures::hybrid_profile("p1"), src).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "no-bearer");
    assert!(out.message.contains("Negotiate, NTLM"), "{}", out.message);
    assert_eq!(out.mailboxes.len(), 2);
}

#[tokio::test]
async fn bearer_without_issuers_fails() {
    let probe = EwsProbe {
        url: URL.into(),
        status: 401,
        challenges: vec![challenge("Bearer", "client_id=\"x\"")],
    };
    let out = run(fixtures::hybrid_profile("p1"), source().ews_probe(probe).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "tenant-not-trusted");
}

#[tokio::test]
async fn one_failing_direction_fails_the_profile() {
    let other = "https://mail2.contoso.com/EWS/Exchange.asmx";
    let mut profile = fixtures::hybrid_profile("p1");
    profile.outgoing.server_location = Some(other.into());
    let src = source()
        .ews_probe(hma_answer(URL, fixtures::TENANT))
        .ews_probe(windows_only(other))
        .build();
    let out = run(profile, src).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.message.contains("outgoing"), "{}", out.message);
    assert!(
        !out.message.contains("incoming"),
        "names the failing direction only: {}",
        out.message
    );
    assert_eq!(out.evidence["endpoints"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unreachable_endpoint_is_an_error_never_a_fail() {
    // No answer recorded: MemorySource reports the endpoint unreachable.
    let out = run(fixtures::hybrid_profile("p1"), source().build()).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("could not probe"), "{}", out.message);
    assert_eq!(out.mailboxes.len(), 2);
}

#[tokio::test]
async fn answers_other_than_a_challenge_are_errors() {
    for status in [403, 404, 200, 302, 500] {
        let probe = EwsProbe {
            url: URL.into(),
            status,
            challenges: vec![],
        };
        let out = run(fixtures::hybrid_profile("p1"), source().ews_probe(probe).build()).await;
        assert_eq!(out.status, Status::Error, "{status}: {out:?}");
    }
    let probe = EwsProbe {
        url: URL.into(),
        status: 401,
        challenges: vec![],
    };
    let out = run(fixtures::hybrid_profile("p1"), source().ews_probe(probe).build()).await;
    assert_eq!(out.status, Status::Error, "401 without challenge: {out:?}");
}

#[tokio::test]
async fn unreadable_environment_is_an_error() {
    let src = source()
        .ews_probe(hma_answer(URL, fixtures::OTHER_TENANT))
        .failing(
            DataNeed::Environment,
            SourceError::Permission {
                what: "organization".into(),
                detail: "denied".into(),
            },
        )
        .build();
    let out = run(fixtures::hybrid_profile("p1"), src).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn profiles_without_hma_are_skipped() {
    for profile in [
        fixtures::exchange_online_profile("p1"),
        fixtures::on_premises_profile("p1", URL),
    ] {
        let out = run(profile, source().ews_probe(windows_only(URL)).build()).await;
        assert_eq!(out.status, Status::Skip, "{out:?}");
        assert!(out.message.contains("does not use"), "{}", out.message);
    }
}

#[tokio::test]
async fn hma_without_a_location_is_skipped_unprobed() {
    let mut profile = fixtures::hybrid_profile("p1");
    profile.incoming.server_location = None;
    profile.outgoing.server_location = Some("  ".into());
    // A probe would fail the profile: the skip shows that none was made.
    let out = run(profile, source().ews_probe(windows_only(URL)).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("no server location"), "{}", out.message);
}

#[tokio::test]
async fn an_exchange_online_host_is_never_probed() {
    let exo = "https://outlook.office365.com/EWS/Exchange.asmx";
    let mut profile = fixtures::hybrid_profile("p1");
    profile.incoming.server_location = Some(exo.into());
    profile.outgoing.server_location = Some(exo.into());
    let out = run(profile, source().ews_probe(windows_only(exo)).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.evidence.get("endpoints").is_none(), "{out:?}");
}

#[tokio::test]
async fn a_direction_without_hma_is_not_probed() {
    let mut profile = fixtures::hybrid_profile("p1");
    let other = "https://smtp.contoso.com/EWS/Exchange.asmx";
    profile.outgoing.credential_retrieval = Some(CredentialRetrieval::InProfile);
    profile.outgoing.server_location = Some(other.into());
    let src = source()
        .ews_probe(hma_answer(URL, fixtures::TENANT))
        .ews_probe(windows_only(other))
        .build();
    let out = run(profile, src).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(out.evidence["endpoints"][0]["directions"], json!(["incoming"]));
}
