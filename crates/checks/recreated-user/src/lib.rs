//! `recreated-user` — KB 3212785 cause 6.
//!
//! The mailbox's user was deleted in Microsoft Entra ID and recreated with the same address, so
//! Dynamics 365 and Exchange disagree about which directory object the mailbox belongs to. See
//! `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain recreated-user`.

mod retention;
mod signals;

use signals::Signal;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds mailboxes whose user was deleted and recreated in Microsoft Entra ID.
    pub struct RecreatedUser;
    id: "recreated-user",
    title: "Mailbox user is the same Entra object Dynamics 365 knows",
    cause: 6,
    scope: Scope::Mailbox,
    severity: Severity::Error,
    summary: "The mailbox's user was deleted and recreated in Microsoft Entra ID: Dataverse holds the old \
              object, a soft-deleted twin still exists, or the alerts say the user does not exist.",
    docs: &[
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/entra/fundamentals/users-restore",
        "https://learn.microsoft.com/graph/api/directory-deleteditems-list",
        "https://learn.microsoft.com/graph/api/directory-deleteditems-delete",
    ],
    reads: &[
        DataNeed::Mailboxes,
        DataNeed::SystemUsers,
        DataNeed::EntraUsers,
        DataNeed::DeletedUsers,
        DataNeed::Alerts,
    ],
    // The two texts KB 3212785 quotes for cause 6; `triage` puts this check first on either.
    alert_markers: &["NoUserFoundWithGivenClaims", "User does not exist in tenant with id"],
}

/// What the check found so far: signs, and the reads that failed. A failed read does not stop
/// the others, so a confirmed sign is reported even when another source is unreadable.
#[derive(Default)]
struct Findings {
    signals: Vec<Signal>,
    unreadable: Vec<SourceError>,
}

impl Findings {
    fn take<T>(&mut self, read: Result<T, SourceError>) -> Option<T> {
        read.map_err(|err| self.unreadable.push(err)).ok()
    }
}

#[async_trait]
impl Check for RecreatedUser {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let mut found = Findings::default();
        // Queue mailboxes have no Dataverse user: only a live owner created after a deleted
        // twin can show a recreation.
        let system_user = match &mailbox.regarding {
            Regarding::User(id) => found.take(ctx.data.system_user(id).await).flatten(),
            Regarding::Queue(_) | Regarding::None => None,
        };
        let sign_in_name = system_user
            .as_ref()
            .and_then(|u| u.domain_name.as_deref())
            .filter(|d| d.contains('@'));
        let held_id = system_user.as_ref().and_then(|u| u.entra_object_id.as_deref());
        let mut addresses: Vec<&str> = Vec::new();
        for addr in [mailbox.email_address.as_deref(), sign_in_name]
            .into_iter()
            .flatten()
        {
            if !addr.trim().is_empty() && !addresses.iter().any(|a| address::same(a, addr)) {
                addresses.push(addr);
            }
        }

        let owners = found.take(signals::live_owners(ctx.data, &addresses).await);
        let twins = found
            .take(signals::deleted_twins(ctx.data, &addresses).await)
            .unwrap_or_default();
        if let Some(owners) = &owners {
            found.signals.extend(signals::object_id_mismatch(held_id, owners));
            found
                .signals
                .extend(signals::created_after_deletion(owners, &twins));
        }
        if let Some(user) = &system_user {
            found.signals.extend(signals::azure_state(user));
        }
        found.signals.extend(twins.iter().map(signals::twin_signal));
        let mut ignored_alerts = Vec::new();
        if let Some((counted, ignored)) = found.take(signals::alerts(ctx.data, mailbox, &ctx.options).await) {
            found.signals.extend(counted);
            ignored_alerts = ignored;
        }

        let context = |o: Outcome| {
            let o = o
                .with_evidence("mailbox_address", &mailbox.email_address)
                .with_evidence("regarding", &mailbox.regarding)
                .with_evidence("user_principal_name", sign_in_name)
                .with_evidence("dataverse_object_id", held_id)
                .with_evidence(
                    "live_owners",
                    owners
                        .iter()
                        .flatten()
                        .map(|(a, u)| json!({"address": a, "id": u.id, "user_principal_name": u.user_principal_name, "created_at": u.created_at}))
                        .collect::<Vec<_>>(),
                );
            let o = if found.signals.is_empty() {
                o
            } else {
                o.with_evidence("signals", &found.signals)
            };
            let o = if ignored_alerts.is_empty() {
                o
            } else {
                o.with_evidence("ignored_alerts", &ignored_alerts)
            };
            match found.unreadable.as_slice() {
                [] => o,
                [one] => o.with_evidence("source_error", one),
                all => o
                    .with_evidence("source_error", &all[0])
                    .with_evidence("source_errors", all),
            }
        };
        let clauses = |only: fn(&Signal) -> bool| -> String {
            found
                .signals
                .iter()
                .filter(|s| only(s))
                .map(Signal::describe)
                .collect::<Vec<_>>()
                .join("; ")
        };

        if found.signals.iter().any(Signal::is_recreation) {
            return Ok(context(Outcome::fail(format!(
                "Mailbox '{}' belongs to a user who was deleted and recreated in Microsoft Entra ID: {}.",
                mailbox.name,
                clauses(|_| true)
            ))));
        }
        let deletion_signs = !found.signals.is_empty();
        if owners.as_ref().is_some_and(Vec::is_empty) && deletion_signs {
            return Ok(context(Outcome::skip(format!(
                "The user of mailbox '{}' was deleted and no live Entra user owns {} today, so it was not \
                 recreated (not cause 6): {}. `mailbox-owner-unavailable` reports a mailbox whose owner is gone.",
                mailbox.name,
                addresses.join(" or "),
                clauses(|_| true)
            ))));
        }
        if !found.unreadable.is_empty() {
            let reasons: Vec<String> = found.unreadable.iter().map(ToString::to_string).collect();
            return Ok(context(Outcome::error(format!(
                "Could not evaluate: {}.",
                reasons.join("; ")
            ))));
        }
        if found.signals.iter().any(|s| matches!(s, Signal::Alert { .. })) {
            return Ok(context(Outcome::warn(format!(
                "A recent alert of mailbox '{}' says the user was not found ({}), but the directory shows no \
                 recreation: the live user who owns the address is the object Dynamics 365 holds. After a fix, \
                 a server-side cache can take up to 72 hours to clear; otherwise look for another cause.",
                mailbox.name,
                clauses(|s| matches!(s, Signal::Alert { .. }))
            ))));
        }
        Ok(context(Outcome::pass(format!(
            "No sign that the user of mailbox '{}' was deleted and recreated.",
            mailbox.name
        ))))
    }
}

#[cfg(test)]
mod tests;
