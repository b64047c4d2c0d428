//! `--format junit`: the XML parses back (quick-xml, independent of the writer) into one suite
//! per check whose counts match the report, with failures, errors and skips where expected.

use quick_xml::Reader;
use quick_xml::events::Event;
use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

#[derive(Debug, Default)]
struct Suite {
    name: String,
    attr_tests: usize,
    attr_failures: usize,
    attr_errors: usize,
    attr_skipped: usize,
    cases: Vec<Case>,
}

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    /// `failure`, `error`, `skipped` or empty for a pass.
    outcome: String,
    message: String,
    body: String,
    system_out: String,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| a.unescape_value().unwrap().into_owned())
        .unwrap_or_default()
}

fn parse(xml: &str) -> Vec<Suite> {
    let mut reader = Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    let mut text_target: Option<&'static str> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let tag = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                match tag.as_str() {
                    "testsuite" => suites.push(Suite {
                        name: attr(&e, "name"),
                        attr_tests: attr(&e, "tests").parse().unwrap(),
                        attr_failures: attr(&e, "failures").parse().unwrap(),
                        attr_errors: attr(&e, "errors").parse().unwrap(),
                        attr_skipped: attr(&e, "skipped").parse().unwrap(),
                        cases: Vec::new(),
                    }),
                    "testcase" => suites.last_mut().unwrap().cases.push(Case {
                        name: attr(&e, "name"),
                        classname: attr(&e, "classname"),
                        ..Case::default()
                    }),
                    "failure" | "error" | "skipped" => {
                        let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                        case.outcome = tag.clone();
                        case.message = attr(&e, "message");
                        text_target = Some("body");
                    }
                    "system-out" => text_target = Some("system_out"),
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let (Some(target), Some(case)) =
                    (text_target, suites.last_mut().and_then(|s| s.cases.last_mut()))
                {
                    let text = t.xml_content().unwrap().into_owned();
                    match target {
                        "body" => case.body.push_str(&text),
                        _ => case.system_out.push_str(&text),
                    }
                }
            }
            Event::End(_) => text_target = None,
            _ => {}
        }
    }
    suites
}

fn junit() -> String {
    report::render(&sample::report(), Format::Junit, &RenderOptions::default())
}

#[test]
fn one_suite_per_check_with_the_report_counts() {
    let report = sample::report();
    let xml = junit();
    assert!(xml.starts_with("<?xml"));
    let suites = parse(&xml);
    let names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(names, ids);
    for (suite, check) in suites.iter().zip(&report.checks) {
        let c = check.counts;
        let total = c.pass + c.warn + c.fail + c.skip + c.error;
        assert_eq!(suite.cases.len(), total, "{}", suite.name);
        assert_eq!(suite.attr_tests, total, "{}", suite.name);
        assert_eq!(suite.attr_failures, c.fail, "{}", suite.name);
        assert_eq!(suite.attr_errors, c.error, "{}", suite.name);
        assert_eq!(suite.attr_skipped, c.skip, "{}", suite.name);
        let count = |o: &str| suite.cases.iter().filter(|k| k.outcome == o).count();
        assert_eq!(count("failure"), c.fail);
        assert_eq!(count("error"), c.error);
        assert_eq!(count("skipped"), c.skip);
        assert_eq!(count(""), c.pass + c.warn);
        assert!(suite.cases.iter().all(|k| k.classname == suite.name));
    }
}

#[test]
fn failures_carry_message_evidence_and_fix() {
    let suites = parse(&junit());
    let mam = suites
        .iter()
        .find(|s| s.name == "mailbox-address-mismatch")
        .unwrap();
    let frank = mam
        .cases
        .iter()
        .find(|c| c.name == "Frank Miller <frank.old@contoso.com>")
        .unwrap();
    assert_eq!(frank.outcome, "failure");
    assert!(frank.message.contains("not an address of its Exchange mailbox"));
    assert!(
        frank.body.contains("exchange_primary: frank@contoso.com"),
        "{}",
        frank.body
    );
    assert!(frank.body.contains("fix:\n1. In Exchange"));

    let grace = mam
        .cases
        .iter()
        .find(|c| c.name.starts_with("Grace Hopper"))
        .unwrap();
    assert_eq!(grace.outcome, "", "a warning passes");
    assert!(grace.system_out.starts_with("WARNING: "));

    let rec = suites.iter().find(|s| s.name == "recreated-user").unwrap();
    let uma = rec
        .cases
        .iter()
        .find(|c| c.name.starts_with("Uma Thurman"))
        .unwrap();
    assert_eq!(uma.outcome, "error");
    assert!(uma.body.contains("permission: User.Read.All"));

    let exob = suites
        .iter()
        .find(|s| s.name == "exchange-online-basic-auth")
        .unwrap();
    let legacy = exob
        .cases
        .iter()
        .find(|c| c.name == "profile Legacy Exchange Online (Basic)")
        .unwrap();
    assert_eq!(legacy.outcome, "failure");
    assert!(legacy.body.contains("mailboxes: uma@contoso.com"));
}

#[test]
fn every_subject_is_listed_even_without_include_passing() {
    let report = sample::report();
    let cases: usize = parse(&junit()).iter().map(|s| s.cases.len()).sum();
    assert_eq!(cases, report.findings.len());
    assert!(report.findings.iter().any(|f| f.status == Status::Pass));
}
