//! [`LiveSource`]: the core's data interface over Dataverse, Graph, OpenID discovery and the
//! EWS probe, with every fact cached for the run.

use std::sync::Arc;

use ssync_core::records::*;
use ssync_core::{DataNeed, DataSource, RawService, RunPlan, SourceError, address};
use url::Url;

use crate::error::{ConnectError, missing_application_user};
use crate::facts::{FactStore, best_match, once};
use crate::identity::{Audience, Identity, trim_slash};
use crate::policy::{Layers, Prefetch, bulk};
use crate::reader::Reader;
use crate::reader::client::Client;
use crate::settings::{Options, Settings, base_url};
use crate::transport::{ClientStats, Transport};

/// The live data source. Build it with [`LiveSource::connect`].
pub struct LiveSource {
    /// HTTP and decoding: one method per Microsoft read.
    pub(crate) reader: Reader,
    /// What this run has learnt, fact by fact.
    facts: FactStore,
    /// What to read in bulk, and whether this run does.
    prefetch: Prefetch,
    org_url: String,
}

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource")
            .field("org_url", &self.org_url)
            .field("identity", self.reader.identity())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl LiveSource {
    /// Validates settings, obtains both tokens and reads `RetrieveCurrentOrganization`, so
    /// that authentication and connection problems surface before any check runs.
    pub async fn connect(settings: Settings, options: Options) -> Result<LiveSource, ConnectError> {
        settings.validate()?;
        let options = options.normalised();
        let org = base_url("--org-url", &settings.org_url)?;
        let graph = base_url("--graph-url", &settings.graph_url)?;
        let authority = with_slash(base_url("--authority-host", &settings.authority_host)?);
        let transport = Arc::new(Transport::new(options).map_err(ConnectError::Config)?);
        let identity = Arc::new(Identity::new(transport.clone(), &settings, &authority)?);
        let join = |base: &Url, path: &str| {
            with_slash(base.clone())
                .join(path)
                .map_err(|e| ConnectError::Config(format!("cannot build {path}: {e}")))
        };
        let client = Client {
            dataverse: join(&org, "api/data/v9.2/")?,
            graph: join(&graph, "v1.0/")?,
            transport,
            identity: identity.clone(),
        };
        let source = LiveSource {
            reader: Reader::new(client, trim_slash(&settings.org_url), authority),
            facts: FactStore::default(),
            prefetch: Prefetch::default(),
            org_url: trim_slash(&settings.org_url),
        };
        let (dataverse, graph) = tokio::join!(
            identity.token(Audience::Dataverse),
            identity.token(Audience::Graph)
        );
        dataverse?;
        graph?;
        let env = source.reader.read_environment().await;
        match &env {
            // Dataverse answered, but garbled even after the retries: the run can still go
            // on, and the results that need the organisation report the error.
            Ok(_) | Err(SourceError::Malformed { .. }) => {}
            Err(err @ SourceError::Permission { .. }) => {
                return Err(ConnectError::Auth {
                    code: None,
                    advice: format!("{} ({err})", missing_application_user(identity.client_id())),
                });
            }
            Err(other) => return Err(ConnectError::from_source(other.clone(), "Dataverse")),
        }
        let _ = source.facts.environment.set(env);
        Ok(source)
    }

    /// Reads no alert last modified before `since`, the start of the run's alert window. Set
    /// it before the first read (the runner does, right after connecting); otherwise the
    /// run plan's `alerts_since` applies, else the last 30 days.
    pub fn set_alerts_since(&self, since: time::OffsetDateTime) {
        self.reader
            .set_alerts_since(ssync_core::check::format_time(since));
    }

    /// Requests sent per service, retries and 429s received so far.
    pub fn stats(&self) -> ClientStats {
        self.reader.transport().stats()
    }

    /// The policy's view of the layers, with this source for look-ups through the store.
    fn layers(&self) -> Layers<'_> {
        Layers {
            reader: &self.reader,
            facts: &self.facts,
            source: self,
        }
    }
}

