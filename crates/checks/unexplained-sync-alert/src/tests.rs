//! Every status of the check over in-memory data. The selected checks are stand-ins declaring
//! what the bundled ones declare (a KB 3212785 cause with a marker, an error code, the approval
//! marker), so the rule is tested on metadata alone. Alert texts are Microsoft's (see the
//! catalogue in `ssync_core::alerts`).

use ssync_core::alerts::CATALOGUE;
use ssync_core::prelude::*;
use ssync_core::records::SyncStatus;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};
use time::macros::datetime;

use super::{META, UnexplainedSyncAlert};

static RECREATED: CheckMeta = CheckMeta::new("recreated-user", "t")
    .cause(6)
    .alert_markers(&["NoUserFoundWithGivenClaims"]);
static LICENCE: CheckMeta = CheckMeta::new("missing-exchange-online-license", "t")
    .cause(3)
    .error_codes(&["InvalidLicense"]);
static APPROVAL: CheckMeta =
    CheckMeta::new("mailbox-email-not-approved", "t").alert_markers(&["requires an approval by"]);

static ALL: &[&CheckMeta] = &[&META, &RECREATED, &LICENCE, &APPROVAL];
static ONLY_ME: &[&CheckMeta] = &[&META];

const LOCATION: &str = "The location of the mailbox zoe could not be determined while receiving email. The owner of \
                        the associated email server profile Microsoft Exchange Online has been notified.";
const HTTP_401: &str = "Email Server Error Code: Http server returned 401 Unauthorized exception.";
const APPROVAL_TEXT: &str = "Email can't be received because the email address of the mailbox zoe requires an \
                             approval by a Microsoft 365 administrator.";

fn alert(id: &str, level: AlertLevel, text: &str, last_seen: Option<&str>) -> Alert {
    Alert {
        id: id.into(),
        level,
        text: text.into(),
        error_details: None,
        detail_xml: None,
        code: None,
        last_seen: last_seen.map(Into::into),
    }
}

fn error(id: &str, text: &str, last_seen: &str) -> Alert {
    alert(id, AlertLevel::Error, text, Some(last_seen))
}

/// Zoe last synchronised successfully on 20 November; the run is on 1 December.
fn mailbox() -> Mailbox {
    let mut m = fixtures::mailbox("mb", "zoe@contoso.com");
    m.state.incoming = Some(SyncStatus::Failure);
    m.state.last_successful_sync_on = Some("2026-11-20T08:00:00Z".into());
    m
}

async fn run_with(builder: MemorySourceBuilder, selected: &[&'static CheckMeta]) -> Outcome {
    let source = builder.mailbox(mailbox()).build();
    let options = CheckOptions::new(datetime!(2026-12-01 10:00 UTC), 30);
    let ctx = CheckContext::with_options(&source, options).with_selected(selected);
    evaluate(&UnexplainedSyncAlert, &ctx, &Subject::Mailbox(mailbox())).await
}

async fn run(alerts: Vec<Alert>, selected: &[&'static CheckMeta]) -> Outcome {
    let builder = alerts
        .into_iter()
        .fold(MemorySource::builder(), |b, a| b.alert("mb", a));
    run_with(builder, selected).await
}

#[tokio::test]
async fn a_mailbox_without_alerts_passes() {
    let out = run(vec![], ALL).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.message.contains("no recent error alert"), "{}", out.message);
}

#[tokio::test]
async fn alerts_the_selected_checks_explain_pass() {
    let mut marker = error("a1", HTTP_401, "2026-11-29T10:00:00Z");
    marker.error_details = Some("Error: NoUserFoundWithGivenClaims".into());
    let code = error(
        "a2",
        "Email can't be received because the license is invalid for the mailbox zoe.\nEmail Server Error Code: ErrorInvalidLicense",
        "2026-11-28T10:00:00Z",
    );
    let approval = error("a3", APPROVAL_TEXT, "2026-11-27T10:00:00Z");
    let out = run(vec![marker, code, approval], ALL).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    let explained = out.evidence["explained_alerts"].as_array().unwrap();
    assert_eq!(explained.len(), 3);
    assert_eq!(
        explained[0]["explained_by"],
        json!(["recreated-user", "missing-exchange-online-license"])
    );
    assert_eq!(
        explained[1]["explained_by"],
        json!(["missing-exchange-online-license"])
    );
    assert_eq!(
        explained[2]["explained_by"],
        json!(["mailbox-email-not-approved"])
    );
}

#[tokio::test]
async fn an_alert_no_check_explains_warns_with_its_documented_cause() {
    let out = run(vec![error("a1", LOCATION, "2026-11-29T10:00:00Z")], ALL).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["reason"], "mailbox-location-unknown");
    assert!(
        out.message
            .starts_with("A recent error alert of mailbox 'zoe' (last seen 2026-11-29T10:00:00Z)")
            && out
                .message
                .contains("could not be determined while receiving email")
            && out.message.contains("/error-when-testing-enabling-mailbox"),
        "{}",
        out.message
    );
    let listed = out.evidence["unexplained_alerts"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["alert_id"], "a1");
    assert_eq!(listed[0]["documented_cause"], "mailbox-location-unknown");
    let fix = out.remediation.as_deref().expect("the cause's fix");
    assert!(fix.contains("Auto Discover Server Location"), "{fix}");
}

