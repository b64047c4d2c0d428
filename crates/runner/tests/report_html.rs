//! `--format html` without a browser: escaping, self-containment, rows and the ids the page's
//! script writes to. `scripts/check-html.sh` checks the same page in headless Chromium.

use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

fn html(report: &report::Report, include_passing: bool) -> String {
    report::render(
        report,
        Format::Html,
        &RenderOptions {
            include_passing,
            color: false,
        },
    )
}

#[test]
fn data_is_escaped_everywhere() {
    let mut report = sample::report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    f.subject.name = "<script>alert('name')</script>".into();
    f.mailboxes = vec!["\"><img src=x onerror=alert(1)>@contoso.com".into()];
    f.message = "</td></tr><tr><td>injected".into();
    f.evidence.insert("<b>key</b>".into(), "<i>value</i>".into());
    report.environment.org_url = "https://x/\"><script>alert('env')</script>".into();
    let page = html(&report, false);
    assert!(
        !page.contains("<script>alert"),
        "a <script> from the data reached the page"
    );
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("<b>key</b>") && !page.contains("<i>value</i>"));
    assert!(page.contains("&lt;script&gt;alert("));
    assert!(page.contains("&lt;&#x2f;td&gt;&lt;&#x2f;tr&gt;&lt;tr&gt;&lt;td&gt;injected"));
    // The page's own single script block is still there.
    assert_eq!(page.matches("<script>").count(), 1);
}

#[test]
fn the_page_is_self_contained() {
    let page = html(&sample::report(), true);
    assert!(page.starts_with("<!doctype html>"));
    for external in [" src=", "<link", "@import", "url(", "cdn"] {
        assert!(
            !page.contains(external),
            "external reference {external:?} in the page"
        );
    }
    assert!(page.contains("<style>") && page.contains("<script>"));
}

#[test]
fn rows_follow_include_passing_and_counts_have_ids() {
    let report = sample::report();
    let problems = html(&report, false);
    let all = html(&report, true);
    let rows = |page: &str| page.matches("<tr class=\"finding\"").count();
    assert_eq!(rows(&problems), report.findings.len() - report.summary.pass);
    assert_eq!(rows(&all), report.findings.len());
    for s in Status::ALL {
        let id = format!("id=\"visible-{s}\">");
        assert!(problems.contains(&id), "missing {id}");
        let total = format!("id=\"total-{s}\">{}<", report.summary.count(s));
        assert!(problems.contains(&total), "missing {total}");
    }
    assert!(problems.contains(&format!("id=\"visible-count\">{}<", rows(&problems))));
    // One row per check in the checks table, fails first in the findings table.
    assert_eq!(problems.matches("<tr data-check=").count(), report.checks.len());
    let first = problems.find("<tr class=\"finding\"").unwrap();
    assert!(problems[first..].starts_with("<tr class=\"finding\" data-status=\"fail\""));
}

#[test]
fn rendering_is_deterministic() {
    let report = sample::report();
    assert_eq!(html(&report, false), html(&report, false));
}
