//! `--format json` against the hand-written schema `docs/report.schema.json`: real rendered
//! output validates, and reports that break the contract do not.

use serde_json::Value;
use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

const SCHEMA: &str = include_str!("../../../docs/report.schema.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn rendered(include_passing: bool) -> Value {
    let opts = RenderOptions {
        include_passing,
        color: false,
        ..RenderOptions::default()
    };
    let text = report::render(&sample::report(), Format::Json, &opts);
    serde_json::from_str(&text).expect("JSON output parses")
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_schema_uses_draft_2020_12() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn rendered_reports_validate_with_and_without_passes() {
    let validator = validator();
    for include_passing in [false, true] {
        let value = rendered(include_passing);
        assert_eq!(errors(&validator, &value), Vec::<String>::new());
    }
}

#[test]
fn the_sample_covers_every_status_and_findings_follow_include_passing() {
    let report = sample::report();
    for s in Status::ALL {
        assert!(
            report.findings.iter().any(|f| f.status == s),
            "no {s} in the sample"
        );
    }
    let statuses = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let problems = statuses(&rendered(false));
    assert!(!problems.contains(&"pass".to_owned()));
    assert_eq!(problems.len(), report.findings.len() - report.summary.pass);
    assert_eq!(statuses(&rendered(true)).len(), report.findings.len());
}

/// A change that makes a valid report break the contract.
type Breakage = Box<dyn Fn(&mut Value)>;

#[test]
fn the_schema_rejects_reports_that_break_the_contract() {
    let validator = validator();
    let broken: Vec<(&str, Breakage)> = vec![
        (
            "summary missing",
            Box::new(|v| drop(v.as_object_mut().unwrap().remove("summary"))),
        ),
        (
            "bogus status",
            Box::new(|v| v["findings"][0]["status"] = "bogus".into()),
        ),
        ("cause 7", Box::new(|v| v["findings"][0]["cause"] = 7.into())),
        (
            "cause as a string",
            Box::new(|v| v["findings"][0]["cause"] = "1".into()),
        ),
        (
            "unknown subject kind",
            Box::new(|v| v["findings"][0]["subject"]["kind"] = "user".into()),
        ),
        (
            "subject without id",
            Box::new(|v| drop(v["findings"][0]["subject"].as_object_mut().unwrap().remove("id"))),
        ),
        ("negative count", Box::new(|v| v["summary"]["fail"] = (-1).into())),
        (
            "wrong schema id",
            Box::new(|v| v["schema"] = "ssync-doctor/report/v2".into()),
        ),
        (
            "mailboxes not a list",
            Box::new(|v| v["findings"][0]["mailboxes"] = "a@b.c".into()),
        ),
        (
            "fail without remediation",
            Box::new(|v| {
                let fail = v["findings"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|f| f["status"] == "fail")
                    .unwrap();
                fail.as_object_mut().unwrap().remove("remediation");
            }),
        ),
        (
            "timestamp not RFC 3339",
            Box::new(|v| v["started_at"] = "28/11/2026 09:00".into()),
        ),
    ];
    for (what, breakage) in broken {
        let mut value = rendered(false);
        breakage(&mut value);
        assert!(
            !validator.is_valid(&value),
            "the schema accepted a report with {what}"
        );
    }
}

#[test]
fn the_schema_allows_new_fields() {
    let validator = validator();
    let mut value = rendered(false);
    value["run_id"] = "abc".into();
    value["findings"][0]["confidence"] = "high".into();
    value["environment"]["region"] = "EMEA".into();
    assert!(validator.is_valid(&value));
    // A cause of null is allowed (checks that are not one of the six causes).
    value["findings"][0]["cause"] = Value::Null;
    assert!(validator.is_valid(&value));
}
