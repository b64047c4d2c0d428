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

use std::collections::HashMap;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use serde::Serialize;
use serde_json::Value as Json;
use ssync_core::Finding;

use super::prose;
use super::view::{self, STATUS_ORDER};
use super::{RenderOptions, Report};

const TEMPLATE: &str = include_str!("html/report.html");
const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// The Entra admin centre's page of one user, by object id (public cloud).
const ENTRA_USER: &str =
    "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/";

/// One row of the findings table, flattened for the template.
#[derive(Serialize)]
struct Row<'a> {
    status: &'static str,
    /// Sort key of the status column: fail, error, warn, skip, pass.
    rank: u8,
    check: &'a str,
    cause: String,
    kind: &'a str,
    subject: &'a str,
    subject_id: &'a str,
    mailboxes: &'a [String],
    message: &'a str,
    /// The evidence as nested tables, escaped here (the template marks it `safe`).
    evidence: String,
    /// The fix as HTML from its Markdown, escaped by the Markdown writer (marked `safe`).
    remediation: Option<&'a str>,
    docs: Option<&'a str>,
    /// The subject of an earlier row with the same fix: printed, the fix is shown once and
    /// later rows point back to it.
    fix_shown_for: Option<&'a str>,
    /// "waived: <rationale> (…)" when a waiver covers the result.
    waiver: Option<String>,
    /// The mailbox's last test or synchronisation per direction, `(label, result)`.
    sync: Vec<(&'static str, String)>,
    /// The rest of its state (last error, last success, approval), "label: value".
    state_notes: Vec<String>,
    /// The record in Dynamics 365 (mailbox or profile form), where Test & Enable is.
    record_link: Option<String>,
    /// The user in the Entra admin centre, when the evidence names the user's object id.
    entra_link: Option<String>,
}

impl<'a> Row<'a> {
    fn new(f: &'a Finding, org_url: &str, fixes: &'a HashMap<&'a str, String>) -> Self {
        let facts = f.subject.state.as_ref().map(|s| s.facts()).unwrap_or_default();
        Self {
            status: f.status.as_str(),
            rank: view::problem_rank(f.status),
            check: &f.check,
            cause: view::cause_label(f.cause),
            kind: &f.subject.kind,
            subject: &f.subject.name,
            subject_id: &f.subject.id,
            mailboxes: &f.mailboxes,
            message: &f.message,
            evidence: evidence_html(&f.evidence),
            remediation: f
                .remediation
                .as_deref()
                .and_then(|md| fixes.get(md))
                .map(String::as_str),
            docs: f.docs.as_deref(),
            fix_shown_for: None,
            waiver: view::waiver_note(f),
            sync: facts
                .iter()
                .filter_map(|(label, value)| short_direction(label).map(|l| (l, value.clone())))
                .collect(),
            state_notes: facts
                .iter()
                .filter(|(label, _)| short_direction(label).is_none())
                .map(|(label, value)| format!("{label}: {value}"))
                .collect(),
            record_link: record_link(org_url, &f.subject.kind, &f.subject.id),
            entra_link: f
                .evidence
                .get("entra_user_id")
                .and_then(Json::as_str)
                .filter(|id| is_guid(id))
                .map(|id| format!("{ENTRA_USER}{id}")),
        }
    }
}

/// "in", "out", "ACT", "all" for the status facts of a mailbox's state; `None` for the others.
fn short_direction(label: &str) -> Option<&'static str> {
    Some(match label {
        "incoming" => "in",
        "outgoing" => "out",
        "appointments, contacts, tasks" => "ACT",
        "overall" => "all",
        _ => return None,
    })
}

/// The record's form in Dynamics 365: `<org>/main.aspx?pagetype=entityrecord&etn=<table>&id=<id>`
/// (learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url).
fn record_link(org_url: &str, kind: &str, id: &str) -> Option<String> {
    let table = match kind {
        "mailbox" => "mailbox",
        "profile" => "emailserverprofile",
        _ => return None,
    };
    let org = org_url.trim_end_matches('/');
    (org.starts_with("https://") || org.starts_with("http://")).then_some(())?;
    is_guid(id).then(|| format!("{org}/main.aspx?pagetype=entityrecord&etn={table}&id={id}"))
}

/// True for a GUID in its 8-4-4-4-12 form: what an id must look like to go into a link.
fn is_guid(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Evidence as a table, nested objects and lists of objects as tables inside their cell.
fn evidence_html(evidence: &serde_json::Map<String, Json>) -> String {
    if evidence.is_empty() {
        return String::new();
    }
    let mut out = String::from("<table class=\"evidence\"><tbody>");
    for (key, value) in evidence {
        // "exchange_primary" reads as "exchange primary" and may wrap between its words.
        out.push_str(&format!("<tr><th>{}</th><td>", esc(&key.replace('_', " "))));
        value_html(&mut out, value);
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn value_html(out: &mut String, value: &Json) {
    match value {
        Json::Object(map) if !map.is_empty() => out.push_str(&evidence_html(map)),
        Json::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            out.push_str("<ol class=\"evidence-list\">");
            for item in items {
                out.push_str("<li>");
                value_html(out, item);
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        scalar => out.push_str(&esc(&view::evidence_text(scalar))),
    }
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    // Problems first (fail, error, warn), then skips and passes when asked; waived results
    // after the active ones; by check and subject within.
    let mut listed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| view::is_listed(f, opts))
        .collect();
    listed.sort_by(|a, b| {
        (
            a.waiver.is_some(),
            view::problem_rank(a.status),
            &a.check,
            &a.subject.name,
        )
            .cmp(&(
                b.waiver.is_some(),
                view::problem_rank(b.status),
                &b.check,
                &b.subject.name,
            ))
    });
    // 100,000 findings of one check share one text: render each text once.
    let mut fixes: HashMap<&str, String> = HashMap::new();
    for md in listed.iter().filter_map(|f| f.remediation.as_deref()) {
        fixes.entry(md).or_insert_with(|| prose::to_html(md));
    }
    let org_url = &report.environment.org_url;
    let mut rows: Vec<Row<'_>> = listed.iter().map(|f| Row::new(f, org_url, &fixes)).collect();
    let mut first_with_fix: HashMap<&str, &str> = HashMap::new();
    for (row, f) in rows.iter_mut().zip(&listed) {
        if let Some(md) = f.remediation.as_deref() {
            let first = *first_with_fix.entry(md).or_insert(&f.subject.name);
            row.fix_shown_for = (first != f.subject.name.as_str()).then_some(first);
        }
    }
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
            not_listed => view::not_listed_note(report, opts),
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
