//! `hybrid-profile-for-online-mailbox` — KB 3212785 cause 2.
//!
//! A mailbox on an Exchange Server (Hybrid) profile must live on the on-premises Exchange
//! server. See `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain hybrid-profile-for-online-mailbox`.

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds mailboxes that use an Exchange Server (Hybrid) profile although Exchange Online holds
    /// the mailbox.
    pub struct HybridProfileForOnlineMailbox;
    id: "hybrid-profile-for-online-mailbox",
    title: "Hybrid profiles serve only on-premises mailboxes",
    cause: 2,
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox uses an Exchange Server (Hybrid) profile, but the mailbox lives in Exchange Online.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-server-on-premises",
    ],
    reads: &[
        DataNeed::Mailboxes,
        DataNeed::Profiles,
        DataNeed::Environment,
        DataNeed::DomainTenant,
        DataNeed::SystemUsers,
        DataNeed::EntraUsers,
        DataNeed::MailboxLocation,
    ],
}

#[async_trait]
impl Check for HybridProfileForOnlineMailbox {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let profile = match lookup::mailbox_profile(ctx.data, mailbox).await? {
            Ok(profile) => profile,
            Err(skip) => return Ok(skip),
        };
        if profile.server_type != ServerType::ExchangeServerHybrid {
            return Ok(Outcome::skip(format!(
                "Mailbox '{}' uses profile '{}' of type {}, not Exchange Server (Hybrid).",
                mailbox.name,
                profile.name,
                profile.server_type.label()
            )));
        }
        // Graph sees only the environment's tenant: a mailbox of another tenant cannot be
        // located from here (and is `cross-tenant-exchange`'s business).
        if let Some(foreign) = lookup::foreign_tenant(ctx.data, mailbox).await? {
            return Ok(foreign.skip(mailbox, "it cannot be located from this tenant"));
        }
        let Some(owner) = lookup::mailbox_owner(ctx.data, mailbox).await? else {
            return Ok(Outcome::error(format!(
                "Cannot locate mailbox '{}': no Entra user was found for it (see `recreated-user`).",
                mailbox.name
            ))
            .with_evidence("profile", &profile.name)
            .with_evidence("regarding", &mailbox.regarding));
        };
        let location = ctx.data.mailbox_location(&owner.user.id).await?;
        let evidence = |o: Outcome| {
            o.with_evidence("profile", &profile.name)
                .with_evidence("profile_server_type", profile.server_type.label())
                .with_evidence("entra_user_id", &owner.user.id)
                .with_evidence("user_principal_name", &owner.user.user_principal_name)
                .with_evidence("found_by", owner.found_by.as_str())
                .with_evidence("mailbox_location", &location)
        };
        Ok(match &location {
            MailboxLocation::ExchangeOnline { purpose } => evidence(Outcome::fail(format!(
                "Mailbox '{}' uses the Exchange Server (Hybrid) profile '{}', but its mailbox is in Exchange Online.",
                mailbox.name, profile.name
            )))
            .with_evidence("purpose", purpose.as_ref().map(MailboxPurpose::as_str)),
            MailboxLocation::NotInExchangeOnline { code } => Outcome::pass(format!(
                "Mailbox '{}' uses the Exchange Server (Hybrid) profile '{}' and is not in Exchange Online \
                 (Graph answered {code}), as the profile expects.",
                mailbox.name, profile.name
            )),
        })
    }
}

#[cfg(test)]
mod tests;
