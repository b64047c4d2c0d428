use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};

use super::EwsBasicAuthDisabled;

mod counting;

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const URL_2: &str = "https://smtp.contoso.com/EWS/Exchange.asmx";

fn probe(url: &str, status: u16, schemes: &[&str]) -> EwsProbe {
    EwsProbe {
        url: url.into(),
        status,
        challenges: schemes
            .iter()
            .map(|s| AuthChallenge {
                scheme: (*s).into(),
                params: if *s == "Basic" {
                    "realm=\"mail.contoso.com\"".into()
                } else {
                    String::new()
                },
            })
            .collect(),
    }
}

/// An on-premises profile `p1` (credentials in profile) whose two directions use `protocol`
/// against `URL`, with two mailboxes on it and one on another profile.
fn on_premises(protocol: AuthProtocol) -> (EmailServerProfile, MemorySourceBuilder) {
    let mut profile = fixtures::on_premises_profile("p1", URL);
    profile.incoming.auth_protocol = Some(protocol);
    profile.outgoing.auth_protocol = Some(protocol);
    (profile, with_mailboxes("p1"))
}

fn with_mailboxes(profile_id: &str) -> MemorySourceBuilder {
    let on = |id: &str, addr: &str, p: &str| {
        let mut m = fixtures::mailbox(id, addr);
        m.profile_id = Some(p.into());
        m
    };
    MemorySource::builder()
        .mailbox(on("mb1", "quentin@contoso.com", profile_id))
        .mailbox(on("mb2", "rita@contoso.com", profile_id))
        .mailbox(on("mb3", "alice@contoso.com", "profile-exo"))
}

async fn run(profile: EmailServerProfile, source: MemorySource) -> Outcome {
    evaluate(
        &EwsBasicAuthDisabled,
        &CheckContext::new(&source),
        &Subject::Profile(profile),
    )
    .await
}

#[tokio::test]
async fn basic_offered_passes() {
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(
        p,
        b.ews_probe(probe(URL, 401, &["Negotiate", "NTLM", "Basic"]))
            .build(),
    )
    .await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.mailboxes.is_empty());
}

#[tokio::test]
async fn basic_profile_against_windows_only_endpoint_fails_with_evidence_and_mailboxes() {
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Negotiate", "NTLM"])).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.mailboxes, vec!["quentin@contoso.com", "rita@contoso.com"]);
    let incoming = &out.evidence["connections"][0];
    assert_eq!(incoming["direction"], "incoming");
    assert_eq!(incoming["server_location"], URL);
    assert_eq!(incoming["required_schemes"], json!(["Basic"]));
    assert_eq!(incoming["offered_schemes"], json!(["Negotiate", "NTLM"]));
    assert_eq!(incoming["http_status"], 401);
    assert_eq!(incoming["auth_protocol"], "Basic");
    assert_eq!(incoming["status"], "fail");
    assert_eq!(out.evidence["connections"][1]["status"], "fail");
    assert!(
        out.message.contains("offers only Negotiate, NTLM"),
        "{}",
        out.message
    );
}

