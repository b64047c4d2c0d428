//! The prefetch policy: `prepare` reads in bulk what the run's checks will ask for one
//! subject at a time, so that requests grow with pages, not with mailboxes. It decides what
//! to read, drives the [reader](crate::reader) and fills the [fact store](crate::facts); it
//! never sees HTTP itself and is not seen by either.
//!
//! Two modes, chosen by the number of mailboxes the run covers
//! ([`Options::targeted_max_mailboxes`](crate::Options), default 100):
//!
//! * **targeted** (small runs): Dataverse users and queues by id with `In` filters of 50 ids;
//!   Entra users by object id and by mailbox address, their mailbox settings and the first
//!   page of deleted users together in Graph `$batch`es of 20; alerts by `or` filters of 50
//!   mailbox ids. A one-mailbox run costs about a dozen requests.
//! * **bulk** (large runs): every system user, queue and Entra user (`$top=999`) and every
//!   alert, in pages; look-ups are answered from those lists. Long collections are read as
//!   ranges side by side rather than one chain of next links: Entra users by
//!   `userPrincipalName` in a large directory (`bulk::ranges_for`), mailboxes and system users
//!   by key beyond a page of mailboxes (`reader::key_ranges`). 10,000 mailboxes cost a few
//!   dozen requests. Mailbox settings are read, in batches of 20, only for mailboxes on
//!   Exchange Server and Exchange Server (Hybrid) profiles and for users without an enabled
//!   Exchange plan: the cases where checks ask where a mailbox lives.
//!
//! The threshold sits where per-mailbox look-ups (about 3 per mailbox, 20 per batch) start to
//! cost more than reading a mid-sized tenant's users in pages of 999. Failures are cached like
//! facts, so `prepare` itself never fails: the checks that need a missing fact report it.
//!
//! [`Prefetch::anticipate`] starts the bulk reads early, beside the mailbox pages of an
//! `--all` run, once the first page shows more mailboxes than a targeted run would look up;
//! `prepare` then finds them done or under way (each is a single-flight fact) and stays in
//! bulk mode.

pub(crate) mod bulk;
mod targeted;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ssync_core::records::{Mailbox, Regarding};
use ssync_core::{DataNeed, DataSource, RunPlan, SourceError, address};
use tokio::sync::watch;

use crate::facts::FactStore;
use crate::reader::{Read, Reader, decode, key_ranges, query};

/// What the policy works with: the reader to drive, the store to fill, and the composed
/// source for look-ups that go through the store like any check's.
#[derive(Clone, Copy)]
pub(crate) struct Layers<'a> {
    pub reader: &'a Reader,
    pub facts: &'a FactStore,
    pub source: &'a dyn DataSource,
}

/// How far the read of every mailbox has got in telling the environment's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MailboxExtent {
    /// Not read yet, or the first page has not arrived.
    Reading,
    /// The first page was full and more follow: a run over every mailbox will read the
    /// directory in bulk.
    Large,
    /// The read ended (or failed) without showing that.
    Read,
}

/// The policy's state for one run: the mode, and what the mailbox read has shown so far.
pub(crate) struct Prefetch {
    /// Set for runs over more than `targeted_max_mailboxes` mailboxes: directory data is then
    /// read in full, in pages, and look-ups are answered from it.
    bulk: AtomicBool,
    mailbox_extent: watch::Sender<MailboxExtent>,
    /// Mailboxes on the first page of the read of every mailbox: the fewest a bulk run
    /// anticipated from it covers.
    first_page_mailboxes: AtomicUsize,
    /// The read of every user has started (then look-ups are answered from it).
    every_user_started: AtomicBool,
    /// Set by a bulk run whose mailboxes are few next to the directory: their users are
    /// looked up in `$batch`es, not read with the whole directory.
    users_by_batch: AtomicBool,
}

impl Default for Prefetch {
    fn default() -> Self {
        Self {
            bulk: AtomicBool::new(false),
            mailbox_extent: watch::Sender::new(MailboxExtent::Reading),
            first_page_mailboxes: AtomicUsize::new(0),
            every_user_started: AtomicBool::new(false),
            users_by_batch: AtomicBool::new(false),
        }
    }
}

impl Prefetch {
    pub(crate) fn is_bulk(&self) -> bool {
        self.bulk.load(Ordering::Relaxed)
    }

    /// True when Entra users are answered from the read of the whole directory (a bulk run
    /// that did not choose `$batch` look-ups).
    pub(crate) fn users_from_directory(&self) -> bool {
        self.is_bulk() && !self.users_by_batch.load(Ordering::Relaxed)
    }

