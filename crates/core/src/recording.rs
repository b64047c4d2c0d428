//! A [`DataSource`] wrapper that records every answer it passes on, so that a run can be
//! replayed offline from the recorded [`Facts`] with a [`MemorySource`](crate::MemorySource)
//! and give the same findings. This is what evidence bundles are made of.
//!
//! Only answers are recorded — never credentials: the data interface carries none.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Mutex, PoisonError};

use crate::address;
use crate::check::DataNeed;
use crate::data::{DataSource, RawService, RunPlan, SourceError};
use crate::memory::{Facts, read_key};
use crate::records::*;

/// Records every answer of the wrapped source.
pub struct RecordingSource<S> {
    inner: S,
    facts: Mutex<Recorded>,
}

/// The facts so far, with the position of each record by kind and id, so that recording the
/// same record again replaces it in constant time (a 100,000-mailbox collection records
/// hundreds of thousands of answers; a scan per answer made it quadratic).
#[derive(Default)]
struct Recorded {
    facts: Facts,
    at: HashMap<(Kind, String), usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Profile,
    Mailbox,
    SystemUser,
    Queue,
    EntraUser,
    DeletedUser,
}

impl Recorded {
    /// Adds `item` to the list `list` picks, or replaces the record of the same kind and id.
    fn upsert<T: Clone>(&mut self, kind: Kind, list: fn(&mut Facts) -> &mut Vec<T>, item: &T, id: &str) {
        let list = list(&mut self.facts);
        match self.at.entry((kind, id.to_owned())) {
            Entry::Occupied(at) => list[*at.get()] = item.clone(),
            Entry::Vacant(at) => {
                at.insert(list.len());
                list.push(item.clone());
            }
        }
    }
}

impl std::ops::Deref for Recorded {
    type Target = Facts;
    fn deref(&self) -> &Facts {
        &self.facts
    }
}

impl std::ops::DerefMut for Recorded {
    fn deref_mut(&mut self) -> &mut Facts {
        &mut self.facts
    }
}

impl<S: DataSource> RecordingSource<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            facts: Mutex::new(Recorded::default()),
        }
    }

    /// What was recorded so far.
    pub fn facts(&self) -> Facts {
        self.lock().facts.clone()
    }

    pub fn into_facts(self) -> Facts {
        self.facts
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .facts
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // A panic while holding the lock leaves plain data behind; keep recording.
        self.facts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `result`: its value through `keep`, or its error under `method:arg`.
    fn record<T>(
        &self,
        method: &str,
        arg: &str,
        result: Result<T, SourceError>,
        keep: impl FnOnce(&mut Recorded, &T),
    ) -> Result<T, SourceError> {
        let mut facts = self.lock();
        match &result {
            Ok(value) => keep(&mut facts, value),
            Err(err) => {
                facts.errors.insert(read_key(method, arg), err.clone());
            }
        }
        result
    }
}

fn upsert_mailboxes(recorded: &mut Recorded, mailboxes: &[Mailbox]) {
    for m in mailboxes {
        recorded.upsert(Kind::Mailbox, |f| &mut f.mailboxes, m, &m.id);
    }
}

#[async_trait::async_trait]
impl<S: DataSource> DataSource for RecordingSource<S> {
    async fn prepare(&self, plan: &RunPlan) -> Result<(), SourceError> {
        self.inner.prepare(plan).await
    }

    async fn anticipate(&self, needs: &[DataNeed]) {
        self.inner.anticipate(needs).await
    }

    async fn environment(&self) -> Result<Environment, SourceError> {
        let r = self.inner.environment().await;
        self.record("environment", "", r, |f, v| f.environment = Some(v.clone()))
    }

    async fn profiles(&self) -> Result<Vec<EmailServerProfile>, SourceError> {
        let r = self.inner.profiles().await;
        self.record("profiles", "", r, |f, v| {
            for p in v {
                f.upsert(Kind::Profile, |f| &mut f.profiles, p, &p.id);
            }
        })
    }

    async fn profile(&self, id: &str) -> Result<Option<EmailServerProfile>, SourceError> {
        let r = self.inner.profile(id).await;
        self.record("profile", id, r, |f, v| {
            if let Some(p) = v {
                f.upsert(Kind::Profile, |f| &mut f.profiles, p, &p.id);
            }
        })
    }

