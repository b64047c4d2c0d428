//! `ews-access-blocked`: Exchange refuses Exchange Web Services to server-side synchronization
//! with *403 Forbidden* (not the 401 of KB 3212785): EWS is disabled for the mailbox or the
//! organisation, or `EwsApplicationAccessPolicy` with `EwsAllowList`/`EwsBlockList` keeps out
//! Dynamics 365's client `CRM/*` (support article KB 4483440, cited in `alerts.rs`). See
//! `explain.md`.

mod alerts;

use alerts::ForbiddenAlert;
use serde::Serialize;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds mailboxes whose Exchange refuses EWS with 403 Forbidden.
    pub struct EwsAccessBlocked;
    id: "ews-access-blocked",
    title: "Exchange Web Services lets server-side synchronization in",
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "EWS answers 403 Forbidden: it is disabled, or an EWS allow/block list keeps out server-side \
              synchronization (`CRM/*`); seen on the on-premises endpoint or in a recent alert.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/http-server-returned-forbidden-exception",
        "https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-control-access-to-ews-in-exchange",
        "https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig",
        "https://learn.microsoft.com/powershell/module/exchange/set-casmailbox",
    ],
    reads: &[DataNeed::Mailboxes, DataNeed::Profiles, DataNeed::EwsChallenge, DataNeed::Alerts],
    alert_markers: &alerts::MARKERS,
    error_codes: &["Http server returned Forbidden exception"],
    reasons: &["endpoint-forbidden", "forbidden-alert"],
}

/// One on-premises endpoint as the check saw it; reported as evidence.
#[derive(Debug, Serialize)]
struct Probed {
    url: String,
    directions: Vec<&'static str>,
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_error: Option<SourceError>,
}

/// What each finding says about the 403's cause.
const WHY: &str = "EWS is disabled for the mailbox or the organisation, or an EWS application access policy \
                   (EwsAllowList/EwsBlockList) keeps out server-side synchronization (`CRM/*`)";

#[async_trait]
impl Check for EwsAccessBlocked {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let profile = match lookup::mailbox_profile(ctx.data, mailbox).await? {
            Ok(profile) => profile,
            Err(skip) => return Ok(skip),
        };
        let (name, pname) = (&mailbox.name, &profile.name);
        let target = profile.target();
        if target == Target::NotExchange {
            return Ok(Outcome::skip(format!(
                "Mailbox '{name}' uses profile '{pname}', which connects to {}: no EWS.",
                target.describe()
            )));
        }
        let mut probed = Vec::new();
        if target.is_on_premises() {
            let (mut endpoints, _) = profile.ews_endpoints(|_| true);
            if let Some(url) = mailbox.ews_url.as_deref().map(str::trim) {
                if endpoints.is_empty() && !url.is_empty() && !hosts::is_exchange_online(url) {
                    endpoints.push(EwsEndpoint {
                        url: url.to_owned(),
                        directions: vec!["autodiscovered for the mailbox"],
                    });
                }
            }
            for EwsEndpoint { url, directions } in endpoints {
                let (http_status, source_error) = match ctx.data.ews_probe(&url).await {
                    Ok(p) => (Some(p.status), None),
                    Err(e) => (None, Some(e)),
                };
                probed.push(Probed {
                    url,
                    directions,
                    http_status,
                    source_error,
                });
            }
        }
        let found = alerts::forbidden(ctx.data, mailbox, &ctx.options).await;
        let (counted, ignored): (Vec<&ForbiddenAlert>, Vec<&ForbiddenAlert>) = match &found {
            Ok(all) => all.iter().partition(|a| a.ignored.is_none()),
            Err(_) => (Vec::new(), Vec::new()),
        };
        let forbidden: Vec<&Probed> = probed.iter().filter(|p| p.http_status == Some(403)).collect();
        let unreadable: Vec<String> = probed
            .iter()
            .filter_map(|p| match (&p.source_error, p.http_status) {
                (Some(e), _) => Some(format!("could not probe {}: {e}", p.url)),
                (None, Some(401 | 403)) => None,
                (None, status) => Some(format!(
                    "{} answered HTTP {}, neither an authentication challenge (401) nor a refusal (403)",
                    p.url,
                    status.unwrap_or_default()
                )),
            })
            .chain(
                found
                    .as_ref()
                    .err()
                    .map(|e| format!("could not read the alerts: {e}")),
            )
            .collect();

        let outcome = if let Some(p) = forbidden.first() {
            Outcome::fail(format!(
                "The EWS endpoint {} of profile '{pname}' ({}) answers 403 Forbidden before any sign-in, so \
                 mailbox '{name}' cannot synchronise: {WHY}, or a rule in front of EWS refuses requests. \
                 The endpoint was seen from this machine.",
                p.url,
                p.directions.join(" and ")
            ))
            .with_evidence("reason", "endpoint-forbidden")
        } else if let Some(a) = counted.first() {
            Outcome::fail(format!(
                "Mailbox '{name}' has a recent error alert with Exchange's 403 Forbidden (alert {}, last seen \
                 {}): {WHY}.",
                a.alert_id,
                a.last_seen.as_deref().unwrap_or("at an unknown time")
            ))
            .with_evidence("reason", "forbidden-alert")
        } else if !unreadable.is_empty() {
            Outcome::error(format!(
                "Could not tell whether Exchange refuses EWS to mailbox '{name}': {}.",
                unreadable.join("; ")
            ))
        } else if target.is_exchange_online() || target.is_on_premises() {
            let looked = if probed.is_empty() {
                "no recent error alert carries the 403 text".to_owned()
            } else {
                let seen: Vec<&str> = probed.iter().map(|p| p.url.as_str()).collect();
                format!(
                    "{} asked for credentials (401), and no recent error alert carries the 403 text",
                    seen.join(", ")
                )
            };
            Outcome::pass(format!(
                "Exchange does not refuse EWS to mailbox '{name}': {looked}."
            ))
        } else {
            Outcome::skip(format!(
                "Cannot tell where profile '{pname}' of mailbox '{name}' connects, so its EWS endpoint is not \
                 probed, and no recent error alert carries the 403 text."
            ))
        };
        let mut outcome = outcome
            .with_evidence("mailbox_address", &mailbox.email_address)
            .with_evidence("profile", pname)
            .with_evidence("profile_target", target);
        if !probed.is_empty() {
            outcome = outcome.with_evidence("endpoints", &probed);
        }
        if !counted.is_empty() {
            outcome = outcome.with_evidence("alerts", &counted);
        }
        if !ignored.is_empty() {
            outcome = outcome.with_evidence("ignored_alerts", &ignored);
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests;
