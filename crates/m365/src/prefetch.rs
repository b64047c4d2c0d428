//! `prepare`: reading in bulk what the run's checks will ask for one subject at a time, so
//! that requests grow with pages, not with mailboxes.
//!
//! Two modes, chosen by the number of mailboxes the run covers
//! ([`Options::targeted_max_mailboxes`](crate::Options), default 100):
//!
//! * **targeted** (small runs): Dataverse users and queues by id with `In` filters of 50 ids;
//!   Entra users by object id and by mailbox address, their mailbox settings and the first
//!   page of deleted users together in Graph `$batch`es of 20; alerts by `or` filters of 50
//!   mailbox ids. A one-mailbox run costs about a dozen requests.
//! * **bulk** (large runs): every system user, queue and Entra user (`$top=999`) and every
//!   alert, in pages; look-ups are answered from those lists. 10,000 mailboxes cost a few
//!   dozen requests. Mailbox settings are read, in batches of 20, only for mailboxes on
//!   Exchange Server and Exchange Server (Hybrid) profiles and for users without an enabled
//!   Exchange plan: the cases where checks ask where a mailbox lives.
//!
//! The threshold sits where per-mailbox look-ups (about 3 per mailbox, 20 per batch) start to
//! cost more than reading a mid-sized tenant's users in pages of 999. Failures are cached like
//! facts, so `prepare` itself never fails: the checks that need a missing fact report it.
//!
//! [`anticipate`] starts the bulk reads early, beside the mailbox pages of an `--all` run,
//! once the first page shows more mailboxes than a targeted run would look up; `prepare` then
//! finds them done or under way (each is a single-flight fact) and stays in bulk mode.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::future::join_all;
use serde_json::Value;
use ssync_core::records::*;
use ssync_core::{DataNeed, RunPlan, SourceError, address};

use crate::cache::Keyed;
use crate::decode;
use crate::reads::{decode_all, location_from, user_from};
use crate::source::{LiveSource, MailboxExtent, best_match};
use crate::transport::Service;

pub(crate) async fn prepare(source: &LiveSource, plan: &RunPlan) -> Result<(), SourceError> {
    // A run whose directory reads were anticipated stays in bulk: they are under way or done,
    // and look-ups one by one would only add requests.
    let bulk =
        plan.mailbox_ids.len() > source.client.transport.options().targeted_max_mailboxes || source.is_bulk();
    source.bulk.store(bulk, Ordering::Relaxed);
    let mailboxes = match plan_mailboxes(source, plan).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the run's mailboxes ahead; checks will read them");
            return Ok(());
        }
    };
    let domains = async {
        if plan.needs(DataNeed::DomainTenant) {
            prefetch_domains(source, &mailboxes).await;
        }
    };
    if bulk {
        tokio::join!(bulk_reads(source, &plan.needs), domains);
        if plan.needs(DataNeed::MailboxLocation) {
            prefetch_hybrid_locations(source, &mailboxes).await;
        }
        return Ok(());
    }
    let dataverse_people = async {
        if plan.needs(DataNeed::SystemUsers) || plan.needs(DataNeed::EntraUsers) {
            prefetch_system_users(source, &mailboxes).await;
        }
    };
    let alerts = async {
        if plan.needs(DataNeed::Alerts) {
            prefetch_alerts(source, &mailboxes).await;
        }
    };
    tokio::join!(
        prefetch_profiles(source, &plan.needs),
        dataverse_people,
        alerts,
        domains
    );
    if plan.needs(DataNeed::EntraUsers) || plan.needs(DataNeed::MailboxLocation) {
        prefetch_graph_targeted(source, plan, &mailboxes).await;
    }
    Ok(())
}

/// Beside the read of every mailbox: once its first page shows a large environment, the
/// directory reads of a bulk run start, so that the 100-odd dependent pages of Graph users
/// are not left to begin after the last page of mailboxes. Nothing is read that `prepare`
/// would not read for the same run.
pub(crate) async fn anticipate(source: &LiveSource, needs: &[DataNeed]) {
    let mut extent = source.mailbox_extent.subscribe();
    let large = extent
        .wait_for(|e| *e != MailboxExtent::Reading)
        .await
        .map(|e| *e == MailboxExtent::Large)
        .unwrap_or(false);
    if large {
        tracing::debug!("more than a page of mailboxes: reading the directory in bulk meanwhile");
        source.bulk.store(true, Ordering::Relaxed);
        bulk_reads(source, needs).await;
    }
}

