//! The signs around a deleted and recreated user, each found on its own so that one
//! unreadable source does not hide the others.
//!
//! Two of them are *evidence of a recreation* (`shared/reference/microsoft-apis.md` §F): a live
//! Entra user owns the address today and either is not the object Dataverse holds
//! ([`Signal::ObjectIdMismatch`]) or was created after a soft-deleted user with the same address
//! was deleted ([`Signal::CreatedAfterDeletion`]). The others — Dataverse's `azurestate`, a
//! soft-deleted twin, a recent alert — also appear for a user deleted and never recreated, and
//! only support the verdict.

use serde::Serialize;
use ssync_core::check::parse_time;
use ssync_core::prelude::*;

use crate::retention;

/// The alert texts Microsoft names for this cause.
pub const ALERT_MARKERS: [&str; 2] = [
    "NoUserFoundWithGivenClaims",
    "User does not exist in tenant with id",
];

/// How much of an alert's text goes into the evidence.
const ALERT_EXCERPT_CHARS: usize = 300;

/// One sign found; reported as evidence, tagged by `signal`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// Dataverse holds another Entra object id than the live user who owns the address.
    #[serde(rename = "object-id-mismatch")]
    ObjectIdMismatch {
        matched_address: String,
        user_principal_name: String,
        dataverse_object_id: String,
        entra_object_id: String,
    },
    /// The live user who owns the address was created after a soft-deleted user with the same
    /// address was deleted.
    #[serde(rename = "created-after-deletion")]
    CreatedAfterDeletion {
        matched_address: String,
        user_principal_name: String,
        entra_object_id: String,
        created_at: String,
        deleted_user_id: String,
        deleted_at: String,
    },
    /// Dataverse itself records the user's Entra account as deleted or missing.
    #[serde(rename = "azure-state")]
    AzureState { state: &'static str, value: i32 },
    /// A soft-deleted Entra user with the same address still exists.
    #[serde(rename = "deleted-twin")]
    DeletedTwin {
        id: String,
        user_principal_name: String,
        display_name: Option<String>,
        matched_address: String,
        deleted_at: Option<String>,
        restorable_days: i64,
        purged_after: Option<String>,
    },
    /// An error-level alert of the mailbox carries one of Microsoft's markers.
    #[serde(rename = "alert")]
    Alert {
        alert_id: String,
        markers: Vec<&'static str>,
        last_seen: Option<String>,
        excerpt: String,
    },
}

impl Signal {
    /// True for the signs that prove a recreation rather than a deletion.
    pub fn is_recreation(&self) -> bool {
        matches!(
            self,
            Signal::ObjectIdMismatch { .. } | Signal::CreatedAfterDeletion { .. }
        )
    }

    /// One clause for the result's message.
    pub fn describe(&self) -> String {
        match self {
            Signal::ObjectIdMismatch {
                matched_address,
                dataverse_object_id,
                entra_object_id,
                ..
            } => format!(
                "Dataverse holds Entra object id {dataverse_object_id}, but the live Entra user who owns \
                 {matched_address} is {entra_object_id}"
            ),
            Signal::CreatedAfterDeletion {
                matched_address,
                entra_object_id,
                created_at,
                deleted_user_id,
                deleted_at,
                ..
            } => format!(
                "the live Entra user {entra_object_id} who owns {matched_address} was created {created_at}, \
                 after the user {deleted_user_id} with the same address was deleted {deleted_at}"
            ),
            Signal::AzureState { state, value } => {
                format!("Dataverse records the user's Entra account as {state} (azurestate {value})")
            }
            Signal::DeletedTwin {
                id,
                user_principal_name,
                matched_address,
                deleted_at,
                purged_after,
                ..
            } => {
                let when = deleted_at.as_deref().unwrap_or("on an unknown date");
                let until = purged_after
                    .as_deref()
                    .map(|p| format!(" (purged automatically after {p})"))
                    .unwrap_or_default();
                format!(
                    "soft-deleted Entra user {user_principal_name} (id {id}) matching {matched_address} still \
                     exists, deleted {when}; it stays restorable for {} days after deletion{until}",
                    retention::RESTORABLE_DAYS
                )
            }
            Signal::Alert {
                alert_id,
                markers,
                last_seen,
                ..
            } => {
                let seen = last_seen
                    .as_deref()
                    .map(|s| format!(", last seen {s}"))
                    .unwrap_or_default();
                format!("error alert {alert_id}{seen} mentions {}", markers.join(" and "))
            }
        }
    }
}

/// Supporting: Dataverse's own `azurestate`.
pub fn azure_state(user: &SystemUser) -> Option<Signal> {
    match user.azure_state? {
        AzureState::SoftDeleted => Some(Signal::AzureState {
            state: "soft-deleted",
            value: AzureState::SoftDeleted.value(),
        }),
        AzureState::NotFound => Some(Signal::AzureState {
            state: "not found or hard-deleted",
            value: AzureState::NotFound.value(),
        }),
        AzureState::Exists | AzureState::Unknown(_) => None,
    }
}

