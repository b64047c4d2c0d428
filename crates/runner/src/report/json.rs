//! `--format json`: the report contract (`CONTRACTS.md` §4); `docs/report.schema.json`
//! describes it.

use serde_json::{Value, json};

use super::{RenderOptions, Report};

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let findings: Vec<&ssync_core::Finding> = report.listed(opts).collect();
    let value: Value = json!({
        "schema": report.schema,
        "tool": report.tool,
        "environment": report.environment,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "summary": report.summary,
        "checks": report.checks,
        "findings": findings,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
