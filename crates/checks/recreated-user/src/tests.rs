use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};

use super::RecreatedUser;

/// The object id of the user as it exists now.
const LIVE: &str = "aaaaaaaa-0000-4000-8000-000000000002";
/// The object id of the user before it was deleted.
const OLD: &str = "0e3c4b5a-6d7e-4f90-8a2b-3c4d5e6f7a8b";
/// `OLD` without dashes: the prefix Entra puts on a deleted user's UPN.
const OLD_HEX: &str = "0e3c4b5a6d7e4f908a2b3c4d5e6f7a8b";

/// A healthy mailbox `mb` of sam@contoso.com whose Dataverse user `user-mb` holds the live
/// Entra object id.
fn healthy() -> (MemorySourceBuilder, Mailbox) {
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let builder = MemorySource::builder()
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", LIVE))
        .entra_user(fixtures::entra_user(LIVE, "sam@contoso.com"));
    (builder, mailbox)
}

/// The same, but Dataverse still holds the old object id.
fn stale_object_id() -> (MemorySourceBuilder, Mailbox) {
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let builder = MemorySource::builder()
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", OLD))
        .entra_user(fixtures::entra_user(LIVE, "sam@contoso.com"));
    (builder, mailbox)
}

fn deleted(id: &str, upn: &str, deleted_at: Option<&str>) -> DeletedUser {
    DeletedUser {
        id: id.into(),
        user_principal_name: upn.into(),
        display_name: Some("Sam".into()),
        mail: None,
        proxy_addresses: vec![],
        deleted_at: deleted_at.map(Into::into),
    }
}

fn alert(id: &str, level: AlertLevel, text: &str, details: Option<&str>) -> Alert {
    Alert {
        id: id.into(),
        level,
        text: text.into(),
        error_details: details.map(Into::into),
        detail_xml: None,
        code: None,
        last_seen: Some("2026-11-27T10:00:00Z".into()),
    }
}

const CLAIMS_ALERT: &str = "Email cannot be received for the mailbox Sam. Email Server Error Code: \
                            Http server returned 401 Unauthorized exception. NoUserFoundWithGivenClaims";

/// The moment the tests judge "recent" against.
const NOW: &str = "2026-12-01T00:00:00Z";

fn options(window_days: u32) -> CheckOptions {
    let now = ssync_core::check::parse_time(NOW).expect("NOW parses");
    CheckOptions::new(now, window_days)
}

async fn run_with(source: &MemorySource, mailbox: Mailbox, options: CheckOptions) -> Outcome {
    evaluate(
        &RecreatedUser,
        &CheckContext::with_options(source, options),
        &Subject::Mailbox(mailbox),
    )
    .await
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    run_with(source, mailbox, options(30)).await
}

/// The live user `LIVE` for sam@contoso.com, created on `created_at`.
fn live_created(created_at: &str) -> EntraUser {
    let mut u = fixtures::entra_user(LIVE, "sam@contoso.com");
    u.created_at = Some(created_at.into());
    u
}

/// Recreated: Dataverse already holds the new object `LIVE` (so the ids agree), but `LIVE`
/// was created the day after the old `OLD` was deleted.
fn recreated(twin_upn: &str) -> (MemorySource, Mailbox) {
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let source = MemorySource::builder()
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", LIVE))
        .entra_user(live_created("2026-11-21T09:00:00Z"))
        .deleted_user(deleted(OLD, twin_upn, Some("2026-11-20T08:15:00Z")))
        .build();
    (source, mailbox)
}

