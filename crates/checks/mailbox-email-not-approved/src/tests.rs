//! Every status of the check, over in-memory mailboxes. Values per Microsoft's mailbox table
//! reference (`emailrouteraccessapproval`: 0 Empty, 1 Approved, 2 Pending Approval, 3 Rejected).

use ssync_core::prelude::*;
use ssync_core::records::EmailApproval;
use ssync_core::{MemorySource, evaluate, fixtures};

use super::MailboxEmailNotApproved;

async fn run(approval: Option<EmailApproval>) -> Outcome {
    let mut mailbox = fixtures::mailbox("mb", "frank@contoso.com");
    mailbox.state.email_address_approval = approval;
    let source = MemorySource::builder().mailbox(mailbox.clone()).build();
    evaluate(
        &MailboxEmailNotApproved,
        &CheckContext::new(&source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

#[tokio::test]
async fn approved_address_passes() {
    let out = run(Some(EmailApproval::Approved)).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(out.evidence["email_address_status"], "approved");
}

#[tokio::test]
async fn pending_approval_fails() {
    let out = run(Some(EmailApproval::PendingApproval)).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "approval-pending");
    assert_eq!(out.evidence["email_address_status"], "pending approval");
}

#[tokio::test]
async fn rejected_address_fails() {
    let out = run(Some(EmailApproval::Rejected)).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "approval-rejected");
}

#[tokio::test]
async fn empty_status_fails() {
    let out = run(Some(EmailApproval::Empty)).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "approval-empty");
}

#[tokio::test]
async fn missing_column_is_an_error_not_a_fail() {
    let out = run(None).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn unlisted_value_is_an_error_not_a_fail() {
    let out = run(Some(EmailApproval::Unknown(7))).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn admin_flag_is_reported_as_evidence() {
    let out = run(Some(EmailApproval::Approved)).await;
    assert_eq!(out.evidence["approved_by_o365_admin"], true);
}

#[test]
fn declares_the_approval_alert_marker() {
    use ssync_core::Declared;
    assert!(
        MailboxEmailNotApproved
            .meta()
            .alert_markers
            .contains(&"requires an approval by")
    );
}

/// The approval alerts of Microsoft's troubleshooting page, as it prints them, are this check's.
#[test]
fn claims_every_approval_alert_of_the_troubleshooting_page() {
    use ssync_core::Declared;
    use ssync_core::alerts::{AlertText, claim};
    for text in [
        "Email can't be sent because the email address of the mailbox Xena requires an approval by a \
         Microsoft 365 administrator. The mailbox has been disabled for sending email.",
        "Email can't be received for the mailbox Xena because the email address of the mailbox Xena is \
         not approved and the mailbox has been disabled. The owner of the associated email server \
         profile Microsoft Exchange Online has been notified.",
        "One or more mailboxes have been disabled for sending/receiving email because their email \
         addresses haven't been approved.",
    ] {
        let claimed = claim(MailboxEmailNotApproved.meta(), &AlertText::new(text));
        assert!(claimed.explains(), "{text}");
    }
}

// ---- Approval by a Microsoft 365 administrator, where the organisation requires it.
// organization table reference: `requireapprovalforuseremail`, `requireapprovalforqueueemail`
// ("Is Approval For User/Queue Email Required"); mailbox: `isemailaddressapprovedbyo365admin`.

const ORG: &str = "organizations?$select=requireapprovalforuseremail,requireapprovalforqueueemail";

async fn run_o365(regarding: Regarding, by_admin: Option<bool>, org: Option<Value>) -> Outcome {
    let mut mailbox = fixtures::mailbox("mb", "frank@contoso.com");
    mailbox.regarding = regarding;
    mailbox.state.email_address_approved_by_o365_admin = by_admin;
    let mut source = MemorySource::builder().mailbox(mailbox.clone());
    if let Some(org) = org {
        source = source.raw(ssync_core::RawService::Dataverse, ORG, org);
    }
    evaluate(
        &MailboxEmailNotApproved,
        &CheckContext::new(&source.build()),
        &Subject::Mailbox(mailbox),
    )
    .await
}

fn org(user: Value, queue: Value) -> Option<Value> {
    Some(json!({"value": [{"requireapprovalforuseremail": user, "requireapprovalforqueueemail": queue}]}))
}

fn user() -> Regarding {
    Regarding::User("u1".into())
}

fn queue() -> Regarding {
    Regarding::Queue("q1".into())
}

#[tokio::test]
async fn not_approved_by_o365_admin_fails_where_the_organisation_requires_it() {
    let out = run_o365(user(), Some(false), org(json!(true), json!(false))).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "not-approved-by-o365-admin");
    assert_eq!(out.evidence["approved_by_o365_admin"], false);
    let fix = out.remediation.as_deref().unwrap_or_default();
    assert!(
        fix.contains("Approve Email Addresses for Users or Queues"),
        "{fix}"
    );
    assert!(fix.contains("prvApproveRejectEmailAddress"), "{fix}");
    // A queue's mailbox follows the queue setting.
    let out = run_o365(queue(), Some(false), org(json!(false), json!(true))).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.message.contains("approved queues"), "{}", out.message);
}

#[tokio::test]
async fn the_setting_of_the_other_owner_kind_does_not_apply() {
    let out = run_o365(user(), Some(false), org(json!(false), json!(true))).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert_eq!(out.evidence["organisation_requires_approval"], false);
    let out = run_o365(queue(), Some(false), org(json!(true), json!(false))).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn an_owner_of_unknown_kind_fails_only_when_both_are_required() {
    let out = run_o365(Regarding::None, Some(false), org(json!(true), json!(true))).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    let out = run_o365(Regarding::None, Some(false), org(json!(true), json!(false))).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn an_empty_organisation_setting_is_not_a_fail() {
    let out = run_o365(user(), Some(false), org(Value::Null, Value::Null)).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

/// Approved by a Microsoft 365 administrator, or not recorded: the organisation is not read.
#[tokio::test]
async fn approved_or_unknown_o365_approval_passes_without_reading_the_organisation() {
    for by_admin in [Some(true), None] {
        let out = run_o365(user(), by_admin, None).await;
        assert_eq!(out.status, Status::Pass, "{by_admin:?}: {out:?}");
    }
}

#[tokio::test]
async fn an_unreadable_organisation_is_an_error_not_a_fail() {
    let mut mailbox = fixtures::mailbox("mb", "frank@contoso.com");
    mailbox.state.email_address_approved_by_o365_admin = Some(false);
    let source = MemorySource::builder()
        .mailbox(mailbox.clone())
        .failing_raw(SourceError::Permission {
            what: "organizations".into(),
            detail: "denied".into(),
        })
        .build();
    let out = evaluate(
        &MailboxEmailNotApproved,
        &CheckContext::new(&source),
        &Subject::Mailbox(mailbox),
    )
    .await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    // An answer without an organization row is malformed: an error too.
    let out = run_o365(user(), Some(false), Some(json!({"value": []}))).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

/// A pending address fails for that reason first; the organisation is not read.
#[tokio::test]
async fn a_pending_address_fails_as_pending_whatever_the_o365_approval() {
    let mut mailbox = fixtures::mailbox("mb", "frank@contoso.com");
    mailbox.state.email_address_approval = Some(EmailApproval::PendingApproval);
    mailbox.state.email_address_approved_by_o365_admin = Some(false);
    let source = MemorySource::builder().mailbox(mailbox.clone()).build();
    let out = evaluate(
        &MailboxEmailNotApproved,
        &CheckContext::new(&source),
        &Subject::Mailbox(mailbox),
    )
    .await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "approval-pending");
}
