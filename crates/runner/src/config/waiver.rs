//! Waivers: an operator accepts a known result for a while without losing sight of it.
//!
//! A waiver names a check and a subject (a mailbox address, a profile name, or a glob of
//! either). A `warn`, `fail` or `error` of that check whose subject matches is marked with the
//! waiver; its status is kept, so every format still shows what the check found, and the
//! run's exit code ignores it. Passes and skips need no waiver and are left alone. A waiver
//! whose expiry date is past stops applying and is reported as expired instead.

use serde::{Deserialize, Serialize};
use ssync_core::finding::Waiver as FindingWaiver;
use ssync_core::{Finding, Status};
use time::Date;

use super::glob;

/// One `[[waiver]]` of the configuration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRule {
    pub check: String,
    /// An address, a profile name or a glob (`*`, `?`), matched ignoring case.
    pub subject: String,
    pub rationale: String,
    /// The last day the waiver applies (UTC); `None` never expires.
    pub expires: Option<Date>,
    /// Where it is written, `file:line`, for the expired-waiver warning.
    pub origin: String,
    /// When set, only results that carry this reason (`approval-pending`) are covered.
    pub reason: Option<String>,
}

/// A waiver that no longer applies, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredWaiver {
    pub check: String,
    pub subject: String,
    pub rationale: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
    /// How many results of this run it would otherwise have waived.
    pub would_match: usize,
}

/// A waiver in force during the run, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub check: String,
    pub subject: String,
    pub rationale: String,
    /// `YYYY-MM-DD`, when it has an expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// How many results of this run it marked as waived.
    pub waived: usize,
}

impl WaiverRule {
    /// True when this waiver is about `f`: the same check, and the pattern matches one of the
    /// mailbox finding's addresses or its name, or the profile's (environment's) name or id.
    /// A mailbox address does not waive a profile finding that lists it: the profile problem
    /// concerns every mailbox on it.
    pub fn covers(&self, f: &Finding) -> bool {
        if f.check != self.check {
            return false;
        }
        if let Some(reason) = &self.reason
            && f.reason() != Some(reason.as_str())
        {
            return false;
        }
        let hit = |value: &str| glob::matches(&self.subject, value);
        let by_address = f.subject.kind == "mailbox" && f.mailboxes.iter().any(|m| hit(m));
        by_address || hit(&f.subject.name) || hit(&f.subject.id)
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }
}

/// The reason a waiver names, checked against the reasons its check declares (when the check
/// is registered and declares any): a misspelt reason would otherwise waive nothing, silently.
pub fn check_reason(check: &str, reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    let declared: Vec<&str> = crate::registered()
        .ok()
        .and_then(|all| {
            all.iter()
                .find(|r| r.meta().id == check)
                .map(|r| r.meta().reasons.to_vec())
        })
        .unwrap_or_default();
    if reason.is_empty() {
        return Err(format!(
            "the waiver's `reason` is empty; leave it out, or name one of `{check}`'s reasons ({})",
            if declared.is_empty() {
                "it declares none".to_owned()
            } else {
                declared.join(", ")
            }
        ));
    }
    if !declared.is_empty() && !declared.contains(&reason) {
        return Err(format!(
            "`{check}` gives no reason `{reason}`; its reasons are: {} (`ssync-doctor explain {check}`)",
            declared.join(", ")
        ));
    }
    Ok(reason.to_owned())
}

/// Marks every waivable result a current waiver covers (the first matching waiver in file
/// order wins) and returns the expired waivers, each with the number of results it would have
/// covered. Expired waivers are also logged as warnings.
pub fn apply(findings: &mut [Finding], rules: &[WaiverRule], today: Date) -> Vec<ExpiredWaiver> {
    let waivable = |f: &Finding| matches!(f.status, Status::Warn | Status::Fail | Status::Error);
    let (expired, current): (Vec<&WaiverRule>, Vec<&WaiverRule>) =
        rules.iter().partition(|r| r.is_expired(today));
    for f in findings.iter_mut().filter(|f| waivable(f)) {
        if let Some(rule) = current.iter().find(|r| r.covers(f)) {
            f.waiver = Some(FindingWaiver {
                rationale: rule.rationale.clone(),
                expires: rule.expires.map(format_date),
                matched: rule.subject.clone(),
            });
        }
    }
    expired
        .into_iter()
        .map(|r| {
            let would_match = findings.iter().filter(|f| waivable(f) && r.covers(f)).count();
            let expires = r.expires.map(format_date).unwrap_or_default();
            tracing::warn!(
                "{}: the waiver of {} for {} expired on {expires} and no longer applies ({} result(s) of this run)",
                r.origin,
                r.check,
                r.subject,
                would_match
            );
            ExpiredWaiver {
                check: r.check.clone(),
                subject: r.subject.clone(),
                rationale: r.rationale.clone(),
                expires,
                would_match,
            }
        })
        .collect()
}

