//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards and other SARIF viewers.
//!
//! - One rule per check that ran, from its metadata: `shortDescription` = title,
//!   `fullDescription` = summary, `help` = remediation, `helpUri` = first docs link,
//!   `defaultConfiguration.level` from the severity (`error`, `warning`, `info` → `note`).
//! - `fail` → a result at the rule's level; `warn` → a result at level `warning` (`note` for an
//!   `info` check). Both are `kind: "fail"`.
//! - `error` ("could not evaluate") is not a finding about the environment but a gap in the
//!   run, so it is a `toolExecutionNotification` of the invocation (level `error`, naming the
//!   rule and the subject), and the invocation's `executionSuccessful` is `false`.
//! - `skip` and `pass` are left out (viewers would show them as noise) unless passes are
//!   asked for (`--include-passing`): then `pass` → `kind: "pass"`, `skip` →
//!   `kind: "notApplicable"`, both at level `none`.
//!
//! - A waived result carries a `suppressions` entry (`kind: "external"`, `status: "accepted"`,
//!   the rationale as `justification`); a waived `error` notification says so in its message.
//!   The run's properties hold the `waived` count and the `expiredWaivers`.
//!
//! Each result names its subject in a logical location (`kind` = mailbox/profile/environment,
//! `name`, `fullyQualifiedName` = `kind/name`, `decoratedName` = the record id) and carries the
//! affected mailboxes and the evidence in its `properties`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    self, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PropertyBag, ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference, ResultKind,
    ResultLevel, Run, Sarif, Suppression, ToolComponent,
};
use ssync_core::{Finding, Status};

use super::{CheckRun, RenderOptions, Report};

/// The OASIS schema of SARIF 2.1.0 (errata 01). `sarif-schema-2.1.0.json` beside this file is a
/// copy of it (as shipped in the `serde-sarif` crate); the SARIF test validates against it.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let rules: Vec<ReportingDescriptor> = report.checks.iter().map(rule).collect();
    let rule_index = |id: &str| report.checks.iter().position(|c| c.id == id);
    let check = |id: &str| report.checks.iter().find(|c| c.id == id);
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .filter(|f| match f.status {
            Status::Warn | Status::Fail => true,
            Status::Pass | Status::Skip => opts.include_passing,
            Status::Error => false,
        })
        .map(|f| result(f, rule_index(&f.check), check(&f.check)))
        .collect();
    let notifications: Vec<Notification> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .map(|f| notification(f, rule_index(&f.check)))
        .collect();

    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri("https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync")
        .rules(rules)
        .build();
    let invocation = Invocation::builder()
        .execution_successful(report.summary.error == 0)
        .start_time_utc(report.started_at.clone())
        .end_time_utc(report.finished_at.clone())
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .properties(bag(BTreeMap::from([
            ("environment".to_owned(), json!(report.environment)),
            ("summary".to_owned(), json!(report.summary)),
            ("waived".to_owned(), json!(report.waived())),
            ("expiredWaivers".to_owned(), json!(report.expired_waivers)),
            // What shaped the run: the configuration file, the checks left out, the waivers
            // in force (the same object as the JSON report's `configuration`).
            ("configuration".to_owned(), json!(report.configuration)),
            ("failedReads".to_owned(), json!(report.failed_reads)),
            ("reportSchema".to_owned(), json!(report.schema)),
        ])))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn rule(c: &CheckRun) -> ReportingDescriptor {
    let mut props = BTreeMap::from([
        ("scope".to_owned(), json!(c.scope)),
        ("severity".to_owned(), json!(c.severity)),
        ("cause".to_owned(), json!(c.cause)),
    ]);
    props.insert("counts".to_owned(), json!(c.counts));
    let tags = match c.cause {
        Some(n) => vec!["kb3212785".to_owned(), format!("cause-{n}")],
        None => vec!["kb3212785".to_owned()],
    };
    let help = MultiformatMessageString::builder()
        .text(c.remediation.clone())
        .markdown(c.remediation.clone())
        .build();
    let builder = ReportingDescriptor::builder()
        .id(c.id.clone())
        .name(c.id.clone())
        .short_description(MultiformatMessageString::builder().text(c.title.clone()).build())
        .full_description(
            MultiformatMessageString::builder()
                .text(c.summary.clone())
                .build(),
        )
        .help(help)
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(&c.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        );
    match c.docs.first() {
        Some(uri) => builder.help_uri(uri.clone()).build(),
        None => builder.build(),
    }
}

