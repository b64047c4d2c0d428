//! `--format html`: one self-contained page (inline CSS and JS, no external asset) with the
//! environment and times, the counts per status, a table per check and a filterable table of
//! the findings whose evidence and fix unfold in place.
//!
//! A waived result keeps its status badge, gets a `waived` badge and the waiver's rationale
//! under its message; expired waivers are listed under the verdict.
//!
//! Rendering goes through minijinja with HTML auto-escaping (the template is named
//! `report.html`), so every value from the environment is escaped; the page's script only ever
//! sets `textContent`. The rows are rendered on the server side, so the page reads without
//! JavaScript; the script adds the filters (status, check, free text — also from the URL
//! fragment, `#status=fail&check=ID&q=TEXT`) and writes the visible counts into elements with
//! ids (`visible-count`, `visible-<status>`) that `scripts/check-html.sh` reads in Chromium.

use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use serde::Serialize;
use ssync_core::Finding;

use super::view::{self, STATUS_ORDER};
use super::{RenderOptions, Report};

const TEMPLATE: &str = include_str!("html/report.html");
const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// One row of the findings table, flattened for the template.
#[derive(Serialize)]
struct Row<'a> {
    status: &'static str,
    check: &'a str,
    cause: String,
    kind: &'a str,
    subject: &'a str,
    subject_id: &'a str,
    mailboxes: &'a [String],
    message: &'a str,
    evidence: Vec<(&'a str, String)>,
    remediation: Option<&'a str>,
    docs: Option<&'a str>,
    /// "waived: <rationale> (…)" when a waiver covers the result.
    waiver: Option<String>,
}

impl<'a> Row<'a> {
    fn new(f: &'a Finding) -> Self {
        Self {
            status: f.status.as_str(),
            check: &f.check,
            cause: view::cause_label(f.cause),
            kind: &f.subject.kind,
            subject: &f.subject.name,
            subject_id: &f.subject.id,
            mailboxes: &f.mailboxes,
            message: &f.message,
            evidence: f
                .evidence
                .iter()
                .map(|(k, v)| (k.as_str(), view::evidence_text(v)))
                .collect(),
            remediation: f.remediation.as_deref(),
            docs: f.docs.as_deref(),
            waiver: view::waiver_note(f),
        }
    }
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    // Problems first (fail, error, warn), then skips and passes; by check and subject within.
    let mut listed: Vec<&Finding> = report.listed(opts).collect();
    listed.sort_by(|a, b| {
        (view::problem_rank(a.status), &a.check, &a.subject.name).cmp(&(
            view::problem_rank(b.status),
            &b.check,
            &b.subject.name,
        ))
    });
    let rows: Vec<Row<'_>> = listed.iter().map(|f| Row::new(f)).collect();
    let statuses: Vec<&str> = STATUS_ORDER.iter().map(|s| s.as_str()).collect();
    let mut env = Environment::new();
    if let Err(err) = env.add_template("report.html", TEMPLATE) {
        return failure_page(&err);
    }
    let page = env.get_template("report.html").and_then(|t| {
        t.render(context! {
            report => Serde(report),
            verdict => view::verdict(report),
            failed => report.has_failures(),
            statuses => statuses,
            rows => Serde(&rows),
            listed => rows.len(),
            include_passing => opts.include_passing,
            waived => report.waived(),
            expired_notes => view::expired_notes(report),
            failed_read_notes => super::failed_read_notes(report),
            css => Value::from_safe_string(CSS.to_owned()),
            js => Value::from_safe_string(JS.to_owned()),
        })
    });
    match page {
        Ok(mut html) => {
            if !html.ends_with('\n') {
                html.push('\n');
            }
            html
        }
        Err(err) => failure_page(&err),
    }
}

/// A template error is a bug, never caused by data; still, say so in a page rather than panic.
fn failure_page(err: &minijinja::Error) -> String {
    let text = err
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html><title>ssync-doctor report</title><p>The HTML report could not be rendered: {text}</p>\n"
    )
}
