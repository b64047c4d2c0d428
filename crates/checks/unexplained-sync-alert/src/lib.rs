//! `unexplained-sync-alert`: a recent error alert of a mailbox that none of the run's other
//! checks explains, shown with the closest cause Microsoft documents. See `explain.md`.
//!
//! What "explains" means is the core's, shared with `triage` ([`ssync_core::alerts`]): a
//! check's alert markers or error codes in the alert, or the HTTP 401 for a KB 3212785 check.
//! The documented causes and their articles are the core's catalogue
//! ([`ssync_core::alerts::CATALOGUE`]). Trace logs (`tracelog`: `level` 3 Error, `modifiedon`
//! for repeated alerts) per <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/tracelog>.

use ssync_core::alerts::{self, DocumentedCause};
use ssync_core::check::parse_time;
use ssync_core::prelude::*;
use time::OffsetDateTime;

ssync_core::declare_check! {
    /// Surfaces recent error alerts that no selected check explains.
    pub struct UnexplainedSyncAlert;
    id: "unexplained-sync-alert",
    title: "Every recent error alert of the mailbox is explained by a check",
    scope: Scope::Mailbox,
    severity: Severity::Warning,
    summary: "A recent error alert of the mailbox is one that none of the selected checks explains; \
              the closest cause Microsoft documents is named.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/http-server-returned-forbidden-exception",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/email-cannot-be-received-because-license-is-invalid-error",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/error-when-testing-enabling-mailbox",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/the-account-does-not-have-permission-to-impersonate-the-requested-user-error",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/the-smtp-address-has-no-mailbox",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/error-when-you-test-enable-a-mailbox",
    ],
    reads: &[DataNeed::Mailboxes, DataNeed::Alerts],
    // The id of the closest documented cause (the core's catalogue), or `no-documented-cause`.
    reasons: &[
        "invalid-license",
        "mailbox-location-unknown",
        "impersonation-denied",
        "no-mailbox-for-address",
        "privilege-denied",
        "approval-required",
        "ews-forbidden",
        "unauthorized-401",
        "no-documented-cause",
    ],
}

/// How much of an alert's text goes into the message and the evidence.
const EXCERPT_CHARS: usize = 300;

/// A recent error alert that no selected check explains.
struct Unexplained {
    alert: Alert,
    seen: OffsetDateTime,
    cause: Option<&'static DocumentedCause>,
}

impl Unexplained {
    fn evidence(&self) -> Value {
        json!({
            "alert_id": self.alert.id,
            "last_seen": self.alert.last_seen,
            "text": excerpt(&self.alert.text),
            "details": self.alert.error_details.as_deref().map(excerpt),
            "documented_cause": self.cause.map(|c| c.id),
            "article": self.cause.map(|c| c.article),
        })
    }
}

#[async_trait]
impl Check for UnexplainedSyncAlert {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        if ctx.selected.is_empty() {
            return Ok(Outcome::skip(
                "The run did not say which checks it selected, so which alerts they explain is unknown.",
            ));
        }
        let others: Vec<&CheckMeta> = ctx.selected.iter().copied().filter(|m| m.id != META.id).collect();
        let last_sync = mailbox
            .state
            .last_successful_sync_on
            .as_deref()
            .and_then(parse_time);
        let mut unexplained: Vec<Unexplained> = Vec::new();
        let mut explained: Vec<Value> = Vec::new();
        let mut undated = 0usize;
        for alert in ctx.data.mailbox_alerts(&mailbox.id).await? {
            if alert.level != AlertLevel::Error {
                continue;
            }
            // An alert counts while it is recent and newer than the last successful
            // synchronisation: an older one describes a problem since fixed.
            let Some(seen) = alert.last_seen.as_deref().and_then(parse_time) else {
                undated += 1;
                continue;
            };
            if seen <= ctx.alerts_since() || last_sync.is_some_and(|s| seen <= s) {
                continue;
            }
            let text = AlertText::of(&alert);
            let by = alerts::explained_by(&others, &text);
            if by.is_empty() {
                let cause = alerts::closest_documented_cause(&text);
                unexplained.push(Unexplained { alert, seen, cause });
            } else {
                let ids: Vec<&str> = by.iter().map(|m| m.id).collect();
                explained
                    .push(json!({"alert_id": alert.id, "last_seen": alert.last_seen, "explained_by": ids}));
            }
        }
        unexplained.sort_by_key(|u| std::cmp::Reverse(u.seen));
        let name = &mailbox.name;
        let base = |o: Outcome| {
            let o = o
                .with_evidence("mailbox_address", &mailbox.email_address)
                .with_evidence("alerts_since", ssync_core::check::format_time(ctx.alerts_since()))
                .with_evidence("last_successful_sync", &mailbox.state.last_successful_sync_on)
                .with_evidence("explained_alerts", &explained);
            if undated == 0 {
                o
            } else {
                o.with_evidence("alerts_without_date", undated)
            }
        };
        let Some(newest) = unexplained.first() else {
            return Ok(base(Outcome::pass(match explained.len() {
                0 => format!("Mailbox '{name}' has no recent error alert."),
                n => format!(
                    "Every recent error alert of mailbox '{name}' ({n}) is explained by a selected check."
                ),
            })));
        };
        let seen = newest.alert.last_seen.as_deref().unwrap_or_default();
        let what = match unexplained.len() {
            1 => format!(
                "A recent error alert of mailbox '{name}' (last seen {seen}) is explained by no selected check"
            ),
            n => format!(
                "{n} recent error alerts of mailbox '{name}' are explained by no selected check; the newest \
                 (last seen {seen})"
            ),
        };
        let closest = match newest.cause {
            Some(c) => format!("Closest documented cause: {}; see {}.", c.title, c.article),
            None => "No documented cause matched; search Microsoft's troubleshooting articles for its text."
                .to_owned(),
        };
        let out = base(Outcome::warn(format!(
            "{what}: \"{}\". {closest}",
            excerpt(&newest.alert.text).trim_end_matches('.')
        )))
        .with_evidence("reason", newest.cause.map_or("no-documented-cause", |c| c.id))
        .with_evidence(
            "unexplained_alerts",
            unexplained.iter().map(Unexplained::evidence).collect::<Vec<_>>(),
        );
        Ok(match newest.cause {
            Some(c) => out.with_remediation(format!("{}\n\nMicrosoft's article: <{}>", c.fix, c.article)),
            None => out,
        })
    }
}

fn excerpt(text: &str) -> String {
    let mut chars = text.trim().chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests;
