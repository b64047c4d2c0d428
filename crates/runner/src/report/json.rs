//! `--format json`: the report contract (`CONTRACTS.md` §4); `docs/report.schema.json`
//! describes it. Waivers add `summary.waived`, a `waiver` object on each waived finding and
//! the `expired_waivers` list (empty when none expired).

use serde::Serialize;
use ssync_core::{Finding, Summary};

use super::{CheckRun, EnvironmentInfo, ExpiredWaiver, RenderOptions, Report, Tool};

/// The report as written: borrowed from [`Report`], so that a run of 100,000 mailboxes is
/// serialised straight from its findings instead of through a copy of them.
#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'a str,
    tool: &'a Tool,
    environment: &'a EnvironmentInfo,
    started_at: &'a str,
    finished_at: &'a str,
    summary: JsonSummary<'a>,
    checks: &'a [CheckRun],
    findings: Vec<&'a Finding>,
    expired_waivers: &'a [ExpiredWaiver],
}

/// `waived` is added beside the per-status counts, which stay as the checks reported them.
#[derive(Serialize)]
struct JsonSummary<'a> {
    #[serde(flatten)]
    counts: &'a Summary,
    waived: usize,
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let doc = JsonReport {
        schema: &report.schema,
        tool: &report.tool,
        environment: &report.environment,
        started_at: &report.started_at,
        finished_at: &report.finished_at,
        summary: JsonSummary {
            counts: &report.summary,
            waived: report.waived(),
        },
        checks: &report.checks,
        findings: report.listed(opts).collect(),
        expired_waivers: &report.expired_waivers,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
