//! Reports: one [`Report`] (the JSON report contract, `CONTRACTS.md` §4, plus per-check
//! counts) rendered in each output format. The engine builds the `Report`; this module only
//! renders it, so every format shows the same results.

mod csv;
mod failed_reads;
mod html;
mod json;
mod junit;
mod markdown;
mod prose;
#[doc(hidden)]
pub mod sample;
pub mod sarif;
mod text;
mod view;

use serde::{Deserialize, Serialize};
use ssync_core::{CheckMeta, Finding, Status, Summary};

pub use crate::config::ExpiredWaiver;
pub use crate::config::waiver::AppliedWaiver;
pub use failed_reads::{FailedRead, notes as failed_read_notes};
pub use view::verdict;

/// The report schema id written in every JSON report.
pub const SCHEMA: &str = "ssync-doctor/report/v1";

/// Output formats of `run` and `demo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
    Csv,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Self {
        Self {
            name: "ssync-doctor".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Where the data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentInfo {
    pub org_url: String,
    pub tenant_id: String,
    /// `live`, `demo` (the simulated tenant) or `bundle` (an offline evidence bundle).
    pub source: String,
}

/// One check that ran, with its metadata and its counts per status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    pub id: String,
    pub title: String,
    pub cause: Option<u8>,
    pub scope: String,
    pub severity: String,
    /// One line: what a `fail` means.
    pub summary: String,
    pub docs: Vec<String>,
    /// Markdown: how to fix a `fail` (the check's metadata). SARIF uses it as the rule's help.
    #[serde(default)]
    pub remediation: String,
    /// Counts per status (its `mailboxes` field is the number of subjects).
    pub counts: Summary,
}

impl CheckRun {
    /// The report entry of a check that ran, from its metadata and its counts. Use this rather
    /// than a struct literal: fields may be added.
    pub fn from_meta(meta: &CheckMeta, counts: Summary) -> Self {
        Self {
            id: meta.id.to_owned(),
            title: meta.title.to_owned(),
            cause: meta.cause,
            scope: meta.scope.as_str().to_owned(),
            severity: meta.severity.as_str().to_owned(),
            summary: meta.summary.to_owned(),
            docs: meta.docs.iter().map(|d| (*d).to_owned()).collect(),
            remediation: meta.remediation.to_owned(),
            counts,
        }
    }
}

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool: Tool,
    pub environment: EnvironmentInfo,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    pub summary: Summary,
    /// The checks that ran, sorted by id.
    pub checks: Vec<CheckRun>,
    /// Every result, passes included, sorted by check id then subject. Formats that list only
    /// problems filter with [`RenderOptions::include_passing`].
    pub findings: Vec<Finding>,
    /// Waivers of the configuration whose expiry date has passed: they no longer apply, and
    /// every format says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_waivers: Vec<ExpiredWaiver>,
    /// Reads that failed for good; the results that needed them are `error`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_reads: Vec<FailedRead>,
    /// What shaped the run besides the command line's selection.
    #[serde(default)]
    pub configuration: RunConfiguration,
}

/// The configuration file, the checks left out and the waivers in force: every format shows
/// them in its header, so a reader knows what the numbers were filtered by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunConfiguration {
    /// The configuration file read (`--config`, or `ssync-doctor.toml` found in the working
    /// directory); `None` when there was none.
    #[serde(default)]
    pub file: Option<String>,
    /// Registered checks this run did not run (`--check`, `--skip-check`, the file's
    /// `[checks]`), sorted by id.
    #[serde(default)]
    pub disabled_checks: Vec<String>,
    /// The waivers in force, each with the number of results it marked.
    #[serde(default)]
    pub waivers: Vec<AppliedWaiver>,
}

impl RunConfiguration {
    /// "configuration ./ssync-doctor.toml · checks disabled: a, b · waivers: 1 (3 results)",
    /// or `None` when nothing shaped the run.
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(format!("configuration {file}"));
        }
        if !self.disabled_checks.is_empty() {
            parts.push(format!("checks disabled: {}", self.disabled_checks.join(", ")));
        }
        if !self.waivers.is_empty() {
            let waived: usize = self.waivers.iter().map(|w| w.waived).sum();
            parts.push(format!(
                "{} in force ({} waived)",
                view::plural(self.waivers.len(), "waiver"),
                view::plural(waived, "result")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

impl Report {
    /// The findings a format lists: every non-pass result, and passes too when asked.
    pub fn listed<'a>(&'a self, opts: &'a RenderOptions) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |f| opts.include_passing || f.status != Status::Pass)
    }

    /// True when at least one `fail` is not waived: what exit code 1 means.
    pub fn has_failures(&self) -> bool {
        self.summary.fail > self.waived_with(Status::Fail)
    }

    /// How many results carry a waiver (the `waived` count of the summary).
    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waiver.is_some()).count()
    }

    /// How many results of `status` carry a waiver.
    pub fn waived_with(&self, status: Status) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == status && f.waiver.is_some())
            .count()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// List `pass` results too.
    pub include_passing: bool,
    /// List `skip` results too in the formats for people (text, Markdown, HTML).
    pub include_skipped: bool,
    /// Use ANSI colour (text only; the caller decides: a terminal and no `NO_COLOR`).
    pub color: bool,
}

/// Writes the report in `format` to `out`. JSON is serialised as it is written; the other
/// formats are rendered first.
pub fn write(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, opts, out),
        _ => out.write_all(render(report, format, opts).as_bytes()),
    }
}

/// Renders the report in `format`.
pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> String {
    match format {
        Format::Json => json::render(report, opts),
        Format::Text => text::render(report, opts),
        Format::Sarif => sarif::render(report, opts),
        Format::Junit => junit::render(report, opts),
        Format::Markdown => markdown::render(report, opts),
        Format::Html => html::render(report, opts),
        Format::Csv => csv::render(report, opts),
    }
}
