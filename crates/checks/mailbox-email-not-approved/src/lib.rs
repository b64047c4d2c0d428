//! `mailbox-email-not-approved`: the mailbox's e-mail address is not approved, so server-side
//! synchronisation will not process it. See `explain.md`.
//!
//! The column and its values are Microsoft's mailbox table reference
//! (<https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox>:
//! `emailrouteraccessapproval` 0 Empty, 1 Approved, 2 Pending Approval, 3 Rejected;
//! `isemailaddressapprovedbyo365admin`), decoded into `MailboxState` by the core. Whether the
//! organisation requires approval is the organization table's `requireapprovalforuseremail` /
//! `requireapprovalforqueueemail` ("Is Approval For User/Queue Email Required",
//! <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/organization>),
//! shown in the admin center as "Process emails only for approved users/queues"
//! (<https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email>).

use ssync_core::RawService;
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
        "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/organization",
    ],
    // The organisation's approval settings come through a raw read (once per run).
    reads: &[DataNeed::Mailboxes, DataNeed::RawDataverse],
    // The alerts Microsoft's troubleshooting page quotes for an address awaiting approval
    // ("Email address requires approval by Microsoft 365 administrator", "Email addresses must
    // be approved"), so that `triage` and `unexplained-sync-alert` attribute them here.
    alert_markers: &[
        "requires an approval by",
        "is not approved and the mailbox has been disabled",
        "email addresses haven't been approved",
    ],
    reasons: &["approval-empty", "approval-pending", "approval-rejected", "not-approved-by-o365-admin"],
}

/// The organisation's approval settings, read with the raw escape hatch only for a mailbox
/// whose address a Microsoft 365 administrator has not approved (the live source answers it
/// once per run).
const ORG_SETTINGS: &str = "organizations?$select=requireapprovalforuseremail,requireapprovalforqueueemail";

/// The fix when a Microsoft 365 administrator's approval is missing (connect-exchange-online,
/// "Approve email" > "Permission model"; the privilege is `prvApproveRejectEmailAddress`).
const O365_FIX: &str = "Have the address approved by someone who holds both a Microsoft 365 administrator role \
(Global administrator or Exchange administrator) and a Dynamics 365 security role with the **Approve Email \
Addresses for Users or Queues** privilege (prvApproveRejectEmailAddress; Business Management tab, Miscellaneous \
Privileges), such as System Administrator: in the Power Platform admin center open the environment's Settings > \
Email > Mailboxes, select the mailbox, choose Approve Email, then Test & Enable Mailbox. Alternatively, such an \
administrator can turn off \"Process emails only for approved users\" (or queues) under Settings > Email > Email \
settings. Microsoft's steps: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email";

/// Whether the organisation requires approval for this mailbox's kind of owner: `Some(true)`
/// or `Some(false)` as recorded, `None` when the setting is empty or the owner is neither a
/// user nor a queue (then both must be required).
async fn org_requires_approval(
    ctx: &CheckContext<'_>,
    mailbox: &Mailbox,
) -> Result<Option<bool>, SourceError> {
    let answer = ctx.data.raw_get(RawService::Dataverse, ORG_SETTINGS).await?;
    let Some(org) = answer
        .get("value")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    else {
        return Err(SourceError::Malformed {
            service: "Dataverse".into(),
            detail: "organizations: no organization row in the answer".into(),
        });
    };
    let flag = |name: &str| org.get(name).and_then(Value::as_bool);
    let (user, queue) = (
        flag("requireapprovalforuseremail"),
        flag("requireapprovalforqueueemail"),
    );
    Ok(match mailbox.regarding {
        Regarding::User(_) => user,
        Regarding::Queue(_) => queue,
        Regarding::None => user.zip(queue).map(|(u, q)| u && q),
    })
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
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
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
            None if state.email_address_approved_by_o365_admin == Some(false) => match org_requires_approval(
                ctx, mailbox,
            )
            .await?
            {
                Some(true) => evidence(
                    Outcome::fail(format!(
                        "The e-mail address of mailbox '{}' is approved, but not by a Microsoft 365 \
                             administrator, and the organisation processes e-mail only for addresses they \
                             approved (\"Process emails only for approved {}\").",
                        mailbox.name,
                        if matches!(mailbox.regarding, Regarding::Queue(_)) {
                            "queues"
                        } else {
                            "users"
                        }
                    ))
                    .with_evidence("reason", "not-approved-by-o365-admin")
                    .with_evidence("organisation_requires_approval", true)
                    .with_remediation(O365_FIX),
                ),
                required => evidence(Outcome::pass(format!(
                    "The e-mail address of mailbox '{}' is approved; a Microsoft 365 administrator has not \
                         approved it, which the organisation does not require.",
                    mailbox.name
                )))
                .with_evidence("organisation_requires_approval", required),
            },
            None => evidence(Outcome::pass(format!(
                "The e-mail address of mailbox '{}' is approved.",
                mailbox.name
            ))),
        })
    }
}

#[cfg(test)]
mod tests;
