//! [`LiveSource`]: the core's data interface over Dataverse, Graph, OpenID discovery and the
//! EWS probe, with every fact cached for the run.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ssync_core::records::*;
use ssync_core::{DataNeed, DataSource, RawService, RunPlan, SourceError, address};
use tokio::sync::OnceCell;
use url::Url;

use crate::cache::{Fact, Keyed, once};
use crate::client::Client;
use crate::error::{ConnectError, missing_application_user};
use crate::identity::{Audience, Identity, trim_slash};
use crate::settings::{Options, Settings, base_url};
use crate::transport::{ClientStats, Service, Transport};

/// Alerts grouped by the (lower-cased) id of the mailbox they regard.
/// How far the read of every mailbox has got in telling the environment's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailboxExtent {
    /// Not read yet, or the first page has not arrived.
    Reading,
    /// The first page was full and more follow: a run over every mailbox will read the
    /// directory in bulk.
    Large,
    /// The read ended (or failed) without showing that.
    Read,
}

pub(crate) type AlertsByMailbox = Arc<HashMap<String, Vec<Alert>>>;

/// Every Entra user of the tenant, indexed by id and by address (bulk mode).
#[derive(Debug, Default, Clone)]
pub(crate) struct UserIndex {
    pub users: Vec<EntraUser>,
    pub by_id: HashMap<String, usize>,
    pub by_address: HashMap<String, Vec<usize>>,
}

impl UserIndex {
    pub(crate) fn new(users: Vec<EntraUser>) -> Self {
        let mut index = UserIndex::default();
        for (i, u) in users.iter().enumerate() {
            index.by_id.insert(u.id.to_ascii_lowercase(), i);
            let mut keys = vec![address::normalise(&u.user_principal_name)];
            keys.extend(u.mail.as_deref().map(address::normalise));
            keys.extend(
                u.proxy_addresses
                    .iter()
                    .filter_map(|p| address::smtp_of_proxy(p))
                    .map(|(a, _)| address::normalise(a)),
            );
            keys.sort();
            keys.dedup();
            for k in keys {
                index.by_address.entry(k).or_default().push(i);
            }
        }
        index.users = users;
        index
    }

    pub(crate) fn by_address(&self, wanted: &str) -> Option<EntraUser> {
        let candidates = self.by_address.get(&address::normalise(wanted))?;
        best_match(wanted, candidates.iter().map(|&i| &self.users[i]))
    }
}

/// Of several users that carry an address, the one for whom it is the primary address, then
/// an alias, then the sign-in name.
pub(crate) fn best_match<'a>(wanted: &str, users: impl Iterator<Item = &'a EntraUser>) -> Option<EntraUser> {
    use address::AddressMatch::*;
    let rank = |m| match m {
        Primary => 0,
        Secondary => 1,
        UserPrincipalName => 2,
        None => 3,
    };
    users
        .map(|u| (rank(address::classify(wanted, u)), u))
        .filter(|(r, _)| *r < 3)
        .min_by_key(|(r, _)| *r)
        .map(|(_, u)| u.clone())
}

