//! Which reads failed for good during a run, for the report's `failed_reads` and the line
//! every format prints about them. A [`DataSource`] wrapper notes each `Err` any read
//! returns, whoever asked (the engine, a check, a custom check's raw read), grouped by the
//! kind of read: at 100,000 mailboxes one unreadable collection can fail thousands of keyed
//! look-ups, and the operator needs one line per read, with the first reason and a count.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use ssync_core::records::*;
use ssync_core::{DataNeed, DataSource, RawService, RunPlan, SourceError};

use crate::report::FailedRead;

/// The wrapped source, noting every failed read.
pub(crate) struct NotingFailures<'a> {
    inner: &'a dyn DataSource,
    failed: Mutex<BTreeMap<&'static str, Noted>>,
}

struct Noted {
    /// Keys (subjects, URLs) whose read failed; the empty key for whole collections.
    keys: std::collections::BTreeSet<String>,
    first_reason: String,
}

impl<'a> NotingFailures<'a> {
    pub(crate) fn new(inner: &'a dyn DataSource) -> Self {
        Self {
            inner,
            failed: Mutex::new(BTreeMap::new()),
        }
    }

    /// Notes a failure of `read` for `key` that did not come through a read of this wrapper
    /// (a failed prefetch).
    pub(crate) fn note_error(&self, read: &'static str, key: &str, err: &SourceError) {
        let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        let noted = failed.entry(read).or_insert_with(|| Noted {
            keys: Default::default(),
            first_reason: err.to_string(),
        });
        noted.keys.insert(key.to_owned());
    }

    fn note<T>(
        &self,
        read: &'static str,
        key: &str,
        result: Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        if let Err(err) = &result {
            self.note_error(read, key, err);
        }
        result
    }

    /// The failed reads so far, in the order of their names.
    pub(crate) fn failed_reads(&self) -> Vec<FailedRead> {
        let failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        failed
            .iter()
            .map(|(read, noted)| FailedRead {
                read: (*read).to_owned(),
                failures: noted.keys.len(),
                reason: noted.first_reason.clone(),
            })
            .collect()
    }
}

#[ssync_core::async_trait]
impl DataSource for NotingFailures<'_> {
    async fn prepare(&self, plan: &RunPlan) -> Result<(), SourceError> {
        self.inner.prepare(plan).await
    }

    async fn anticipate(&self, needs: &[DataNeed]) {
        self.inner.anticipate(needs).await
    }

    async fn environment(&self) -> Result<Environment, SourceError> {
        let r = self.inner.environment().await;
        self.note("the environment (organisation)", "", r)
    }

    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        let r = self.inner.profiles().await;
        self.note("the e-mail server profiles", "", r)
    }

    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        let r = self.inner.profile(id).await;
        self.note("the e-mail server profiles", "", r)
    }

    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.mailboxes().await;
        self.note("the mailbox records", "", r)
    }

    async fn find_mailboxes(&self, addresses: &[String]) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.find_mailboxes(addresses).await;
        self.note("the mailbox records", "", r)
    }

    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.mailboxes_on_profile(profile_id).await;
        self.note("the mailboxes of a profile", profile_id, r)
    }

    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        let r = self.inner.system_user(id).await;
        self.note("Dynamics 365 users", id, r)
    }

    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        let r = self.inner.queue(id).await;
        self.note("queues", id, r)
    }

    async fn entra_user_by_address(&self, addr: &str) -> Result<Option<EntraUser>, SourceError> {
        let r = self.inner.entra_user_by_address(addr).await;
        self.note("Entra ID users", addr, r)
    }

    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        let r = self.inner.entra_user_by_id(id).await;
        self.note("Entra ID users", id, r)
    }

    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        let r = self.inner.mailbox_location(user_id).await;
        self.note("Exchange mailbox locations", user_id, r)
    }

    async fn deleted_users_matching(&self, addr: &str) -> Result<Vec<DeletedUser>, SourceError> {
        let r = self.inner.deleted_users_matching(addr).await;
        self.note("deleted Entra ID users", "", r)
    }

    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        let r = self.inner.domain_tenant(domain).await;
        self.note("OpenID discovery of domains", domain, r)
    }

    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        let r = self.inner.ews_probe(url).await;
        self.note("EWS probes", url, r)
    }

    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        let r = self.inner.mailbox_alerts(mailbox_id).await;
        self.note("mailbox alerts", mailbox_id, r)
    }

    fn records_read(&self) -> Option<u64> {
        self.inner.records_read()
    }

    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        let r = self.inner.raw_get(service, path).await;
        self.note("raw reads of custom checks", path, r)
    }
}