    async fn mailboxes(&self) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.mailboxes().await;
        self.record("mailboxes", "", r, |f, v| upsert_mailboxes(f, v))
    }

    async fn find_mailboxes(&self, addresses: &[String]) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.find_mailboxes(addresses).await;
        self.record("find_mailboxes", &addresses.join(","), r, |f, v| {
            upsert_mailboxes(f, v)
        })
    }

    async fn mailboxes_on_profile(&self, profile_id: &str) -> Result<Vec<Mailbox>, SourceError> {
        let r = self.inner.mailboxes_on_profile(profile_id).await;
        self.record("mailboxes_on_profile", profile_id, r, |f, v| {
            upsert_mailboxes(f, v)
        })
    }

    async fn system_user(&self, id: &str) -> Result<Option<SystemUser>, SourceError> {
        let r = self.inner.system_user(id).await;
        self.record("system_user", id, r, |f, v| {
            if let Some(u) = v {
                f.upsert(Kind::SystemUser, |f| &mut f.system_users, u, &u.id);
            }
        })
    }

    async fn queue(&self, id: &str) -> Result<Option<Queue>, SourceError> {
        let r = self.inner.queue(id).await;
        self.record("queue", id, r, |f, v| {
            if let Some(q) = v {
                f.upsert(Kind::Queue, |f| &mut f.queues, q, &q.id);
            }
        })
    }

    async fn entra_user_by_address(&self, addr: &str) -> Result<Option<EntraUser>, SourceError> {
        let r = self.inner.entra_user_by_address(addr).await;
        self.record("entra_user_by_address", &address::normalise(addr), r, |f, v| {
            if let Some(u) = v {
                f.upsert(Kind::EntraUser, |f| &mut f.entra_users, u, &u.id);
            }
        })
    }

    async fn entra_user_by_id(&self, id: &str) -> Result<Option<EntraUser>, SourceError> {
        let r = self.inner.entra_user_by_id(id).await;
        self.record("entra_user_by_id", id, r, |f, v| {
            if let Some(u) = v {
                f.upsert(Kind::EntraUser, |f| &mut f.entra_users, u, &u.id);
            }
        })
    }

    async fn mailbox_location(&self, user_id: &str) -> Result<MailboxLocation, SourceError> {
        let r = self.inner.mailbox_location(user_id).await;
        self.record("mailbox_location", user_id, r, |f, v| {
            f.mailbox_locations.insert(user_id.to_owned(), v.clone());
        })
    }

    async fn deleted_users_matching(&self, addr: &str) -> Result<Vec<DeletedUser>, SourceError> {
        let r = self.inner.deleted_users_matching(addr).await;
        self.record("deleted_users_matching", &address::normalise(addr), r, |f, v| {
            for d in v {
                f.upsert(Kind::DeletedUser, |f| &mut f.deleted_users, d, &d.id);
            }
        })
    }

    async fn domain_tenant(&self, domain: &str) -> Result<Option<String>, SourceError> {
        let r = self.inner.domain_tenant(domain).await;
        self.record("domain_tenant", &domain.to_lowercase(), r, |f, v| {
            if let Some(t) = v {
                f.domain_tenants.insert(domain.to_lowercase(), t.clone());
            }
        })
    }

    async fn ews_probe(&self, url: &str) -> Result<EwsProbe, SourceError> {
        let r = self.inner.ews_probe(url).await;
        self.record("ews_probe", url, r, |f, v| {
            f.ews_probes.insert(url.to_owned(), v.clone());
        })
    }

    async fn mailbox_alerts(&self, mailbox_id: &str) -> Result<Vec<Alert>, SourceError> {
        let r = self.inner.mailbox_alerts(mailbox_id).await;
        self.record("mailbox_alerts", mailbox_id, r, |f, v| {
            f.alerts.insert(mailbox_id.to_owned(), v.clone());
        })
    }

    fn records_read(&self) -> Option<u64> {
        self.inner.records_read()
    }

    async fn raw_get(&self, service: RawService, path: &str) -> Result<serde_json::Value, SourceError> {
        let r = self.inner.raw_get(service, path).await;
        let key = crate::memory::raw_key(service, path);
        let mut facts = self.lock();
        match &r {
            Ok(v) => {
                facts.raw.insert(key, v.clone());
            }
            Err(e) => {
                facts.errors.insert(key, e.clone());
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::DataNeed;
    use crate::{MemorySource, fixtures};

    #[tokio::test]
    async fn replay_answers_what_was_recorded_including_errors() {
        let live = MemorySource::builder()
            .environment(fixtures::environment())
            .mailbox(fixtures::mailbox("mb", "a@contoso.com"))
            .entra_user(fixtures::entra_user("u1", "a@contoso.com"))
            .domain_tenant("contoso.com", fixtures::TENANT)
            .failing(
                DataNeed::EwsChallenge,
                SourceError::Unreachable {
                    service: "EWS".into(),
                    detail: "timed out".into(),
                },
            )
            .build();
        let rec = RecordingSource::new(live);
        assert!(
            rec.entra_user_by_address("A@contoso.com")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            rec.entra_user_by_address("nobody@contoso.com")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            rec.domain_tenant("Contoso.com").await.unwrap().as_deref(),
            Some(fixtures::TENANT)
        );
        let probe_err = rec
            .ews_probe("https://mail.contoso.com/EWS/Exchange.asmx")
            .await
            .unwrap_err();
        let env = rec.environment().await.unwrap();

        let replay = MemorySource::from_facts(rec.into_facts());
        assert!(
            replay
                .entra_user_by_address("a@contoso.com")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            replay
                .entra_user_by_address("nobody@contoso.com")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            replay.domain_tenant("contoso.com").await.unwrap().as_deref(),
            Some(fixtures::TENANT)
        );
        assert_eq!(
            replay
                .ews_probe("https://mail.contoso.com/EWS/Exchange.asmx")
                .await
                .unwrap_err(),
            probe_err
        );
        assert_eq!(replay.environment().await.unwrap(), env);
        // Never read during recording: not in the replay either.
        assert!(replay.mailboxes().await.unwrap().is_empty());
    }
}
