//! The four signs that a mailbox's user was deleted and recreated, each found on its own so
//! that one unreadable source does not hide the others.

use serde::Serialize;
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
    /// Dataverse holds another Entra object id than the live user with the same sign-in name.
    #[serde(rename = "object-id-mismatch")]
    ObjectIdMismatch {
        user_principal_name: String,
        dataverse_object_id: String,
        entra_object_id: String,
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
    /// One clause for the result's message.
    pub fn describe(&self) -> String {
        match self {
            Signal::ObjectIdMismatch {
                user_principal_name,
                dataverse_object_id,
                entra_object_id,
            } => format!(
                "Dataverse holds Entra object id {dataverse_object_id} for {user_principal_name}, but the live \
                 Entra user with that name is {entra_object_id}"
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

/// Sign (b): Dataverse's own `azurestate`.
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

/// Sign (a): the object id Dataverse holds against the live user with the same sign-in name.
/// Nothing to compare when either is missing.
pub async fn object_id(data: &dyn DataSource, user: &SystemUser) -> Result<Option<Signal>, SourceError> {
    let (Some(upn), Some(held)) = (
        user.domain_name.as_deref().filter(|d| d.contains('@')),
        user.entra_object_id
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty()),
    ) else {
        return Ok(None);
    };
    let Some(live) = data.entra_user_by_address(upn).await? else {
        return Ok(None);
    };
    Ok(
        (!live.id.eq_ignore_ascii_case(held)).then(|| Signal::ObjectIdMismatch {
            user_principal_name: upn.to_owned(),
            dataverse_object_id: held.to_owned(),
            entra_object_id: live.id,
        }),
    )
}

/// Sign (c): soft-deleted users matching any of `addresses`, each named once.
pub async fn deleted_twins(data: &dyn DataSource, addresses: &[&str]) -> Result<Vec<Signal>, SourceError> {
    let mut out: Vec<Signal> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for addr in addresses {
        for user in data.deleted_users_matching(addr).await? {
            if seen.iter().any(|id| id.eq_ignore_ascii_case(&user.id)) {
                continue;
            }
            seen.push(user.id.clone());
            let purged_after = user.deleted_at.as_deref().and_then(retention::purged_after);
            out.push(Signal::DeletedTwin {
                id: user.id,
                user_principal_name: user.user_principal_name,
                display_name: user.display_name,
                matched_address: (*addr).to_owned(),
                deleted_at: user.deleted_at,
                restorable_days: retention::RESTORABLE_DAYS,
                purged_after,
            });
        }
    }
    Ok(out)
}

/// Sign (d): error-level alerts of the mailbox that carry a marker.
pub async fn alerts(data: &dyn DataSource, mailbox_id: &str) -> Result<Vec<Signal>, SourceError> {
    Ok(data
        .mailbox_alerts(mailbox_id)
        .await?
        .into_iter()
        .filter(|a| a.level == AlertLevel::Error)
        .filter_map(|a| {
            let markers: Vec<&'static str> = ALERT_MARKERS.into_iter().filter(|m| a.mentions(m)).collect();
            (!markers.is_empty()).then(|| Signal::Alert {
                excerpt: excerpt(&a.text),
                alert_id: a.id,
                markers,
                last_seen: a.last_seen,
            })
        })
        .collect())
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