fn with_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn key(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

#[async_trait::async_trait]
impl DataSource for LiveSource {
    async fn prepare(&self, plan: &RunPlan) -> Result<(), SourceError> {
        if let Some(since) = plan
            .alerts_since
            .as_deref()
            .and_then(ssync_core::check::parse_time)
        {
            self.set_alerts_since(since);
        }
        self.prefetch.prepare(self.layers(), plan).await
    }

    async fn anticipate(&self, needs: &[DataNeed]) {
        self.prefetch.anticipate(self.layers(), needs).await
    }

    async fn environment(&self) -> Result<Environment, SourceError> {
        once(&self.facts.environment, || self.reader.read_environment()).await
    }

    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        once(&self.facts.profiles, || self.reader.read_profiles()).await
    }

    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        Ok(self
            .profiles()
            .await?
            .into_iter()
            .find(|p| p.id.eq_ignore_ascii_case(id)))
    }

    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        once(&self.facts.all_mailboxes, || async {
            let all = self.prefetch.read_every_mailbox(&self.reader).await?;
            self.facts.remember(&all);
            Ok(all)
        })
        .await
    }

    async fn find_mailboxes(&self, addresses: &[String]) -> Result<Vec<Mailbox>, SourceError> {
        let found = self.reader.read_mailboxes_by_address(addresses).await?;
        self.facts.remember(&found);
        Ok(found)
    }

    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        if let Some(Ok(all)) = self.facts.all_mailboxes.get() {
            let wanted = format!("all:{}", key(profile_id));
            return self
                .facts
                .on_profile
                .get_or(&wanted, || async {
                    Ok(all
                        .iter()
                        .filter(|m| m.is_on_profile(profile_id))
                        .cloned()
                        .collect())
                })
                .await;
        }
        self.facts
            .on_profile
            .get_or(&key(profile_id), || async {
                let found = self.reader.read_mailboxes_on_profile(profile_id).await?;
                self.facts.remember(&found);
                Ok(found)
            })
            .await
    }

    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        if self.prefetch.is_bulk() {
            // `prepare` started the read (with its ranges); this only waits for it.
            let all = bulk::system_users(&self.reader, &self.facts, 1).await?;
            return Ok(all.get(&key(id)).cloned());
        }
        self.facts
            .system_users
            .get_or(&key(id), || self.reader.read_system_user(id))
            .await
    }

    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        if self.prefetch.is_bulk() {
            let all = bulk::queues(&self.reader, &self.facts).await?;
            return Ok(all.get(&key(id)).cloned());
        }
        self.facts
            .queues
            .get_or(&key(id), || self.reader.read_queue(id))
            .await
    }

    async fn entra_user_by_address(&self, addr: &str) -> Result<Option<EntraUser>, SourceError> {
        if self.prefetch.users_from_directory() {
            return Ok(bulk::users(&self.reader, &self.facts).await?.by_address(addr));
        }
        self.facts
            .users_by_address
            .get_or(&address::normalise(addr), || async {
                let users = self.reader.read_users_by_address(addr).await?;
                Ok(best_match(addr.trim(), users.iter()))
            })
            .await
    }

    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        if self.prefetch.users_from_directory() {
            return Ok(bulk::users(&self.reader, &self.facts).await?.by_id(id));
        }
        self.facts
            .users_by_id
            .get_or(&key(id), || self.reader.read_user_by_id(id))
            .await
    }

    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        self.facts
            .locations
            .get_or(&key(user_id), || self.reader.read_location(user_id))
            .await
    }

    async fn deleted_users_matching(&self, addr: &str) -> Result<Vec<DeletedUser>, SourceError> {
        let all = once(&self.facts.deleted, || async {
            self.reader.read_deleted_users().await.map(Arc::new)
        })
        .await?;
        Ok(all
            .iter()
            .filter(|d| address::deleted_user_matches(d, addr))
            .cloned()
            .collect())
    }

    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        self.facts
            .domains
            .get_or(&key(domain), || self.reader.read_domain_tenant(domain))
            .await
    }

    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        self.facts
            .probes
            .get_or(url.trim(), || self.reader.ews_probe(url))
            .await
    }

    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        if let Some(all) = self.facts.all_alerts.get() {
            return Ok(all.clone()?.get(&key(mailbox_id)).cloned().unwrap_or_default());
        }
        self.facts
            .alerts
            .get_or(&key(mailbox_id), || self.reader.read_alerts_of(mailbox_id))
            .await
    }

    fn records_read(&self) -> Option<u64> {
        Some(self.stats().records_read)
    }

    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        // Keyed by the path as given (trimmed): paths differing only in case may name
        // different OData values, so they are not folded together.
        self.facts
            .raw
            .get_or(&service.fact_key(path), || self.reader.raw_get(service, path))
            .await
    }
}
