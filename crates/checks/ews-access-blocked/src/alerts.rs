//! The mailbox's recent error alerts that carry Exchange's *403 Forbidden*, in the words of
//! Microsoft's support article "Http server returned Forbidden exception" (KB 4483440,
//! <https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/http-server-returned-forbidden-exception>):
//! the alert's "Email Server Error Code: Http server returned Forbidden exception." and its
//! details "The request failed with HTTP status 403: Forbidden".

use serde::Serialize;
use ssync_core::check::parse_time;
use ssync_core::prelude::*;

/// The texts of the 403 alert (searched without case in text, details and detail XML).
pub const MARKERS: [&str; 2] = [
    "Http server returned Forbidden exception",
    "The request failed with HTTP status 403: Forbidden",
];

/// A 403 that is not EWS being refused: a mailbox over its quota ("ErrorQuotaExceeded.
/// Exchange.server returned 403 error", KB 4556585; `ErrorSubmissionQuotaExceeded`).
const QUOTA: &str = "QuotaExceeded";

const EXCERPT_CHARS: usize = 300;

/// An alert that carries a marker, and whether it counts.
#[derive(Debug, Clone, Serialize)]
pub struct ForbiddenAlert {
    pub alert_id: String,
    pub last_seen: Option<String>,
    pub excerpt: String,
    /// Why it does not count; absent when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<&'static str>,
}

/// The error-level alerts of the mailbox with a 403 marker: those that count are recent (inside
/// the alert window) and newer than the mailbox's last successful synchronisation, because the
/// text stays in old alerts after the problem is fixed.
pub async fn forbidden(
    data: &dyn DataSource,
    mailbox: &Mailbox,
    options: &CheckOptions,
) -> Result<Vec<ForbiddenAlert>, SourceError> {
    let last_sync = mailbox
        .state
        .last_successful_sync_on
        .as_deref()
        .and_then(parse_time);
    let mut out = Vec::new();
    for a in data.mailbox_alerts(&mailbox.id).await? {
        if a.level != AlertLevel::Error || !MARKERS.iter().any(|m| a.mentions(m)) || a.mentions(QUOTA) {
            continue;
        }
        let seen = a.last_seen.as_deref().and_then(parse_time);
        let ignored = match seen {
            None => Some("its date is missing or unreadable, so its age is unknown"),
            Some(at) if at <= options.alerts_since() => Some("older than the alert window"),
            Some(at) if last_sync.is_some_and(|s| at <= s) => {
                Some("the mailbox synchronised successfully after it")
            }
            Some(_) => None,
        };
        let mut excerpt: String = a.text.chars().take(EXCERPT_CHARS).collect();
        if a.text.chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        out.push(ForbiddenAlert {
            alert_id: a.id,
            last_seen: a.last_seen,
            excerpt,
            ignored,
        });
    }
    Ok(out)
}
