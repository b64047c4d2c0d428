//! Entra users: the directory index of a bulk run, and which of several users an address
//! names.

use std::collections::HashMap;

use ssync_core::address;
use ssync_core::records::EntraUser;

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

    pub(crate) fn by_id(&self, id: &str) -> Option<EntraUser> {
        self.by_id
            .get(&id.trim().to_ascii_lowercase())
            .map(|&i| self.users[i].clone())
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
