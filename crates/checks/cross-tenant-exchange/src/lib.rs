//! `cross-tenant-exchange` — KB 3212785 cause 4.
//!
//! An Exchange Online mailbox must live in the tenant its profile connects to: the
//! environment's own tenant, or — through a cross-tenant OAuth profile — the tenant named in
//! the profile. See `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain cross-tenant-exchange`.

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds Exchange Online mailboxes whose tenant is not the one their profile connects to.
    pub struct CrossTenantExchange;
    id: "cross-tenant-exchange",
    title: "Mailbox lives in the tenant its profile connects to",
    cause: 4,
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox's Exchange Online tenant differs from the environment's, and its profile is not a cross-tenant OAuth profile for that tenant.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online-server-profile-oauth",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online",
        "https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc",
    ],
    reads: &[
        DataNeed::Mailboxes,
        DataNeed::Profiles,
        DataNeed::Environment,
        DataNeed::DomainTenant,
    ],
}

const WRONG_TENANT_REMEDIATION: &str = "Open the profile named in the evidence (Settings → Email Configuration → \
Email Server Profiles) and set its Exchange Online tenant id to the mailbox domain's tenant shown as `domain_tenant`, \
or move the mailbox to a profile that connects to that tenant; then select Test & Enable Mailbox.";

const NOT_OAUTH_REMEDIATION: &str = "Server-to-server authentication only reaches the environment's own tenant. \
Set the profile's authentication to OAuth with an application registered in the tenant shown as `domain_tenant` \
(application permission full_access_as_app with admin consent), or move the mailbox to such a profile; then select \
Test & Enable Mailbox.";

/// Tenant ids are GUIDs: compare them without regard to case or surrounding space.
fn same_tenant(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[async_trait]
impl Check for CrossTenantExchange {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let profile = match lookup::mailbox_profile(ctx.data, mailbox).await? {
            Ok(profile) => profile,
            Err(skip) => return Ok(skip),
        };
        let classification = profile.classify();
        let cross_tenant_oauth = match classification.target {
            Target::ExchangeOnline { cross_tenant } => cross_tenant,
            Target::Unknown => {
                return Ok(Outcome::skip(format!(
                    "Mailbox '{}' uses profile '{}', whose target is unknown because {}; only Exchange Online \
                     profiles connect to a tenant.",
                    mailbox.name,
                    profile.name,
                    classification.unknown_reason()
                ))
                .with_evidence("profile_target", &classification));
            }
            other => {
                return Ok(Outcome::skip(format!(
                    "Mailbox '{}' uses profile '{}', which connects to {}; only Exchange Online profiles connect \
                     to a tenant.",
                    mailbox.name,
                    profile.name,
                    other.describe()
                )));
            }
        };
        let Some(domain) = mailbox.email_address.as_deref().and_then(address::domain_of) else {
            return Ok(Outcome::skip(format!(
                "Mailbox '{}' has no e-mail address, so it has no mail domain to place in a tenant.",
                mailbox.name
            )));
        };
        let environment_tenant = ctx.data.environment().await?.tenant_id;
        let profile_tenant = profile
            .exchange_online_tenant_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let evidence = |o: Outcome| {
            o.with_evidence("environment_tenant", &environment_tenant)
                .with_evidence("domain", &domain)
                .with_evidence("profile", &profile.name)
                .with_evidence("profile_tenant", profile_tenant)
                .with_evidence("use_default_tenant_id", profile.use_default_tenant_id)
                .with_evidence(
                    "incoming_credential_retrieval",
                    profile
                        .incoming
                        .credential_retrieval
                        .map(CredentialRetrieval::label),
                )
                .with_evidence(
                    "outgoing_credential_retrieval",
                    profile
                        .outgoing
                        .credential_retrieval
                        .map(CredentialRetrieval::label),
                )
                .with_evidence("cross_tenant_oauth", cross_tenant_oauth)
        };
        // The tenant the profile connects to.
        let expected = if profile.use_default_tenant_id {
            environment_tenant.as_str()
        } else if let Some(t) = profile_tenant {
            t
        } else {
            return Ok(evidence(Outcome::fail(format!(
                "Profile '{}' of mailbox '{}' does not use the default tenant but names no Exchange Online tenant id, \
                 so it connects to no known tenant.",
                profile.name, mailbox.name
            )))
            .with_evidence("reason", "profile-without-tenant")
            .with_remediation(WRONG_TENANT_REMEDIATION));
        };
        let Some(domain_tenant) = ctx.data.domain_tenant(&domain).await? else {
            return Ok(Outcome::error(format!(
                "The identity service knows no tenant for domain {domain} of mailbox '{}', so its tenant cannot be compared.",
                mailbox.name
            ))
            .with_evidence("domain", &domain)
            .with_evidence("environment_tenant", &environment_tenant));
        };
        let evidence = |o: Outcome| evidence(o).with_evidence("domain_tenant", &domain_tenant);
        if same_tenant(&domain_tenant, &environment_tenant) && same_tenant(expected, &environment_tenant) {
            return Ok(Outcome::pass(format!(
                "Mailbox '{}' is in domain {domain} of the environment's tenant, which profile '{}' connects to.",
                mailbox.name, profile.name
            )));
        }
        if same_tenant(&domain_tenant, expected) && cross_tenant_oauth {
            return Ok(Outcome::pass(format!(
                "Mailbox '{}' is in domain {domain} of tenant {domain_tenant}, which the cross-tenant OAuth profile '{}' connects to.",
                mailbox.name, profile.name
            )));
        }
        Ok(if !same_tenant(&domain_tenant, expected) {
            let out = evidence(Outcome::fail(format!(
                "Mailbox '{}' is in domain {domain} of tenant {domain_tenant}, but its profile '{}' connects to tenant {expected}.",
                mailbox.name, profile.name
            )));
            if profile.use_default_tenant_id {
                // The general remediation (set up a cross-tenant OAuth profile) fits.
                out.with_evidence("reason", "same-tenant-profile-for-foreign-mailbox")
            } else {
                out.with_evidence("reason", "profile-points-at-another-tenant")
                    .with_remediation(WRONG_TENANT_REMEDIATION)
            }
        } else {
            evidence(Outcome::fail(format!(
                "Mailbox '{}' is in tenant {domain_tenant}, which profile '{}' names, but the profile does not authenticate \
                 with OAuth with Microsoft Entra ID, the only way to reach another tenant.",
                mailbox.name, profile.name
            )))
            .with_evidence("reason", "cross-tenant-profile-without-oauth")
            .with_remediation(NOT_OAUTH_REMEDIATION)
        })
    }
}

#[cfg(test)]
mod tests;
