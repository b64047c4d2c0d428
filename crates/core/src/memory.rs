//! An in-memory [`DataSource`] built from plain records, for unit tests of bundled and custom
//! checks, and as the store of an offline evidence bundle ([`Facts`] is serialisable).
//!
//! ```
//! use ssync_core::{MemorySource, fixtures};
//!
//! let source = MemorySource::builder()
//!     .mailbox(fixtures::mailbox("mb-1", "frank@fabrikam.com"))
//!     .entra_user(fixtures::entra_user("u-1", "frank@fabrikam.com"))
//!     .build();
//! ```

mod index;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use crate::address;
use crate::check::DataNeed;
use crate::data::{DataSource, RawService, SourceError};
use crate::records::*;
use index::{Index, at};

/// Every fact a data source can answer with, as plain data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub environment: Option<Environment>,
    pub profiles: Vec<EmailServerProfile>,
    pub mailboxes: Vec<Mailbox>,
    pub system_users: Vec<SystemUser>,
    pub queues: Vec<Queue>,
    pub entra_users: Vec<EntraUser>,
    /// Mailbox location by Entra user id.
    pub mailbox_locations: BTreeMap<String, MailboxLocation>,
    pub deleted_users: Vec<DeletedUser>,
    /// Tenant id by lower-case mail domain; a domain absent here is unknown to the identity
    /// service.
    pub domain_tenants: BTreeMap<String, String>,
    /// EWS probe answers by URL; a URL absent here is unreachable.
    pub ews_probes: BTreeMap<String, EwsProbe>,
    /// Alerts by mailbox id, newest first.
    pub alerts: BTreeMap<String, Vec<Alert>>,
    /// Raw GET answers by `"dataverse:<path>"` / `"graph:<path>"`.
    pub raw: BTreeMap<String, serde_json::Value>,
    /// Reads that failed, by [`read_key`] (e.g. `"ews_probe:https://…"`), so that a replay
    /// reports the same `error` the recorded run did.
    #[serde(default)]
    pub errors: BTreeMap<String, SourceError>,
}

/// The key a failed read is recorded under in [`Facts::errors`]: the method and its argument.
pub fn read_key(method: &str, arg: &str) -> String {
    if arg.is_empty() {
        method.to_owned()
    } else {
        format!("{method}:{arg}")
    }
}

/// An in-memory data source. Build it with [`MemorySource::builder`].
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    facts: Facts,
    failures: BTreeMap<DataNeed, SourceError>,
    raw_failure: Option<SourceError>,
    /// Built on the first keyed read, once the facts are complete.
    index: OnceLock<Index>,
    /// The kinds of data read so far, for the test that holds every check to its declared
    /// reads ([`crate::audit`]).
    reads: ReadLog,
}

/// The set of [`DataNeed`]s read, one bit each: a read costs an atomic load once its kind is
/// noted, so replaying a 100,000-mailbox bundle on every core pays nothing for it.
#[derive(Debug, Default)]
struct ReadLog(AtomicU32);

impl ReadLog {
    fn note(&self, need: DataNeed) {
        // A plain load first: once a kind is noted, threads replaying a large bundle only read
        // the shared word instead of writing it on every read.
        let bit = 1 << need as u32;
        if self.0.load(Ordering::Relaxed) & bit == 0 {
            self.0.fetch_or(bit, Ordering::Relaxed);
        }
    }

    fn needs(&self) -> BTreeSet<DataNeed> {
        let bits = self.0.load(Ordering::Relaxed);
        DataNeed::ALL
            .into_iter()
            .filter(|&n| bits & (1 << n as u32) != 0)
            .collect()
    }
}

impl Clone for ReadLog {
    fn clone(&self) -> Self {
        Self(AtomicU32::new(self.0.load(Ordering::Relaxed)))
    }
}

impl MemorySource {
    pub fn builder() -> MemorySourceBuilder {
        MemorySourceBuilder::default()
    }

