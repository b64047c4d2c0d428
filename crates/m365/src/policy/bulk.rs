//! Bulk mode: whole tables and the whole directory, read once in pages; look-ups are then
//! answered from these lists.

use std::collections::BTreeSet;
use std::sync::Arc;

use ssync_core::records::*;
use ssync_core::{DataNeed, SourceError, lookup};

use super::{Layers, OnPremisesProfiles, batch_into_store, prefetch_profiles};
use crate::facts::{AlertsByMailbox, ById, Fact, FactStore, UserIndex, by_id, once};
use crate::reader::client::GRAPH_BATCH_MAX;
use crate::reader::{BatchReads, Reader, query, user_ranges};

/// Every system user, read once however many ask; in `ranges` ranges of the key side by
/// side by the run that starts the read.
pub(crate) async fn system_users(
    reader: &Reader,
    facts: &FactStore,
    ranges: usize,
) -> Fact<ById<SystemUser>> {
    once(&facts.all_system_users, || async {
        Ok(by_id(reader.read_every_system_user(ranges).await?, |u| &u.id))
    })
    .await
}

/// Every queue, read once however many ask.
pub(crate) async fn queues(reader: &Reader, facts: &FactStore) -> Fact<ById<Queue>> {
    once(&facts.all_queues, || async {
        Ok(by_id(reader.read_every_queue().await?, |q| &q.id))
    })
    .await
}

/// Every Entra user, indexed, read once however many ask.
pub(crate) async fn users(reader: &Reader, facts: &FactStore) -> Fact<Arc<UserIndex>> {
    once(&facts.all_users, || async {
        Ok(Arc::new(UserIndex::new(every_user(reader, facts).await?)))
    })
    .await
}

/// Pages of users one range's chain should hold at least: fewer, and the request per range
/// costs more than the pages it takes off the longest chain.
const PAGES_PER_RANGE: u64 = 8;

/// How many ranges to read a directory of `users` in, with pages of `page_size`, at most
/// `max` (`Options::max_ranges`; Graph's own concurrency cap bounds them further): one
/// (no split) until the chain is long enough to gain.
pub(crate) fn ranges_for(users: u64, page_size: u32, max: usize) -> usize {
    let pages = users.div_ceil(u64::from(page_size.max(1)));
    let max = u64::try_from(max.max(1)).unwrap_or(u64::MAX);
    usize::try_from((pages / PAGES_PER_RANGE).clamp(1, max)).unwrap_or(1)
}

/// How many users the directory holds, read once however many ask.
pub(crate) async fn user_count(reader: &Reader, facts: &FactStore) -> Fact<u64> {
    once(&facts.user_count, || reader.read_user_count()).await
}

/// Look-ups by id and by address per mailbox, at most.
const LOOKUPS_PER_MAILBOX: u64 = 2;

/// Whether `mailboxes` mailboxes are few enough next to a directory of `users` to look
/// their users up in `$batch`es of 20 rather than read the directory in pages of
/// `page_size`: when that takes no more requests (2,000 mailboxes in 200,000 users: 200
/// batches against 201 pages), and each reads only users the run needs.
pub(crate) fn prefer_batch(users: u64, mailboxes: u64, page_size: u32) -> bool {
    let batches = (mailboxes * LOOKUPS_PER_MAILBOX).div_ceil(GRAPH_BATCH_MAX as u64);
    let pages = users.div_ceil(u64::from(page_size.max(1)));
    batches <= pages
}

/// Every user of the directory: its size read once (`$count`), then one chain of pages for
/// a small directory, or several ranges of `userPrincipalName` side by side for a large one.
/// Without a count (refused, garbled) the one chain is read, as before.
async fn every_user(reader: &Reader, facts: &FactStore) -> Fact<Vec<EntraUser>> {
    let ranges = match user_count(reader, facts).await {
        Ok(count) => ranges_for(
            count,
            reader.options().graph_page_size,
            reader.options().max_ranges,
        ),
        Err(e) => {
            tracing::debug!(error = %e, "no user count; reading the directory in one chain");
            1
        }
    };
    if ranges <= 1 {
        return reader.read_every_user().await;
    }
    tracing::debug!(ranges, "reading the directory's users in ranges side by side");
    // Cut between the directory's first and last names (two `$top=1` reads side by side), so
    // that names sharing a prefix are spread over the ranges; by first letter when they
    // cannot be read.
    let ranges = match reader.read_upn_extremes().await {
        Ok(Some((first, last))) => user_ranges::upn_ranges_between(&first, &last, ranges),
        Ok(None) => user_ranges::upn_ranges(1),
        Err(e) => {
            tracing::debug!(error = %e, "no first and last name; ranges by first letter");
            user_ranges::upn_ranges(ranges)
        }
    };
    let parts = futures::future::try_join_all(ranges.iter().map(|r| reader.read_users_in(r))).await;
    match parts {
        Ok(parts) => Ok(user_ranges::merge_ranges(parts)),
        // A tenant that refuses the range filter (the documentation disagrees on it) is read
        // the slow way rather than not at all.
        Err(SourceError::Http {
            status: 400, code, ..
        }) => {
            tracing::warn!(%code, "Graph refused ranges of userPrincipalName; reading the users in one chain");
            reader.read_every_user().await
        }
        Err(e) => Err(e),
    }
}