/// The waivers that were in force (not expired), each with the number of results it marked
/// (the first matching waiver marks a result, so the counts add up to the waived results).
pub fn in_force(findings: &[Finding], rules: &[WaiverRule], today: Date) -> Vec<AppliedWaiver> {
    let current: Vec<&WaiverRule> = rules.iter().filter(|r| !r.is_expired(today)).collect();
    let mut counts = vec![0usize; current.len()];
    for f in findings.iter().filter(|f| f.waiver.is_some()) {
        if let Some(i) = current.iter().position(|r| r.covers(f)) {
            counts[i] += 1;
        }
    }
    current
        .into_iter()
        .zip(counts)
        .map(|(r, waived)| AppliedWaiver {
            check: r.check.clone(),
            subject: r.subject.clone(),
            rationale: r.rationale.clone(),
            expires: r.expires.map(format_date),
            waived,
        })
        .collect()
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD` (a real calendar date).
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// Today, UTC: the day an expiry date is compared with.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssync_core::SubjectRef;
    use time::macros::date;

    fn finding(check: &str, kind: &str, name: &str, mailboxes: &[&str], status: Status) -> Finding {
        static META: ssync_core::CheckMeta = ssync_core::CheckMeta::new("a", "t");
        let outcome = ssync_core::Outcome::new(status, "m").with_mailboxes(mailboxes.iter().copied());
        let mut f = Finding::about(
            &META,
            SubjectRef::named(kind, format!("{name}-id"), name),
            outcome,
        );
        f.check = check.into();
        f
    }

    fn rule(check: &str, subject: &str, expires: Option<Date>) -> WaiverRule {
        WaiverRule {
            check: check.into(),
            subject: subject.into(),
            rationale: "accepted until the migration".into(),
            expires,
            origin: "ssync-doctor.toml:3".into(),
            reason: None,
        }
    }

    #[test]
    fn a_waiver_with_a_reason_covers_only_results_with_that_reason() {
        let mut pending = finding("a", "mailbox", "Xena", &["xena@contoso.com"], Status::Fail);
        pending
            .evidence
            .insert("reason".into(), "approval-pending".into());
        let mut rejected = finding("a", "mailbox", "Xavier", &["xavier@contoso.com"], Status::Fail);
        rejected
            .evidence
            .insert("reason".into(), "approval-rejected".into());
        let unreasoned = finding("a", "mailbox", "Yuri", &["yuri@contoso.com"], Status::Fail);
        let mut findings = vec![pending, rejected, unreasoned];
        let rules = [WaiverRule {
            reason: Some("approval-pending".into()),
            ..rule("a", "*@contoso.com", None)
        }];
        apply(&mut findings, &rules, date!(2026 - 12 - 1));
        let waived: Vec<bool> = findings.iter().map(|f| f.waiver.is_some()).collect();
        assert_eq!(waived, [true, false, false]);
    }

    #[test]
    fn a_current_waiver_marks_matching_problems_and_keeps_their_status() {
        let mut findings = vec![
            finding("a", "mailbox", "Frank", &["frank@contoso.com"], Status::Fail),
            finding("a", "mailbox", "Grace", &["grace@contoso.com"], Status::Fail),
            finding("b", "mailbox", "Frank", &["frank@contoso.com"], Status::Fail),
            finding("a", "mailbox", "Frank", &["frank@contoso.com"], Status::Pass),
        ];
        let rules = [rule("a", "FRANK@contoso.com", Some(date!(2026 - 12 - 31)))];
        let expired = apply(&mut findings, &rules, date!(2026 - 12 - 31));
        assert!(expired.is_empty(), "the expiry day itself still applies");
        let w = findings[0].waiver.as_ref().expect("waived");
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(w.rationale, "accepted until the migration");
        assert_eq!(w.expires.as_deref(), Some("2026-12-31"));
        assert_eq!(w.matched, "FRANK@contoso.com");
        assert!(findings[1].waiver.is_none(), "other subject");
        assert!(findings[2].waiver.is_none(), "other check");
        assert!(findings[3].waiver.is_none(), "a pass needs no waiver");
    }

    #[test]
    fn globs_match_addresses_and_profile_names_but_an_address_does_not_waive_a_profile() {
        let mut findings = vec![
            finding("a", "mailbox", "Frank", &["frank@fabrikam.com"], Status::Warn),
            finding(
                "a",
                "profile",
                "Legacy Hybrid",
                &["frank@fabrikam.com"],
                Status::Fail,
            ),
            finding(
                "p",
                "profile",
                "Legacy Hybrid",
                &["frank@fabrikam.com"],
                Status::Error,
            ),
        ];
        apply(
            &mut findings,
            &[rule("a", "*@FABRIKAM.com", None), rule("p", "legacy *", None)],
            date!(2026 - 01 - 01),
        );
        assert!(findings[0].waiver.is_some());
        assert!(findings[1].waiver.is_none());
        assert_eq!(findings[2].waiver.as_ref().unwrap().matched, "legacy *");
    }

    #[test]
    fn an_expired_waiver_stops_applying_and_is_reported() {
        let mut findings = vec![finding(
            "a",
            "mailbox",
            "Frank",
            &["frank@contoso.com"],
            Status::Fail,
        )];
        let expired = apply(
            &mut findings,
            &[rule("a", "frank@contoso.com", Some(date!(2026 - 11 - 27)))],
            date!(2026 - 11 - 28),
        );
        assert!(findings[0].waiver.is_none());
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].expires, "2026-11-27");
        assert_eq!(expired[0].would_match, 1);
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2027-02-28"), Some(date!(2027 - 02 - 28)));
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("28/02/2027"), None);
        assert_eq!(format_date(date!(2027 - 02 - 03)), "2027-02-03");
    }
}
