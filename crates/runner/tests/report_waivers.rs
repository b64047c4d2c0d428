//! Waivers in every format, on the sample report seen through one current waiver (Oscar
//! Diaz's cross-tenant fail) and one expired waiver (Judy Lee's licence).

use serde_json::Value;
use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

const SCHEMA: &str = include_str!("../../../docs/report.schema.json");
const SARIF_SCHEMA: &str = include_str!("../src/report/sarif-schema-2.1.0.json");
const RATIONALE: &str = "Fabrikam mailboxes move to the Contoso tenant in March (CHG-1042).";

fn render(format: Format) -> String {
    let opts = RenderOptions {
        include_passing: false,
        color: false,
        ..RenderOptions::default()
    };
    report::render(&sample::waived_report(), format, &opts)
}

#[test]
fn the_waived_fail_keeps_its_status_and_does_not_count_as_a_failure() {
    let plain = sample::report();
    let waived = sample::waived_report();
    assert_eq!(plain.summary, waived.summary, "per-status counts are unchanged");
    assert_eq!(waived.waived(), 1);
    let oscar = waived
        .findings
        .iter()
        .find(|f| f.waiver.is_some())
        .expect("one waived finding");
    assert_eq!(
        (oscar.check.as_str(), oscar.status),
        ("cross-tenant-exchange", Status::Fail)
    );
    assert_eq!(oscar.mailboxes, ["oscar@fabrikam.com"]);
    // Judy's waiver expired: her fail is not waived.
    assert!(
        waived
            .findings
            .iter()
            .any(|f| f.mailboxes == ["judy@contoso.com"] && f.status == Status::Fail && f.waiver.is_none())
    );
    assert_eq!(waived.expired_waivers.len(), 1);
    assert_eq!(waived.expired_waivers[0].would_match, 1);
    assert!(waived.has_failures(), "other fails remain");

    // A report whose only fail is waived has no failures.
    let mut only = waived.clone();
    only.findings
        .retain(|f| f.status != Status::Fail || f.waiver.is_some());
    only.summary.fail = 1;
    assert!(!only.has_failures());
    assert!(report::render(&only, Format::Text, &RenderOptions::default()).contains("OK: no failures"));
}

#[test]
fn json_carries_the_waiver_the_count_and_the_expired_list_and_validates() {
    let value: Value = serde_json::from_str(&render(Format::Json)).unwrap();
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(value["summary"]["waived"], 1);
    assert_eq!(value["summary"]["fail"], sample::report().summary.fail);
    let waived: Vec<&Value> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("waiver").is_some())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["status"], "fail");
    assert_eq!(waived[0]["waiver"]["rationale"], RATIONALE);
    assert_eq!(waived[0]["waiver"]["expires"], "2027-03-31");
    assert_eq!(waived[0]["waiver"]["matched"], "*@fabrikam.com");
    assert_eq!(value["expired_waivers"][0]["subject"], "judy@contoso.com");
    assert_eq!(value["expired_waivers"][0]["expires"], "2026-10-31");

    // The schema refuses a waiver without a rationale.
    let mut broken = value.clone();
    for f in broken["findings"].as_array_mut().unwrap() {
        if let Some(w) = f.get_mut("waiver") {
            w.as_object_mut().unwrap().remove("rationale");
        }
    }
    assert!(!validator.is_valid(&broken));
}

#[test]
fn text_and_markdown_mark_the_result_and_note_the_expired_waiver() {
    let text = render(Format::Text);
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        folded.contains("FAIL cross-tenant-exchange (cause 4) [waived]"),
        "{text}"
    );
    assert!(folded.contains(&format!("waived: {RATIONALE}")), "{text}");
    assert!(folded.contains(
        "Note: expired waiver: missing-exchange-online-license for judy@contoso.com expired on 2026-10-31"
    ));
    assert!(folded.contains("1 waived."), "{text}");

    assert!(
        folded.contains("configuration ssync-doctor.toml · 1 waiver in force (1 result waived)"),
        "the header says what shaped the run: {text}"
    );

    let md = render(Format::Markdown);
    assert!(
        md.contains("Run shaped by: configuration ssync-doctor.toml"),
        "{md}"
    );
    assert!(md.contains("**fail** _(waived)_ `cross-tenant-exchange`"), "{md}");
    assert!(md.contains("> waived: Fabrikam mailboxes move"), "{md}");
    assert!(md.contains("### Expired waivers"), "{md}");
}

