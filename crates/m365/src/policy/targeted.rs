//! Targeted mode (small runs): exactly the records the run's mailboxes point to, by id
//! (`In` filters of 50) and in Graph `$batch`es of 20.

use std::collections::BTreeSet;
use std::future::Future;

use ssync_core::records::*;
use ssync_core::{DataNeed, RunPlan};

use super::{Layers, OnPremisesProfiles, batch_into_store, prefetch_profiles, user_keys};
use crate::facts::fill;
use crate::reader::{BatchReads, decode, query};

/// Everything a small run reads up front; `domains` is the domain discovery already built,
/// run beside the Dataverse reads.
pub(super) async fn prepare(
    at: Layers<'_>,
    plan: &RunPlan,
    mailboxes: &[Mailbox],
    domains: impl Future<Output = ()>,
) {
    let dataverse_people = async {
        if plan.needs(DataNeed::SystemUsers) || plan.needs(DataNeed::EntraUsers) {
            prefetch_system_users(at, mailboxes).await;
        }
    };
    let alerts = async {
        if plan.needs(DataNeed::Alerts) {
            prefetch_alerts(at, mailboxes).await;
        }
    };
    tokio::join!(
        prefetch_profiles(at, &plan.needs),
        dataverse_people,
        alerts,
        domains
    );
    if plan.needs(DataNeed::EntraUsers) || plan.needs(DataNeed::MailboxLocation) {
        prefetch_graph(at, plan, mailboxes).await;
    }
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

async fn prefetch_system_users(at: Layers<'_>, mailboxes: &[Mailbox]) {
    let (user_ids, queue_ids) = owners(mailboxes);
    let (users, queues) = tokio::join!(
        at.reader.read_system_users(&user_ids),
        at.reader.read_queues(&queue_ids)
    );
    fill(&at.facts.system_users, &user_ids, users, |u: &SystemUser| {
        u.id.to_ascii_lowercase()
    });
    fill(&at.facts.queues, &queue_ids, queues, |q: &Queue| {
        q.id.to_ascii_lowercase()
    });
}

async fn prefetch_alerts(at: Layers<'_>, mailboxes: &[Mailbox]) {
    let ids: Vec<String> = mailboxes.iter().map(|m| m.id.to_ascii_lowercase()).collect();
    let alerts = &at.facts.alerts;
    match at.reader.read_alerts(&ids).await {
        Ok(mut by_mailbox) => {
            for id in &ids {
                alerts.put(id, Ok(by_mailbox.remove(id).unwrap_or_default()));
            }
        }
        Err(e) => ids.iter().for_each(|id| alerts.put(id, Err(e.clone()))),
    }
}

/// Entra users by object id and by address, their mailbox settings and the first page of
/// deleted users, in as few `$batch`es as the 20-request limit allows.
async fn prefetch_graph(at: Layers<'_>, plan: &RunPlan, mailboxes: &[Mailbox]) {
    let facts = at.facts;
    let mut reads = BatchReads::default();
    let mut located = BTreeSet::new();
    // Mailbox settings up front only for mailboxes on on-premises profiles; a check that needs
    // another mailbox's (a user without a mailbox plan) reads it when it gets there.
    let on_premises = match plan.needs(DataNeed::MailboxLocation) {
        true => OnPremisesProfiles::read(at).await,
        false => None,
    };
    let needs_location = |m: &Mailbox| on_premises.as_ref().is_some_and(|p| p.serves(m));
    if plan.needs(DataNeed::EntraUsers) {
        let mut ids = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        for (m, keys) in mailboxes.iter().zip(user_keys(at, mailboxes).await) {
            addresses.extend(keys.address);
            if let Some(oid) = keys.object_id {
                if needs_location(m) && located.insert(oid.clone()) {
                    reads.locations.push(oid.clone());
                }
                ids.insert(oid);
            }
        }
        reads.user_ids.extend(ids);
        reads.addresses.extend(addresses);
    }
    reads.deleted_users = plan.needs(DataNeed::DeletedUsers);
    // What is known already (or being read) is not asked again.
    reads.locations.retain(|id| !facts.locations.known(id));
    reads.user_ids.retain(|id| !facts.users_by_id.known(id));
    reads.addresses.retain(|a| !facts.users_by_address.known(a));
    reads.deleted_users &= facts.deleted.get().is_none();
    batch_into_store(at, &reads).await;

    // Users found only by address (queues, renamed users) need their settings too.
    if on_premises.is_some() {
        let mut more = BatchReads::default();
        for m in mailboxes.iter().filter(|m| needs_location(m)) {
            if let Some(a) = m.email_address.as_deref()
                && let Ok(Some(u)) = at.source.entra_user_by_address(a).await
            {
                let id = u.id.to_ascii_lowercase();
                if located.insert(id.clone()) && !facts.locations.known(&id) && query::is_plain(&id) {
                    more.locations.push(id);
                }
            }
        }
        batch_into_store(at, &more).await;
    }
}