/// The live data source. Build it with [`LiveSource::connect`].
pub struct LiveSource {
    pub(crate) client: Client,
    pub(crate) org_url: String,
    pub(crate) authority: Url,
    /// Set by `prepare` for runs over more than `targeted_max_mailboxes` mailboxes: directory
    /// data is then read in full, in pages, and look-ups are answered from it.
    pub(crate) bulk: AtomicBool,
    pub(crate) environment: OnceCell<Fact<Environment>>,
    pub(crate) profiles: OnceCell<Fact<Vec<EmailServerProfile>>>,
    pub(crate) all_mailboxes: OnceCell<Fact<Vec<Mailbox>>>,
    /// What the read of every mailbox has shown of the environment's size, for `anticipate`.
    pub(crate) mailbox_extent: tokio::sync::watch::Sender<MailboxExtent>,
    pub(crate) known_mailboxes: std::sync::Mutex<HashMap<String, Mailbox>>,
    pub(crate) on_profile: Keyed<Vec<Mailbox>>,
    pub(crate) system_users: Keyed<Option<SystemUser>>,
    pub(crate) queues: Keyed<Option<Queue>>,
    pub(crate) all_system_users: OnceCell<Fact<Arc<HashMap<String, SystemUser>>>>,
    pub(crate) all_queues: OnceCell<Fact<Arc<HashMap<String, Queue>>>>,
    pub(crate) users_by_id: Keyed<Option<EntraUser>>,
    pub(crate) users_by_address: Keyed<Option<EntraUser>>,
    pub(crate) all_users: OnceCell<Fact<Arc<UserIndex>>>,
    pub(crate) locations: Keyed<MailboxLocation>,
    pub(crate) deleted: OnceCell<Fact<Arc<Vec<DeletedUser>>>>,
    pub(crate) domains: Keyed<Option<String>>,
    pub(crate) probes: Keyed<EwsProbe>,
    pub(crate) alerts: Keyed<Vec<Alert>>,
    pub(crate) all_alerts: OnceCell<Fact<AlertsByMailbox>>,
    /// The start of the alert window (RFC 3339): no older alert is read.
    pub(crate) alerts_since: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource")
            .field("org_url", &self.org_url)
            .field("identity", &self.client.identity)
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
            client,
            org_url: trim_slash(&settings.org_url),
            authority,
            bulk: AtomicBool::new(false),
            environment: OnceCell::new(),
            profiles: OnceCell::new(),
            all_mailboxes: OnceCell::new(),
            mailbox_extent: tokio::sync::watch::Sender::new(MailboxExtent::Reading),
            known_mailboxes: Default::default(),
            on_profile: Keyed::default(),
            system_users: Keyed::default(),
            queues: Keyed::default(),
            all_system_users: OnceCell::new(),
            all_queues: OnceCell::new(),
            users_by_id: Keyed::default(),
            users_by_address: Keyed::default(),
            all_users: OnceCell::new(),
            locations: Keyed::default(),
            deleted: OnceCell::new(),
            domains: Keyed::default(),
            probes: Keyed::default(),
            alerts: Keyed::default(),
            all_alerts: OnceCell::new(),
            alerts_since: std::sync::OnceLock::new(),
        };
        let (dataverse, graph) = tokio::join!(
            identity.token(Audience::Dataverse),
            identity.token(Audience::Graph)
        );
        dataverse?;
        graph?;
        let env = source.read_environment().await;
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
        let _ = source.environment.set(env);
        Ok(source)
    }

    /// Reads no alert last modified before `since`, the start of the run's alert window. Set
    /// it before the first read (the runner does, right after connecting); otherwise the
    /// run plan's `alerts_since` applies, else the last 30 days.
    pub fn set_alerts_since(&self, since: time::OffsetDateTime) {
        let _ = self.alerts_since.set(ssync_core::check::format_time(since));
    }

    /// The start of the alert window in effect.
    pub(crate) fn alerts_since(&self) -> String {
        self.alerts_since
            .get_or_init(|| {
                ssync_core::check::format_time(ssync_core::CheckOptions::default().alerts_since())
            })
            .clone()
    }

    /// Requests sent per service, retries and 429s received so far.
    pub fn stats(&self) -> ClientStats {
        self.client.transport.stats()
    }

    pub(crate) fn is_bulk(&self) -> bool {
        self.bulk.load(Ordering::Relaxed)
    }

    pub(crate) fn remember(&self, mailboxes: &[Mailbox]) {
        let mut known = self.known_mailboxes.lock().unwrap_or_else(|p| p.into_inner());
        for m in mailboxes {
            known.insert(m.id.to_ascii_lowercase(), m.clone());
        }
    }

    pub(crate) fn known_mailbox(&self, id: &str) -> Option<Mailbox> {
        let known = self.known_mailboxes.lock().unwrap_or_else(|p| p.into_inner());
        known.get(&id.to_ascii_lowercase()).cloned()
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
        crate::prefetch::prepare(self, plan).await
    }

    async fn anticipate(&self, needs: &[DataNeed]) {
        crate::prefetch::anticipate(self, needs).await
    }

    async fn environment(&self) -> Result<Environment, SourceError> {
        once(&self.environment, || self.read_environment()).await
    }

    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        once(&self.profiles, || self.read_profiles()).await
    }

    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        Ok(self
            .profiles()
            .await?
            .into_iter()
            .find(|p| p.id.eq_ignore_ascii_case(id)))
    }

    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        once(&self.all_mailboxes, || async {
            let all = self.read_every_mailbox().await?;
            self.remember(&all);
            Ok(all)
        })
        .await
    }

    async fn find_mailboxes(&self, addresses: &[String]) -> Result<Vec<Mailbox>, SourceError> {
        let found = self.read_mailboxes_by_address(addresses).await?;
        self.remember(&found);
        Ok(found)
    }

    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        if let Some(Ok(all)) = self.all_mailboxes.get() {
            let wanted = format!("all:{}", key(profile_id));
            return self
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
        self.on_profile
            .get_or(&key(profile_id), || async {
                let found = self.read_mailboxes_on_profile(profile_id).await?;
                self.remember(&found);
                Ok(found)
            })
            .await
    }

    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        if self.is_bulk() {
            return Ok(self.all_system_users().await?.get(&key(id)).cloned());
        }
        self.system_users
            .get_or(&key(id), || self.read_system_user(id))
            .await
    }

    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        if self.is_bulk() {
            return Ok(self.all_queues().await?.get(&key(id)).cloned());
        }
        self.queues.get_or(&key(id), || self.read_queue(id)).await
    }

    async fn entra_user_by_address(&self, addr: &str) -> Result<Option<EntraUser>, SourceError> {
        if self.is_bulk() {
            return Ok(self.all_users().await?.by_address(addr));
        }
        self.users_by_address
            .get_or(&address::normalise(addr), || self.read_user_by_address(addr))
            .await
    }

    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        if self.is_bulk() {
            let index = self.all_users().await?;
            return Ok(index.by_id.get(&key(id)).map(|&i| index.users[i].clone()));
        }
        self.users_by_id
            .get_or(&key(id), || self.read_user_by_id(id))
            .await
    }

    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        self.locations
            .get_or(&key(user_id), || self.read_location(user_id))
            .await
    }

    async fn deleted_users_matching(&self, addr: &str) -> Result<Vec<DeletedUser>, SourceError> {
        let all = once(&self.deleted, || async {
            self.read_deleted_users().await.map(Arc::new)
        })
        .await?;
        Ok(all
            .iter()
            .filter(|d| address::deleted_user_matches(d, addr))
            .cloned()
            .collect())
    }

    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        self.domains
            .get_or(&key(domain), || self.read_domain_tenant(domain))
            .await
    }

    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        self.probes
            .get_or(url.trim(), || crate::ews::probe(&self.client.transport, url))
            .await
    }

    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        if let Some(all) = self.all_alerts.get() {
            return Ok(all.clone()?.get(&key(mailbox_id)).cloned().unwrap_or_default());
        }
        self.alerts
            .get_or(&key(mailbox_id), || self.read_alerts_of(mailbox_id))
            .await
    }

    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        crate::reads::raw_get(self, service, path).await
    }
}

pub(crate) fn service_of(raw: RawService) -> Service {
    match raw {
        RawService::Dataverse => Service::Dataverse,
        RawService::Graph => Service::Graph,
    }
}
