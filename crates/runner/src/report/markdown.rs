//! `--format markdown`: a GitHub-flavoured Markdown report for a pull-request comment, an issue
//! or a wiki page. The verdict as a heading, the environment, a table of counts per check, then
//! the problems (warn, fail, error) per subject, each with its evidence and fix folded in a
//! `<details>` block. Skips are only counted.
//!
//! Data from the environment (names, addresses, messages, evidence) is escaped so that it can
//! not inject Markdown or HTML; the remediation text is the check's own Markdown and is kept.

use std::fmt::Write as _;

use ssync_core::Status;

use super::prose;
use super::view::{self, STATUS_ORDER};
use super::{RenderOptions, Report};

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let icon = if report.has_failures() { "❌" } else { "✅" };
    let _ = writeln!(out, "## {icon} ssync-doctor: {}\n", esc(&view::verdict(report)));
    let env = &report.environment;
    let _ = writeln!(
        out,
        "Environment {} · tenant `{}` · source {} · {} to {} · {} {}\n",
        esc(&env.org_url),
        env.tenant_id.replace('`', ""),
        esc(&env.source),
        esc(&report.started_at),
        esc(&report.finished_at),
        esc(&report.tool.name),
        esc(&report.tool.version),
    );
    for note in super::failed_read_notes(report) {
        let _ = writeln!(out, "> **Note:** {}\n", esc(&note));
    }
    if let Some(shaped) = report.configuration.summary() {
        let _ = writeln!(out, "Run shaped by: {}\n", esc(&shaped));
    }
    summary_table(&mut out, report);
    problems(&mut out, report, opts);
    let expired = view::expired_notes(report);
    if !expired.is_empty() {
        let _ = writeln!(out, "\n### Expired waivers\n");
        for note in expired {
            let _ = writeln!(out, "- {}", esc(&note));
        }
    }
    out
}

fn summary_table(out: &mut String, report: &Report) {
    out.push_str("| check | cause |");
    for s in STATUS_ORDER {
        let _ = write!(out, " {s} |");
    }
    out.push_str("\n|---|---:|");
    out.push_str(&"---:|".repeat(STATUS_ORDER.len()));
    out.push('\n');
    for c in &report.checks {
        let _ = write!(out, "| `{}` | {} |", c.id, view::cause_label(c.cause));
        counts(out, &c.counts);
    }
    out.push_str("| **total** | |");
    counts(out, &report.summary);
    out.push('\n');
}

/// The count cells of one row; a non-zero fail or error count in bold.
fn counts(out: &mut String, counts: &ssync_core::Summary) {
    for s in STATUS_ORDER {
        let n = counts.count(s);
        if n > 0 && matches!(s, Status::Fail | Status::Error) {
            let _ = write!(out, " **{n}** |");
        } else {
            let _ = write!(out, " {n} |");
        }
    }
    out.push('\n');
}

fn problems(out: &mut String, report: &Report, opts: &RenderOptions) {
    let groups = view::problems_by_subject(report, opts);
    if groups.is_empty() {
        let _ = writeln!(out, "No problems found{}.", view::not_listed_note(report, opts));
        return;
    }
    let _ = writeln!(out, "### Problems\n");
    for g in &groups {
        let _ = writeln!(out, "#### {}\n", esc(&g.heading()));
        if g.subject.kind != "mailbox" || g.mailboxes.len() > 1 {
            let mailboxes: Vec<String> = g.mailboxes.iter().map(|m| esc(m)).collect();
            let _ = writeln!(out, "Affects: {}\n", mailboxes.join(", "));
        }
        if let Some(state) = g.subject.state.as_ref().filter(|s| !s.is_unknown()) {
            let _ = writeln!(out, "Sync state: {}\n", esc(&state.summary()));
        }
        for f in &g.findings {
            let cause = f.cause.map(|c| format!(" (cause {c})")).unwrap_or_default();
            let waived = if f.waiver.is_some() { " _(waived)_" } else { "" };
            let _ = writeln!(
                out,
                "- {} **{}**{waived} `{}`{cause}: {}",
                icon(f.status),
                f.status,
                f.check,
                esc(&f.message)
            );
            if let Some(note) = view::waiver_note(f) {
                let _ = writeln!(out, "  > {}", esc(&note));
            }
            let _ = writeln!(out, "  <details><summary>Evidence and fix</summary>\n");
            if !f.evidence.is_empty() {
                let _ = writeln!(out, "  Evidence:\n");
                for (depth, line) in prose::evidence_lines(&f.evidence) {
                    let _ = writeln!(out, "  {}- {}", "  ".repeat(depth), esc(&line));
                }
                out.push('\n');
            }
            if let Some(fix) = &f.remediation {
                for line in fix.trim_end().lines() {
                    let _ = writeln!(out, "  {line}");
                }
                out.push('\n');
            }
            if let Some(docs) = &f.docs {
                let _ = writeln!(out, "  Docs: <{}>\n", docs.replace(['<', '>', ' '], ""));
            }
            let _ = writeln!(out, "  </details>\n");
        }
    }
    let not_listed = view::not_listed_note(report, opts);
    if !not_listed.is_empty() {
        let _ = writeln!(out, "_Results{not_listed}._");
    }
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌",
        Status::Error => "⛔",
        Status::Warn => "⚠️",
        Status::Skip => "⏭️",
        Status::Pass => "✅",
    }
}

/// Escapes text from the environment for Markdown: every ASCII punctuation character that
/// Markdown or HTML gives a meaning gets a backslash, and line breaks become spaces so that a
/// value stays in its table cell.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html_in_data() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(esc("two\nlines"), "two lines");
        assert_eq!(esc("[link](http://x)"), "\\[link\\](http://x)");
    }
}