fn signal_kinds(out: &Outcome) -> Vec<String> {
    out.evidence["signals"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["signal"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn healthy_user_passes() {
    let (b, mb) = healthy();
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn object_ids_compare_without_case() {
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let source = MemorySource::builder()
        .system_user(fixtures::system_user(
            "user-mb",
            "sam@contoso.com",
            &LIVE.to_uppercase(),
        ))
        .entra_user(fixtures::entra_user(LIVE, "sam@contoso.com"))
        .build();
    assert_eq!(run(&source, mailbox).await.status, Status::Pass);
}

#[tokio::test]
async fn stale_object_id_alone_fails() {
    let (b, mb) = stale_object_id();
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(signal_kinds(&out), ["object-id-mismatch"]);
    let s = &out.evidence["signals"][0];
    assert_eq!(s["dataverse_object_id"], OLD);
    assert_eq!(s["entra_object_id"], LIVE);
    assert_eq!(s["user_principal_name"], "sam@contoso.com");
    assert_eq!(s["matched_address"], "sam@contoso.com");
    assert!(
        out.message.contains(OLD) && out.message.contains(LIVE),
        "{}",
        out.message
    );
}

#[tokio::test]
async fn no_live_user_with_the_sign_in_name_is_not_a_mismatch() {
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let source = MemorySource::builder()
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", OLD))
        .build();
    assert_eq!(run(&source, mailbox).await.status, Status::Pass);
}

#[tokio::test]
async fn azure_state_with_the_held_object_still_owning_the_address_is_not_a_recreation() {
    for (state, value) in [(AzureState::SoftDeleted, 1), (AzureState::NotFound, 2)] {
        let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
        let mut user = fixtures::system_user("user-mb", "sam@contoso.com", LIVE);
        user.azure_state = Some(state);
        let source = MemorySource::builder()
            .system_user(user)
            .entra_user(fixtures::entra_user(LIVE, "sam@contoso.com"))
            .build();
        let out = run(&source, mailbox).await;
        assert_eq!(out.status, Status::Pass, "{state:?}: {out:?}");
        assert_eq!(signal_kinds(&out), ["azure-state"]);
        assert_eq!(out.evidence["signals"][0]["value"], value);
    }
}

#[tokio::test]
async fn deleted_and_never_recreated_is_a_skip_not_cause_6() {
    // Dataverse marks the user deleted, a soft-deleted twin exists, and the alert says the
    // user is not found; but nobody owns the address today.
    let mailbox = fixtures::mailbox("mb", "sam@contoso.com");
    let mut user = fixtures::system_user("user-mb", "sam@contoso.com", OLD);
    user.azure_state = Some(AzureState::SoftDeleted);
    let source = MemorySource::builder()
        .system_user(user)
        .deleted_user(deleted(OLD, "sam@contoso.com", Some("2026-11-20T08:15:00Z")))
        .alert("mb", alert("t1", AlertLevel::Error, CLAIMS_ALERT, None))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(
        out.message.contains("mailbox-owner-unavailable"),
        "{}",
        out.message
    );
    assert_eq!(signal_kinds(&out), ["azure-state", "deleted-twin", "alert"]);
}

#[tokio::test]
async fn live_user_created_after_the_twin_was_deleted_fails_naming_both_dates() {
    let (source, mb) = recreated("sam@contoso.com");
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(signal_kinds(&out), ["created-after-deletion", "deleted-twin"]);
    let s = &out.evidence["signals"][0];
    assert_eq!(s["entra_object_id"], LIVE);
    assert_eq!(s["deleted_user_id"], OLD);
    assert_eq!(s["created_at"], "2026-11-21T09:00:00Z");
    assert_eq!(s["deleted_at"], "2026-11-20T08:15:00Z");
    let twin = &out.evidence["signals"][1];
    assert_eq!(twin["id"], OLD);
    assert_eq!(twin["purged_after"], "2026-12-20T08:15:00Z");
    assert_eq!(twin["restorable_days"], 30);
    assert!(out.message.contains("restorable for 30 days"), "{}", out.message);
    assert!(out.message.contains(OLD), "{}", out.message);
}

#[tokio::test]
async fn live_user_created_before_the_twin_was_deleted_is_not_a_recreation() {
    // Two objects held the address side by side (an alias); the one deleted later is not
    // the live user's predecessor.
    let (b, mb) = healthy();
    let source = b
        .entra_user(live_created("2026-01-05T09:00:00Z"))
        .deleted_user(deleted(OLD, "sam@contoso.com", Some("2026-11-20T08:15:00Z")))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(signal_kinds(&out), ["deleted-twin"]);
}

#[tokio::test]
async fn deleted_twin_with_upn_prefixed_by_its_object_id_is_matched() {
    let upn = format!("{OLD_HEX}sam@contoso.com");
    let (source, mb) = recreated(&upn);
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["signals"][1]["user_principal_name"], upn.as_str());
}

#[tokio::test]
async fn deleted_user_with_a_similar_name_is_not_a_twin() {
    let (b, mb) = healthy();
    let source = b
        .deleted_user(deleted(OLD, "xsam@contoso.com", None))
        .deleted_user(deleted(OLD, "sam@contoso.com.old", None))
        .build();
    assert_eq!(run(&source, mb).await.status, Status::Pass);
}

#[tokio::test]
async fn deleted_twin_matching_the_sign_in_name_fails() {
    // The mailbox address differs from the user's sign-in name; the twin carries the latter.
    let mailbox = fixtures::mailbox("mb", "sam.smith@contoso.com");
    let source = MemorySource::builder()
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", LIVE))
        .entra_user(live_created("2026-11-21T09:00:00Z"))
        .deleted_user(deleted(OLD, "sam@contoso.com", Some("2026-11-20T08:15:00Z")))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["signals"][0]["matched_address"], "sam@contoso.com");
}

#[tokio::test]
async fn twin_matching_address_and_sign_in_name_is_named_once() {
    let mailbox = fixtures::mailbox("mb", "sam.smith@contoso.com");
    let mut twin = deleted(OLD, "sam@contoso.com", None);
    twin.mail = Some("sam.smith@contoso.com".into());
    let source = MemorySource::builder()
        .system_user(fixtures::system_user("user-mb", "sam@contoso.com", LIVE))
        .entra_user(fixtures::entra_user(LIVE, "sam@contoso.com"))
        .deleted_user(twin)
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(signal_kinds(&out), ["deleted-twin"]);
}

#[tokio::test]
async fn recent_error_alert_without_a_recreation_warns() {
    let (b, mb) = healthy();
    let source = b
        .alert("mb", alert("t1", AlertLevel::Error, CLAIMS_ALERT, None))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert!(out.message.contains("72 hours"), "{}", out.message);
    assert_eq!(signal_kinds(&out), ["alert"]);
    assert_eq!(out.evidence["signals"][0]["alert_id"], "t1");
    assert_eq!(
        out.evidence["signals"][0]["markers"],
        json!(["NoUserFoundWithGivenClaims"])
    );
}

#[tokio::test]
async fn error_alert_saying_user_does_not_exist_in_details_counts() {
    let (b, mb) = healthy();
    let details = format!("User does not exist in tenant with id '{OLD}'");
    let source = b
        .alert(
            "mb",
            alert("t2", AlertLevel::Error, "Email cannot be sent.", Some(&details)),
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(
        out.evidence["signals"][0]["markers"],
        json!(["User does not exist in tenant with id"])
    );
}

#[tokio::test]
async fn warning_alerts_and_unrelated_errors_do_not_count() {
    let (b, mb) = healthy();
    let source = b
        .alert("mb", alert("t1", AlertLevel::Warning, CLAIMS_ALERT, None))
        .alert(
            "mb",
            alert(
                "t2",
                AlertLevel::Error,
                "Http server returned 401 Unauthorized exception.",
                None,
            ),
        )
        .alert(
            "other-mailbox",
            alert("t3", AlertLevel::Error, CLAIMS_ALERT, None),
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn alerts_older_than_the_window_or_the_last_successful_sync_do_not_count() {
    let (b, mut mb) = healthy();
    let mut old = alert("t-old", AlertLevel::Error, CLAIMS_ALERT, None);
    old.last_seen = Some("2026-10-01T00:00:00Z".into());
    let mut undated = alert("t-undated", AlertLevel::Error, CLAIMS_ALERT, None);
    undated.last_seen = None;
    let before_sync = alert("t-fixed", AlertLevel::Error, CLAIMS_ALERT, None);
    mb.state.last_successful_sync_on = Some("2026-11-28T00:00:00Z".into());
    let source = b
        .alert("mb", old)
        .alert("mb", undated)
        .alert("mb", before_sync)
        .build();
    let out = run(&source, mb.clone()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    let ignored = out.evidence["ignored_alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let reasons: Vec<&str> = ignored.iter().filter_map(|i| i["reason"].as_str()).collect();
    assert_eq!(ignored.len(), 3, "{ignored:?}");
    assert!(reasons.contains(&"older than the alert window"), "{reasons:?}");
    assert!(
        reasons.contains(&"the mailbox synchronised successfully after it"),
        "{reasons:?}"
    );
    // A longer window (ssync-doctor.toml) lets the October alert count.
    mb.state.last_successful_sync_on = None;
    let out = run_with(&source, mb, options(90)).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(signal_kinds(&out), ["alert", "alert"]);
}

#[tokio::test]
async fn every_signal_is_named_when_several_are_present() {
    let (b, mb) = stale_object_id();
    let source = b
        .deleted_user(deleted(
            OLD,
            &format!("{OLD_HEX}sam@contoso.com"),
            Some("2026-11-20T08:15:00Z"),
        ))
        .alert("mb", alert("t1", AlertLevel::Error, CLAIMS_ALERT, None))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(
        signal_kinds(&out),
        ["object-id-mismatch", "deleted-twin", "alert"]
    );
    assert!(
        out.message.contains("NoUserFoundWithGivenClaims"),
        "{}",
        out.message
    );
    assert!(out.message.contains("2026-12-20T08:15:00Z"), "{}", out.message);
}

#[tokio::test]
async fn queue_mailbox_is_judged_by_its_address_owner_and_twin() {
    let mut mailbox = fixtures::mailbox("mbq", "support@contoso.com");
    mailbox.regarding = Regarding::Queue("q1".into());
    let failing_users = || {
        MemorySource::builder().failing(
            DataNeed::SystemUsers,
            SourceError::Unsupported("a queue mailbox must not read system users".into()),
        )
    };
    let clean = run(&failing_users().build(), mailbox.clone()).await;
    assert_eq!(clean.status, Status::Pass, "{clean:?}");
    // Deleted, nobody owns the address: gone, not recreated.
    let twin = failing_users()
        .deleted_user(deleted(OLD, "support@contoso.com", Some("2026-11-20T08:15:00Z")))
        .build();
    let out = run(&twin, mailbox.clone()).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert_eq!(signal_kinds(&out), ["deleted-twin"]);
    // Recreated: the queue's address belongs to an object created after the deletion.
    let mut live = fixtures::entra_user(LIVE, "support@contoso.com");
    live.created_at = Some("2026-11-22T00:00:00Z".into());
    let recreated = failing_users()
        .entra_user(live)
        .deleted_user(deleted(OLD, "support@contoso.com", Some("2026-11-20T08:15:00Z")))
        .build();
    let out = run(&recreated, mailbox.clone()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(signal_kinds(&out), ["created-after-deletion", "deleted-twin"]);
}

#[tokio::test]
async fn mailbox_in_a_foreign_domain_is_still_checked_and_passes_when_healthy() {
    // oscar@fabrikam.com lives in another tenant; his Dataverse user oscar@contoso.com is in
    // the environment's tenant with the object id Dataverse holds.
    let mailbox = fixtures::mailbox("mb", "oscar@fabrikam.com");
    let source = MemorySource::builder()
        .environment(fixtures::environment())
        .domain_tenant("fabrikam.com", fixtures::OTHER_TENANT)
        .system_user(fixtures::system_user("user-mb", "oscar@contoso.com", LIVE))
        .entra_user(fixtures::entra_user(LIVE, "oscar@contoso.com"))
        .build();
    assert_eq!(run(&source, mailbox.clone()).await.status, Status::Pass);
    let stale = MemorySource::builder()
        .system_user(fixtures::system_user("user-mb", "oscar@contoso.com", OLD))
        .entra_user(fixtures::entra_user(LIVE, "oscar@contoso.com"))
        .build();
    assert_eq!(run(&stale, mailbox).await.status, Status::Fail);
}

#[tokio::test]
async fn unreadable_source_without_signals_is_an_error() {
    let (b, mb) = healthy();
    let source = b
        .failing(
            DataNeed::DeletedUsers,
            SourceError::Permission {
                what: "Graph deleted users".into(),
                detail: "Authorization_RequestDenied".into(),
            },
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(
        out.message.contains("Authorization_RequestDenied"),
        "{}",
        out.message
    );
    assert_eq!(out.evidence["source_error"]["kind"], "permission");
}

#[tokio::test]
async fn confirmed_signal_is_reported_even_when_another_source_fails() {
    let (b, mb) = stale_object_id();
    let source = b
        .failing(
            DataNeed::Alerts,
            SourceError::Permission {
                what: "tracelogs".into(),
                detail: "missing prvReadTraceLog".into(),
            },
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["source_error"]["kind"], "permission");
}

#[tokio::test]
async fn several_unreadable_sources_are_all_reported() {
    let (b, mb) = healthy();
    let denied = |what: &str| SourceError::Permission {
        what: what.into(),
        detail: "denied".into(),
    };
    let source = b
        .failing(DataNeed::EntraUsers, denied("users"))
        .failing(DataNeed::Alerts, denied("tracelogs"))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert_eq!(out.evidence["source_errors"].as_array().map(Vec::len), Some(2));
}
