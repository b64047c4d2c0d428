//! `--format json`: the report contract (`CONTRACTS.md` §4); `docs/report.schema.json`
//! describes it. Waivers add `summary.waived`, a `waiver` object on each waived finding and
//! the `expired_waivers` list (empty when none expired). `failed_reads` lists the reads that
//! failed for good (empty when none did).

use serde::Serialize;
use ssync_core::{Finding, Summary};

use super::{
    CheckRun, EnvironmentInfo, ExpiredWaiver, FailedRead, RenderOptions, Report, RunConfiguration, Tool,
};

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
    failed_reads: &'a [FailedRead],
    configuration: &'a RunConfiguration,
}

/// `waived` is added beside the per-status counts, which stay as the checks reported them.
#[derive(Serialize)]
struct JsonSummary<'a> {
    #[serde(flatten)]
    counts: &'a Summary,
    waived: usize,
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut bytes = Vec::new();
    // Writing into memory fails only on a serialisation error, which these types do not have.
    let _ = write(report, opts, &mut bytes);
    String::from_utf8(bytes).unwrap_or_else(|_| "{}\n".into())
}

/// Serialises the report straight into `out`: at 100,000 mailboxes with `--include-passing`
/// the document is over 300 MB, which need not exist in memory as well as the findings.
pub fn write(report: &Report, opts: &RenderOptions, out: &mut dyn std::io::Write) -> std::io::Result<()> {
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
        failed_reads: &report.failed_reads,
        configuration: &report.configuration,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
