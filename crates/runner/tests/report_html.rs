//! `--format html` without a browser: escaping, self-containment, rows and the ids the page's
//! script writes to. `scripts/check-html.sh` checks the same page in headless Chromium.

use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

fn html(report: &report::Report, include_passing: bool) -> String {
    listing(report, include_passing, false)
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

fn listing(report: &report::Report, include_passing: bool, include_skipped: bool) -> String {
    let opts = RenderOptions {
        include_passing,
        include_skipped,
        color: false,
    };
    report::render(report, Format::Html, &opts)
}

#[test]
fn rows_list_problems_and_counts_have_ids() {
    let report = sample::report();
    let problems = html(&report, false);
    let all = listing(&report, true, true);
    let rows = |page: &str| page.matches("<tr class=\"finding").count();
    let s = report.summary;
    assert_eq!(
        rows(&problems),
        s.warn + s.fail + s.error,
        "skips and passes are counted only"
    );
    assert_eq!(
        rows(&listing(&report, false, true)),
        s.warn + s.fail + s.error + s.skip
    );
    assert_eq!(rows(&all), report.findings.len());
    assert!(problems.contains(&format!(
        "{} skipped, {} passed, counted, not listed",
        s.skip, s.pass
    )));
    for s in Status::ALL {
        let id = format!("id=\"visible-{s}\">");
        assert!(problems.contains(&id), "missing {id}");
        let total = format!("id=\"total-{s}\">{}<", report.summary.count(s));
        assert!(problems.contains(&total), "missing {total}");
    }
    assert!(problems.contains(&format!("id=\"visible-count\">{}<", rows(&problems))));
    // One row per check in the checks table, fails first in the findings table.
    assert_eq!(problems.matches("<tr data-check=").count(), report.checks.len());
    let first = problems.find("<tr class=\"finding").unwrap();
    assert!(problems[first..].starts_with("<tr class=\"finding\" data-status=\"fail\""));
}

#[test]
fn fixes_are_rendered_markdown_and_evidence_nests_as_tables() {
    let mut report = sample::report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    f.evidence.insert(
        "plans".into(),
        serde_json::json!([{"name": "Exchange Foundation (no mailbox)", "status": "Success"}]),
    );
    let page = html(&report, false);
    assert!(
        page.contains("<div class=\"fix\"><ol>"),
        "the fix is an HTML list"
    );
    assert!(!page.contains("<pre class=\"fix\">"));
    let fixes: Vec<&str> = page.split("<div class=\"fix").skip(1).collect();
    assert!(
        fixes
            .iter()
            .all(|f| !f.split("</div>").next().unwrap().contains("**")),
        "no raw Markdown"
    );
    assert!(page.contains("<strong>"));
    assert!(page.contains("<ol class=\"evidence-list\"><li><table class=\"evidence\">"));
    assert!(page.contains("<th>name</th><td>Exchange Foundation (no mailbox)</td>"));
    assert!(!page.contains("{&quot;name&quot;"), "no JSON in the evidence");
}

#[test]
fn mailbox_rows_show_their_sync_state_and_link_to_dynamics() {
    let report = sample::report();
    let page = html(&report, false);
    assert!(page.contains("<span class=\"sync-failure\">in failure</span>"));
    assert!(page.contains("last error: Email cannot be received"));
    let mailbox = report
        .findings
        .iter()
        .find(|f| f.status == Status::Fail && f.subject.kind == "mailbox")
        .unwrap();
    // minijinja escapes `/` as `&#x2f;` in attributes too; the browser reads it back.
    let link = format!(
        "https:&#x2f;&#x2f;contoso.crm.dynamics.com&#x2f;main.aspx?pagetype=entityrecord&amp;etn=mailbox&amp;id={}",
        mailbox.subject.id
    );
    assert!(page.contains(&link), "missing {link}");
    assert!(page.contains("etn=emailserverprofile"));
}

#[test]
fn a_large_run_with_few_problems_stays_small() {
    // 100,000 mailboxes, 10 problems: the size comes from the listed rows, not the skips.
    let mut report = sample::report();
    let skip = report
        .findings
        .iter()
        .find(|f| f.status == Status::Skip)
        .unwrap()
        .clone();
    report.findings.extend((0..100_000).map(|i| {
        let mut f = skip.clone();
        f.subject.name = format!("user{i}");
        f
    }));
    report.summary.skip += 100_000;
    let page = html(&report, false);
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
}

#[test]
fn rendering_is_deterministic() {
    let report = sample::report();
    assert_eq!(html(&report, false), html(&report, false));
}
