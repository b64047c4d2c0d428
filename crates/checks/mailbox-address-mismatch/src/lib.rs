//! `mailbox-address-mismatch` — KB 3212785 cause 1.
//!
//! The mailbox record's e-mail address must be an SMTP address of the user's Exchange mailbox.
//! See `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain mailbox-address-mismatch`.

use ssync_core::address::AddressMatch;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds mailbox records whose address is not an SMTP address of the Exchange mailbox.
    pub struct MailboxAddressMismatch;
    id: "mailbox-address-mismatch",
    title: "Mailbox address matches the Exchange mailbox",
    cause: 1,
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox record's e-mail address is not an SMTP address of the user's Exchange mailbox.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online",
    ],
    reads: &[
        DataNeed::Mailboxes,
        DataNeed::SystemUsers,
        DataNeed::EntraUsers,
        DataNeed::Environment,
        DataNeed::DomainTenant,
    ],
}

#[async_trait]
impl Check for MailboxAddressMismatch {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let Some(dataverse) = mailbox.email_address.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Ok(Outcome::skip(format!(
                "Mailbox '{}' has no e-mail address in Dynamics 365, so there is nothing to compare.",
                mailbox.name
            )));
        };
        if let Some(foreign) = lookup::foreign_tenant(ctx.data, mailbox).await? {
            return Ok(foreign.skip(
                mailbox,
                "its address cannot be compared with this tenant's directory",
            ));
        }
        let Some(Owner { user, found_by, .. }) = lookup::mailbox_owner(ctx.data, mailbox).await? else {
            return Ok(Outcome::skip(format!(
                "No Entra ID user was found for mailbox '{}', so its address cannot be compared; \
                 see `recreated-user` (deleted and recreated user) and `cross-tenant-exchange` (mailbox in another tenant).",
                mailbox.name
            ))
            .with_evidence("dataverse", dataverse)
            .with_evidence("regarding", &mailbox.regarding));
        };
        let smtp: Vec<(&str, bool)> = user
            .proxy_addresses
            .iter()
            .filter_map(|p| address::smtp_of_proxy(p))
            .collect();
        let primary = address::primary_smtp(&user);
        if primary.is_none() && smtp.is_empty() {
            return Ok(Outcome::skip(format!(
                "Entra ID user {} has no SMTP address, so it has no Exchange mailbox to compare with; \
                 see `missing-exchange-online-license`.",
                user.user_principal_name
            ))
            .with_evidence("dataverse", dataverse)
            .with_evidence("entra_user_id", &user.id));
        }
        let aliases: Vec<&str> = smtp.iter().filter(|(_, p)| !p).map(|(a, _)| *a).collect();
        let evidence = |o: Outcome| {
            o.with_evidence("dataverse", dataverse)
                .with_evidence("exchange_primary", primary)
                .with_evidence("exchange_aliases", &aliases)
                .with_evidence("entra_user_id", &user.id)
                .with_evidence("user_principal_name", &user.user_principal_name)
                .with_evidence("found_by", found_by.as_str())
        };
        Ok(match address::classify(dataverse, &user) {
            AddressMatch::Primary => Outcome::pass(format!(
                "Mailbox '{}' uses {dataverse}, the primary SMTP address of its Exchange mailbox.",
                mailbox.name
            )),
            AddressMatch::Secondary => evidence(Outcome::warn(format!(
                "Mailbox '{}' uses {dataverse}, which is only a secondary alias of the Exchange mailbox (primary: {}).",
                mailbox.name,
                primary.unwrap_or("none")
            )))
            .with_remediation(
                "Set the mailbox record's Email Address to the primary SMTP address shown in the evidence, \
                 then select Test & Enable Mailbox.",
            ),
            AddressMatch::UserPrincipalName | AddressMatch::None => evidence(Outcome::fail(format!(
                "Mailbox '{}' uses {dataverse}, which is not an SMTP address of {}'s Exchange mailbox (primary: {}).",
                mailbox.name,
                user.user_principal_name,
                primary.unwrap_or("none")
            ))),
        })
    }
}

#[cfg(test)]
mod tests;
