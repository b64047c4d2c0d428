//! [`CheckMeta`]: the static description of a check, built in a constant with defaults.
//!
//! The struct is `#[non_exhaustive]`: outside this crate it is built only through
//! [`CheckMeta::new`] and its `const` setters (usually by [`declare_check!`](crate::declare_check)),
//! so adding a field here, with a default, does not break a check written elsewhere.

use serde::Serialize;

use crate::check::{DataNeed, Scope, Severity};

/// Static metadata of a check: what `list` prints, what `explain` prints, what the
/// generated `docs/checks.md` is made of, and what `triage` routes alerts by.
///
/// ```
/// use ssync_core::prelude::*;
///
/// static META: CheckMeta = CheckMeta::new("acme-mailbox-has-address", "Every mailbox has an e-mail address")
///     .severity(Severity::Warning)
///     .summary("The mailbox record has no e-mail address.")
///     .explain("A mailbox without an address cannot be synchronised.")
///     .remediation("Fill in the Email Address field of the mailbox record.")
///     .reads(&[DataNeed::Mailboxes]);
/// assert_eq!(META.scope, Scope::Mailbox); // the default
/// assert_eq!(META.cause, None);
/// ```
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct CheckMeta {
    /// Stable kebab-case id. Bundled ids carry no prefix; custom checks use their own
    /// (`acme-…`).
    pub id: &'static str,
    /// The good state, as a sentence fragment: "Mailbox address matches Exchange".
    pub title: &'static str,
    /// The cause number in KB 3212785, or `None` (the default).
    pub cause: Option<u8>,
    /// What the check runs over; [`Scope::Mailbox`] by default.
    pub scope: Scope,
    /// How bad a `fail` is; [`Severity::Error`] by default (a fail stops synchronisation).
    pub severity: Severity,
    /// One line: what a `fail` means.
    pub summary: &'static str,
    /// Markdown: what the check looks for, why it leads to the 401, how it decides.
    /// [`declare_check!`](crate::declare_check) takes it from the crate's `explain.md`.
    pub explain: &'static str,
    /// Markdown: how to fix a `fail`, step by step. Used when a result brings no
    /// remediation of its own. [`declare_check!`](crate::declare_check) takes it from the
    /// crate's `remediation.md`.
    pub remediation: &'static str,
    /// Documentation links, the most useful first.
    pub docs: &'static [&'static str],
    /// The data the check reads; the permissions follow from it, live sources prefetch by
    /// it, and a workspace test fails when a check reads something it does not declare.
    pub reads: &'static [DataNeed],
    /// Text that, found in an alert (case-insensitive), points at this check before any
    /// other: `NoUserFoundWithGivenClaims` for a recreated user. `triage` reads it.
    pub alert_markers: &'static [&'static str],
    /// "Email Server Error Code" values (case-insensitive substrings) that only this check's
    /// cause explains: an alert with such a code narrows `triage` to the checks that claim it.
    pub error_codes: &'static [&'static str],
    /// The kebab-case reasons a result of this check can carry (`profile-without-tenant`),
    /// which waivers can match and SARIF rule ids use.
    pub reasons: &'static [&'static str],
}

impl CheckMeta {
    /// Metadata with every optional field at its default: no cause, mailbox scope, error
    /// severity, no text, no links, no reads, no alert markers, error codes or reasons.
    pub const fn new(id: &'static str, title: &'static str) -> Self {
        Self {
            id,
            title,
            cause: None,
            scope: Scope::Mailbox,
            severity: Severity::Error,
            summary: "",
            explain: "",
            remediation: "",
            docs: &[],
            reads: &[],
            alert_markers: &[],
            error_codes: &[],
            reasons: &[],
        }
    }

    /// The KB 3212785 cause number.
    pub const fn cause(mut self, cause: u8) -> Self {
        self.cause = Some(cause);
        self
    }

    pub const fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    pub const fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub const fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }

    pub const fn explain(mut self, explain: &'static str) -> Self {
        self.explain = explain;
        self
    }

    pub const fn remediation(mut self, remediation: &'static str) -> Self {
        self.remediation = remediation;
        self
    }

    pub const fn docs(mut self, docs: &'static [&'static str]) -> Self {
        self.docs = docs;
        self
    }

    pub const fn reads(mut self, reads: &'static [DataNeed]) -> Self {
        self.reads = reads;
        self
    }

    pub const fn alert_markers(mut self, markers: &'static [&'static str]) -> Self {
        self.alert_markers = markers;
        self
    }

    pub const fn error_codes(mut self, codes: &'static [&'static str]) -> Self {
        self.error_codes = codes;
        self
    }

    pub const fn reasons(mut self, reasons: &'static [&'static str]) -> Self {
        self.reasons = reasons;
        self
    }
}
