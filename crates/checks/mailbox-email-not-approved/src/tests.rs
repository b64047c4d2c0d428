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
