//! Look-up tables over recorded [`Facts`], so that replaying a bundle answers each keyed read
//! in constant time instead of scanning a list (a 100,000-mailbox bundle would otherwise take
//! quadratic time). Every table maps a key to the positions of the records it may match, in
//! record order; the caller confirms each candidate with the same predicate as before, so the
//! index decides only how fast an answer is found, never what it is.

use std::collections::HashMap;

use super::Facts;
use crate::address::{normalise, smtp_of_proxy};

/// Positions of records by key, in record order.
type Positions = HashMap<String, Vec<usize>>;

fn add(map: &mut Positions, key: String, at: usize) {
    let slot = map.entry(key).or_default();
    if slot.last() != Some(&at) {
        slot.push(at);
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    pub profiles: Positions,
    pub mailboxes_by_profile: Positions,
    pub system_users: Positions,
    pub queues: Positions,
    pub entra_by_id: Positions,
    pub entra_by_address: Positions,
    pub deleted_by_address: Positions,
}

impl Index {
    pub fn build(facts: &Facts) -> Self {
        let mut ix = Index::default();
        let id = |s: &str| s.to_ascii_lowercase();
        for (i, p) in facts.profiles.iter().enumerate() {
            add(&mut ix.profiles, id(&p.id), i);
        }
        for (i, m) in facts.mailboxes.iter().enumerate() {
            if let Some(p) = &m.profile_id {
                add(&mut ix.mailboxes_by_profile, id(p), i);
            }
        }
        for (i, u) in facts.system_users.iter().enumerate() {
            add(&mut ix.system_users, id(&u.id), i);
        }
        for (i, q) in facts.queues.iter().enumerate() {
            add(&mut ix.queues, id(&q.id), i);
        }
        for (i, u) in facts.entra_users.iter().enumerate() {
            add(&mut ix.entra_by_id, id(&u.id), i);
            // Every address `address::classify` can match: mail, SMTP proxies, the UPN.
            let proxies = u
                .proxy_addresses
                .iter()
                .filter_map(|p| smtp_of_proxy(p))
                .map(|(a, _)| a);
            for a in u
                .mail
                .iter()
                .map(String::as_str)
                .chain(proxies)
                .chain([u.user_principal_name.as_str()])
            {
                add(&mut ix.entra_by_address, normalise(a), i);
            }
        }
        for (i, d) in facts.deleted_users.iter().enumerate() {
            // Every address `address::deleted_user_matches` can match, including the UPN
            // without the 32-hex-digit prefix Entra gives a deleted user.
            let proxies = d
                .proxy_addresses
                .iter()
                .filter_map(|p| smtp_of_proxy(p))
                .map(|(a, _)| a);
            for a in d.mail.iter().map(String::as_str).chain(proxies) {
                add(&mut ix.deleted_by_address, normalise(a), i);
            }
            let upn = normalise(&d.user_principal_name);
            if let (Some(prefix), Some(rest)) = (upn.get(..32), upn.get(32..))
                && !rest.is_empty()
                && prefix.bytes().all(|b| b.is_ascii_hexdigit())
            {
                add(&mut ix.deleted_by_address, rest.to_owned(), i);
            }
            add(&mut ix.deleted_by_address, upn, i);
        }
        ix
    }
}

/// The positions recorded under `key`, in record order (none when absent).
pub(super) fn at<'a>(map: &'a Positions, key: &str) -> &'a [usize] {
    map.get(key).map_or(&[], Vec::as_slice)
}
