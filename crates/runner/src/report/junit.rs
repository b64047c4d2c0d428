//! `--format junit`: JUnit XML for CI test dashboards. One test suite per check (named by its
//! id), one test case per subject (classname = check id, name = the subject).
//!
//! - `pass` → a passed test case.
//! - `fail` → `<failure>`: message attribute = the finding's message, type = the severity, body
//!   = message, mailboxes, evidence, fix and docs link.
//! - `error` → `<error>` with the same layout (the check could not evaluate: a broken test,
//!   not a failed one).
//! - `skip` → `<skipped>` with the reason as its message.
//! - `warn` → a passed test case (a warning must not fail a pipeline that gates on JUnit) whose
//!   `<system-out>` starts with `WARNING:` and carries the same body as a failure.
//!
//! - a waived `fail` or `error` → `<skipped>` whose message starts with `waived fail:` (or
//!   `waived error:`) and carries the rationale; `<system-out>` keeps the status and body. A
//!   waived `warn` stays a passed case whose `<system-out>` says `WARN (waived)`.
//!
//! Every subject is listed whatever `--include-passing` says, so that the suites' test counts
//! add up to the run's totals.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use ssync_core::{Finding, Status};

use super::view;
use super::{RenderOptions, Report};

pub fn render(report: &Report, _opts: &RenderOptions) -> String {
    let mut junit = quick_junit::Report::new(format!("{} {}", report.tool.name, report.environment.org_url));
    if let Some(elapsed) = elapsed(report) {
        junit.set_time(elapsed);
    }
    if let Some(suite) = configuration_suite(report) {
        junit.add_test_suite(suite);
    }
    for check in &report.checks {
        let mut suite = TestSuite::new(check.id.clone());
        suite.add_properties([
            Property::new("title", check.title.clone()),
            Property::new("cause", view::cause_label(check.cause)),
            Property::new("severity", check.severity.clone()),
            Property::new("scope", check.scope.clone()),
        ]);
        suite.add_properties(
            super::failed_read_notes(report)
                .into_iter()
                .map(|note| Property::new("failed-read", note)),
        );
        suite.add_test_cases(
            report
                .findings
                .iter()
                .filter(|f| f.check == check.id)
                .map(test_case),
        );
        junit.add_test_suite(suite);
    }
    let mut xml = junit.to_string().unwrap_or_default();
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    xml
}

/// What shaped the run, as the properties of a suite of its own that holds no test (JUnit has
/// no properties at the top level): `configuration-file`, one `disabled-check` per check left
/// out, one `waiver` per waiver in force. `None` when nothing shaped the run.
fn configuration_suite(report: &Report) -> Option<TestSuite> {
    let config = &report.configuration;
    config.summary()?;
    let mut suite = TestSuite::new("ssync-doctor configuration");
    suite.add_properties(
        config
            .file
            .iter()
            .map(|file| Property::new("configuration-file", file.clone())),
    );
    suite.add_properties(
        config
            .disabled_checks
            .iter()
            .map(|id| Property::new("disabled-check", id.clone())),
    );
    suite.add_properties(config.waivers.iter().map(|w| {
        let until = w
            .expires
            .as_deref()
            .map(|d| format!(", until {d}"))
            .unwrap_or_default();
        Property::new(
            "waiver",
            format!(
                "{} for {} ({} waived{until}): {}",
                w.check, w.subject, w.waived, w.rationale
            ),
        )
    }));
    Some(suite)
}

fn test_case(f: &Finding) -> TestCase {
    if let Some(w) = &f.waiver {
        return waived_case(f, &w.rationale);
    }
    let status = match f.status {
        Status::Pass | Status::Warn => TestCaseStatus::success(),
        Status::Fail | Status::Error => {
            let kind = if f.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(f.message.clone())
                .set_type(f.severity.as_str())
                .set_description(view::plain_body(f));
            status
        }
        Status::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(f.message.clone());
            status
        }
    };
    let mut case = TestCase::new(view::subject_label(f), status);
    case.set_classname(f.check.clone());
    if f.status == Status::Warn {
        case.set_system_out(format!("WARNING: {}", view::plain_body(f)));
    }
    case
}

/// A waived result: an accepted `fail` or `error` must not fail a pipeline that gates on JUnit
/// (it does not set exit code 1 either), so it is `<skipped>` with the waiver as its message; the
/// check's own status and the full body stay in `<system-out>`.
fn waived_case(f: &Finding, rationale: &str) -> TestCase {
    let status = match f.status {
        Status::Fail | Status::Error => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("waived {}: {rationale}", f.status));
            status
        }
        _ => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(view::subject_label(f), status);
    case.set_classname(f.check.clone());
    case.set_system_out(format!(
        "{} (waived): {}",
        f.status.as_str().to_uppercase(),
        view::plain_body(f)
    ));
    case
}

/// The run's duration, from the report's own timestamps (never the clock).
fn elapsed(report: &Report) -> Option<std::time::Duration> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let start = OffsetDateTime::parse(&report.started_at, &Rfc3339).ok()?;
    let end = OffsetDateTime::parse(&report.finished_at, &Rfc3339).ok()?;
    (end - start).try_into().ok()
}
