use ssync_core::check::parse_time;
use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};

use super::EwsAccessBlocked;

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const NOW: &str = "2026-12-01T00:00:00Z";

/// The alert of Microsoft's support article "Http server returned Forbidden exception".
const FORBIDDEN_TEXT: &str = "The email message \"Your mailbox is now connected to Dynamics 365\" cannot be sent \
    because an error occurred while establishing a secure connection to the email server. Mailbox Fiona didn't \
    synchronize. The owner of the email server profile Microsoft Exchange Online has been notified.\nEmail Server \
    Error Code: Http server returned Forbidden exception.";
const FORBIDDEN_DETAILS: &str =
    "Error : System.Net.WebException: The request failed with HTTP status 403: Forbidden.";

fn probe(status: u16) -> EwsProbe {
    EwsProbe {
        url: URL.into(),
        status,
        challenges: vec![],
    }
}

fn alert(id: &str, level: AlertLevel, text: &str, details: Option<&str>, seen: &str) -> Alert {
    Alert {
        id: id.into(),
        level,
        text: text.into(),
        error_details: details.map(str::to_owned),
        detail_xml: None,
        code: None,
        last_seen: Some(seen.into()),
    }
}

fn forbidden_alert(seen: &str) -> Alert {
    alert("a1", AlertLevel::Error, FORBIDDEN_TEXT, None, seen)
}

/// Mailbox `mb` on `profile`, with the profile in the source.
fn on(profile: EmailServerProfile) -> (Mailbox, MemorySourceBuilder) {
    let mut mb = fixtures::mailbox("mb", "fiona@contoso.com");
    mb.profile_id = Some(profile.id.clone());
    let b = MemorySource::builder().mailbox(mb.clone()).profile(profile);
    (mb, b)
}

async fn run(mailbox: Mailbox, source: MemorySource) -> Outcome {
    let now = parse_time(NOW).expect("time");
    let ctx = CheckContext::with_options(&source, CheckOptions::new(now, 30));
    evaluate(&EwsAccessBlocked, &ctx, &Subject::Mailbox(mailbox)).await
}

#[tokio::test]
async fn on_premises_endpoint_answering_403_fails() {
    let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
    let out = run(mb, b.ews_probe(probe(403)).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "endpoint-forbidden");
    assert_eq!(out.evidence["endpoints"][0]["http_status"], 403);
    assert_eq!(
        out.evidence["endpoints"][0]["directions"],
        json!(["incoming", "outgoing"])
    );
    assert!(out.message.contains(URL), "{}", out.message);
}