    /// Whether a bulk run over at least `mailboxes` mailboxes reads every user: unless the
    /// directory's size (read once) says that looking their users up in `$batch`es costs
    /// fewer requests. A run that already started the read keeps it.
    async fn reads_every_user(&self, at: Layers<'_>, mailboxes: usize) -> bool {
        if self.every_user_started.load(Ordering::Relaxed) {
            return true;
        }
        let page_size = at.reader.options().graph_page_size;
        let every = match bulk::user_count(at.reader, at.facts).await {
            Ok(users) => !bulk::prefer_batch(users, mailboxes as u64, page_size),
            Err(_) => true,
        };
        if every {
            self.every_user_started.store(true, Ordering::Relaxed);
        }
        every
    }

    /// Every mailbox, noting as soon as the first page shows that there are more than fit in
    /// one page and than a targeted run reads one by one (what `anticipate` waits for).
    pub(crate) async fn read_every_mailbox(&self, reader: &Reader) -> Read<Vec<Mailbox>> {
        let targeted_max = reader.options().targeted_max_mailboxes;
        let ranges = key_ranges::dataverse_ranges(reader.options());
        let read = reader
            .read_every_mailbox(
                |items, more| {
                    self.first_page_mailboxes.store(items, Ordering::Relaxed);
                    if more && items > targeted_max {
                        self.mailbox_extent.send_replace(MailboxExtent::Large);
                    }
                },
                ranges,
            )
            .await;
        // However the read ended, `anticipate` must stop waiting for it.
        self.mailbox_extent.send_if_modified(|e| {
            let reading = *e == MailboxExtent::Reading;
            if reading {
                *e = MailboxExtent::Read;
            }
            reading
        });
        read
    }

    /// How many ranges of their key a bulk run reads Dataverse tables in: several once the
    /// environment is known to hold more than a page of mailboxes (the first page of every
    /// mailbox was full, or the run covers more than a page's worth), else one chain.
    fn dataverse_ranges(&self, reader: &Reader, mailboxes: usize) -> usize {
        let options = reader.options();
        let large = *self.mailbox_extent.borrow() == MailboxExtent::Large
            || mailboxes > options.dataverse_page_size as usize;
        if large {
            key_ranges::dataverse_ranges(options)
        } else {
            1
        }
    }

    pub(crate) async fn prepare(&self, at: Layers<'_>, plan: &RunPlan) -> Result<(), SourceError> {
        // A run whose directory reads were anticipated stays in bulk: they are under way or
        // done, and look-ups one by one would only add requests.
        let bulk = plan.mailbox_ids.len() > at.reader.options().targeted_max_mailboxes || self.is_bulk();
        self.bulk.store(bulk, Ordering::Relaxed);
        let mailboxes = match plan_mailboxes(at, plan).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the run's mailboxes ahead; checks will read them");
                return Ok(());
            }
        };
        let domains = async {
            if plan.needs(DataNeed::DomainTenant) {
                prefetch_domains(at, &mailboxes).await;
            }
        };
        if bulk {
            let every_user =
                !plan.needs(DataNeed::EntraUsers) || self.reads_every_user(at, plan.mailbox_ids.len()).await;
            self.users_by_batch.store(!every_user, Ordering::Relaxed);
            let ranges = self.dataverse_ranges(at.reader, plan.mailbox_ids.len());
            tokio::join!(bulk::reads(at, &plan.needs, every_user, ranges), domains);
            if !every_user {
                bulk::prefetch_users_by_batch(at, &mailboxes).await;
            }
            if plan.needs(DataNeed::MailboxLocation) {
                bulk::prefetch_locations(at, &mailboxes).await;
            }
            return Ok(());
        }
        targeted::prepare(at, plan, &mailboxes, domains).await;
        Ok(())
    }

    /// Beside the read of every mailbox: once its first page shows a large environment, the
    /// directory reads of a bulk run start, so that the 100-odd dependent pages of Graph
    /// users are not left to begin after the last page of mailboxes. Nothing is read that
    /// `prepare` would not read for the same run.
    pub(crate) async fn anticipate(&self, at: Layers<'_>, needs: &[DataNeed]) {
        let mut extent = self.mailbox_extent.subscribe();
        let large = extent
            .wait_for(|e| *e != MailboxExtent::Reading)
            .await
            .map(|e| *e == MailboxExtent::Large)
            .unwrap_or(false);
        if large {
            tracing::debug!("more than a page of mailboxes: reading the directory in bulk meanwhile");
            self.bulk.store(true, Ordering::Relaxed);
            // The run covers at least the first page's mailboxes: if even that many make the
            // directory worth reading, more will too.
            let at_least = self.first_page_mailboxes.load(Ordering::Relaxed);
            let every_user =
                !needs.contains(&DataNeed::EntraUsers) || self.reads_every_user(at, at_least).await;
            let ranges = self.dataverse_ranges(at.reader, at_least);
            bulk::reads(at, needs, every_user, ranges).await;
        }
    }
}

