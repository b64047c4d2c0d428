//! `ews-basic-auth-disabled` — KB 3212785 cause 5.
//!
//! An on-premises Exchange profile signs in to EWS with a scheme (Basic, NTLM, Negotiate) that
//! the EWS endpoint must offer in its 401 challenge. See `explain.md` for what the check
//! decides and why; it is also the text of `ssync-doctor explain ews-basic-auth-disabled`.

mod direction;
mod scheme;

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds on-premises Exchange profiles whose EWS endpoint does not offer the authentication
    /// scheme the profile signs in with.
    pub struct EwsBasicAuthDisabled;
    id: "ews-basic-auth-disabled",
    title: "EWS offers the authentication the on-premises profile uses",
    cause: 5,
    scope: Scope::Profile,
    severity: Severity::Error,
    summary: "An Exchange Server (on-premises) profile signs in with Basic (or NTLM, Negotiate, auto-detect), \
              but the EWS endpoint does not offer that scheme.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-server-on-premises",
        "https://learn.microsoft.com/exchange/client-developer/exchange-web-services/authentication-and-ews-in-exchange",
        "https://learn.microsoft.com/powershell/module/exchange/set-webservicesvirtualdirectory",
    ],
    reads: &[DataNeed::Profiles, DataNeed::EwsChallenge, DataNeed::Mailboxes],
}

#[async_trait]
impl Check for EwsBasicAuthDisabled {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let profile = subject.profile()?;
        let classification = profile.classify();
        match classification.target {
            Target::OnPremises { .. } => {}
            Target::Unknown => {
                return Ok(Outcome::skip(format!(
                    "Cannot tell whether profile '{}' connects to Exchange on-premises: its target is unknown \
                     because {}.",
                    profile.name,
                    classification.unknown_reason()
                ))
                .with_evidence("profile_target", &classification));
            }
            other => {
                let elsewhere = if other.is_exchange_online() {
                    " (Basic against Exchange Online is judged by `exchange-online-basic-auth`)"
                } else {
                    ""
                };
                return Ok(Outcome::skip(format!(
                    "Profile '{}' connects to {}; this check covers only profiles that connect to Exchange \
                     on-premises{elsewhere}.",
                    profile.name,
                    other.describe()
                ))
                .with_evidence("server_type", profile.server_type.label())
                .with_evidence("profile_target", &classification));
            }
        }
        let reports = direction::judge_all(ctx.data, profile).await;
        let has = |v: Status| reports.iter().any(|r| r.status == v);
        let status = if has(Status::Fail) {
            Status::Fail
        } else if has(Status::Error) {
            Status::Error
        } else if has(Status::Pass) {
            Status::Pass
        } else {
            Status::Skip
        };
        // Name the directions that decided the status (all of them for pass and skip).
        let lines: Vec<String> = reports
            .iter()
            .filter(|r| matches!(status, Status::Pass | Status::Skip) || r.status == status)
            .map(|r| r.line())
            .collect();
        let lines = lines.join("; ");
        let message = match status {
            Status::Fail => format!(
                "The EWS endpoint of profile '{}' does not offer the authentication the profile signs in with: {lines}.",
                profile.name
            ),
            Status::Error => format!(
                "Could not tell whether the EWS endpoint of profile '{}' offers the authentication the profile \
                 signs in with: {lines}.",
                profile.name
            ),
            Status::Pass => format!(
                "The EWS endpoint of profile '{}' offers the authentication the profile signs in with: {lines}.",
                profile.name
            ),
            _ => format!(
                "Profile '{}' has no connection this check can judge: {lines}.",
                profile.name
            ),
        };
        let probed = reports
            .iter()
            .any(|r| r.http_status.is_some() || r.source_error.is_some());
        let message = if probed {
            format!("{message} {SEEN_FROM_HERE}")
        } else {
            message
        };
        let mut outcome = Outcome::new(status, message)
            .with_evidence("server_type", profile.server_type.label())
            .with_evidence("connections", &reports);
        if probed {
            outcome = outcome.with_evidence("probed_from", "this machine");
        }
        if matches!(status, Status::Fail | Status::Error) {
            outcome = outcome.with_mailboxes(lookup::profile_mailbox_addresses(ctx.data, &profile.id).await?);
        }
        Ok(outcome)
    }
}

/// The probe runs where ssync-doctor runs, not where Dynamics 365 connects from: split DNS
/// can resolve the host to another server, and an IP allow-list can let one in and not the
/// other (learn.microsoft.com/power-platform/admin/connect-exchange-server-on-premises asks
/// that EWS be reachable from the Dynamics 365 IP ranges).
const SEEN_FROM_HERE: &str = "The endpoint was seen from this machine; split DNS or an IP allow-list can show \
                              Dynamics 365 a different server.";

#[cfg(test)]
mod tests;
