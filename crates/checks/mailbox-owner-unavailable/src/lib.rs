//! `mailbox-owner-unavailable`: the user a mailbox belongs to cannot sign in any more, so
//! server-side synchronisation has nobody to act for. See `explain.md`.
//!
//! Facts used, from Microsoft's references: the systemuser table's `isdisabled` and
//! `azurestate` (0 Exists, 1 Soft deleted, 2 Not found or hard deleted),
//! <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuser>;
//! Graph's `accountEnabled`, <https://learn.microsoft.com/graph/api/resources/user>; and deleted
//! users staying restorable for 30 days,
//! <https://learn.microsoft.com/graph/api/resources/directory>.

mod deleted;

use ssync_core::lookup;
use ssync_core::prelude::*;
use ssync_core::records::AzureState;

ssync_core::declare_check! {
    /// Flags mailboxes whose user is disabled in Dynamics 365 or Entra ID, or deleted for good.
    pub struct MailboxOwnerUnavailable;
    id: "mailbox-owner-unavailable",
    title: "Mailbox user is enabled and exists",
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox's user is disabled in Dynamics 365 or in Microsoft Entra ID, or was \
              deleted and not recreated.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/create-users#enable-or-disable-users",
        "https://learn.microsoft.com/entra/fundamentals/users-restore",
        "https://learn.microsoft.com/graph/api/resources/directory",
        "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/systemuser",
    ],
    reads: &[
        DataNeed::Mailboxes,
        DataNeed::SystemUsers,
        DataNeed::EntraUsers,
        DataNeed::DeletedUsers,
    ],
    reasons: &["disabled-in-dynamics", "disabled-in-entra", "deleted"],
}

#[async_trait]
impl Check for MailboxOwnerUnavailable {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let Regarding::User(user_id) = &mailbox.regarding else {
            return Ok(Outcome::skip(format!(
                "Mailbox '{}' belongs to a queue, which has no user to be disabled or deleted.",
                mailbox.name
            )));
        };
        let Some(user) = ctx.data.system_user(user_id).await? else {
            return Ok(Outcome::error(format!(
                "Dataverse returned no user {user_id} for mailbox '{}'; check that the run can read users.",
                mailbox.name
            )));
        };
        let owner = lookup::mailbox_owner(ctx.data, mailbox).await?;
        let base = |o: Outcome| {
            o.with_evidence("mailbox_address", &mailbox.email_address)
                .with_evidence("system_user_id", &user.id)
                .with_evidence("dynamics_disabled", user.disabled)
                .with_evidence("azure_state", user.azure_state)
                .with_evidence("entra_user_id", owner.as_ref().map(|o| &o.user.id))
                .with_evidence(
                    "entra_account_enabled",
                    owner.as_ref().and_then(|o| o.user.account_enabled),
                )
        };
        let name = &mailbox.name;
        if user.disabled {
            return Ok(base(Outcome::fail(format!(
                "The user of mailbox '{name}' ({}) is disabled in Dynamics 365.",
                user.full_name
            )))
            .with_evidence("reason", "disabled-in-dynamics"));
        }
        if let Some(owner) = &owner {
            if owner.user.account_enabled == Some(false) {
                return Ok(base(Outcome::fail(format!(
                    "The Entra user of mailbox '{name}' ({}) is disabled (accountEnabled is false).",
                    owner.user.user_principal_name
                )))
                .with_evidence("reason", "disabled-in-entra"));
            }
            return Ok(base(Outcome::pass(format!(
                "The user of mailbox '{name}' is enabled in Dynamics 365 and in Entra ID ({}).",
                owner.user.user_principal_name
            ))));
        }
        // No live Entra user: deleted, unless nothing says so.
        let deleted_in_dataverse = matches!(
            user.azure_state,
            Some(AzureState::SoftDeleted | AzureState::NotFound)
        );
        let twins = deleted::twins(ctx.data, mailbox, &user).await?;
        if !deleted_in_dataverse && twins.is_empty() {
            return Ok(base(Outcome::skip(format!(
                "No Entra user was found for mailbox '{name}', and nothing says it was deleted; \
                 `recreated-user` and `mailbox-address-mismatch` look at how the user is found."
            ))));
        }
        let restore = deleted::restorable(&twins, ctx.options.now);
        Ok(base(Outcome::fail(format!(
            "The user of mailbox '{name}' was deleted in Microsoft Entra ID and not recreated; {}.",
            restore.describe()
        )))
        .with_evidence("reason", "deleted")
        .with_evidence("restorable_until", restore.until())
        .with_evidence(
            "deleted_users",
            twins
                .iter()
                .map(|t| json!({"id": t.id, "user_principal_name": t.user_principal_name, "deleted_at": t.deleted_at}))
                .collect::<Vec<_>>(),
        ))
    }
}

#[cfg(test)]
mod tests;