/// The profiles, in either mode: profile checks read them, and mailbox locations are only
/// looked up for mailboxes on on-premises profiles.
async fn prefetch_profiles(at: Layers<'_>, needs: &[DataNeed]) {
    if needs.contains(&DataNeed::Profiles) || needs.contains(&DataNeed::MailboxLocation) {
        let _ = at.source.profiles().await;
    }
}

/// The plan's mailbox records: from what was read already, else by id.
async fn plan_mailboxes(at: Layers<'_>, plan: &RunPlan) -> Result<Vec<Mailbox>, SourceError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in &plan.mailbox_ids {
        match at.facts.known_mailbox(id) {
            Some(m) => found.push(m),
            None if decode::is_guid(id) => missing.push(id.clone()),
            None => {}
        }
    }
    if !missing.is_empty() {
        let read = if missing.len() > at.reader.options().targeted_max_mailboxes {
            at.source.mailboxes().await?
        } else {
            at.reader.read_mailboxes_by_id(&missing).await?
        };
        at.facts.remember(&read);
        let wanted: BTreeSet<String> = missing.iter().map(|m| m.to_ascii_lowercase()).collect();
        found.extend(
            read.into_iter()
                .filter(|m| wanted.contains(&m.id.to_ascii_lowercase())),
        );
    }
    Ok(found)
}

async fn prefetch_domains(at: Layers<'_>, mailboxes: &[Mailbox]) {
    let domains: BTreeSet<String> = mailboxes
        .iter()
        .filter_map(|m| m.email_address.as_deref().and_then(address::domain_of))
        .collect();
    futures::future::join_all(domains.iter().map(|d| at.source.domain_tenant(d))).await;
}

/// The profiles that connect to Exchange on-premises: only their mailboxes can be elsewhere
/// than Exchange Online, so only theirs get a `mailboxSettings` read up front.
struct OnPremisesProfiles(BTreeSet<String>);

impl OnPremisesProfiles {
    /// `None` when the profiles cannot be read (the checks will report that themselves).
    async fn read(at: Layers<'_>) -> Option<Self> {
        let profiles = at.source.profiles().await.ok()?;
        Some(Self(
            profiles
                .iter()
                .filter(|p| p.target().is_on_premises())
                .map(|p| p.id.to_ascii_lowercase())
                .collect(),
        ))
    }

    fn serves(&self, m: &Mailbox) -> bool {
        m.profile_id
            .as_deref()
            .is_some_and(|p| self.0.contains(&p.to_ascii_lowercase()))
    }
}

/// How a mailbox's Entra user is looked up: by its address and by its owner's object id.
struct UserKeys {
    /// Normalised; `None` when the mailbox has no address fit for a URL.
    address: Option<String>,
    /// Lower-cased; `None` for queues and users without a known, plain object id.
    object_id: Option<String>,
}

/// The look-up keys of each mailbox, in order. Owners are read through the source (from the
/// store, or the bulk lists).
async fn user_keys(at: Layers<'_>, mailboxes: &[Mailbox]) -> Vec<UserKeys> {
    let mut out = Vec::with_capacity(mailboxes.len());
    for m in mailboxes {
        let address = m
            .email_address
            .as_deref()
            .filter(|a| query::is_plain(a))
            .map(address::normalise);
        let mut object_id = None;
        if let Regarding::User(uid) = &m.regarding
            && let Ok(Some(u)) = at.source.system_user(uid).await
        {
            object_id = u
                .entra_object_id
                .filter(|o| query::is_plain(o))
                .map(|o| o.to_ascii_lowercase());
        }
        out.push(UserKeys { address, object_id });
    }
    out
}

/// Reads `reads` in `$batch`es and stores what each found. A batch that failed as a whole
/// leaves its facts to be read (and reported) one by one.
async fn batch_into_store(at: Layers<'_>, reads: &crate::reader::BatchReads) {
    if reads.is_empty() {
        return;
    }
    let answers = match at.reader.read_batch(reads).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "a Graph batch failed; checks will read one by one");
            return;
        }
    };
    let facts = at.facts;
    for (id, fact) in answers.locations {
        facts.locations.put(&id, fact);
    }
    for (id, fact) in answers.users_by_id {
        facts.users_by_id.put(&id, fact);
    }
    for (a, fact) in answers.users_by_address {
        facts
            .users_by_address
            .put(&a, fact.map(|users| crate::facts::best_match(&a, users.iter())));
    }
    if let Some(fact) = answers.deleted_users {
        let _ = facts.deleted.set(fact.map(std::sync::Arc::new));
    }
}