    /// A source answering from recorded facts.
    pub fn from_facts(facts: Facts) -> Self {
        Self {
            facts,
            ..Self::default()
        }
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The facts back, for a caller that lent them to answer a few reads (`collect` selects
    /// its mailboxes over what it recorded without copying 100,000 records).
    pub fn into_facts(self) -> Facts {
        self.facts
    }

    /// The kinds of data read through this source so far, whether or not the read succeeded.
    pub fn reads(&self) -> BTreeSet<DataNeed> {
        self.reads.needs()
    }

    /// Forgets the reads so far (before auditing the next check).
    pub fn clear_reads(&self) {
        self.reads.0.store(0, Ordering::Relaxed);
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.facts))
    }

    /// The records of `list` at `positions` that satisfy `keep`, in record order.
    fn candidates<'a, T>(
        list: &'a [T],
        positions: &'a [usize],
        keep: impl Fn(&T) -> bool + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        positions.iter().map(move |&i| &list[i]).filter(move |r| keep(r))
    }

    /// Fails when the test asked this kind of read to fail, or when the recorded run saw
    /// this very read fail.
    fn guard(&self, need: DataNeed, method: &str, arg: &str) -> Result<(), SourceError> {
        self.reads.note(need);
        if let Some(err) = self.failures.get(&need) {
            return Err(err.clone());
        }
        match self.facts.errors.get(&read_key(method, arg)) {
            Some(err) => Err(err.clone()),
            None => Ok(()),
        }
    }
}

pub(crate) fn raw_key(service: RawService, path: &str) -> String {
    service.fact_key(path)
}

/// Builds a [`MemorySource`] record by record.
#[derive(Debug, Default)]
pub struct MemorySourceBuilder {
    source: MemorySource,
}

impl MemorySourceBuilder {
    pub fn environment(mut self, env: Environment) -> Self {
        self.source.facts.environment = Some(env);
        self
    }

    pub fn profile(mut self, profile: EmailServerProfile) -> Self {
        self.source.facts.profiles.push(profile);
        self
    }

    pub fn mailbox(mut self, mailbox: Mailbox) -> Self {
        self.source.facts.mailboxes.push(mailbox);
        self
    }

    pub fn system_user(mut self, user: SystemUser) -> Self {
        self.source.facts.system_users.push(user);
        self
    }

    pub fn queue(mut self, queue: Queue) -> Self {
        self.source.facts.queues.push(queue);
        self
    }

    pub fn entra_user(mut self, user: EntraUser) -> Self {
        self.source.facts.entra_users.push(user);
        self
    }

    /// Where the mailbox of Entra user `user_id` lives.
    pub fn mailbox_location(mut self, user_id: &str, location: MailboxLocation) -> Self {
        self.source
            .facts
            .mailbox_locations
            .insert(user_id.to_owned(), location);
        self
    }

    pub fn deleted_user(mut self, user: DeletedUser) -> Self {
        self.source.facts.deleted_users.push(user);
        self
    }

    pub fn domain_tenant(mut self, domain: &str, tenant_id: &str) -> Self {
        self.source
            .facts
            .domain_tenants
            .insert(domain.to_lowercase(), tenant_id.to_owned());
        self
    }

    pub fn ews_probe(mut self, probe: EwsProbe) -> Self {
        self.source.facts.ews_probes.insert(probe.url.clone(), probe);
        self
    }

    pub fn alert(mut self, mailbox_id: &str, alert: Alert) -> Self {
        self.source
            .facts
            .alerts
            .entry(mailbox_id.to_owned())
            .or_default()
            .push(alert);
        self
    }

    pub fn raw(mut self, service: RawService, path: &str, value: serde_json::Value) -> Self {
        self.source.facts.raw.insert(raw_key(service, path), value);
        self
    }

    /// Makes every read of `need` fail with `error`, to test a check's `error` path.
    pub fn failing(mut self, need: DataNeed, error: SourceError) -> Self {
        self.source.failures.insert(need, error);
        self
    }

    /// Makes every raw read fail with `error`.
    pub fn failing_raw(mut self, error: SourceError) -> Self {
        self.source.raw_failure = Some(error);
        self
    }

