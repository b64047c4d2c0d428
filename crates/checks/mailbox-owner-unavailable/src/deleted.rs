//! The soft-deleted Entra users a mailbox's user may be, and whether one can still be restored.
//! Microsoft Entra ID keeps a deleted user restorable for 30 days, then deletes it permanently
//! (<https://learn.microsoft.com/graph/api/resources/directory>).

use ssync_core::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const RESTORABLE_DAYS: i64 = 30;

/// Deleted users matching the mailbox address or the user's sign-in name; the one with the
/// object id Dataverse holds comes first.
pub async fn twins(
    data: &dyn DataSource,
    mailbox: &Mailbox,
    user: &SystemUser,
) -> Result<Vec<DeletedUser>, SourceError> {
    let mut found: Vec<DeletedUser> = Vec::new();
    let sign_in = user.domain_name.as_deref().filter(|d| d.contains('@'));
    for addr in [mailbox.email_address.as_deref(), sign_in].into_iter().flatten() {
        for twin in data.deleted_users_matching(addr).await? {
            if !found.iter().any(|f| f.id == twin.id) {
                found.push(twin);
            }
        }
    }
    let held = user.entra_object_id.as_deref();
    found.sort_by_key(|t| Some(t.id.as_str()) != held);
    Ok(found)
}

/// Whether the deleted user can still be restored.
pub enum Restore {
    Until(String),
    Expired,
    /// A soft-deleted user remains, but its deletion date was not given.
    Undated,
    /// No soft-deleted user remains: purged or hard-deleted.
    Gone,
}

impl Restore {
    pub fn describe(&self) -> String {
        match self {
            Restore::Until(at) => format!("it can still be restored until {at}"),
            Restore::Expired => "its 30 days in deleted users are over, so it cannot be restored".into(),
            Restore::Undated => {
                "a soft-deleted user remains and can be restored within 30 days of its deletion".into()
            }
            Restore::Gone => "no soft-deleted user remains in Entra ID, so it cannot be restored".into(),
        }
    }

    pub fn until(&self) -> Option<&str> {
        match self {
            Restore::Until(at) => Some(at),
            _ => None,
        }
    }
}

/// The newest restorable deadline among the twins, judged at `now`.
pub fn restorable(twins: &[DeletedUser], now: OffsetDateTime) -> Restore {
    let deadlines: Vec<OffsetDateTime> = twins
        .iter()
        .filter_map(|t| t.deleted_at.as_deref())
        .filter_map(|d| OffsetDateTime::parse(d.trim(), &Rfc3339).ok())
        .map(|d| d + Duration::days(RESTORABLE_DAYS))
        .collect();
    match deadlines.into_iter().max() {
        Some(until) if until > now => Restore::Until(until.format(&Rfc3339).unwrap_or_default()),
        Some(_) => Restore::Expired,
        None if twins.is_empty() => Restore::Gone,
        None => Restore::Undated,
    }
}
