//! The [`Check`] trait and the static metadata every check carries.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::data::{DataSource, SourceError};
use crate::outcome::Outcome;
use crate::subject::Subject;

/// What a check runs over. The runner calls [`Check::run`] once per subject of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Once for the whole environment.
    Environment,
    /// Once per e-mail server profile that at least one selected mailbox uses.
    Profile,
    /// Once per selected mailbox.
    Mailbox,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Environment => "environment",
            Scope::Profile => "profile",
            Scope::Mailbox => "mailbox",
        }
    }
}

/// How bad a `fail` of this check is. Reported as `severity` in every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The check's `fail` stops synchronisation (every KB 3212785 cause).
    Error,
    /// Worth fixing, but synchronisation may still work.
    Warning,
    /// For information only.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A kind of data a check reads. Declared in [`CheckMeta::reads`] so that the runner can
/// tell a live source up front what to fetch in bulk, and so that `ssync-doctor list` can
/// say which permissions a check needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataNeed {
    /// The environment: organization id, tenant id, URL (Dataverse `RetrieveCurrentOrganization`).
    Environment,
    /// E-mail server profiles (Dataverse `emailserverprofiles`).
    Profiles,
    /// Mailbox records (Dataverse `mailboxes`).
    Mailboxes,
    /// Dataverse users (`systemusers`) and queues (`queues`).
    SystemUsers,
    /// Entra ID users with addresses and plans (Graph `users`).
    EntraUsers,
    /// Where a user's mailbox lives and its purpose (Graph `users/{id}/mailboxSettings`).
    MailboxLocation,
    /// Soft-deleted Entra users (Graph `directory/deletedItems/microsoft.graph.user`).
    DeletedUsers,
    /// The tenant a mail domain belongs to (OpenID discovery on the authority host).
    DomainTenant,
    /// The authentication schemes an EWS endpoint offers (one unauthenticated request).
    EwsChallenge,
    /// The alerts (trace logs) of a mailbox (Dataverse `tracelogs`).
    Alerts,
    /// Raw GETs on the Dataverse Web API ([`DataSource::raw_get`](crate::DataSource::raw_get)),
    /// for what the data interface does not offer. What it needs depends on the tables the
    /// check queries.
    RawDataverse,
    /// Raw GETs on Microsoft Graph; the application permission depends on the resource read.
    RawGraph,
}

impl DataNeed {
    pub const ALL: [DataNeed; 12] = [
        DataNeed::Environment,
        DataNeed::Profiles,
        DataNeed::Mailboxes,
        DataNeed::SystemUsers,
        DataNeed::EntraUsers,
        DataNeed::MailboxLocation,
        DataNeed::DeletedUsers,
        DataNeed::DomainTenant,
        DataNeed::EwsChallenge,
        DataNeed::Alerts,
        DataNeed::RawDataverse,
        DataNeed::RawGraph,
    ];

    /// Kebab-case name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            DataNeed::Environment => "environment",
            DataNeed::Profiles => "profiles",
            DataNeed::Mailboxes => "mailboxes",
            DataNeed::SystemUsers => "system-users",
            DataNeed::EntraUsers => "entra-users",
            DataNeed::MailboxLocation => "mailbox-location",
            DataNeed::DeletedUsers => "deleted-users",
            DataNeed::DomainTenant => "domain-tenant",
            DataNeed::EwsChallenge => "ews-challenge",
            DataNeed::Alerts => "alerts",
            DataNeed::RawDataverse => "raw-dataverse",
            DataNeed::RawGraph => "raw-graph",
        }
    }

    /// The permission the application needs to read this data, in the admin centre's words.
    pub fn permission(self) -> &'static str {
        match self {
            DataNeed::Environment => {
                "Dataverse application user (any security role can call RetrieveCurrentOrganization)"
            }
            DataNeed::Profiles => "Dataverse: read Email Server Profile",
            DataNeed::Mailboxes => "Dataverse: read Mailbox",
            DataNeed::SystemUsers => "Dataverse: read User and Queue",
            DataNeed::EntraUsers => "Microsoft Graph application permission User.Read.All",
            DataNeed::MailboxLocation => "Microsoft Graph application permission MailboxSettings.Read",
            DataNeed::DeletedUsers => "Microsoft Graph application permission User.Read.All",
            DataNeed::DomainTenant => "none (public OpenID discovery document)",
            DataNeed::EwsChallenge => "none (network reach to the EWS URL; no credentials are sent)",
            DataNeed::Alerts => "Dataverse: read Trace (tracelog)",
            DataNeed::RawDataverse => "Dataverse: read on every table the check's raw queries name",
            DataNeed::RawGraph => {
                "Microsoft Graph: the application permission of each resource the check's raw queries read"
            }
        }
    }
}

pub use crate::meta::CheckMeta;

