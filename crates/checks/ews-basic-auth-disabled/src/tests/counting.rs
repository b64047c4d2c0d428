//! A data source that counts EWS probes per URL, to prove that each endpoint is asked once.

use std::sync::Mutex;

use ssync_core::prelude::*;
use ssync_core::{MemorySource, RawService};

pub struct CountingSource {
    pub inner: MemorySource,
    pub probes: Mutex<Vec<String>>,
}

impl CountingSource {
    pub fn new(inner: MemorySource) -> Self {
        Self {
            inner,
            probes: Mutex::new(Vec::new()),
        }
    }

    pub fn probed(&self) -> Vec<String> {
        self.probes.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl DataSource for CountingSource {
    async fn environment(&self) -> Result<Environment, SourceError> {
        self.inner.environment().await
    }
    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        self.inner.profiles().await
    }
    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        self.inner.profile(id).await
    }
    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        self.inner.mailboxes().await
    }
    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        self.inner.mailboxes_on_profile(profile_id).await
    }
    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        self.inner.system_user(id).await
    }
    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        self.inner.queue(id).await
    }
    async fn entra_user_by_address(&self, address: &str) -> Result<Option<EntraUser>, SourceError> {
        self.inner.entra_user_by_address(address).await
    }
    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        self.inner.entra_user_by_id(id).await
    }
    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        self.inner.mailbox_location(user_id).await
    }
    async fn deleted_users_matching(&self, address: &str) -> Result<Vec<DeletedUser>, SourceError> {
        self.inner.deleted_users_matching(address).await
    }
    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        self.inner.domain_tenant(domain).await
    }
    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        if let Ok(mut probes) = self.probes.lock() {
            probes.push(url.to_owned());
        }
        self.inner.ews_probe(url).await
    }
    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        self.inner.mailbox_alerts(mailbox_id).await
    }
    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        self.inner.raw_get(service, path).await
    }
}
