//! `missing-exchange-online-license` — KB 3212785 cause 3.
//!
//! The user behind a mailbox in Exchange Online needs an enabled Exchange Online mailbox plan.
//! See `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain missing-exchange-online-license`. The rule over the plans themselves
//! is in [`plans`].

use ssync_core::prelude::*;

pub mod plans;

use plans::{Assessment, Standing};

ssync_core::declare_check! {
    /// Finds mailboxes whose user has no enabled Exchange Online mailbox plan.
    pub struct MissingExchangeOnlineLicense;
    id: "missing-exchange-online-license",
    title: "Mailbox user holds an enabled Exchange Online licence",
    cause: 3,
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox's user has no enabled Exchange Online service plan (Exchange Foundation does not count).",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference",
        "https://learn.microsoft.com/microsoft-365/admin/manage/assign-licenses-to-users",
        "https://learn.microsoft.com/graph/api/resources/assignedplan",
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
    // Exchange's `ErrorInvalidLicense` names this cause alone; `triage` narrows to this check.
    error_codes: &["InvalidLicense"],
}

const GRACE_REMEDIATION: &str = "Renew or replace the subscription that provides the user's Exchange Online plan \
(Microsoft 365 admin centre → Billing → Your products) before the grace period ends, or assign the user a licence \
from an active subscription; no change is needed in Dynamics 365 while the plan is in grace.";

const UNKNOWN_REMEDIATION: &str = "Look the plan id up in Microsoft's \"Product names and service plan identifiers \
for licensing\" (https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference). If it includes an \
Exchange Online mailbox, nothing needs fixing (and the plan is worth adding to this check's catalogue); otherwise assign \
the user a licence that includes Exchange Online (Plan 1, Plan 2, Kiosk or Essentials).";

#[async_trait]
impl Check for MissingExchangeOnlineLicense {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let profile = match lookup::mailbox_profile(ctx.data, mailbox).await? {
            Ok(profile) => profile,
            Err(skip) => return Ok(skip),
        };
        // A profile aimed at Exchange on-premises may still serve a mailbox that has moved to
        // Exchange Online; the mailbox's location decides below.
        let classification = profile.classify();
        let on_premises_profile = match classification.target {
            Target::OnPremises { .. } => true,
            Target::ExchangeOnline { .. } => false,
            Target::NotExchange => {
                return Ok(Outcome::skip(format!(
                    "Mailbox '{}' uses profile '{}', which connects to {}.",
                    mailbox.name,
                    profile.name,
                    Target::NotExchange.describe()
                ))
                .with_evidence("profile_target", &classification));
            }
            Target::Unknown => {
                return Ok(Outcome::skip(format!(
                    "Cannot tell whether mailbox '{}' needs an Exchange Online licence: its profile '{}' \
                     has an unknown target, because {}.",
                    mailbox.name,
                    profile.name,
                    classification.unknown_reason()
                ))
                .with_evidence("profile_target", &classification));
            }
        };
        if let Some(foreign) = lookup::foreign_tenant(ctx.data, mailbox).await? {
            return Ok(foreign.skip(mailbox, "its licence is held in that tenant"));
        }
        let Some(owner) = lookup::mailbox_owner(ctx.data, mailbox).await? else {
            return Ok(Outcome::skip(format!(
                "No Entra ID user was found for mailbox '{}', so its licences cannot be read \
                 (a deleted and recreated user is a common reason: see `recreated-user`).",
                mailbox.name
            ))
            .with_evidence("regarding", &mailbox.regarding));
        };
        let mut location = None;
        if on_premises_profile {
            let found = ctx.data.mailbox_location(&owner.user.id).await?;
            if let MailboxLocation::NotInExchangeOnline { code } = &found {
                return Ok(Outcome::skip(format!(
                    "Mailbox '{}' is not in Exchange Online (Graph answered {code}) and uses profile '{}', which \
                     connects to {}; an on-premises mailbox needs no Exchange Online licence.",
                    mailbox.name,
                    profile.name,
                    classification.target.describe()
                ))
                .with_evidence("mailbox_location", &found));
            }
            location = Some(found);
        }
        let assessment = plans::assess(&owner.user);
        if assessment.standing == Standing::Enabled {
            return Ok(Outcome::pass(format!(
                "{} holds an enabled Exchange Online mailbox plan.",
                owner.user.user_principal_name
            )));
        }
        let location = match location {
            Some(l) => l,
            None => ctx.data.mailbox_location(&owner.user.id).await?,
        };
        if let MailboxLocation::ExchangeOnline {
            purpose: Some(purpose),
        } = &location
            && !purpose.needs_license()
        {
            return Ok(Outcome::pass(format!(
                "Mailbox '{}' is a {} mailbox in Exchange Online, which needs no licence.",
                mailbox.name,
                purpose.as_str()
            ))
            .with_evidence("purpose", purpose.as_str()));
        }
        let evidence = |o: Outcome| with_plan_evidence(o, &assessment, &owner, &location);
        Ok(match assessment.standing {
            Standing::Grace => evidence(Outcome::warn(format!(
                "{}'s Exchange Online plan is in its grace period (Warning); mail still flows, \
                 but the mailbox will stop synchronising when the subscription lapses.",
                owner.user.user_principal_name
            )))
            .with_remediation(GRACE_REMEDIATION),
            Standing::Unknown => evidence(Outcome::warn(format!(
                "{} holds no Exchange Online mailbox plan this tool knows, but has enabled Exchange plan(s) \
                 it does not know: {}. If one of them includes a mailbox the user is licensed; otherwise \
                 the mailbox needs an Exchange Online licence.",
                owner.user.user_principal_name,
                assessment.unknown_plans.join(", ")
            )))
            .with_remediation(UNKNOWN_REMEDIATION),
            Standing::Enabled | Standing::Missing => evidence(Outcome::fail(format!(
                "{} (mailbox '{}') has no enabled Exchange Online mailbox plan{}.",
                owner.user.user_principal_name,
                mailbox.name,
                if assessment.has_foundation {
                    "; the Exchange Foundation plan it has includes no mailbox"
                } else {
                    ""
                }
            ))),
        })
    }
}

/// The evidence of a `warn` or `fail`: the plans seen, the plans switched off, where the
/// mailbox is and what it is for.
fn with_plan_evidence(o: Outcome, a: &Assessment, owner: &Owner, location: &MailboxLocation) -> Outcome {
    let plans: Vec<_> = a
        .plans
        .iter()
        .map(|p| {
            json!({
                "service_plan_id": p.service_plan_id,
                "name": p.name,
                "service": p.service,
                "capability_status": p.capability_status,
                "disabled_in_licence": p.disabled_in_licence,
            })
        })
        .collect();
    let purpose = match location {
        MailboxLocation::ExchangeOnline { purpose } => purpose.as_ref().map(MailboxPurpose::as_str),
        MailboxLocation::NotInExchangeOnline { .. } => None,
    };
    let mut o = o
        .with_evidence("user_principal_name", &owner.user.user_principal_name)
        .with_evidence("entra_user_id", &owner.user.id)
        .with_evidence("found_by", owner.found_by.as_str())
        .with_evidence("exchange_plans", plans)
        .with_evidence("disabled_plans", &a.disabled_plans)
        .with_evidence("unknown_plans", &a.unknown_plans)
        .with_evidence("mailbox_location", location)
        .with_evidence("purpose", purpose);
    if a.has_foundation {
        o = o.with_evidence(
            "note",
            "Exchange Foundation is enabled in many non-mail licences and provides no mailbox; it does not count.",
        );
    }
    o
}

#[cfg(test)]
mod tests;
