//! What several formats show the same way: which results count as problems, how they group
//! by subject, how an evidence value reads as text, and the one-line verdict.

use serde_json::Value;
use ssync_core::{Finding, Status, SubjectRef};

use super::{RenderOptions, Report};

/// Statuses in the order the summaries show them.
pub const STATUS_ORDER: [Status; 5] = [
    Status::Pass,
    Status::Warn,
    Status::Fail,
    Status::Skip,
    Status::Error,
];

/// A result a person has to look at: `warn`, `fail` or `error`. Skips are only counted.
pub fn is_problem(f: &Finding) -> bool {
    matches!(f.status, Status::Warn | Status::Fail | Status::Error)
}

/// " (12 skipped, 3 passed, not listed)" when a format for people leaves results out, else "".
pub fn not_listed_note(report: &Report, opts: &RenderOptions) -> String {
    let mut parts = Vec::new();
    if !opts.include_skipped && report.summary.skip > 0 {
        parts.push(format!("{} skipped", report.summary.skip));
    }
    if !opts.include_passing && report.summary.pass > 0 {
        parts.push(format!("{} passed", report.summary.pass));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({}, counted, not listed)", parts.join(", "))
    }
}

/// The problems of one subject (a mailbox, a profile or the environment).
pub struct SubjectProblems<'a> {
    pub subject: &'a SubjectRef,
    /// Every mailbox any of the findings affects, in first-seen order, without repeats.
    pub mailboxes: Vec<&'a str>,
    pub findings: Vec<&'a Finding>,
}

impl SubjectProblems<'_> {
    /// True when every listed result of the subject is waived.
    pub fn all_waived(&self) -> bool {
        self.findings.iter().all(|f| f.waiver.is_some())
    }

    /// "mailbox Frank Miller <frank.old@contoso.com>" or "profile Legacy Exchange Online".
    pub fn heading(&self) -> String {
        match (self.subject.kind.as_str(), self.mailboxes.as_slice()) {
            ("mailbox", [one]) => format!("mailbox {}", name_and_address(&self.subject.name, one)),
            (kind, _) => format!("{kind} {}", self.subject.name),
        }
    }
}

/// `findings` with the waived ones moved after the others, each part in its own order.
pub fn active_then_waived<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let (mut active, waived): (Vec<&Finding>, Vec<&Finding>) = findings.partition(|f| f.waiver.is_none());
    active.extend(waived);
    active
}

/// The results a format for people lists: problems, skips with `--include-skipped`, passes
/// with `--include-passing`.
pub fn is_listed(f: &Finding, opts: &RenderOptions) -> bool {
    is_problem(f)
        || (f.status == Status::Skip && opts.include_skipped)
        || (f.status == Status::Pass && opts.include_passing)
}

/// The problems of `report` grouped by subject: mailboxes first, then profiles, then the
/// environment; by name within a kind; subjects whose every problem is waived last. Within a
/// subject, active results come before waived ones, and fails before errors and warnings.
/// With `opts` asking for them, skips and passes are listed too.
pub fn problems_by_subject<'a>(report: &'a Report, opts: &RenderOptions) -> Vec<SubjectProblems<'a>> {
    let mut groups: Vec<SubjectProblems<'_>> = Vec::new();
    for f in report.findings.iter().filter(|f| is_listed(f, opts)) {
        let group = match groups.iter_mut().position(|g| g.subject == &f.subject) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(SubjectProblems {
                    subject: &f.subject,
                    mailboxes: Vec::new(),
                    findings: Vec::new(),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        for m in &f.mailboxes {
            if !group.mailboxes.contains(&m.as_str()) {
                group.mailboxes.push(m);
            }
        }
        group.findings.push(f);
    }
    for g in &mut groups {
        g.findings
            .sort_by_key(|f| (f.waiver.is_some(), problem_rank(f.status), f.check.as_str()));
    }
    groups.sort_by(|a, b| {
        (
            a.all_waived(),
            kind_rank(&a.subject.kind),
            &a.subject.name,
            &a.subject.id,
        )
            .cmp(&(
                b.all_waived(),
                kind_rank(&b.subject.kind),
                &b.subject.name,
                &b.subject.id,
            ))
    });
    groups
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "mailbox" => 0,
        "profile" => 1,
        _ => 2,
    }
}

