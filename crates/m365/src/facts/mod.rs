//! The fact store: what the live source has learnt in this run, each fact behind a
//! single-flight cell (keyed by id or address where there are many), failures included.
//!
//! The store knows nothing of HTTP, the reader or the prefetch policy: whoever fills a cell
//! passes in the read that fills it. `tests/layers.rs` fails on an import that says otherwise.

pub(crate) mod cell;
mod users;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ssync_core::SourceError;
use ssync_core::records::*;
use tokio::sync::OnceCell;

pub(crate) use cell::{Fact, Keyed, once};
pub(crate) use users::{UserIndex, best_match};

/// Alerts grouped by the (lower-cased) id of the mailbox they regard.
pub(crate) type AlertsByMailbox = Arc<HashMap<String, Vec<Alert>>>;

/// Records of one kind by lower-cased id.
pub(crate) type ById<T> = Arc<HashMap<String, T>>;

/// Every fact of a run. Keys of [`Keyed`] caches are trimmed and lower-cased (addresses are
/// normalised) by the caller.
#[derive(Default)]
pub(crate) struct FactStore {
    pub environment: OnceCell<Fact<Environment>>,
    pub profiles: OnceCell<Fact<Vec<EmailServerProfile>>>,
    pub all_mailboxes: OnceCell<Fact<Vec<Mailbox>>>,
    /// Every mailbox record seen so far by id, whichever read brought it.
    known_mailboxes: Mutex<HashMap<String, Mailbox>>,
    pub on_profile: Keyed<Vec<Mailbox>>,
    pub system_users: Keyed<Option<SystemUser>>,
    pub queues: Keyed<Option<Queue>>,
    pub all_system_users: OnceCell<Fact<ById<SystemUser>>>,
    pub all_queues: OnceCell<Fact<ById<Queue>>>,
    pub users_by_id: Keyed<Option<EntraUser>>,
    pub users_by_address: Keyed<Option<EntraUser>>,
    pub all_users: OnceCell<Fact<Arc<UserIndex>>>,
    /// How many users the directory holds (`/users/$count`).
    pub user_count: OnceCell<Fact<u64>>,
    pub locations: Keyed<MailboxLocation>,
    pub deleted: OnceCell<Fact<Arc<Vec<DeletedUser>>>>,
    pub domains: Keyed<Option<String>>,
    pub probes: Keyed<EwsProbe>,
    pub alerts: Keyed<Vec<Alert>>,
    pub all_alerts: OnceCell<Fact<AlertsByMailbox>>,
    /// Raw GET answers by service and exact path: a check that asks for the same
    /// organisation-wide answer for every mailbox costs one request per run.
    pub raw: Keyed<serde_json::Value>,
}

impl FactStore {
    /// Notes mailbox records, so that a plan naming them needs no read.
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

/// Records by lower-cased id.
pub(crate) fn by_id<T>(records: Vec<T>, id: fn(&T) -> &str) -> ById<T> {
    Arc::new(
        records
            .into_iter()
            .map(|r| (id(&r).to_ascii_lowercase(), r))
            .collect(),
    )
}

/// Caches the outcome of a read by ids for each id asked: the record, `None` when the read
/// found none, or the read's error.
pub(crate) fn fill<T: Clone>(
    cache: &Keyed<Option<T>>,
    ids: &[String],
    read: Result<Vec<T>, SourceError>,
    id_of: impl Fn(&T) -> String,
) {
    match read {
        Ok(records) => {
            let by_id: HashMap<String, T> = records.into_iter().map(|r| (id_of(&r), r)).collect();
            for id in ids {
                cache.put(id, Ok(by_id.get(id).cloned()));
            }
        }
        Err(e) => ids.iter().for_each(|id| cache.put(id, Err(e.clone()))),
    }
}