/// Every alert of the environment, grouped by the record it regards, read once however many
/// ask.
pub(crate) async fn alerts(reader: &Reader, facts: &FactStore) -> Fact<AlertsByMailbox> {
    once(&facts.all_alerts, || async {
        reader.read_all_alerts().await.map(Arc::new)
    })
    .await
}

/// The reads of a bulk run that do not depend on which mailboxes it covers, side by side:
/// profiles, every system user and queue, every alert, every Entra user, every deleted user.
/// Each is a single-flight fact, so `anticipate` and `prepare` share one read. The system
/// users are read in `dataverse_ranges` ranges of their key.
pub(super) async fn reads(at: Layers<'_>, needs: &[DataNeed], every_user: bool, dataverse_ranges: usize) {
    let profiles = prefetch_profiles(at, needs);
    let needs = |n: DataNeed| needs.contains(&n);
    let dataverse_people = async {
        if needs(DataNeed::SystemUsers) || needs(DataNeed::EntraUsers) {
            let _ = tokio::join!(
                system_users(at.reader, at.facts, dataverse_ranges),
                queues(at.reader, at.facts)
            );
        }
    };
    let alerts = async {
        if needs(DataNeed::Alerts) {
            let _ = alerts(at.reader, at.facts).await;
        }
    };
    // Two chains of Graph pages that do not wait for each other.
    let users = async {
        if needs(DataNeed::EntraUsers) && every_user {
            let _ = users(at.reader, at.facts).await;
        }
    };
    let deleted = async {
        if needs(DataNeed::DeletedUsers) {
            let _ = at.source.deleted_users_matching("").await;
        }
    };
    tokio::join!(profiles, dataverse_people, alerts, users, deleted);
}

/// Few mailboxes in a large directory: their users by object id and by address in
/// `$batch`es, the batches side by side, instead of every user in pages.
pub(super) async fn prefetch_users_by_batch(at: Layers<'_>, mailboxes: &[Mailbox]) {
    let facts = at.facts;
    let mut ids = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    for keys in super::user_keys(at, mailboxes).await {
        ids.extend(keys.object_id.filter(|id| !facts.users_by_id.known(id)));
        addresses.extend(keys.address.filter(|a| !facts.users_by_address.known(a)));
    }
    let ids: Vec<String> = ids.into_iter().collect();
    let addresses: Vec<String> = addresses.into_iter().collect();
    let batches = ids
        .chunks(GRAPH_BATCH_MAX)
        .map(|c| BatchReads {
            user_ids: c.to_vec(),
            ..BatchReads::default()
        })
        .chain(addresses.chunks(GRAPH_BATCH_MAX).map(|c| BatchReads {
            addresses: c.to_vec(),
            ..BatchReads::default()
        }))
        .collect::<Vec<_>>();
    futures::future::join_all(batches.iter().map(|b| batch_into_store(at, b))).await;
}

/// Large runs: mailbox settings only where checks ask for them: mailboxes on profiles that
/// connect to Exchange on-premises (is the mailbox really there?) and users without an enabled
/// Exchange plan (is it a shared or room mailbox, which needs no licence?). Exchange Online
/// profiles — stored as servertype 0 by online organisations — need none.
pub(super) async fn prefetch_locations(at: Layers<'_>, mailboxes: &[Mailbox]) {
    let Some(on_premises) = OnPremisesProfiles::read(at).await else {
        return;
    };
    let mut reads = BatchReads::default();
    let mut seen = BTreeSet::new();
    for m in mailboxes {
        let on_prem = on_premises.serves(m);
        if let Ok(Some(owner)) = lookup::mailbox_owner(at.source, m).await {
            let unlicensed = !owner.user.assigned_plans.iter().any(|p| {
                p.service.eq_ignore_ascii_case("exchange") && p.capability_status == CapabilityStatus::Enabled
            });
            let id = owner.user.id.to_ascii_lowercase();
            if (on_prem || unlicensed) && seen.insert(id.clone()) && query::is_plain(&id) {
                reads.locations.push(id);
            }
        }
    }
    batch_into_store(at, &reads).await;
}

#[cfg(test)]
mod tests {
    use super::ranges_for;

    #[test]
    fn only_a_directory_of_many_pages_is_split() {
        assert_eq!(ranges_for(0, 999, 16), 1);
        assert_eq!(ranges_for(5_000, 999, 16), 1, "6 pages: one chain");
        assert_eq!(ranges_for(20_000, 999, 16), 2);
        assert_eq!(ranges_for(100_000, 999, 16), 12, "101 pages");
        assert_eq!(ranges_for(10_000_000, 999, 16), 16, "capped");
        assert_eq!(ranges_for(100_000, 999, 1), 1, "SSYNC_MAX_RANGES=1: one chain");
        assert_eq!(ranges_for(100_000, 999, 0), 1, "0 is read as 1");
    }
}