/// Sort order of statuses when problems come first: fail, error, warn, skip, pass.
pub fn problem_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Warn => 2,
        Status::Skip => 3,
        Status::Pass => 4,
    }
}

/// An evidence value as one line of text: strings bare, lists comma-separated, anything else
/// as compact JSON.
pub fn evidence_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        Value::Array(items) if items.is_empty() => "(none)".into(),
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            items.iter().map(evidence_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// A finding as plain text for formats that carry a free-text body (JUnit): the message, the
/// mailboxes, the evidence as `key: value` lines, the fix and the documentation link.
pub fn plain_body(f: &Finding) -> String {
    let mut body = f.message.clone();
    if let Some(note) = waiver_note(f) {
        body.push_str(&format!("\n\n{note}"));
    }
    if !f.mailboxes.is_empty() {
        body.push_str(&format!("\n\nmailboxes: {}", f.mailboxes.join(", ")));
    }
    if !f.evidence.is_empty() {
        body.push_str("\n\nevidence:");
        for (key, value) in &f.evidence {
            body.push_str(&format!("\n  {key}: {}", evidence_text(value)));
        }
    }
    if let Some(fix) = &f.remediation {
        body.push_str(&format!("\n\nfix:\n{}", fix.trim_end()));
    }
    if let Some(docs) = &f.docs {
        body.push_str(&format!("\n\ndocs: {docs}"));
    }
    body
}

/// "Frank Miller <frank.old@contoso.com>" for a mailbox, "profile Legacy Exchange Online" for
/// anything else: a subject's name that is unique enough to be a test or row name.
pub fn subject_label(f: &Finding) -> String {
    match (f.subject.kind.as_str(), f.mailboxes.as_slice()) {
        ("mailbox", [one]) => name_and_address(&f.subject.name, one),
        (kind, _) => format!("{kind} {}", f.subject.name),
    }
}

/// "Frank Miller <frank.old@contoso.com>", or just the address when the mailbox is named by it.
fn name_and_address(name: &str, address: &str) -> String {
    if name.eq_ignore_ascii_case(address) || name.is_empty() {
        address.to_owned()
    } else {
        format!("{name} <{address}>")
    }
}

/// The KB 3212785 cause number, or "-" for checks that are not one of the six causes.
pub fn cause_label(cause: Option<u8>) -> String {
    cause.map_or_else(|| "-".to_owned(), |c| c.to_string())
}

/// One line (under 80 columns for any realistic run) that answers "did it find the cause?":
/// `FAIL: 10 failures in 7 checks over 20 mailboxes, 2 warnings, 1 error.` Waived failures
/// are not failures here (they do not set exit code 1); the line counts them apart.
pub fn verdict(report: &Report) -> String {
    let s = &report.summary;
    let waived = report.waived();
    let fails = s.fail.saturating_sub(report.waived_with(Status::Fail));
    let failing_checks = report
        .checks
        .iter()
        .filter(|c| {
            let waived = report
                .findings
                .iter()
                .filter(|f| f.check == c.id && f.status == Status::Fail && f.waiver.is_some())
                .count();
            c.counts.fail > waived
        })
        .count();
    let mut extra = String::new();
    if s.warn > 0 {
        extra.push_str(&format!(", {}", plural(s.warn, "warning")));
    }
    if s.error > 0 {
        extra.push_str(&format!(", {}", plural(s.error, "error")));
    }
    if waived > 0 {
        extra.push_str(&format!(", {waived} waived"));
    }
    let mailboxes = plural(s.mailboxes, "mailbox");
    if fails > 0 {
        format!(
            "FAIL: {} in {} over {mailboxes}{extra}.",
            plural(fails, "failure"),
            plural(failing_checks, "check")
        )
    } else {
        format!("OK: no failures over {mailboxes}{extra}.")
    }
}

/// "waived: <rationale> (until 2027-03-31; waiver for <pattern>)": how every format marks a
/// waived result.
pub fn waiver_note(f: &Finding) -> Option<String> {
    let w = f.waiver.as_ref()?;
    let until = w
        .expires
        .as_deref()
        .map(|d| format!("until {d}; "))
        .unwrap_or_default();
    Some(format!(
        "waived: {} ({until}waiver for {})",
        w.rationale, w.matched
    ))
}

/// One line per expired waiver: "expired waiver: <check> for <subject> expired on <date> and
/// no longer applies (<n> results of this run): <rationale>".
pub fn expired_notes(report: &Report) -> Vec<String> {
    report
        .expired_waivers
        .iter()
        .map(|e| {
            format!(
                "expired waiver: {} for {} expired on {} and no longer applies ({} of this run): {}",
                e.check,
                e.subject,
                e.expires,
                plural(e.would_match, "result"),
                e.rationale
            )
        })
        .collect()
}

/// "1 mailbox", "2 mailboxes".
pub fn plural(n: usize, word: &str) -> String {
    let suffix = match (n, word.ends_with('x') || word.ends_with('s')) {
        (1, _) => "",
        (_, true) => "es",
        (_, false) => "s",
    };
    format!("{n} {word}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_evidence_read_naturally() {
        assert_eq!(plural(1, "mailbox"), "1 mailbox");
        assert_eq!(plural(20, "mailbox"), "20 mailboxes");
        assert_eq!(plural(0, "failure"), "0 failures");
        assert_eq!(evidence_text(&serde_json::json!(["a", "b"])), "a, b");
        assert_eq!(evidence_text(&serde_json::json!(403)), "403");
        assert_eq!(evidence_text(&serde_json::json!({"k": 1})), r#"{"k":1}"#);
        assert_eq!(evidence_text(&Value::Null), "(none)");
    }

    #[test]
    fn problems_group_by_subject_with_mailboxes_first() {
        let report = super::super::sample::report();
        let groups = problems_by_subject(&report, &RenderOptions::default());
        assert!(groups.iter().all(|g| g.findings.iter().all(|f| is_problem(f))));
        let kinds: Vec<&str> = groups.iter().map(|g| g.subject.kind.as_str()).collect();
        let first_profile = kinds.iter().position(|k| *k == "profile").unwrap();
        assert!(kinds[..first_profile].iter().all(|k| *k == "mailbox"));
        let uma = groups.iter().find(|g| g.subject.name == "Uma Thurman").unwrap();
        assert_eq!(uma.findings.len(), 1);
        assert_eq!(uma.heading(), "mailbox Uma Thurman <uma@contoso.com>");
        assert_eq!(
            name_and_address("Frank@Contoso.com", "frank@contoso.com"),
            "frank@contoso.com"
        );
        let total: usize = groups.iter().map(|g| g.findings.len()).sum();
        let s = report.summary;
        assert_eq!(total, s.warn + s.fail + s.error);
    }

    #[test]
    fn verdict_names_failures_or_says_ok() {
        let mut report = super::super::sample::report();
        assert_eq!(
            verdict(&report),
            "FAIL: 10 failures in 7 checks over 20 mailboxes, 2 warnings, 1 error."
        );
        report.summary.warn = 0;
        report.summary.error = 0;
        report.summary.mailboxes = 1;
        assert_eq!(verdict(&report), "FAIL: 10 failures in 7 checks over 1 mailbox.");
        report.summary.fail = 0;
        assert_eq!(verdict(&report), "OK: no failures over 1 mailbox.");
    }
}