#[tokio::test]
async fn on_premises_endpoint_asking_for_credentials_passes() {
    let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
    let out = run(mb, b.ews_probe(probe(401)).build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(
        out.message.contains("asked for credentials (401)"),
        "{}",
        out.message
    );
}

#[tokio::test]
async fn other_answers_say_nothing_and_are_errors() {
    for status in [200, 302, 404, 500, 503] {
        let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
        let out = run(mb, b.ews_probe(probe(status)).build()).await;
        assert_eq!(out.status, Status::Error, "{status}: {out:?}");
        assert!(out.message.contains(&format!("HTTP {status}")), "{}", out.message);
    }
}

#[tokio::test]
async fn hybrid_profile_endpoint_is_probed_too() {
    let (mb, b) = on(fixtures::hybrid_profile("p1"));
    let out = run(mb, b.ews_probe(probe(403)).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn unreachable_endpoint_is_an_error_never_a_fail() {
    let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
    let out = run(mb, b.build()).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("could not probe"), "{}", out.message);
}

#[tokio::test]
async fn a_recent_403_alert_fails_an_exchange_online_mailbox() {
    let (mb, b) = on(fixtures::exchange_online_profile("p1"));
    let out = run(mb, b.alert("mb", forbidden_alert("2026-11-28T09:00:00Z")).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "forbidden-alert");
    assert_eq!(out.evidence["alerts"][0]["alert_id"], "a1");
    assert!(
        out.evidence.get("endpoints").is_none(),
        "Exchange Online is never probed"
    );
}

#[tokio::test]
async fn the_403_in_the_details_counts_too() {
    let (mb, b) = on(fixtures::exchange_online_profile("p1"));
    let a = alert(
        "a2",
        AlertLevel::Error,
        "Email cannot be received for the mailbox fiona@contoso.com.",
        Some(FORBIDDEN_DETAILS),
        "2026-11-28T09:00:00Z",
    );
    let out = run(mb, b.alert("mb", a).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn a_403_alert_fails_an_on_premises_mailbox_whose_endpoint_asks_for_credentials() {
    let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
    let b = b
        .ews_probe(probe(401))
        .alert("mb", forbidden_alert("2026-11-28T09:00:00Z"));
    let out = run(mb, b.build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "forbidden-alert");
}

#[tokio::test]
async fn old_fixed_warning_and_quota_alerts_do_not_count() {
    let mut profile = fixtures::exchange_online_profile("p1");
    profile.id = "p1".into();
    let (mut mb, b) = on(profile);
    mb.state.last_successful_sync_on = Some("2026-11-20T00:00:00Z".into());
    let quota = alert(
        "q",
        AlertLevel::Error,
        "The email message X cannot be sent.\nEmail Server Error Code: ErrorQuotaExceeded. Exchange.server \
         returned 403 error.",
        Some(FORBIDDEN_DETAILS),
        "2026-11-28T09:00:00Z",
    );
    let b = b
        .mailbox(mb.clone())
        .alert(
            "mb",
            alert(
                "old",
                AlertLevel::Error,
                FORBIDDEN_TEXT,
                None,
                "2026-10-01T00:00:00Z",
            ),
        )
        .alert(
            "mb",
            alert(
                "fixed",
                AlertLevel::Error,
                FORBIDDEN_TEXT,
                None,
                "2026-11-19T00:00:00Z",
            ),
        )
        .alert(
            "mb",
            alert(
                "warn",
                AlertLevel::Warning,
                FORBIDDEN_TEXT,
                None,
                "2026-11-28T00:00:00Z",
            ),
        )
        .alert(
            "mb",
            alert("undated", AlertLevel::Error, FORBIDDEN_TEXT, None, "yesterday"),
        )
        .alert("mb", quota);
    let out = run(mb, b.build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    let ignored: Vec<&str> = out.evidence["ignored_alerts"]
        .as_array()
        .expect("ignored alerts are shown")
        .iter()
        .map(|a| a["alert_id"].as_str().unwrap())
        .collect();
    assert_eq!(ignored, ["old", "fixed", "undated"]);
}

#[tokio::test]
async fn unreadable_alerts_are_an_error_unless_the_endpoint_already_shows_the_403() {
    let denied = SourceError::Permission {
        what: "tracelogs".into(),
        detail: "denied".into(),
    };
    let (mb, b) = on(fixtures::exchange_online_profile("p1"));
    let out = run(mb, b.failing(DataNeed::Alerts, denied.clone()).build()).await;
    assert_eq!(out.status, Status::Error, "{out:?}");

    let (mb, b) = on(fixtures::on_premises_profile("p1", URL));
    let out = run(
        mb,
        b.ews_probe(probe(403)).failing(DataNeed::Alerts, denied).build(),
    )
    .await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn healthy_exchange_online_mailbox_passes() {
    let (mb, b) = on(fixtures::exchange_online_profile("p1"));
    let out = run(mb, b.build()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn autodiscovered_url_is_probed_when_the_profile_has_none() {
    let mut profile = fixtures::on_premises_profile("p1", URL);
    profile.incoming.server_location = None;
    profile.outgoing.server_location = None;
    let (mut mb, b) = on(profile);
    mb.ews_url = Some(URL.into());
    let out = run(mb, b.ews_probe(probe(403)).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn mailbox_without_profile_or_on_pop3_is_skipped() {
    let mut mb = fixtures::mailbox("mb", "fiona@contoso.com");
    mb.profile_id = None;
    let out = run(mb, MemorySource::builder().build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");

    let mut pop = fixtures::on_premises_profile("p1", "pop.contoso.com");
    pop.server_type = ServerType::Pop3Smtp;
    pop.server_type_name = Some("POP3/SMTP".into());
    pop.incoming.credential_retrieval = Some(CredentialRetrieval::InProfile);
    let (mb, b) = on(pop);
    let out = run(mb, b.ews_probe(probe(403)).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn unknown_target_is_skipped_unless_an_alert_shows_the_403() {
    // Server type 2 says on-premises, server-to-server says Exchange Online: unknown.
    let mut profile = fixtures::hybrid_profile("p1");
    profile.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    profile.outgoing.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    assert_eq!(profile.target(), Target::Unknown);
    let (mb, b) = on(profile.clone());
    let out = run(mb, b.ews_probe(probe(403)).build()).await;
    assert_eq!(out.status, Status::Skip, "not probed: {out:?}");

    let (mb, b) = on(profile);
    let out = run(mb, b.alert("mb", forbidden_alert("2026-11-28T09:00:00Z")).build()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
}

#[tokio::test]
async fn pop3_profiles_have_no_ews() {
    let mut pop = fixtures::on_premises_profile("p1", "pop.contoso.com");
    pop.server_type = ServerType::Pop3Smtp;
    assert_eq!(pop.target(), Target::NotExchange);
    let (mb, b) = on(pop);
    let out = run(mb, b.alert("mb", forbidden_alert("2026-11-28T09:00:00Z")).build()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("no EWS"), "{}", out.message);
}
