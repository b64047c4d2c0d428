//! `missing-exchange-online-license`: see `explain.md`.

use ssync_core::prelude::*;

pub struct MissingExchangeOnlineLicense;

pub static META: CheckMeta = CheckMeta {
    id: "missing-exchange-online-license",
    title: "Every mailbox has an e-mail address",
    cause: None,
    scope: Scope::Mailbox,
    severity: Severity::Warning,
    summary: "The mailbox record has no e-mail address.",
    explain: include_str!("../explain.md"),
    remediation: include_str!("../remediation.md"),
    docs: &[],
    reads: &[DataNeed::Mailboxes],
};

ssync_core::register_check!(MissingExchangeOnlineLicense);

#[async_trait]
impl Check for MissingExchangeOnlineLicense {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

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
