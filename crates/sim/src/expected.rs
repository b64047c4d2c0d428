//! What a check is expected to answer on a scenario: the `contoso.toml` kept beside each check
//! (`crates/checks/<id>/contoso.toml`), which the end-to-end demo test compares with every
//! finding of `ssync-doctor demo`.
//!
//! ```toml
//! # Subjects (mailbox addresses or profile names) not named below get `default`.
//! default = "pass"
//!
//! [status]
//! "frank.old@contoso.com" = "fail"
//!
//! # Profile checks: the mailboxes a `fail` lists (none when absent).
//! [mailboxes]
//! "Exchange On-Premises (NTLM only)" = ["quentin@contoso.com"]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

/// The statuses a finding can have (`CONTRACTS.md` §2).
pub const STATUSES: [&str; 5] = ["pass", "warn", "fail", "skip", "error"];

/// One check's expected answers on one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The status of every subject not named in `status`.
    pub default: String,
    /// Subject (mailbox address as the finding lists it, or profile name) → status.
    #[serde(default)]
    pub status: BTreeMap<String, String>,
    /// Subject → the mailboxes its finding lists, for profile-scoped checks.
    #[serde(default)]
    pub mailboxes: BTreeMap<String, Vec<String>>,
}

/// Why an expectations file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectedError {
    #[error("not valid expectations: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("`{status}` (for {what}) is not a status; use one of pass, warn, fail, skip, error")]
    UnknownStatus { what: String, status: String },
}

impl Expected {
    pub fn parse(text: &str) -> Result<Self, ExpectedError> {
        let expected: Expected = toml::from_str(text)?;
        let named = expected.status.iter().map(|(k, v)| (k.as_str(), v));
        for (what, status) in std::iter::once(("default", &expected.default)).chain(named) {
            if !STATUSES.contains(&status.as_str()) {
                return Err(ExpectedError::UnknownStatus {
                    what: what.to_owned(),
                    status: status.clone(),
                });
            }
        }
        Ok(expected)
    }

    /// The status expected for a subject.
    pub fn status_of(&self, subject: &str) -> &str {
        self.status.get(subject).unwrap_or(&self.default)
    }

    /// The mailboxes the subject's finding is expected to list (profile checks).
    pub fn mailboxes_of(&self, subject: &str) -> &[String] {
        self.mailboxes.get(subject).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_subjects_override_the_default() {
        let e = Expected::parse(
            "default = \"skip\"\n[status]\n\"NTLM\" = \"fail\"\n[mailboxes]\n\"NTLM\" = [\"q@contoso.com\"]\n",
        )
        .unwrap();
        assert_eq!(e.status_of("NTLM"), "fail");
        assert_eq!(e.status_of("other"), "skip");
        assert_eq!(e.mailboxes_of("NTLM"), ["q@contoso.com"]);
        assert!(e.mailboxes_of("other").is_empty());
    }

    #[test]
    fn a_misspelt_status_or_key_is_refused() {
        let err = Expected::parse("default = \"passed\"").unwrap_err();
        assert!(err.to_string().contains("passed"), "{err}");
        assert!(Expected::parse("default = \"pass\"\n[statuses]\n").is_err());
    }
}
