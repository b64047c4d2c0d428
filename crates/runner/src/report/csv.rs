//! `--format csv`: one row per finding for a spreadsheet, the same findings as the JSON report
//! (every result that is not a pass; passes too with `--include-passing`), active results
//! before waived ones.
//!
//! The file follows RFC 4180 (<https://www.rfc-editor.org/rfc/rfc4180>): a header row, CRLF
//! line ends, a field in double quotes when it holds a comma, a quote or a line break, and a
//! quote inside doubled. It starts with a UTF-8 byte-order mark, which is how Excel recognises
//! UTF-8 when it opens a CSV file by double-click (without it, "Müller" reads as "MÃ¼ller");
//! other readers skip it. A text cell that starts with `=`, `+`, `-`, `@`, tab or carriage
//! return gets a leading `'`, so a spreadsheet shows it as text instead of evaluating a formula
//! that came from the environment (OWASP's advice on CSV injection).

use ssync_core::Finding;

use super::view;
use super::{RenderOptions, Report};

const BOM: &str = "\u{feff}";

const HEADER: [&str; 18] = [
    "status",
    "waived",
    "check",
    "cause",
    "severity",
    "subject_kind",
    "subject_id",
    "subject_name",
    "mailboxes",
    "message",
    "incoming_status",
    "outgoing_status",
    "act_status",
    "last_sync_error",
    "last_sync_error_on",
    "evidence",
    "waiver",
    "docs",
];

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::from(BOM);
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for f in view::active_then_waived(report.listed(opts)) {
        row(&mut out, cells(f));
    }
    out
}

fn cells(f: &Finding) -> Vec<String> {
    let state = f.subject.state.as_ref();
    let status = |s: Option<ssync_core::records::SyncStatus>| s.map(|s| s.label()).unwrap_or_default();
    let evidence: Vec<String> = f
        .evidence
        .iter()
        .map(|(k, v)| format!("{k}: {}", view::evidence_text(v)))
        .collect();
    vec![
        f.status.as_str().to_owned(),
        if f.waiver.is_some() { "yes" } else { "" }.to_owned(),
        f.check.clone(),
        f.cause.map(|c| c.to_string()).unwrap_or_default(),
        f.severity.as_str().to_owned(),
        f.subject.kind.clone(),
        f.subject.id.clone(),
        text(&f.subject.name),
        text(&f.mailboxes.join("; ")),
        text(&f.message),
        status(state.and_then(|s| s.incoming)),
        status(state.and_then(|s| s.outgoing)),
        status(state.and_then(|s| s.act)),
        text(
            state
                .and_then(|s| s.last_sync_error.as_deref())
                .unwrap_or_default(),
        ),
        state
            .and_then(|s| s.last_sync_error_on.clone())
            .unwrap_or_default(),
        text(&evidence.join("\n")),
        text(&view::waiver_note(f).unwrap_or_default()),
        f.docs.as_deref().unwrap_or_default().to_owned(),
    ]
}

/// A text cell from the environment, defused against formula evaluation.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal RFC 4180 reader, to check what a spreadsheet would see.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new()]];
        let mut quoted = false;
        let mut chars = text.trim_start_matches(BOM).chars().peekable();
        while let Some(c) = chars.next() {
            let cell = rows.last_mut().unwrap().last_mut().unwrap();
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => rows.last_mut().unwrap().push(String::new()),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                    rows.push(vec![String::new()]);
                }
                (false, c) => cell.push(c),
            }
        }
        rows.pop();
        rows
    }

    #[test]
    fn one_row_per_listed_finding_with_quotes_and_accents_intact() {
        let mut report = super::super::sample::report();
        let listed: Vec<usize> = (0..report.findings.len())
            .filter(|i| report.findings[*i].status != ssync_core::Status::Pass)
            .collect();
        report.findings[listed[0]].message = "Größe, \"quoted\"\nnext line".into();
        report.findings[listed[1]].subject.name = "=HYPERLINK(\"x\")".into();
        let text = render(&report, &RenderOptions::default());
        assert!(text.starts_with(BOM));
        let rows = parse(&text);
        assert_eq!(rows[0], HEADER);
        let listed = report.listed(&RenderOptions::default()).count();
        assert_eq!(rows.len(), listed + 1);
        assert!(rows.iter().all(|r| r.len() == HEADER.len()));
        let message = HEADER.iter().position(|h| *h == "message").unwrap();
        let name = HEADER.iter().position(|h| *h == "subject_name").unwrap();
        assert!(rows.iter().any(|r| r[message] == "Größe, \"quoted\"\nnext line"));
        assert!(rows.iter().any(|r| r[name] == "'=HYPERLINK(\"x\")"));
    }

    #[test]
    fn waived_results_come_last_and_are_marked() {
        let mut report = super::super::sample::report();
        let first = report
            .findings
            .iter()
            .position(|f| f.status.as_str() == "fail")
            .unwrap();
        report.findings[first].waiver = Some(ssync_core::finding::Waiver {
            rationale: "known".into(),
            expires: None,
            matched: "x".into(),
        });
        let rows = parse(&render(&report, &RenderOptions::default()));
        let last = rows.last().unwrap();
        assert_eq!(last[1], "yes");
        assert!(last[16].starts_with("waived: known"));
        assert_eq!(rows.iter().filter(|r| r[1] == "yes").count(), 1);
    }
}