/// The reads of a bulk run that do not depend on which mailboxes it covers, side by side:
/// profiles, every system user and queue, every alert, every Entra user, every deleted user.
/// Each is a single-flight fact, so `anticipate` and `prepare` share one read.
async fn bulk_reads(source: &LiveSource, needs: &[DataNeed]) {
    let profiles = prefetch_profiles(source, needs);
    let needs = |n: DataNeed| needs.contains(&n);
    let dataverse_people = async {
        if needs(DataNeed::SystemUsers) || needs(DataNeed::EntraUsers) {
            let _ = tokio::join!(source.all_system_users(), source.all_queues());
        }
    };
    let alerts = async {
        if needs(DataNeed::Alerts) {
            let _ = source.every_alert().await;
        }
    };
    // Two chains of Graph pages that do not wait for each other.
    let users = async {
        if needs(DataNeed::EntraUsers) {
            let _ = source.all_users().await;
        }
    };
    let deleted = async {
        if needs(DataNeed::DeletedUsers) {
            let _ = ssync_core::DataSource::deleted_users_matching(source, "").await;
        }
    };
    tokio::join!(profiles, dataverse_people, alerts, users, deleted);
}

/// The profiles, in either mode: profile checks read them, and mailbox locations are only
/// looked up for mailboxes on on-premises profiles.
async fn prefetch_profiles(source: &LiveSource, needs: &[DataNeed]) {
    if needs.contains(&DataNeed::Profiles) || needs.contains(&DataNeed::MailboxLocation) {
        let _ = ssync_core::DataSource::profiles(source).await;
    }
}

/// The plan's mailbox records: from what was read already, else by id.
async fn plan_mailboxes(source: &LiveSource, plan: &RunPlan) -> Result<Vec<Mailbox>, SourceError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in &plan.mailbox_ids {
        match source.known_mailbox(id) {
            Some(m) => found.push(m),
            None if decode::is_guid(id) => missing.push(id.clone()),
            None => {}
        }
    }
    if !missing.is_empty() {
        let read = if missing.len() > source.client.transport.options().targeted_max_mailboxes {
            ssync_core::DataSource::mailboxes(source).await?
        } else {
            source.read_mailboxes_by_id(&missing).await?
        };
        source.remember(&read);
        let wanted: BTreeSet<String> = missing.iter().map(|m| m.to_ascii_lowercase()).collect();
        found.extend(
            read.into_iter()
                .filter(|m| wanted.contains(&m.id.to_ascii_lowercase())),
        );
    }
    Ok(found)
}

