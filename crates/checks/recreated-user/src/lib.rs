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
        // Queue mailboxes have no Dataverse user, so only the deleted twin and the alerts apply.
        let system_user = match &mailbox.regarding {
            Regarding::User(id) => found.take(ctx.data.system_user(id).await).flatten(),
            Regarding::Queue(_) | Regarding::None => None,
        };
        let sign_in_name = system_user
            .as_ref()
            .and_then(|u| u.domain_name.as_deref())
            .filter(|d| d.contains('@'));
        if let Some(user) = &system_user {
            found.signals.extend(signals::azure_state(user));
            if let Some(Some(signal)) = found.take(signals::object_id(ctx.data, user).await) {
                found.signals.push(signal);
            }
        }
        let mut addresses: Vec<&str> = Vec::new();
        for addr in [mailbox.email_address.as_deref(), sign_in_name]
            .into_iter()
            .flatten()
        {
            if !addr.trim().is_empty() && !addresses.iter().any(|a| address::same(a, addr)) {
                addresses.push(addr);
            }
        }
        if let Some(twins) = found.take(signals::deleted_twins(ctx.data, &addresses).await) {
            found.signals.extend(twins);
        }
        if let Some(alerts) = found.take(signals::alerts(ctx.data, &mailbox.id).await) {
            found.signals.extend(alerts);
        }

        let context = |o: Outcome| {
            o.with_evidence("mailbox_address", &mailbox.email_address)
                .with_evidence("regarding", &mailbox.regarding)
                .with_evidence("user_principal_name", sign_in_name)
                .with_evidence(
                    "dataverse_object_id",
                    system_user.as_ref().and_then(|u| u.entra_object_id.as_deref()),
                )
        };
        let unreadable = |o: Outcome| match found.unreadable.as_slice() {
            [] => o,
            [one] => o.with_evidence("source_error", one),
            all => o
                .with_evidence("source_error", &all[0])
                .with_evidence("source_errors", all),
        };
        if !found.signals.is_empty() {
            let clauses: Vec<String> = found.signals.iter().map(Signal::describe).collect();
            return Ok(unreadable(context(
                Outcome::fail(format!(
                    "Mailbox '{}' belongs to a user who was deleted and recreated in Microsoft Entra ID: {}.",
                    mailbox.name,
                    clauses.join("; ")
                ))
                .with_evidence("signals", &found.signals),
            )));
        }
        if !found.unreadable.is_empty() {
            let reasons: Vec<String> = found.unreadable.iter().map(ToString::to_string).collect();
            return Ok(unreadable(context(Outcome::error(format!(
                "Could not evaluate: {}.",
                reasons.join("; ")
            )))));
        }
        Ok(context(Outcome::pass(format!(
            "No sign that the user of mailbox '{}' was deleted and recreated.",
            mailbox.name
        ))))
    }
}

#[cfg(test)]
mod tests;