#[tokio::test]
async fn scheme_names_compare_without_case() {
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(p, b.ews_probe(probe(URL, 401, &["basic"])).build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn auto_detect_with_ntlm_only_passes() {
    let (p, b) = on_premises(AuthProtocol::AutoDetect);
    let out = run(p, b.ews_probe(probe(URL, 401, &["NTLM"])).build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn auto_detect_with_negotiate_only_fails() {
    let (p, b) = on_premises(AuthProtocol::AutoDetect);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Negotiate"])).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(
        out.evidence["connections"][0]["required_schemes"],
        json!(["Basic", "NTLM"])
    );
}

#[tokio::test]
async fn ntlm_protocol_with_basic_only_fails() {
    let (p, b) = on_premises(AuthProtocol::Ntlm);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Basic"])).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn negotiate_protocol_needs_negotiate() {
    let (p, b) = on_premises(AuthProtocol::Negotiate);
    let pass = run(p.clone(), b.ews_probe(probe(URL, 401, &["Negotiate"])).build()).await;
    assert_eq!(pass.status, Status::Pass, "{pass:?}");
    let fail = run(
        p,
        with_mailboxes("p1")
            .ews_probe(probe(URL, 401, &["NTLM", "Basic"]))
            .build(),
    )
    .await;
    assert_eq!(fail.status, Status::Fail, "{fail:?}");
}

#[tokio::test]
async fn unreachable_endpoint_is_an_error_not_a_fail() {
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(p, b.build()).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert_eq!(
        out.evidence["connections"][0]["source_error"]["kind"],
        "unreachable"
    );
    assert_eq!(out.mailboxes.len(), 2);
}

#[tokio::test]
async fn forbidden_is_a_skip_naming_the_check_that_judges_it() {
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(p, b.ews_probe(probe(URL, 403, &[])).build()).await;
    assert_eq!(
        out.status,
        Status::Skip,
        "not 'Basic disabled', nor an error: {out:?}"
    );
    assert!(out.message.contains("403 Forbidden"), "{}", out.message);
    assert!(out.message.contains("ews-access-blocked"), "{}", out.message);
    assert!(out.mailboxes.is_empty(), "{out:?}");
    assert_eq!(out.evidence["connections"][0]["http_status"], 403);
}

#[tokio::test]
async fn answer_without_challenge_is_an_error() {
    for status in [200, 302, 404, 500] {
        let (p, b) = on_premises(AuthProtocol::Basic);
        let out = run(p, b.ews_probe(probe(URL, status, &[])).build()).await;
        assert_eq!(out.status, Status::Error, "{status}: {out:?}");
    }
    let (p, b) = on_premises(AuthProtocol::Basic);
    let out = run(p, b.ews_probe(probe(URL, 401, &[])).build()).await;
    assert_eq!(out.status, Status::Error, "401 without challenge: {out:?}");
}

#[tokio::test]
async fn exchange_online_host_is_skipped_and_never_probed() {
    let mut p = fixtures::on_premises_profile("p1", "https://outlook.office365.com/EWS/Exchange.asmx");
    p.incoming.credential_retrieval = Some(CredentialRetrieval::UserOrQueue);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::UserOrQueue);
    let source = with_mailboxes("p1")
        .failing(
            DataNeed::EwsChallenge,
            SourceError::Unsupported("the check must not probe Exchange Online".into()),
        )
        .build();
    let out = run(p, source).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(
        out.message.contains("exchange-online-basic-auth"),
        "{}",
        out.message
    );
    // Skipped on its target, before any direction was probed.
    assert_eq!(
        out.evidence["profile_target"]["target"]["kind"],
        "exchange-online"
    );
    assert!(!out.evidence.contains_key("connections"));
}

#[tokio::test]
async fn other_profile_types_are_skipped() {
    for p in [
        fixtures::hybrid_profile("p1"),
        fixtures::exchange_online_profile("p1"),
        EmailServerProfile {
            server_type: ServerType::ImapSmtp,
            ..fixtures::on_premises_profile("p1", URL)
        },
    ] {
        let source = with_mailboxes("p1").ews_probe(probe(URL, 401, &["NTLM"])).build();
        let out = run(p, source).await;
        assert_eq!(out.status, Status::Skip, "{out:?}");
        assert!(out.evidence.contains_key("server_type"));
    }
}

#[tokio::test]
async fn profile_without_server_location_is_skipped_with_reason() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.incoming.server_location = None;
    p.outgoing.server_location = Some("  ".into());
    let out = run(p, b.build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("no server location"), "{}", out.message);
}

#[tokio::test]
async fn connections_without_credentials_are_not_judged() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::Anonymous);
    let out = run(p, b.ews_probe(probe(URL, 401, &["NTLM"])).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn oauth_protocol_is_not_judged() {
    let (p, b) = on_premises(AuthProtocol::OAuth);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Bearer"])).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn windows_integrated_auto_detect_accepts_negotiate() {
    let (mut p, b) = on_premises(AuthProtocol::AutoDetect);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::WindowsIntegrated);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::WindowsIntegrated);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Negotiate"])).build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn a_failing_direction_outweighs_an_unreachable_one() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.outgoing.server_location = Some(URL_2.into());
    let out = run(p, b.ews_probe(probe(URL, 401, &["NTLM"])).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["connections"][1]["status"], "error");
    assert!(!out.message.contains(URL_2), "{}", out.message);
}

#[tokio::test]
async fn an_unreachable_direction_outweighs_a_passing_one() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.outgoing.server_location = Some(URL_2.into());
    let out = run(p, b.ews_probe(probe(URL, 401, &["Basic"])).build()).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains(URL_2), "{}", out.message);
}

#[tokio::test]
async fn a_passing_direction_outweighs_one_not_judged() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    // Hybrid Modern Auth sends no password for EWS to challenge.
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::HybridModernAuth);
    let out = run(p, b.ews_probe(probe(URL, 401, &["Basic"])).build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(out.evidence["connections"][1]["status"], "skip");
}

#[tokio::test]
async fn a_profile_whose_directions_disagree_about_the_target_is_skipped_with_the_reason() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.outgoing.server_location = Some("https://outlook.office365.com/EWS/Exchange.asmx".into());
    let out = run(p, b.ews_probe(probe(URL, 401, &["NTLM"])).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("disagree"), "{}", out.message);
    assert_eq!(out.evidence["profile_target"]["target"]["kind"], "unknown");
}

#[tokio::test]
async fn each_direction_is_judged_against_its_own_endpoint() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    p.outgoing.server_location = Some(URL_2.into());
    let source = b
        .ews_probe(probe(URL, 401, &["Basic"]))
        .ews_probe(probe(URL_2, 401, &["NTLM"]))
        .build();
    let out = run(p, source).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["connections"][0]["status"], "pass");
    assert_eq!(out.evidence["connections"][1]["server_location"], URL_2);
}

#[tokio::test]
async fn a_url_shared_by_both_directions_is_probed_once() {
    let (mut p, b) = on_premises(AuthProtocol::Basic);
    let source = counting::CountingSource::new(b.ews_probe(probe(URL, 401, &["Basic"])).build());
    let ctx = CheckContext::new(&source);
    let out = evaluate(&EwsBasicAuthDisabled, &ctx, &Subject::Profile(p.clone())).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(source.probed(), vec![URL]);

    p.outgoing.server_location = Some(URL_2.into());
    let source = counting::CountingSource::new(with_mailboxes("p1").build());
    let ctx = CheckContext::new(&source);
    evaluate(&EwsBasicAuthDisabled, &ctx, &Subject::Profile(p)).await;
    assert_eq!(source.probed(), vec![URL, URL_2]);
}
