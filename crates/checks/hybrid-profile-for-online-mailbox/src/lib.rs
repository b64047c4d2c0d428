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
        let classification = profile.classify();
        match classification.target {
            Target::OnPremises { hybrid: true } => {}
            Target::Unknown => {
                return Ok(Outcome::skip(format!(
                    "Cannot tell whether profile '{}' of mailbox '{}' is a hybrid profile: its target is unknown \
                     because {}.",
                    profile.name,
                    mailbox.name,
                    classification.unknown_reason()
                ))
                .with_evidence("profile_target", &classification));
            }
            other => {
                return Ok(Outcome::skip(format!(
                    "Mailbox '{}' uses profile '{}', which connects to {}, not to Exchange on-premises through \
                     Exchange hybrid.",
                    mailbox.name,
                    profile.name,
                    other.describe()
                )));
            }
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
                .with_evidence("profile_target", classification.target)
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
            MailboxLocation::NotInExchangeOnline { code } => match on_premises_corroboration(mailbox, &owner.user) {
                Ok(why) => evidence(Outcome::pass(format!(
                    "Mailbox '{}' uses the Exchange Server (Hybrid) profile '{}' and is on-premises, as the \
                     profile expects: Graph answered {code}, and {why}.",
                    mailbox.name, profile.name
                ))),
                Err(why_not) => evidence(Outcome::skip(format!(
                    "Graph answered {code} for mailbox '{}', which also happens for an unlicensed, unprovisioned \
                     or soft-deleted cloud mailbox; nothing confirms it is on-premises: {why_not}.",
                    mailbox.name
                ))),
            }
            .with_evidence("on_premises_sync_enabled", owner.user.on_premises_sync)
            .with_evidence("ews_url", &mailbox.ews_url),
        })
    }
}

/// Why Graph's "not enabled for the REST API" means an on-premises mailbox here, or why it
/// cannot be taken to. The 404 also answers for an unlicensed or soft-deleted cloud user
/// (`shared/reference/microsoft-apis.md` §B.3), so it needs corroboration:
///
/// - **necessary**: the user is synchronised from on-premises Active Directory (Graph
///   `onPremisesSyncEnabled` true). A mailbox on an Exchange server belongs to an AD account,
///   which a hybrid deployment synchronises to Entra ID; a cloud-only user cannot have one.
/// - **positive**: the EWS URL Dynamics 365 discovered for the mailbox (`mailbox.ewsurl`, set by
///   autodiscover) is not an Exchange Online host, so autodiscover itself sent Dynamics 365 to
///   an Exchange server outside Microsoft 365.
fn on_premises_corroboration(mailbox: &Mailbox, user: &EntraUser) -> Result<String, String> {
    if user.on_premises_sync != Some(true) {
        return Err(format!(
            "{} is not synchronised from on-premises Active Directory (onPremisesSyncEnabled is {}), so it \
             cannot have an on-premises mailbox; if it should have an Exchange Online mailbox, see \
             `missing-exchange-online-license`",
            user.user_principal_name,
            user.on_premises_sync.map_or("null".to_owned(), |v| v.to_string())
        ));
    }
    match mailbox
        .ews_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(url) if !hosts::is_exchange_online(url) => Ok(format!(
            "autodiscover found its EWS endpoint on an Exchange server outside Microsoft 365 ({url})"
        )),
        Some(url) => Err(format!(
            "the EWS URL autodiscover found for it ({url}) is Exchange Online's"
        )),
        None => Err(
            "the mailbox record holds no autodiscovered EWS URL (ewsurl) that would show an Exchange server \
             outside Microsoft 365"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests;