/// The live Entra users who own any of `addresses` today, each once, with the address that
/// found them.
pub async fn live_owners(
    data: &dyn DataSource,
    addresses: &[&str],
) -> Result<Vec<(String, EntraUser)>, SourceError> {
    let mut out: Vec<(String, EntraUser)> = Vec::new();
    for addr in addresses {
        if let Some(user) = data.entra_user_by_address(addr).await?
            && !out.iter().any(|(_, u)| u.id.eq_ignore_ascii_case(&user.id))
        {
            out.push(((*addr).to_owned(), user));
        }
    }
    Ok(out)
}

/// Recreation (a): Dataverse holds an object id that none of the live owners has.
pub fn object_id_mismatch(held: Option<&str>, owners: &[(String, EntraUser)]) -> Option<Signal> {
    let held = held.map(str::trim).filter(|h| !h.is_empty())?;
    if owners.iter().any(|(_, u)| u.id.eq_ignore_ascii_case(held)) {
        return None;
    }
    let (address, owner) = owners.first()?;
    Some(Signal::ObjectIdMismatch {
        matched_address: address.clone(),
        user_principal_name: owner.user_principal_name.clone(),
        dataverse_object_id: held.to_owned(),
        entra_object_id: owner.id.clone(),
    })
}

/// Recreation (b): a live owner created after a soft-deleted user with the same address was
/// deleted. Dates that are missing or do not parse prove nothing.
pub fn created_after_deletion(
    owners: &[(String, EntraUser)],
    twins: &[(String, DeletedUser)],
) -> Vec<Signal> {
    let mut out = Vec::new();
    for (address, owner) in owners {
        let Some(created) = owner.created_at.as_deref() else {
            continue;
        };
        let Some(created_at) = parse_time(created) else {
            continue;
        };
        for (_, twin) in twins {
            let Some(deleted) = twin.deleted_at.as_deref() else {
                continue;
            };
            let created_after = parse_time(deleted).is_some_and(|d| created_at > d);
            if twin.id.eq_ignore_ascii_case(&owner.id) || !created_after {
                continue;
            }
            out.push(Signal::CreatedAfterDeletion {
                matched_address: address.clone(),
                user_principal_name: owner.user_principal_name.clone(),
                entra_object_id: owner.id.clone(),
                created_at: created.to_owned(),
                deleted_user_id: twin.id.clone(),
                deleted_at: deleted.to_owned(),
            });
        }
    }
    out
}

/// Soft-deleted users matching any of `addresses`, each once, with the address that found them.
pub async fn deleted_twins(
    data: &dyn DataSource,
    addresses: &[&str],
) -> Result<Vec<(String, DeletedUser)>, SourceError> {
    let mut out: Vec<(String, DeletedUser)> = Vec::new();
    for addr in addresses {
        for user in data.deleted_users_matching(addr).await? {
            if !out.iter().any(|(_, u)| u.id.eq_ignore_ascii_case(&user.id)) {
                out.push(((*addr).to_owned(), user));
            }
        }
    }
    Ok(out)
}

/// A soft-deleted twin as a (supporting) sign, with the day Entra purges it.
pub fn twin_signal((matched_address, user): &(String, DeletedUser)) -> Signal {
    Signal::DeletedTwin {
        id: user.id.clone(),
        user_principal_name: user.user_principal_name.clone(),
        display_name: user.display_name.clone(),
        matched_address: matched_address.clone(),
        deleted_at: user.deleted_at.clone(),
        restorable_days: retention::RESTORABLE_DAYS,
        purged_after: user.deleted_at.as_deref().and_then(retention::purged_after),
    }
}

/// An alert with a marker that does not count, and why; shown in the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredAlert {
    pub alert_id: String,
    pub last_seen: Option<String>,
    pub reason: &'static str,
}

/// The error-level alerts of the mailbox that carry a marker, split into those that count
/// (recent, and newer than the mailbox's last successful synchronisation) and those that do
/// not: the markers stay in old alerts after the problem was fixed.
pub async fn alerts(
    data: &dyn DataSource,
    mailbox: &Mailbox,
    options: &CheckOptions,
) -> Result<(Vec<Signal>, Vec<IgnoredAlert>), SourceError> {
    let last_sync = mailbox
        .state
        .last_successful_sync_on
        .as_deref()
        .and_then(parse_time);
    let mut counted = Vec::new();
    let mut ignored = Vec::new();
    for a in data.mailbox_alerts(&mailbox.id).await? {
        if a.level != AlertLevel::Error {
            continue;
        }
        let markers: Vec<&'static str> = ALERT_MARKERS.into_iter().filter(|m| a.mentions(m)).collect();
        if markers.is_empty() {
            continue;
        }
        let seen = a.last_seen.as_deref().and_then(parse_time);
        let reason = match seen {
            None => Some("its date is missing or unreadable, so its age is unknown"),
            Some(at) if at <= options.alerts_since() => Some("older than the alert window"),
            Some(at) if last_sync.is_some_and(|s| at <= s) => {
                Some("the mailbox synchronised successfully after it")
            }
            Some(_) => None,
        };
        match reason {
            Some(reason) => ignored.push(IgnoredAlert {
                alert_id: a.id,
                last_seen: a.last_seen,
                reason,
            }),
            None => counted.push(Signal::Alert {
                excerpt: excerpt(&a.text),
                alert_id: a.id,
                markers,
                last_seen: a.last_seen,
            }),
        }
    }
    Ok((counted, ignored))
}

fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(ALERT_EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}