#[test]
fn html_shows_a_waived_badge_the_rationale_and_the_expired_waiver() {
    let html = render(Format::Html);
    assert!(html.contains(r#"<span class="badge waived">waived</span>"#));
    assert!(
        html.contains(r#"<div class="waiver">waived: Fabrikam mailboxes move"#),
        "rationale shown"
    );
    assert!(html.contains(r#"id="total-waived">1<"#));
    assert!(html.contains(r#"id="expired-waivers""#));
    assert!(html.contains("judy@contoso.com expired on 2026-10-31"));
    let plain = report::render(&sample::report(), Format::Html, &RenderOptions::default());
    assert!(!plain.contains("badge waived") && !plain.contains("expired-waivers"));
}

#[test]
fn sarif_suppresses_the_waived_result_and_still_validates() {
    let log: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let mut schema: Value = serde_json::from_str(SARIF_SCHEMA).unwrap();
    for def in ["run", "toolComponent"] {
        schema["definitions"][def]["properties"]["language"]["pattern"] =
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    let s = &suppressed[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["status"], "accepted");
    assert_eq!(s["justification"], RATIONALE);
    assert_eq!(suppressed[0]["ruleId"], "cross-tenant-exchange");
    assert_eq!(suppressed[0]["properties"]["status"], "fail");
    assert_eq!(log["runs"][0]["properties"]["waived"], 1);
    assert_eq!(
        log["runs"][0]["properties"]["expiredWaivers"][0]["subject"],
        "judy@contoso.com"
    );
}

#[test]
fn junit_skips_the_waived_fail_with_its_rationale() {
    let xml = render(Format::Junit);
    let case = xml
        .split("<testcase ")
        .find(|c| c.contains("oscar@fabrikam.com") && c.contains("cross-tenant-exchange"))
        .expect("Oscar's cross-tenant case");
    let case = &case[..case.find("</testcase>").expect("closed")];
    assert!(case.contains("<skipped"), "{case}");
    assert!(!case.contains("<failure"), "{case}");
    assert!(case.contains("waived fail: Fabrikam mailboxes move"), "{case}");
    assert!(case.contains("FAIL (waived)"), "{case}");
}

#[test]
fn json_and_html_record_the_configuration_and_the_waivers_in_force() {
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    let c = &json["configuration"];
    assert_eq!(c["file"], "ssync-doctor.toml");
    assert_eq!(c["waivers"][0]["check"], "cross-tenant-exchange");
    assert_eq!(c["waivers"][0]["waived"], 1);
    assert_eq!(
        c["waivers"].as_array().unwrap().len(),
        1,
        "the expired waiver is not in force"
    );
    let html = render(Format::Html);
    assert!(html.contains("<dd id=\"config-file\">ssync-doctor.toml</dd>"));
    assert!(html.contains("cross-tenant-exchange for *@fabrikam.com (1 waived, until 2027-03-31)"));
    // Waived results are listed after the active ones.
    let waived = html.find("<tr class=\"finding is-waived\"").unwrap();
    let last_active = html.rfind("<tr class=\"finding\" ").unwrap();
    assert!(last_active < waived, "waived rows come last");
}

#[test]
fn sarif_and_junit_record_the_configuration_too() {
    let log: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let c = &log["runs"][0]["properties"]["configuration"];
    assert_eq!(c["file"], "ssync-doctor.toml");
    assert_eq!(c["waivers"][0]["check"], "cross-tenant-exchange");

    let xml = render(Format::Junit);
    let suite = xml
        .split("<testsuite ")
        .find(|s| s.contains("name=\"ssync-doctor configuration\""))
        .expect("a configuration suite");
    assert!(
        suite.contains("name=\"configuration-file\" value=\"ssync-doctor.toml\""),
        "{suite}"
    );
    assert!(
        suite.contains("cross-tenant-exchange for *@fabrikam.com (1 waived, until 2027-03-31)"),
        "{suite}"
    );
    assert!(!suite.contains("<testcase"), "{suite}");
}

#[test]
fn a_run_nothing_shaped_has_no_configuration_suite() {
    let opts = RenderOptions::default();
    let xml = report::render(&sample::report(), Format::Junit, &opts);
    assert!(!xml.contains("ssync-doctor configuration"));
}
