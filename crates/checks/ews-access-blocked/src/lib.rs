//! `ews-access-blocked`: see `explain.md`.

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Flags mailboxes that have no e-mail address.
    pub struct EwsAccessBlocked;
    id: "ews-access-blocked",
    title: "Every mailbox has an e-mail address",
    scope: Scope::Mailbox,
    severity: Severity::Warning,
    summary: "The mailbox record has no e-mail address.",
    reads: &[DataNeed::Mailboxes],
}

#[async_trait]
impl Check for EwsAccessBlocked {
    async fn run(&self, _ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        Ok(
            match mailbox.email_address.as_deref().filter(|a| !a.trim().is_empty()) {
                Some(address) => {
                    Outcome::pass(format!("Mailbox '{}' has the address {address}.", mailbox.name))
                }
                None => Outcome::warn(format!("Mailbox '{}' has no e-mail address.", mailbox.name))
                    .with_evidence("mailbox_id", &mailbox.id),
            },
        )
    }
}

#[cfg(test)]
mod tests;