#[tokio::test]
async fn an_alert_nothing_documents_warns_saying_so() {
    let text = "Appointments can't be synchronized because the Organizer field isn't present.";
    let out = run(vec![error("a1", text, "2026-11-29T10:00:00Z")], ALL).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["reason"], "no-documented-cause");
    assert!(
        out.message.contains("No documented cause matched"),
        "{}",
        out.message
    );
    assert_eq!(out.remediation, None, "the generic remediation applies");
}

/// Only the checks that ran explain: without the approval check, its alert is unexplained;
/// and this check never explains anything itself.
#[tokio::test]
async fn only_selected_checks_explain() {
    let approval = || error("a1", APPROVAL_TEXT, "2026-11-29T10:00:00Z");
    let out = run(vec![approval()], &[&META, &RECREATED, &LICENCE]).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["reason"], "approval-required");

    let out = run(vec![error("a1", HTTP_401, "2026-11-29T10:00:00Z")], ONLY_ME).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["reason"], "unauthorized-401");
}

#[tokio::test]
async fn old_fixed_undated_and_non_error_alerts_do_not_count() {
    let alerts = vec![
        error("old", LOCATION, "2026-10-20T10:00:00Z"),
        error("before-last-success", LOCATION, "2026-11-19T10:00:00Z"),
        alert(
            "warning",
            AlertLevel::Warning,
            LOCATION,
            Some("2026-11-29T10:00:00Z"),
        ),
        alert("undated", AlertLevel::Error, LOCATION, None),
    ];
    let out = run(alerts, ALL).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(out.evidence["alerts_without_date"], 1);
    // The same alert, newer than the last success, counts.
    let out = run(vec![error("new", LOCATION, "2026-11-20T09:00:00Z")], ALL).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
}

#[tokio::test]
async fn several_unexplained_alerts_quote_the_newest_and_list_all() {
    let alerts = vec![
        error(
            "older",
            "Test Failed. The SMTP address has no mailbox associated with it.",
            "2026-11-25T10:00:00Z",
        ),
        error("newest", LOCATION, "2026-11-30T10:00:00Z"),
        error("explained", HTTP_401, "2026-11-30T11:00:00Z"),
    ];
    let out = run(alerts, ALL).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert!(
        out.message
            .starts_with("2 recent error alerts of mailbox 'zoe' are explained by no selected check"),
        "{}",
        out.message
    );
    assert_eq!(out.evidence["reason"], "mailbox-location-unknown");
    let ids: Vec<_> = out.evidence["unexplained_alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alert_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["newest", "older"]);
    assert_eq!(
        out.evidence["unexplained_alerts"][1]["documented_cause"],
        "no-mailbox-for-address"
    );
}

#[tokio::test]
async fn a_context_without_the_selection_skips() {
    let out = run(vec![error("a1", LOCATION, "2026-11-29T10:00:00Z")], &[]).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn unreadable_alerts_are_an_error_never_a_warning() {
    let builder = MemorySource::builder().failing(
        DataNeed::Alerts,
        SourceError::Permission {
            what: "tracelogs".into(),
            detail: "no read privilege on Trace".into(),
        },
    );
    let out = run_with(builder, ALL).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("tracelogs"), "{}", out.message);
}

#[test]
fn reasons_and_docs_cover_the_catalogue() {
    let mut expected: Vec<&str> = CATALOGUE.iter().map(|c| c.id).collect();
    expected.push("no-documented-cause");
    assert_eq!(META.reasons, expected.as_slice());
    for cause in CATALOGUE {
        assert!(
            META.docs.contains(&cause.article),
            "{} missing from docs",
            cause.article
        );
    }
}

#[test]
fn long_alert_texts_are_cut() {
    let long = "x".repeat(1000);
    let cut = super::excerpt(&long);
    assert_eq!(cut.chars().count(), super::EXCERPT_CHARS + 1);
    assert!(cut.ends_with('…'));
}
