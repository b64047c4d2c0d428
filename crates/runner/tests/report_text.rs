//! `--format text` over the sample report: layout, colour switch, what is listed and what is not.

use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

fn text(color: bool) -> String {
    let opts = RenderOptions {
        include_passing: false,
        color,
        ..RenderOptions::default()
    };
    report::render(&sample::report(), Format::Text, &opts)
}

#[test]
fn fits_80_columns_except_unbreakable_words() {
    for line in text(false).lines() {
        let width = line.chars().count();
        let unbreakable = line.split_whitespace().any(|w| w.chars().count() > 40);
        assert!(width <= 80 || unbreakable, "{width} columns: {line}");
    }
}

#[test]
fn colour_only_when_asked() {
    assert!(!text(false).contains('\u{1b}'));
    let coloured = text(true);
    assert!(coloured.contains("\u{1b}["));
    // Same words either way.
    let stripped: String = strip_ansi(&coloured);
    assert_eq!(stripped, text(false));
}

#[test]
fn table_has_one_row_per_check_with_its_counts() {
    let report = sample::report();
    let out = text(false);
    for c in &report.checks {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("{} ", c.id)))
            .expect("row per check");
        let cells: Vec<usize> = row
            .split_whitespace()
            .skip(2)
            .map(|n| n.parse().unwrap())
            .collect();
        let expected: Vec<usize> = [
            Status::Pass,
            Status::Warn,
            Status::Fail,
            Status::Skip,
            Status::Error,
        ]
        .map(|s| c.counts.count(s))
        .to_vec();
        assert_eq!(cells, expected, "{row}");
    }
}

#[test]
fn lists_every_problem_with_evidence_and_fix_but_no_skip_or_pass() {
    let report = sample::report();
    let out = text(false);
    // Messages are re-wrapped to the terminal: compare with whitespace folded.
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let folded = fold(&out);
    for f in &report.findings {
        let listed = folded.contains(&fold(&f.message));
        match f.status {
            Status::Warn | Status::Fail | Status::Error => assert!(listed, "missing: {}", f.message),
            Status::Skip | Status::Pass => assert!(!listed, "should be counted only: {}", f.message),
        }
    }
    assert!(out.contains("exchange_primary: frank@contoso.com"));
    assert!(out.contains("offered: Negotiate, NTLM"));
    assert!(out.contains("  ERROR  recreated-user"));
    assert!(out.contains("mailbox Frank Miller <frank.old@contoso.com>"));
    assert!(out.contains("affects: uma@contoso.com"));
}

#[test]
fn ends_with_the_verdict() {
    let out = text(false);
    let last = out.lines().last().unwrap();
    assert_eq!(
        last,
        "FAIL: 10 failures in 7 checks over 20 mailboxes, 2 warnings, 1 error."
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