/// SARIF's name for a check severity.
fn level_name(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

fn result(f: &Finding, rule_index: Option<usize>, check: Option<&CheckRun>) -> sarif::Result {
    let (kind, level) = match f.status {
        Status::Fail => (ResultKind::Fail, level(level_name(f.severity.as_str()))),
        Status::Warn if f.severity == ssync_core::Severity::Info => (ResultKind::Fail, ResultLevel::Note),
        Status::Warn => (ResultKind::Fail, ResultLevel::Warning),
        Status::Pass => (ResultKind::Pass, ResultLevel::None),
        Status::Skip | Status::Error => (ResultKind::NotApplicable, ResultLevel::None),
    };
    let mut props = BTreeMap::from([
        ("status".to_owned(), json!(f.status)),
        ("mailboxes".to_owned(), json!(f.mailboxes)),
        ("evidence".to_owned(), Value::Object(f.evidence.clone())),
        ("cause".to_owned(), json!(f.cause)),
    ]);
    // The rule's help already holds the check's remediation; only a result-specific one is repeated.
    if let Some(fix) = f
        .remediation
        .as_ref()
        .filter(|fix| check.is_none_or(|c| &c.remediation != *fix))
    {
        props.insert("remediation".to_owned(), json!(fix));
    }
    let builder = sarif::Result::builder()
        // A hierarchical rule id (SARIF 2.1.0 §3.27.5): `check/reason` when the check gave a
        // reason, its rule still the check's (`ruleIndex`), so viewers can group by either.
        .rule_id(match f.reason() {
            Some(reason) => format!("{}/{reason}", f.check),
            None => f.check.clone(),
        })
        .kind(kind)
        .level(level)
        .message(Message::builder().text(f.message.clone()).build())
        .locations(vec![location(f)])
        .partial_fingerprints(BTreeMap::from([(
            "ssyncSubject/v1".to_owned(),
            format!("{}:{}:{}", f.check, f.subject.kind, f.subject.id),
        )]))
        .properties(bag(props));
    let mut result = match rule_index.and_then(|i| i64::try_from(i).ok()) {
        Some(i) => builder.rule_index(i).build(),
        None => builder.build(),
    };
    result.suppressions = f.waiver.as_ref().map(|w| vec![suppression(w)]);
    result
}

/// A waiver as SARIF sees it: an `external` suppression (kept outside the results, in the
/// configuration file) with status `accepted` and the rationale as its justification. Viewers
/// then list the result as suppressed instead of open.
fn suppression(w: &ssync_core::finding::Waiver) -> Suppression {
    let mut props = BTreeMap::from([("matched".to_owned(), json!(w.matched))]);
    if let Some(expires) = &w.expires {
        props.insert("expires".to_owned(), json!(expires));
    }
    Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(w.rationale.clone())
        .properties(bag(props))
        .build()
}

fn level(name: &str) -> ResultLevel {
    match name {
        "error" => ResultLevel::Error,
        "warning" => ResultLevel::Warning,
        _ => ResultLevel::Note,
    }
}

/// The subject as a logical location; the affected mailboxes in the location's message.
fn location(f: &Finding) -> Location {
    let subject = &f.subject;
    let logical = LogicalLocation::builder()
        .kind(subject.kind.clone())
        .name(subject.name.clone())
        .fully_qualified_name(format!("{}/{}", subject.kind, subject.name))
        .decorated_name(subject.id.clone())
        .build();
    let text = if f.mailboxes.is_empty() {
        format!("{} {}", subject.kind, subject.name)
    } else {
        format!(
            "{} {} (mailboxes: {})",
            subject.kind,
            subject.name,
            f.mailboxes.join(", ")
        )
    };
    Location::builder()
        .logical_locations(vec![logical])
        .message(Message::builder().text(text).build())
        .build()
}

fn notification(f: &Finding, rule_index: Option<usize>) -> Notification {
    let reference = match rule_index.and_then(|i| i64::try_from(i).ok()) {
        Some(i) => ReportingDescriptorReference::builder()
            .id(f.check.clone())
            .index(i)
            .build(),
        None => ReportingDescriptorReference::builder()
            .id(f.check.clone())
            .build(),
    };
    let text = match super::view::waiver_note(f) {
        Some(note) => format!("{} ({note})", f.message),
        None => f.message.clone(),
    };
    Notification::builder()
        .level(json!("error"))
        .message(Message::builder().text(text).build())
        .associated_rule(reference)
        .locations(vec![location(f)])
        .properties(bag(BTreeMap::from([
            ("status".to_owned(), json!(f.status)),
            ("evidence".to_owned(), Value::Object(f.evidence.clone())),
        ])))
        .build()
}

fn bag(props: BTreeMap<String, Value>) -> PropertyBag {
    PropertyBag::builder().additional_properties(props).build()
}
