//! Bulk mode: whole tables and the whole directory, read once in pages; look-ups are then
//! answered from these lists.

use std::collections::BTreeSet;
use std::sync::Arc;

use ssync_core::records::*;
use ssync_core::{DataNeed, lookup};

use super::{Layers, OnPremisesProfiles, batch_into_store, prefetch_profiles};
use crate::facts::{AlertsByMailbox, ById, Fact, FactStore, UserIndex, by_id, once};
use crate::reader::{BatchReads, Reader, query};

/// Every system user, read once however many ask.
pub(crate) async fn system_users(reader: &Reader, facts: &FactStore) -> Fact<ById<SystemUser>> {
    once(&facts.all_system_users, || async {
        Ok(by_id(reader.read_every_system_user().await?, |u| &u.id))
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
        Ok(Arc::new(UserIndex::new(reader.read_every_user().await?)))
    })
    .await
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
/// Each is a single-flight fact, so `anticipate` and `prepare` share one read.
pub(super) async fn reads(at: Layers<'_>, needs: &[DataNeed]) {
    let profiles = prefetch_profiles(at, needs);
    let needs = |n: DataNeed| needs.contains(&n);
    let dataverse_people = async {
        if needs(DataNeed::SystemUsers) || needs(DataNeed::EntraUsers) {
            let _ = tokio::join!(system_users(at.reader, at.facts), queues(at.reader, at.facts));
        }
    };
    let alerts = async {
        if needs(DataNeed::Alerts) {
            let _ = alerts(at.reader, at.facts).await;
        }
    };
    // Two chains of Graph pages that do not wait for each other.
    let users = async {
        if needs(DataNeed::EntraUsers) {
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
