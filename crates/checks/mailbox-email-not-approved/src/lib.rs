//! `mailbox-email-not-approved`: the mailbox's e-mail address is not approved, so server-side
//! synchronisation will not process it. See `explain.md`.
//!
//! The column and its values are Microsoft's mailbox table reference
//! (<https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox>:
//! `emailrouteraccessapproval` 0 Empty, 1 Approved, 2 Pending Approval, 3 Rejected;
//! `isemailaddressapprovedbyo365admin`), decoded into `MailboxState` by the core.

use ssync_core::prelude::*;
use ssync_core::records::EmailApproval;

ssync_core::declare_check! {
    /// Flags mailboxes whose e-mail address is not approved for server-side synchronisation.
    pub struct MailboxEmailNotApproved;
    id: "mailbox-email-not-approved",
    title: "Mailbox e-mail address is approved",
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox's e-mail address is not approved (Email Address Status is Empty, Pending \
              Approval or Rejected), so server-side synchronisation does not process it.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email",
        "https://learn.microsoft.com/power-platform/admin/troubleshooting-monitoring-server-side-synchronization",
        "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox",
    ],
    reads: &[DataNeed::Mailboxes],
    // The alerts Microsoft's troubleshooting page quotes for an address awaiting approval
    // ("Email address requires approval by Microsoft 365 administrator", "Email addresses must
    // be approved"), so that `triage` and `unexplained-sync-alert` attribute them here.
    alert_markers: &[
        "requires an approval by",
        "is not approved and the mailbox has been disabled",
        "email addresses haven't been approved",
    ],
    reasons: &["approval-empty", "approval-pending", "approval-rejected"],
}

/// The reason a status carries, or `None` when the address is approved.
fn reason(approval: EmailApproval) -> Option<&'static str> {
    match approval {
        EmailApproval::Empty => Some("approval-empty"),
        EmailApproval::PendingApproval => Some("approval-pending"),
        EmailApproval::Rejected => Some("approval-rejected"),
        EmailApproval::Approved | EmailApproval::Unknown(_) => None,
    }
}

#[async_trait]
impl Check for MailboxEmailNotApproved {
    async fn run(&self, _ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let state = &mailbox.state;
        let evidence = |o: Outcome| {
            o.with_evidence("mailbox_id", &mailbox.id)
                .with_evidence("mailbox_address", &mailbox.email_address)
                .with_evidence(
                    "email_address_status",
                    state.email_address_approval.map(EmailApproval::label),
                )
                .with_evidence(
                    "approved_by_o365_admin",
                    state.email_address_approved_by_o365_admin,
                )
        };
        let Some(approval) = state.email_address_approval else {
            return Ok(evidence(Outcome::error(format!(
                "Dataverse returned no Email Address Status (`emailrouteraccessapproval`) for mailbox '{}'; \
                 read the mailbox with a role that can see the column.",
                mailbox.name
            ))));
        };
        if let EmailApproval::Unknown(n) = approval {
            return Ok(evidence(Outcome::error(format!(
                "Mailbox '{}' has Email Address Status {n}, a value Microsoft's mailbox reference does not list.",
                mailbox.name
            ))));
        }
        Ok(match reason(approval) {
            Some(why) => evidence(
                Outcome::fail(format!(
                    "The e-mail address of mailbox '{}' is not approved (Email Address Status: {}); \
                     server-side synchronisation does not process it until it is approved.",
                    mailbox.name,
                    approval.label()
                ))
                .with_evidence("reason", why),
            ),
            None => evidence(Outcome::pass(format!(
                "The e-mail address of mailbox '{}' is approved.",
                mailbox.name
            ))),
        })
    }
}

#[cfg(test)]
mod tests;
