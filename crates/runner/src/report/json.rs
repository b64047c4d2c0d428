//! `--format json`: the report contract (`CONTRACTS.md` §4); `docs/report.schema.json`
//! describes it. Waivers add `summary.waived`, a `waiver` object on each waived finding and
//! the `expired_waivers` list (empty when none expired).

use serde_json::{Value, json};

use super::{RenderOptions, Report};

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let findings: Vec<&ssync_core::Finding> = report.listed(opts).collect();
    // `waived` is added beside the per-status counts, which stay as the checks reported them.
    let mut summary = json!(report.summary);
    if let Some(counts) = summary.as_object_mut() {
        counts.insert("waived".into(), json!(report.waived()));
    }
    let value: Value = json!({
        "schema": report.schema,
        "tool": report.tool,
        "environment": report.environment,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "summary": summary,
        "checks": report.checks,
        "findings": findings,
        "expired_waivers": report.expired_waivers,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
