//! The [`Check`] trait and the static metadata every check carries.

use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
}

impl DataNeed {
    pub const ALL: [DataNeed; 10] = [
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
        }
    }
}

pub use crate::meta::CheckMeta;

/// What a check gets besides its subject.
pub struct CheckContext<'a> {
    /// The data interface. Every read goes through here.
    pub data: &'a dyn DataSource,
}

impl<'a> CheckContext<'a> {
    pub fn new(data: &'a dyn DataSource) -> Self {
        Self { data }
    }
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
