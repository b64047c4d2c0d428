//! The data interface: everything a check may read, and how "could not read" is reported.

use serde::{Deserialize, Serialize};

use crate::check::DataNeed;
use crate::records::*;

/// Why a data source could not answer. Checks propagate it with `?`; the runner turns it into
/// an `error` result whose message is this error's text. It is never a `fail`.
///
/// Messages must never contain a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceError {
    /// The application lacks a permission, a role or a licence to read this.
    #[error("permission denied reading {what}: {detail}")]
    Permission { what: String, detail: String },
    /// The service could not be reached (DNS, connection, TLS, timeout).
    #[error("could not reach {service}: {detail}")]
    Unreachable { service: String, detail: String },
    /// The service answered, but not in a shape the tool understands.
    #[error("malformed answer from {service}: {detail}")]
    Malformed { service: String, detail: String },
    /// The service kept throttling after the allowed retries.
    #[error("{service} kept throttling (HTTP 429) after {attempts} attempts")]
    Throttled { service: String, attempts: u32 },
    /// Any other HTTP error answer.
    #[error("{service} answered HTTP {status} to {request}: {code} {message}")]
    Http {
        service: String,
        request: String,
        status: u16,
        code: String,
        message: String,
    },
    /// This data source cannot provide this data (e.g. an offline bundle that lacks it).
    #[error("not available from this data source: {0}")]
    Unsupported(String),
}

/// The service a raw read goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawService {
    /// Dataverse Web API; the path is relative to `/api/data/v9.2/`.
    Dataverse,
    /// Microsoft Graph; the path is relative to `/v1.0/`.
    Graph,
}

impl RawService {
    /// The key a raw answer is known by, in a run's caches and in recorded facts:
    /// `"dataverse:<path>"` or `"graph:<path>"`, the path trimmed.
    pub fn fact_key(self, path: &str) -> String {
        let prefix = match self {
            RawService::Dataverse => "dataverse",
            RawService::Graph => "graph",
        };
        format!("{prefix}:{}", path.trim())
    }

    /// The data need a raw read of this service is declared as.
    pub fn need(self) -> crate::check::DataNeed {
        match self {
            RawService::Dataverse => crate::check::DataNeed::RawDataverse,
            RawService::Graph => crate::check::DataNeed::RawGraph,
        }
    }
}

/// What a run covers, told to the source before any check runs so that a live source can
/// read in bulk (a page of 5000 mailboxes rather than 5000 requests) while checks keep asking
/// per subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunPlan {
    /// The mailboxes the run covers.
    pub mailbox_ids: Vec<String>,
    /// The profiles the run covers.
    pub profile_ids: Vec<String>,
    /// The union of the selected checks' [`CheckMeta::reads`](crate::CheckMeta::reads).
    pub needs: Vec<DataNeed>,
    /// The oldest alert the run's checks count (RFC 3339, the start of the alert window): a
    /// live source reads no older alert. `None`: the source's own default window.
    #[serde(default)]
    pub alerts_since: Option<String>,
}

impl RunPlan {
    pub fn needs(&self, need: DataNeed) -> bool {
        self.needs.contains(&need)
    }
}

/// The data a check may read. Keyed look-ups return `Ok(None)` (or an empty list) when the
/// source read successfully and found nothing, and `Err` when it could not read.
///
/// Implementations: `MemorySource` (in this crate, for unit tests), the live Microsoft 365
/// source (`ssync-m365`) and the offline evidence bundle.
#[async_trait::async_trait]
pub trait DataSource: Send + Sync {
    /// Tells the source what the run covers, before any check runs. A live source uses it to
    /// prefetch in bulk; the default does nothing.
    async fn prepare(&self, _plan: &RunPlan) -> Result<(), SourceError> {
        Ok(())
    }

    /// Called beside [`DataSource::mailboxes`] when a run covers every mailbox (`--all`), with
    /// what its checks read, so that a source that learns from the mailbox read that the
    /// environment is large can start its bulk reads then rather than after the last page of
    /// mailboxes. It must return once that read has ended, and what it reads must be what
    /// [`DataSource::prepare`] would read anyway. The default does nothing.
    async fn anticipate(&self, _needs: &[DataNeed]) {}

    /// The environment (organization id, tenant id, URL).
    async fn environment(&self) -> Result<Environment, SourceError>;

    /// Every e-mail server profile.
    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError>;

    /// One e-mail server profile by id.
    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError>;

    /// Every mailbox record, active or not; the runner selects.
    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError>;

    /// The mailboxes whose `emailaddress` equals one of `addresses` (case-insensitive), for
    /// `--mailbox`. The default filters [`DataSource::mailboxes`]; a live source overrides it
    /// with a server-side filter so that a one-mailbox run does not read every mailbox.
    async fn find_mailboxes(&self, addresses: &[String]) -> Result<Vec<Mailbox>, SourceError> {
        Ok(self
            .mailboxes()
            .await?
            .into_iter()
            .filter(|m| {
                m.email_address
                    .as_deref()
                    .is_some_and(|a| addresses.iter().any(|wanted| crate::address::same(a, wanted)))
            })
            .collect())
    }

    /// The mailboxes that use a profile.
    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError>;

    /// One Dataverse user by `systemuserid`.
    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError>;

    /// One queue by `queueid`.
    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError>;

    /// The Entra user whose UPN, `mail` or any SMTP proxy address equals `address`
    /// (case-insensitive).
    async fn entra_user_by_address(&self, address: &str) -> Result<Option<EntraUser>, SourceError>;

    /// The Entra user with this object id.
    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError>;

    /// Where the mailbox of the Entra user `user_id` lives.
    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError>;

    /// Soft-deleted Entra users whose UPN, `mail` or proxy addresses match `address` (see
    /// [`crate::address::deleted_user_matches`]).
    async fn deleted_users_matching(&self, address: &str) -> Result<Vec<DeletedUser>, SourceError>;

    /// The tenant id a mail domain belongs to; `Ok(None)` when the identity service knows no
    /// tenant for it.
    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError>;

    /// How many records the source has read so far, for a progress indicator while it reads
    /// in bulk; `None` (the default) when it does not count.
    fn records_read(&self) -> Option<u64> {
        None
    }

    /// What an EWS URL answers to one unauthenticated request. Never sends credentials.
    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError>;

    /// The alerts (trace logs) of a mailbox, newest first. A live source reads only
    /// error-level alerts inside the run's alert window ([`RunPlan::alerts_since`]), at most a
    /// bounded number per mailbox; checks still judge the age of what they get.
    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError>;

    /// The escape hatch for custom checks: one read-only GET of `path` (with its query) on
    /// Dataverse or Graph, answered as JSON. Paging is the caller's business.
    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError>;
}
