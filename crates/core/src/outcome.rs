//! What one run of a check over one subject concluded.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The five statuses of the report contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The cause was looked for and is not there.
    Pass,
    /// Not the cause of the 401, but worth fixing.
    Warn,
    /// The cause is confirmed, with evidence.
    Fail,
    /// The check does not apply here; the message says why.
    Skip,
    /// The check could not evaluate; the message says why. Never a `fail`.
    Error,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of one check on one subject, before the runner adds the check's metadata and
/// the subject to make a [`Finding`](crate::Finding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    /// One sentence naming the resource and what is wrong (or why it was skipped).
    pub message: String,
    /// Structured evidence: the values the decision was made on.
    pub evidence: Map<String, Value>,
    /// Addresses of the mailboxes affected. Empty means "the subject's own mailbox" for a
    /// mailbox-scoped check; the runner fills it in.
    pub mailboxes: Vec<String>,
    /// A remediation specific to this result; `None` falls back to the check's metadata.
    pub remediation: Option<String>,
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            evidence: Map::new(),
            mailboxes: Vec::new(),
            remediation: None,
        }
    }

    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }

    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Status::Warn, message)
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }

    /// The check does not apply; `reason` says why.
    pub fn skip(reason: impl Into<String>) -> Self {
        Self::new(Status::Skip, reason)
    }

    /// The check could not evaluate; `reason` says why.
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(Status::Error, reason)
    }

    /// Adds one evidence entry. Values that cannot be serialised become `null`.
    pub fn with_evidence(mut self, key: &str, value: impl Serialize) -> Self {
        self.evidence
            .insert(key.to_owned(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    pub fn with_mailboxes(mut self, mailboxes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.mailboxes = mailboxes.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }
}
