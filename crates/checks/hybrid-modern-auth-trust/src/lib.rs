//! `hybrid-modern-auth-trust`: a profile that signs in with Exchange Hybrid Modern
//! Authentication (credential retrieval 6) sends Exchange on-premises an OAuth token issued by
//! Microsoft Entra ID for the environment's tenant; the EWS endpoint accepts it only when its
//! `Bearer` challenge names that tenant among its `trusted_issuers`. See `explain.md`.
//!
//! Facts used, from Microsoft's documentation: credential retrieval 6 "Exchange Hybrid Modern
//! Auth (HMA)" in the emailserverprofile table reference; Dynamics 365's HMA connection
//! authenticating against Entra ID (<https://learn.microsoft.com/power-platform/admin/connect-exchange-server-onprem-hma>);
//! the `Bearer` challenge and its `trusted_issuers` (MS-XOAUTH §4.6, and the on-premises HMA
//! example of the Exchange docs; both cited in `ssync_core::records` where it is read).

mod endpoint;

use endpoint::Judged;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds Hybrid Modern Authentication profiles whose on-premises EWS endpoint does not
    /// trust Entra ID tokens of the environment's tenant.
    pub struct HybridModernAuthTrust;
    id: "hybrid-modern-auth-trust",
    title: "The on-premises EWS endpoint trusts the environment's tenant for Hybrid Modern Authentication",
    scope: Scope::Profile,
    severity: Severity::Error,
    summary: "A Hybrid Modern Authentication profile's EWS endpoint does not offer `Bearer` with the \
              environment's tenant among its trusted issuers.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-server-onprem-hma",
        "https://learn.microsoft.com/microsoft-365/enterprise/configure-exchange-server-for-hybrid-modern-authentication",
        "https://learn.microsoft.com/exchange/clients/outlook-for-ios-and-android/use-hybrid-modern-auth",
        "https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-xoauth/f622dee1-a9a7-436e-b44e-6ecf8f536f77",
    ],
    reads: &[DataNeed::Profiles, DataNeed::Environment, DataNeed::EwsChallenge, DataNeed::Mailboxes],
    reasons: &["no-bearer", "tenant-not-trusted"],
}

/// The probe runs where ssync-doctor runs, not where Dynamics 365 connects from.
const SEEN_FROM_HERE: &str = "The endpoint was seen from this machine; split DNS or a reverse proxy can show \
                              Dynamics 365 a different server.";

#[async_trait]
impl Check for HybridModernAuthTrust {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let profile = subject.profile()?;
        let is_hma = |c: &Connection| c.credential_retrieval == Some(CredentialRetrieval::HybridModernAuth);
        let name = &profile.name;
        if !profile.connections().iter().any(|(_, c)| is_hma(c)) {
            let label = |c: &Connection| {
                c.credential_retrieval
                    .map_or("not set", CredentialRetrieval::label)
            };
            return Ok(Outcome::skip(format!(
                "Profile '{name}' does not use Exchange Hybrid Modern Authentication (incoming: {}; outgoing: {}).",
                label(&profile.incoming),
                label(&profile.outgoing)
            )));
        }
        let classification = profile.classify();
        if !classification.target.is_on_premises() {
            let why = match classification.target {
                Target::Unknown => format!(
                    "its target is unknown because {}",
                    classification.unknown_reason()
                ),
                other => format!("it connects to {}", other.describe()),
            };
            return Ok(Outcome::skip(format!(
                "Profile '{name}' uses Hybrid Modern Authentication, but {why}; this check covers on-premises \
                 EWS endpoints only."
            ))
            .with_evidence("profile_target", &classification));
        }
        let (endpoints, unprobed) = profile.ews_endpoints(is_hma);
        if endpoints.is_empty() {
            return Ok(Outcome::skip(format!(
                "Profile '{name}' has no EWS endpoint to probe: {}.",
                unprobed.join("; ")
            )));
        }
        let tenant = ctx.data.environment().await?.tenant_id;
        let mut judged: Vec<Judged> = Vec::new();
        for endpoint in endpoints {
            let answer = ctx.data.ews_probe(&endpoint.url).await;
            judged.push(Judged::new(endpoint, &answer, &tenant));
        }
        let status = [Status::Fail, Status::Error]
            .into_iter()
            .find(|s| judged.iter().any(|e| e.status == *s))
            .unwrap_or(Status::Pass);
        let lines: Vec<String> = judged
            .iter()
            .filter(|e| status == Status::Pass || e.status == status)
            .map(Judged::line)
            .collect();
        let lines = lines.join("; ");
        let message = match status {
            Status::Fail => format!(
                "The EWS endpoint of profile '{name}' does not accept Entra ID tokens of the environment's \
                 tenant {tenant}: {lines}. {SEEN_FROM_HERE}"
            ),
            Status::Error => format!(
                "Could not tell whether the EWS endpoint of profile '{name}' trusts the environment's tenant: {lines}."
            ),
            _ => format!(
                "The EWS endpoint of profile '{name}' trusts Entra ID tokens of the environment's tenant: {lines}."
            ),
        };
        let mut outcome = Outcome::new(status, message);
        if let Some(reason) = judged
            .iter()
            .find_map(|e| e.reason)
            .filter(|_| status == Status::Fail)
        {
            outcome = outcome.with_evidence("reason", reason);
        }
        outcome = outcome
            .with_evidence("tenant_expected", &tenant)
            .with_evidence("endpoints", &judged)
            .with_evidence("probed_from", "this machine");
        if !unprobed.is_empty() {
            outcome = outcome.with_evidence("not_probed", &unprobed);
        }
        if status != Status::Pass {
            outcome = outcome.with_mailboxes(lookup::profile_mailbox_addresses(ctx.data, &profile.id).await?);
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests;