    pub fn build(self) -> MemorySource {
        self.source
    }
}

#[async_trait::async_trait]
impl DataSource for MemorySource {
    async fn environment(&self) -> Result<Environment, SourceError> {
        self.guard(DataNeed::Environment, "environment", "")?;
        self.facts
            .environment
            .clone()
            .ok_or_else(|| SourceError::Unsupported("the environment was not recorded".into()))
    }

    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        self.guard(DataNeed::Profiles, "profiles", "")?;
        Ok(self.facts.profiles.clone())
    }

    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        self.guard(DataNeed::Profiles, "profile", id)?;
        let positions = at(&self.index().profiles, &id.to_ascii_lowercase());
        Ok(
            Self::candidates(&self.facts.profiles, positions, |p| p.id.eq_ignore_ascii_case(id))
                .next()
                .cloned(),
        )
    }

    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        self.guard(DataNeed::Mailboxes, "mailboxes", "")?;
        Ok(self.facts.mailboxes.clone())
    }

    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        self.guard(DataNeed::Mailboxes, "mailboxes_on_profile", profile_id)?;
        let positions = at(
            &self.index().mailboxes_by_profile,
            &profile_id.to_ascii_lowercase(),
        );
        Ok(
            Self::candidates(&self.facts.mailboxes, positions, |m| m.is_on_profile(profile_id))
                .cloned()
                .collect(),
        )
    }

    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        self.guard(DataNeed::SystemUsers, "system_user", id)?;
        let positions = at(&self.index().system_users, &id.to_ascii_lowercase());
        Ok(Self::candidates(&self.facts.system_users, positions, |u| {
            u.id.eq_ignore_ascii_case(id)
        })
        .next()
        .cloned())
    }

    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        self.guard(DataNeed::SystemUsers, "queue", id)?;
        let positions = at(&self.index().queues, &id.to_ascii_lowercase());
        Ok(
            Self::candidates(&self.facts.queues, positions, |q| q.id.eq_ignore_ascii_case(id))
                .next()
                .cloned(),
        )
    }

    async fn entra_user_by_address(&self, addr: &str) -> Result<Option<EntraUser>, SourceError> {
        self.guard(
            DataNeed::EntraUsers,
            "entra_user_by_address",
            &address::normalise(addr),
        )?;
        let positions = at(&self.index().entra_by_address, &address::normalise(addr));
        Ok(Self::candidates(&self.facts.entra_users, positions, |u| {
            address::classify(addr, u) != address::AddressMatch::None
        })
        .next()
        .cloned())
    }

    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        self.guard(DataNeed::EntraUsers, "entra_user_by_id", id)?;
        let positions = at(&self.index().entra_by_id, &id.to_ascii_lowercase());
        Ok(Self::candidates(&self.facts.entra_users, positions, |u| {
            u.id.eq_ignore_ascii_case(id)
        })
        .next()
        .cloned())
    }

    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        self.guard(DataNeed::MailboxLocation, "mailbox_location", user_id)?;
        self.facts
            .mailbox_locations
            .get(user_id)
            .cloned()
            .ok_or_else(|| SourceError::Http {
                service: "Microsoft Graph".into(),
                request: format!("GET /users/{user_id}/mailboxSettings"),
                status: 404,
                code: "Request_ResourceNotFound".into(),
                message: "no mailbox location is recorded for this user".into(),
            })
    }

    async fn deleted_users_matching(&self, addr: &str) -> Result<Vec<DeletedUser>, SourceError> {
        self.guard(
            DataNeed::DeletedUsers,
            "deleted_users_matching",
            &address::normalise(addr),
        )?;
        let positions = at(&self.index().deleted_by_address, &address::normalise(addr));
        Ok(Self::candidates(&self.facts.deleted_users, positions, |d| {
            address::deleted_user_matches(d, addr)
        })
        .cloned()
        .collect())
    }

    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        self.guard(DataNeed::DomainTenant, "domain_tenant", &domain.to_lowercase())?;
        Ok(self.facts.domain_tenants.get(&domain.to_lowercase()).cloned())
    }

    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        self.guard(DataNeed::EwsChallenge, "ews_probe", url)?;
        self.facts
            .ews_probes
            .get(url)
            .cloned()
            .ok_or_else(|| SourceError::Unreachable {
                service: format!("EWS endpoint {url}"),
                detail: "no answer is recorded for this URL".into(),
            })
    }

    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        self.guard(DataNeed::Alerts, "mailbox_alerts", mailbox_id)?;
        Ok(self.facts.alerts.get(mailbox_id).cloned().unwrap_or_default())
    }

    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        self.reads.note(service.need());
        if let Some(err) = self
            .raw_failure
            .as_ref()
            .or_else(|| self.facts.errors.get(&raw_key(service, path)))
        {
            return Err(err.clone());
        }
        self.facts
            .raw
            .get(&raw_key(service, path))
            .cloned()
            .ok_or_else(|| SourceError::Unsupported(format!("no raw answer recorded for {path}")))
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::fixtures;

    /// The indexed look-ups answer exactly what a scan of the lists answers, first match
    /// first, across case, spaces, secondary aliases, UPNs and renamed deleted users.
    #[tokio::test]
    async fn indexed_reads_answer_what_a_scan_answers() {
        let mut alias = fixtures::entra_user("U-2", "Grace@Contoso.com");
        alias.proxy_addresses.push("smtp:g.hopper@contoso.com".into());
        alias.mail = None;
        let twin = fixtures::entra_user("u-3", "grace@contoso.com");
        let deleted = DeletedUser {
            id: "d1".into(),
            user_principal_name: "0e3c4d5f6a7b4c8d9e0fa1b2c3d49a1fsam@contoso.com".into(),
            display_name: None,
            mail: None,
            proxy_addresses: vec!["smtp:old.sam@contoso.com".into()],
            deleted_at: None,
        };
        let mut on_p1 = fixtures::mailbox("mb-2", "x@contoso.com");
        on_p1.profile_id = Some("P1".into());
        let source = MemorySource::builder()
            .profile(fixtures::exchange_online_profile("P1"))
            .mailbox(fixtures::mailbox("mb-1", "a@contoso.com"))
            .mailbox(on_p1)
            .system_user(fixtures::system_user("S-1", "a@contoso.com", "u-1"))
            .entra_user(fixtures::entra_user("u-1", "a@contoso.com"))
            .entra_user(alias)
            .entra_user(twin)
            .deleted_user(deleted)
            .build();
        for addr in [
            "A@contoso.com ",
            "g.hopper@CONTOSO.com",
            "grace@contoso.com",
            "sam@contoso.com",
            "old.sam@contoso.com",
            "nobody@contoso.com",
        ] {
            let scanned = source
                .facts
                .entra_users
                .iter()
                .find(|u| address::classify(addr, u) != address::AddressMatch::None)
                .map(|u| u.id.clone());
            let indexed = source.entra_user_by_address(addr).await.unwrap().map(|u| u.id);
            assert_eq!(indexed, scanned, "{addr}");
            let scanned: Vec<_> = source
                .facts
                .deleted_users
                .iter()
                .filter(|d| address::deleted_user_matches(d, addr))
                .map(|d| d.id.clone())
                .collect();
            let indexed: Vec<_> = source
                .deleted_users_matching(addr)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect();
            assert_eq!(indexed, scanned, "{addr}");
        }
        assert_eq!(
            source
                .entra_user_by_address("grace@contoso.com")
                .await
                .unwrap()
                .unwrap()
                .id,
            "U-2"
        );
        assert_eq!(
            source
                .deleted_users_matching("sam@contoso.com")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(source.profile("p1").await.unwrap().is_some());
        assert!(source.system_user("s-1").await.unwrap().is_some());
        assert_eq!(source.entra_user_by_id("u-2").await.unwrap().unwrap().id, "U-2");
        let on: Vec<_> = source
            .mailboxes_on_profile("p1")
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(on, ["mb-2"]);
    }
}