fn owners(mailboxes: &[Mailbox]) -> (Vec<String>, Vec<String>) {
    let mut users = BTreeSet::new();
    let mut queues = BTreeSet::new();
    for m in mailboxes {
        match &m.regarding {
            Regarding::User(id) if decode::is_guid(id) => {
                users.insert(id.to_ascii_lowercase());
            }
            Regarding::Queue(id) if decode::is_guid(id) => {
                queues.insert(id.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    (users.into_iter().collect(), queues.into_iter().collect())
}

async fn prefetch_system_users(source: &LiveSource, mailboxes: &[Mailbox]) {
    let (user_ids, queue_ids) = owners(mailboxes);
    let (users, queues) = tokio::join!(
        source.read_system_users(&user_ids),
        source.read_queues(&queue_ids)
    );
    fill(&source.system_users, &user_ids, users, |u: &SystemUser| {
        u.id.to_ascii_lowercase()
    });
    fill(&source.queues, &queue_ids, queues, |q: &Queue| {
        q.id.to_ascii_lowercase()
    });
}

/// Caches the outcome of a read by ids for each id asked: the record, `None` when the read
/// found none, or the read's error.
fn fill<T: Clone>(
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

async fn prefetch_alerts(source: &LiveSource, mailboxes: &[Mailbox]) {
    let ids: Vec<String> = mailboxes.iter().map(|m| m.id.to_ascii_lowercase()).collect();
    match source.read_alerts(&ids).await {
        Ok(mut by_mailbox) => {
            for id in &ids {
                source
                    .alerts
                    .put(id, Ok(by_mailbox.remove(id).unwrap_or_default()));
            }
        }
        Err(e) => ids.iter().for_each(|id| source.alerts.put(id, Err(e.clone()))),
    }
}

async fn prefetch_domains(source: &LiveSource, mailboxes: &[Mailbox]) {
    let domains: BTreeSet<String> = mailboxes
        .iter()
        .filter_map(|m| m.email_address.as_deref().and_then(address::domain_of))
        .collect();
    join_all(
        domains
            .iter()
            .map(|d| ssync_core::DataSource::domain_tenant(source, d)),
    )
    .await;
}

/// The profiles that connect to Exchange on-premises: only their mailboxes can be elsewhere
/// than Exchange Online, so only theirs get a `mailboxSettings` read up front.
struct OnPremisesProfiles(BTreeSet<String>);

impl OnPremisesProfiles {
    /// `None` when the profiles cannot be read (the checks will report that themselves).
    async fn read(source: &LiveSource) -> Option<Self> {
        let profiles = ssync_core::DataSource::profiles(source).await.ok()?;
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

/// One kind of Graph read in a targeted batch, with the cache key it fills.
enum Wanted {
    ById(String),
    ByAddress(String),
    Location(String),
    DeletedFirstPage,
}

/// Small runs: Entra users by object id and by address, their mailbox settings and the first
/// page of deleted users, in as few `$batch`es as the 20-request limit allows.
async fn prefetch_graph_targeted(source: &LiveSource, plan: &RunPlan, mailboxes: &[Mailbox]) {
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut located = BTreeSet::new();
    // Mailbox settings up front only for mailboxes on on-premises profiles; a check that needs
    // another mailbox's (a user without a mailbox plan) reads it when it gets there.
    let on_premises = match plan.needs(DataNeed::MailboxLocation) {
        true => OnPremisesProfiles::read(source).await,
        false => None,
    };
    let needs_location = |m: &Mailbox| on_premises.as_ref().is_some_and(|p| p.serves(m));
    if plan.needs(DataNeed::EntraUsers) {
        let mut ids = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        for m in mailboxes {
            if let Some(a) = m.email_address.as_deref().filter(|a| crate::query::is_plain(a)) {
                addresses.insert(address::normalise(a));
            }
            if let Regarding::User(uid) = &m.regarding
                && let Ok(Some(u)) = ssync_core::DataSource::system_user(source, uid).await
                && let Some(oid) = u.entra_object_id.filter(|o| crate::query::is_plain(o))
            {
                let oid = oid.to_ascii_lowercase();
                if needs_location(m) && located.insert(oid.clone()) {
                    wanted.push(Wanted::Location(oid.clone()));
                }
                ids.insert(oid);
            }
        }
        wanted.extend(ids.into_iter().map(Wanted::ById));
        wanted.extend(addresses.into_iter().map(Wanted::ByAddress));
    }
    if plan.needs(DataNeed::DeletedUsers) {
        wanted.push(Wanted::DeletedFirstPage);
    }
    let wanted: Vec<Wanted> = wanted
        .into_iter()
        .filter(|w| match w {
            Wanted::ById(id) => !source.users_by_id.known(id),
            Wanted::ByAddress(a) => !source.users_by_address.known(a),
            Wanted::Location(id) => !source.locations.known(id),
            Wanted::DeletedFirstPage => source.deleted.get().is_none(),
        })
        .collect();
    run_batch(source, &wanted).await;

    // Users found only by address (queues, renamed users) need their settings too.
    if on_premises.is_some() {
        let mut more = Vec::new();
        for m in mailboxes.iter().filter(|m| needs_location(m)) {
            if let Some(a) = m.email_address.as_deref()
                && let Ok(Some(u)) = ssync_core::DataSource::entra_user_by_address(source, a).await
            {
                let id = u.id.to_ascii_lowercase();
                if located.insert(id.clone()) && !source.locations.known(&id) && crate::query::is_plain(&id) {
                    more.push(Wanted::Location(id));
                }
            }
        }
        run_batch(source, &more).await;
    }
}

/// Large runs: mailbox settings only where checks ask for them: mailboxes on profiles that
/// connect to Exchange on-premises (is the mailbox really there?) and users without an enabled
/// Exchange plan (is it a shared or room mailbox, which needs no licence?). Exchange Online
/// profiles — stored as servertype 0 by online organisations — need none.
async fn prefetch_hybrid_locations(source: &LiveSource, mailboxes: &[Mailbox]) {
    let Some(on_premises) = OnPremisesProfiles::read(source).await else {
        return;
    };
    let mut wanted = Vec::new();
    let mut seen = BTreeSet::new();
    for m in mailboxes {
        let on_prem = on_premises.serves(m);
        if let Ok(Some(owner)) = ssync_core::lookup::mailbox_owner(source, m).await {
            let unlicensed = !owner.user.assigned_plans.iter().any(|p| {
                p.service.eq_ignore_ascii_case("exchange") && p.capability_status == CapabilityStatus::Enabled
            });
            let id = owner.user.id.to_ascii_lowercase();
            if (on_prem || unlicensed) && seen.insert(id.clone()) && crate::query::is_plain(&id) {
                wanted.push(Wanted::Location(id));
            }
        }
    }
    run_batch(source, &wanted).await;
}

async fn run_batch(source: &LiveSource, wanted: &[Wanted]) {
    if wanted.is_empty() {
        return;
    }
    let top = source.client.transport.options().graph_page_size.to_string();
    let paths: Vec<String> = wanted
        .iter()
        .map(|w| match w {
            Wanted::ById(id) => LiveSource::user_path(id),
            Wanted::ByAddress(a) => LiveSource::address_path(a),
            Wanted::Location(id) => LiveSource::location_path(id),
            Wanted::DeletedFirstPage => format!(
                "/directory/deletedItems/microsoft.graph.user?{}",
                crate::query::encode(&[("$select", decode::DELETED_USER_PROPERTIES), ("$top", &top)])
            ),
        })
        .collect();
    let answers = match source.client.graph_batch(&paths).await {
        Ok(a) => a,
        Err(e) => {
            // The batch as a whole failed: leave the facts to be read (and reported) one by one.
            tracing::warn!(error = %e, "a Graph batch failed; checks will read one by one");
            return;
        }
    };
    for (w, answer) in wanted.iter().zip(answers) {
        match w {
            Wanted::ById(id) => {
                let fact = match answer.status {
                    404 => Ok(None),
                    200..=299 => user_from(&answer.body, &answer.request).map(Some),
                    _ => Err(batch_error(&answer, "a user")),
                };
                source.users_by_id.put(id, fact);
            }
            Wanted::ByAddress(a) => {
                let fact = match answer.status {
                    200..=299 => collection(&answer)
                        .and_then(|items| decode_all(Service::Graph, "users", &items, decode::entra_user))
                        .map(|users| best_match(a, users.iter())),
                    _ => Err(batch_error(&answer, "users")),
                };
                source.users_by_address.put(a, fact);
            }
            Wanted::Location(id) => source.locations.put(id, location_from(&answer)),
            Wanted::DeletedFirstPage => {
                let fact = deleted_from(source, &answer).await.map(Arc::new);
                let _ = source.deleted.set(fact);
            }
        }
    }
}

fn batch_error(answer: &crate::client::BatchAnswer, what: &str) -> SourceError {
    let reply = crate::transport::Reply {
        status: answer.status,
        headers: Default::default(),
        body: serde_json::to_vec(&answer.body).unwrap_or_default(),
        request: answer.request.clone(),
    };
    crate::failure::from_reply(Service::Graph, what, &reply)
}

fn collection(answer: &crate::client::BatchAnswer) -> Result<Vec<Value>, SourceError> {
    answer
        .body
        .get("value")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| SourceError::Malformed {
            service: Service::Graph.name().to_owned(),
            detail: format!("{}: no \"value\" array", answer.request),
        })
}

/// The first page of deleted users from a batch, and the rest by following `@odata.nextLink`.
async fn deleted_from(
    source: &LiveSource,
    answer: &crate::client::BatchAnswer,
) -> Result<Vec<DeletedUser>, SourceError> {
    if !(200..300).contains(&answer.status) {
        return Err(batch_error(answer, "deleted users"));
    }
    let mut items = collection(answer)?;
    if let Some(next) = answer.body.get("@odata.nextLink").and_then(Value::as_str) {
        let url = url::Url::parse(next).map_err(|e| SourceError::Malformed {
            service: Service::Graph.name().to_owned(),
            detail: format!("{}: unusable @odata.nextLink ({e})", answer.request),
        })?;
        if url.origin() != source.client.graph.origin() {
            return Err(SourceError::Malformed {
                service: Service::Graph.name().to_owned(),
                detail: format!("{}: @odata.nextLink points to another host", answer.request),
            });
        }
        items.extend(
            source
                .client
                .collect(Service::Graph, url, "deleted users")
                .await?,
        );
    }
    decode_all(Service::Graph, "deleted users", &items, decode::deleted_user)
}
