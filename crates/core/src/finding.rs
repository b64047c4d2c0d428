//! A finding: one check's result on one subject, in the shape of the JSON report contract
//! (`CONTRACTS.md` §4).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::check::{CheckMeta, Severity};
use crate::outcome::{Outcome, Status};
use crate::records::MailboxState;
use crate::subject::Subject;

/// The subject of a finding as reported: `{ "kind", "id", "name" }`, and for a mailbox its
/// synchronisation state when the finding was made (`state`, added within `v1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SubjectRef {
    /// `environment`, `profile` or `mailbox`.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// The mailbox's synchronisation state (mailbox subjects only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MailboxState>,
}

impl SubjectRef {
    /// A subject without state: a profile, the environment, or a mailbox named in a waiver.
    pub fn named(kind: impl Into<String>, id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            id: id.into(),
            name: name.into(),
            state: None,
        }
    }
}

impl From<&Subject> for SubjectRef {
    fn from(s: &Subject) -> Self {
        Self {
            kind: s.scope().as_str().to_owned(),
            id: s.id().to_owned(),
            name: s.name().to_owned(),
            state: match s {
                Subject::Mailbox(m) => Some(m.state.clone()),
                _ => None,
            },
        }
    }
}

/// One row of the report. `#[non_exhaustive]`: built by [`Finding::new`] or
/// [`Finding::about`], so a field added here does not break code outside this crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    pub check: String,
    /// KB 3212785 cause number, or `null`.
    pub cause: Option<u8>,
    pub status: Status,
    /// `error`, `warning` or `info` (from the check's metadata).
    pub severity: Severity,
    pub subject: SubjectRef,
    /// Addresses of every mailbox the finding affects.
    pub mailboxes: Vec<String>,
    pub message: String,
    pub evidence: Map<String, Value>,
    /// Present on every result that is not a pass. Usually the check's own text, borrowed
    /// rather than copied into each of what can be 100,000 findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Cow<'static, str>>,
    /// The check's first documentation link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs: Option<Cow<'static, str>>,
    /// Set when the operator accepted this result with a waiver in the configuration file.
    /// The status is kept as the check reported it; a waived `fail` does not count toward
    /// exit code 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

/// An operator's acceptance of a known result, copied from the waiver that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// Why the result is accepted (required in the configuration).
    pub rationale: String,
    /// The last day (`YYYY-MM-DD`, UTC) the waiver applies, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The waiver's subject pattern that matched (an address, a profile name or a glob).
    pub matched: String,
}

impl Finding {
    /// The kebab-case reason the check gave (its `reason` evidence, one of the check's declared
    /// `reasons`), which waivers can match and SARIF rule ids carry.
    pub fn reason(&self) -> Option<&str> {
        self.evidence.get("reason").and_then(Value::as_str)
    }

    /// Joins a check's outcome with its metadata and subject. A mailbox finding with no
    /// explicit `mailboxes` lists the subject's own address; a non-pass result with no
    /// remediation of its own takes the check's.
    pub fn new(meta: &CheckMeta, subject: &Subject, mut outcome: Outcome) -> Self {
        if outcome.mailboxes.is_empty()
            && let Subject::Mailbox(m) = subject
        {
            outcome.mailboxes.push(m.display_address().to_owned());
        }
        Self::about(meta, SubjectRef::from(subject), outcome)
    }

    /// A finding about a subject known only by reference (one that could not be read, a
    /// waiver's, a sample's): the outcome's mailboxes as they are, the check's remediation for
    /// a `warn` or `fail` that brings none. The way to build a finding outside this crate.
    pub fn about(meta: &CheckMeta, subject: SubjectRef, outcome: Outcome) -> Self {
        let remediation = match outcome.status {
            Status::Pass => None,
            Status::Skip | Status::Error => outcome.remediation.map(Cow::Owned),
            Status::Warn | Status::Fail => Some(
                outcome
                    .remediation
                    .map_or(Cow::Borrowed(meta.remediation), Cow::Owned),
            ),
        };
        Self {
            check: meta.id.to_owned(),
            cause: meta.cause,
            status: outcome.status,
            severity: meta.severity,
            subject,
            mailboxes: outcome.mailboxes,
            message: outcome.message,
            evidence: outcome.evidence,
            remediation,
            docs: meta.docs.first().map(|d| Cow::Borrowed(*d)),
            waiver: None,
        }
    }
}

/// Counts per status, plus the number of mailboxes the run covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub mailboxes: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Warn => self.warn += 1,
            Status::Fail => self.fail += 1,
            Status::Skip => self.skip += 1,
            Status::Error => self.error += 1,
        }
    }

    /// Adds another summary's status counts (not its `mailboxes`).
    pub fn add_counts(&mut self, other: &Summary) {
        self.pass += other.pass;
        self.warn += other.warn;
        self.fail += other.fail;
        self.skip += other.skip;
        self.error += other.error;
    }

    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Warn => self.warn,
            Status::Fail => self.fail,
            Status::Skip => self.skip,
            Status::Error => self.error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{DataNeed, Scope, Severity};
    use crate::fixtures;

    const META: CheckMeta = CheckMeta::new("acme-check", "t")
        .cause(1)
        .scope(Scope::Mailbox)
        .severity(Severity::Error)
        .summary("s")
        .explain("e")
        .remediation("Fix the address.")
        .docs(&["https://learn.example/a", "https://learn.example/b"])
        .reads(&[DataNeed::Mailboxes]);

    fn subject() -> Subject {
        Subject::Mailbox(fixtures::mailbox("mb-1", "alice@contoso.com"))
    }

    #[test]
    fn problem_results_borrow_the_checks_own_text_and_keep_their_own() {
        let f = Finding::new(&META, &subject(), Outcome::fail("wrong address"));
        // Borrowed, not copied: a run with 100,000 failing mailboxes shares one text.
        assert!(matches!(f.remediation, Some(Cow::Borrowed("Fix the address."))));
        assert!(matches!(f.docs, Some(Cow::Borrowed("https://learn.example/a"))));
        assert_eq!(f.mailboxes, ["alice@contoso.com"]);

        let own = Outcome::fail("wrong address").with_remediation("Do this instead.");
        let f = Finding::new(&META, &subject(), own);
        assert_eq!(f.remediation.as_deref(), Some("Do this instead."));

        let f = Finding::new(&META, &subject(), Outcome::pass("fine"));
        assert_eq!(f.remediation, None);
        let json = serde_json::to_value(&f).unwrap();
        assert!(json.get("remediation").is_none());
        assert_eq!(json["docs"], "https://learn.example/a");
    }
}
