//! Every status of the check over in-memory data. `isdisabled`/`azurestate` per Microsoft's
//! systemuser reference; `accountEnabled` per Graph's user resource; the 30 days a deleted user
//! stays restorable per Graph's directory resource.

use ssync_core::prelude::*;
use ssync_core::records::{AzureState, DeletedUser};
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate, fixtures};
use time::macros::datetime;

use super::MailboxOwnerUnavailable;

const OLD_ID: &str = "0e3c4d5f-6a7b-4c8d-9e0f-a1b2c3d49a1f";

fn mailbox() -> Mailbox {
    fixtures::mailbox("mb", "frank@contoso.com")
}

fn system_user() -> SystemUser {
    fixtures::system_user("user-mb", "frank@contoso.com", OLD_ID)
}

fn deleted(deleted_at: Option<&str>) -> DeletedUser {
    DeletedUser {
        id: OLD_ID.into(),
        user_principal_name: format!("{}frank@contoso.com", OLD_ID.replace('-', "")),
        display_name: Some("Frank".into()),
        mail: Some("frank@contoso.com".into()),
        proxy_addresses: vec!["SMTP:frank@contoso.com".into()],
        deleted_at: deleted_at.map(Into::into),
    }
}

async fn run(builder: MemorySourceBuilder) -> Outcome {
    let source = builder.mailbox(mailbox()).build();
    let options = CheckOptions::new(datetime!(2026-12-01 10:00 UTC), 30);
    evaluate(
        &MailboxOwnerUnavailable,
        &CheckContext::with_options(&source, options),
        &Subject::Mailbox(mailbox()),
    )
    .await
}

fn live() -> EntraUser {
    fixtures::entra_user(OLD_ID, "frank@contoso.com")
}

#[tokio::test]
async fn enabled_user_passes() {
    let out = run(MemorySource::builder()
        .system_user(system_user())
        .entra_user(live()))
    .await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn user_disabled_in_dynamics_fails() {
    let mut user = system_user();
    user.disabled = true;
    let out = run(MemorySource::builder().system_user(user).entra_user(live())).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "disabled-in-dynamics");
}

#[tokio::test]
async fn user_disabled_in_entra_fails() {
    let mut entra = live();
    entra.account_enabled = Some(false);
    let out = run(MemorySource::builder()
        .system_user(system_user())
        .entra_user(entra))
    .await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "disabled-in-entra");
}

#[tokio::test]
async fn unknown_account_enabled_is_not_a_fail() {
    let mut entra = live();
    entra.account_enabled = None;
    let out = run(MemorySource::builder()
        .system_user(system_user())
        .entra_user(entra))
    .await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn recently_deleted_user_fails_and_is_restorable() {
    let mut user = system_user();
    user.azure_state = Some(AzureState::SoftDeleted);
    let out = run(MemorySource::builder()
        .system_user(user)
        .deleted_user(deleted(Some("2026-11-20T08:00:00Z"))))
    .await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "deleted");
    assert_eq!(out.evidence["restorable_until"], "2026-12-20T08:00:00Z");
}

#[tokio::test]
async fn deleted_user_past_thirty_days_cannot_be_restored() {
    let out = run(MemorySource::builder()
        .system_user(system_user())
        .deleted_user(deleted(Some("2026-10-01T08:00:00Z"))))
    .await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.evidence["restorable_until"].is_null(), "{out:?}");
    assert!(out.message.contains("cannot be restored"), "{}", out.message);
}

#[tokio::test]
async fn hard_deleted_user_fails_without_a_twin() {
    let mut user = system_user();
    user.azure_state = Some(AzureState::NotFound);
    let out = run(MemorySource::builder().system_user(user)).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(
        out.message.contains("no soft-deleted user remains"),
        "{}",
        out.message
    );
}

#[tokio::test]
async fn deleted_and_recreated_user_is_left_to_recreated_user() {
    // The old object is deleted, but a new live user owns the sign-in name: cause 6, not ours.
    let mut user = system_user();
    user.azure_state = Some(AzureState::SoftDeleted);
    let out = run(MemorySource::builder()
        .system_user(user)
        .entra_user(fixtures::entra_user("new-id", "frank@contoso.com"))
        .deleted_user(deleted(Some("2026-11-20T08:00:00Z"))))
    .await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn missing_entra_user_without_deletion_signs_skips() {
    let out = run(MemorySource::builder().system_user(system_user())).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn queue_mailbox_skips() {
    let mut mb = mailbox();
    mb.regarding = Regarding::Queue("q".into());
    let source = MemorySource::builder().mailbox(mb.clone()).build();
    let out = evaluate(
        &MailboxOwnerUnavailable,
        &CheckContext::new(&source),
        &Subject::Mailbox(mb),
    )
    .await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn unreadable_directory_is_an_error_not_a_fail() {
    let mut user = system_user();
    user.azure_state = Some(AzureState::SoftDeleted);
    let out = run(MemorySource::builder().system_user(user).failing(
        DataNeed::DeletedUsers,
        SourceError::Permission {
            what: "deleted users".into(),
            detail: "denied".into(),
        },
    ))
    .await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}
