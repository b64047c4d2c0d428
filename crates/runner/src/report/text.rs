//! `--format text`: what a person reads in a terminal. A table of counts per check, then every
//! problem (warn, fail, error) grouped by subject with its evidence and fix, then a one-line
//! verdict. A waived result is listed with its status, marked `[waived]` and followed by the
//! waiver's rationale; expired waivers are noted before the verdict. Fits 80 columns (only unbreakable words such as URLs run over); ANSI colour only
//! when the caller asks for it.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use ssync_core::Status;

use super::prose;
use super::view::{self, STATUS_ORDER};
use super::{RenderOptions, Report};

const WIDTH: usize = 80;
/// Where a finding's message, evidence and fix start: after "  FAIL   ".
const BODY_INDENT: usize = 9;

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let paint = Painter { on: opts.color };
    let mut out = String::new();
    header(&mut out, report, &paint);
    table(&mut out, report, &paint);
    problems(&mut out, report, opts, &paint);
    for note in view::expired_notes(report) {
        push_wrapped(&mut out, &format!("Note: {note}"), 0, 2);
    }
    for note in super::failed_read_notes(report) {
        push_wrapped(&mut out, &format!("Note: {note}"), 0, 2);
    }
    if !report.expired_waivers.is_empty() || !report.failed_reads.is_empty() {
        out.push('\n');
    }
    let verdict = view::verdict(report);
    let style = if report.has_failures() {
        status_style(Status::Fail)
    } else {
        status_style(Status::Pass)
    };
    let _ = writeln!(out, "{}", paint.style(style, &verdict));
    out
}

fn header(out: &mut String, report: &Report, paint: &Painter) {
    let env = &report.environment;
    let title = format!("{} {}", report.tool.name, report.tool.version);
    let _ = writeln!(
        out,
        "{} · {}",
        paint.style(Style::new().bold(), &title),
        env.org_url
    );
    let _ = writeln!(out, "tenant {} · source {}", env.tenant_id, env.source);
    let _ = writeln!(
        out,
        "{} to {} · {}",
        report.started_at,
        report.finished_at,
        view::plural(report.summary.mailboxes, "mailbox")
    );
    if let Some(shaped) = report.configuration.summary() {
        push_wrapped(out, &shaped, 0, 2);
    }
    out.push('\n');
}

fn table(out: &mut String, report: &Report, paint: &Painter) {
    let id_width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0).max(5);
    let bold = Style::new().bold();
    let mut head = format!("{:<id_width$}  cause", "check");
    for s in STATUS_ORDER {
        let _ = write!(head, " {:>5}", s.as_str());
    }
    let _ = writeln!(out, "{}", paint.style(bold, &head));
    for c in &report.checks {
        let _ = write!(out, "{:<id_width$}  {:>5}", c.id, view::cause_label(c.cause));
        counts(out, &c.counts, paint);
    }
    let _ = write!(
        out,
        "{}",
        paint.style(bold, &format!("{:<id_width$}  {:>5}", "total", ""))
    );
    counts(out, &report.summary, paint);
    out.push('\n');
}

/// The five counts of one row; non-zero problem counts in their status colour.
fn counts(out: &mut String, counts: &ssync_core::Summary, paint: &Painter) {
    for s in STATUS_ORDER {
        let n = counts.count(s);
        let cell = format!(" {n:>5}");
        if n > 0 && s != Status::Pass && s != Status::Skip {
            out.push_str(&paint.style(status_style(s), &cell));
        } else {
            out.push_str(&cell);
        }
    }
    out.push('\n');
}

fn problems(out: &mut String, report: &Report, opts: &RenderOptions, paint: &Painter) {
    let groups = view::problems_by_subject(report, opts);
    let listed: usize = groups.iter().map(|g| g.findings.len()).sum();
    let bold = Style::new().bold();
    let not_listed = view::not_listed_note(report, opts);
    let title = if listed == 0 {
        format!("No problems found{not_listed}.")
    } else {
        format!(
            "Problems: {} on {}{not_listed}",
            listed,
            view::plural(groups.len(), "subject"),
        )
    };
    let _ = writeln!(out, "{}\n", paint.style(bold, &title));
    // A check's remediation is printed in full once; later findings with the same text point
    // back to it, so four unlicensed users do not repeat six steps four times.
    let mut shown: Vec<(&str, String)> = Vec::new();
    for g in &groups {
        let _ = writeln!(out, "{}", paint.style(bold, &g.heading()));
        if g.subject.kind != "mailbox" || g.mailboxes.len() > 1 {
            let affected = format!("affects: {}", g.mailboxes.join(", "));
            push_wrapped(out, &affected, 2, 4);
        }
        if let Some(state) = g.subject.state.as_ref().filter(|s| !s.is_unknown()) {
            push_wrapped(out, &format!("sync state: {}", state.summary()), 2, 4);
        }
        for f in &g.findings {
            let label = format!("{:<6}", f.status.as_str().to_uppercase());
            let cause = f.cause.map(|c| format!(" (cause {c})")).unwrap_or_default();
            let waived = if f.waiver.is_some() { " [waived]" } else { "" };
            let _ = writeln!(
                out,
                "  {} {}{cause}{waived}",
                paint.style(status_style(f.status), &label),
                f.check
            );
            push_wrapped(out, &f.message, BODY_INDENT, BODY_INDENT);
            if let Some(note) = view::waiver_note(f) {
                push_wrapped(out, &note, BODY_INDENT, BODY_INDENT + 2);
            }
            if !f.evidence.is_empty() {
                let _ = writeln!(
                    out,
                    "{:BODY_INDENT$}{}",
                    "",
                    paint.style(Style::new().dimmed(), "evidence:")
                );
                for (depth, line) in prose::evidence_lines(&f.evidence) {
                    let indent = BODY_INDENT + 2 + 2 * depth;
                    push_wrapped(out, &line, indent, indent + 2);
                }
            }
            let fix_label = paint.style(Style::new().dimmed(), "fix:");
            let seen = f
                .remediation
                .as_ref()
                .and_then(|fix| shown.iter().find(|(text, _)| text == fix));
            if let Some((_, first_seen)) = seen {
                let line = format!("{fix_label} as for {first_seen} above.");
                push_wrapped(out, &line, BODY_INDENT, BODY_INDENT + 2);
                continue;
            }
            if let Some(fix) = &f.remediation {
                let _ = writeln!(out, "{:BODY_INDENT$}{fix_label}", "");
                for line in prose::to_text(fix, BODY_INDENT + 2, WIDTH) {
                    let _ = writeln!(out, "{line}");
                }
                shown.push((fix, g.subject.name.clone()));
            }
            if let Some(docs) = &f.docs {
                let _ = writeln!(out, "{:BODY_INDENT$}docs: {docs}", "");
            }
        }
        out.push('\n');
    }
}

/// Appends `text` word-wrapped to [`WIDTH`], the first line indented by `first`, the others by
/// `rest`.
fn push_wrapped(out: &mut String, text: &str, first: usize, rest: usize) {
    for line in prose::wrap(text, &" ".repeat(first), &" ".repeat(rest), WIDTH) {
        out.push_str(&line);
        out.push('\n');
    }
}

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Pass => AnsiColor::Green,
        Status::Warn => AnsiColor::Yellow,
        Status::Fail => AnsiColor::Red,
        Status::Skip => return Style::new().dimmed(),
        Status::Error => AnsiColor::Magenta,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Applies a style only when colour is on, so the same code renders both ways.
struct Painter {
    on: bool,
}

impl Painter {
    fn style(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}
