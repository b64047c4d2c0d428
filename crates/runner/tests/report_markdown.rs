//! `--format markdown`: the summary table has one row per check with its counts, every problem
//! is listed under its subject, and data cannot inject Markdown or HTML.

use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

fn markdown(report: &report::Report) -> String {
    report::render(report, Format::Markdown, &RenderOptions::default())
}

/// The cells of a Markdown table row, bold markers and code spans removed.
fn cells(row: &str) -> Vec<String> {
    row.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().replace(['*', '`'], ""))
        .collect()
}

#[test]
fn summary_table_rows_match_the_counts() {
    let report = sample::report();
    let md = markdown(&report);
    let rows: Vec<Vec<String>> = md.lines().filter(|l| l.starts_with("| ")).map(cells).collect();
    assert_eq!(
        rows[0],
        ["check", "cause", "pass", "warn", "fail", "skip", "error"]
    );
    assert_eq!(
        rows.len(),
        report.checks.len() + 2,
        "header, one row per check, total"
    );
    for (row, check) in rows[1..].iter().zip(&report.checks) {
        assert_eq!(row[0], check.id);
        let expected: Vec<String> = Status::ALL
            .iter()
            .map(|s| check.counts.count(*s).to_string())
            .collect();
        assert_eq!(row[2..].to_vec(), expected, "{}", check.id);
    }
    let total = rows.last().unwrap();
    assert_eq!(total[0], "total");
    assert_eq!(total[4], report.summary.fail.to_string());
}

#[test]
fn problems_are_listed_per_subject_with_evidence_and_fix() {
    let report = sample::report();
    let md = markdown(&report);
    assert!(md.starts_with("## ❌ ssync-doctor: FAIL: 10 failures"));
    assert!(md.contains("#### mailbox Frank Miller \\<frank.old@contoso.com\\>"));
    assert!(md.contains("- ❌ **fail** `mailbox-address-mismatch` (cause 1):"));
    assert!(
        md.contains("  - exchange\\_primary: frank@contoso.com"),
        "evidence as key: value lines"
    );
    assert!(
        md.contains("Sync state: incoming failure · outgoing failure"),
        "state beside the problem"
    );
    assert!(md.contains("#### profile Legacy Exchange Online (Basic)\n\nAffects: uma@contoso.com"));
    let problems = md.matches("<details>").count();
    assert_eq!(
        problems,
        report.summary.fail + report.summary.warn + report.summary.error
    );
    assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());
}

#[test]
fn data_cannot_inject_html_or_break_the_layout() {
    let mut report = sample::report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    f.subject.name = "<script>alert(1)</script> | x".into();
    f.message = "line one\n| injected | row |".into();
    let md = markdown(&report);
    assert!(!md.contains("<script>"));
    assert!(md.contains("\\<script\\>alert(1)\\</script\\> \\| x"));
    assert!(!md.lines().any(|l| l.starts_with("| injected")));
}