/// What a check gets besides its subject.
pub struct CheckContext<'a> {
    /// The data interface. Every read goes through here.
    pub data: &'a dyn DataSource,
    /// Run-wide settings: the moment the run judges against, the alert window.
    pub options: CheckOptions,
    /// The metadata of every check selected for this run (the runner's engine sets it; the
    /// checking check among them). Empty when whoever built the context did not say, as in
    /// most unit tests: a check that needs it tells that apart from "no other check".
    pub selected: &'a [&'static CheckMeta],
}

impl<'a> CheckContext<'a> {
    /// A context with the default options (now, a 30-day alert window).
    pub fn new(data: &'a dyn DataSource) -> Self {
        Self::with_options(data, CheckOptions::default())
    }

    pub fn with_options(data: &'a dyn DataSource, options: CheckOptions) -> Self {
        Self {
            data,
            options,
            selected: &[],
        }
    }

    /// The same context, naming the checks selected for the run.
    pub fn with_selected(mut self, selected: &'a [&'static CheckMeta]) -> Self {
        self.selected = selected;
        self
    }

    /// The oldest moment an alert may carry and still count as recent
    /// ([`CheckOptions::alerts_since`]).
    pub fn alerts_since(&self) -> OffsetDateTime {
        self.options.alerts_since()
    }
}

/// Settings of a run that checks may consult. Tests set `now` so that what counts as
/// "recent" does not depend on the day they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// The moment the run judges "recent" against: the start of a live run, the collection
    /// time of a replayed bundle.
    pub now: OffsetDateTime,
    /// How far back an alert counts (`[alerts] window_days` in `ssync-doctor.toml`).
    pub alert_window: Duration,
}

impl CheckOptions {
    /// The default alert window: 30 days, the time Entra keeps a deleted user restorable and
    /// long enough to cover a mailbox that stopped synchronising a month ago.
    pub const DEFAULT_ALERT_WINDOW_DAYS: u32 = 30;

    pub fn new(now: OffsetDateTime, alert_window_days: u32) -> Self {
        Self {
            now,
            alert_window: Duration::days(i64::from(alert_window_days)),
        }
    }

    /// The oldest moment an alert may carry and still count.
    pub fn alerts_since(&self) -> OffsetDateTime {
        self.now - self.alert_window
    }

    /// True when `when` (RFC 3339) lies inside the alert window; `None` when it does not parse.
    pub fn within_alert_window(&self, when: &str) -> Option<bool> {
        let at = parse_time(when)?;
        Some(at > self.alerts_since())
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self::new(OffsetDateTime::now_utc(), Self::DEFAULT_ALERT_WINDOW_DAYS)
    }
}

/// An RFC 3339 date-time as Dataverse and Graph write them (`2026-11-27T10:00:00Z`).
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// `at` as RFC 3339 in UTC with whole seconds, the form an OData filter takes.
pub fn format_time(at: OffsetDateTime) -> String {
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_default()
}

/// The metadata half of a check. [`declare_check!`](crate::declare_check) implements it; a
/// check written without the macro implements it by hand (`fn meta(&self) -> &'static
/// CheckMeta { &META }`).
pub trait Declared {
    fn meta(&self) -> &'static CheckMeta;
}

/// A diagnostic check. Declare it with [`declare_check!`](crate::declare_check) (which
/// writes its metadata, [`Declared`] and its registration) and implement `run`.
///
/// `run` returns `Err(SourceError)` when data could not be read; the runner turns that
/// into an `error` result carrying the reason, never a `fail`. Return
/// [`Outcome::skip`] when the check does not apply to the subject.
#[async_trait::async_trait]
pub trait Check: Declared + Send + Sync + 'static {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError>;
}

/// Runs a check on one subject and folds a [`SourceError`] into an `error` outcome that
/// carries the reason, the way the runner reports it. Use it in tests to see exactly what
/// the report would show.
pub async fn evaluate(check: &dyn Check, ctx: &CheckContext<'_>, subject: &Subject) -> Outcome {
    match check.run(ctx, subject).await {
        Ok(outcome) => outcome,
        Err(err) => Outcome::error(format!("Could not evaluate: {err}.")).with_evidence("source_error", &err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_window_counts_back_from_now() {
        let now = parse_time("2026-12-01T00:00:00Z").expect("parses");
        let o = CheckOptions::new(now, 30);
        assert_eq!(format_time(o.alerts_since()), "2026-11-01T00:00:00Z");
        assert_eq!(o.within_alert_window("2026-11-27T10:00:00Z"), Some(true));
        assert_eq!(o.within_alert_window("2026-10-31T23:59:59Z"), Some(false));
        assert_eq!(o.within_alert_window("2026-11-01T00:00:00Z"), Some(false));
        assert_eq!(o.within_alert_window("yesterday"), None);
        // Offsets and fractions of a second as Dataverse and Graph may write them.
        assert_eq!(
            o.within_alert_window("2026-11-27T10:00:00.1234567+02:00"),
            Some(true)
        );
    }

    #[test]
    fn filter_times_are_utc_whole_seconds() {
        let at = parse_time("2026-11-27T10:00:00.987+02:00").expect("parses");
        assert_eq!(format_time(at), "2026-11-27T08:00:00Z");
    }
}
