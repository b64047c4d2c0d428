//! `--format sarif`: the sample report validates against the official SARIF 2.1.0 schema and
//! hangs together (every result's rule exists, errors become notifications, skips stay out).

use serde_json::Value;
use ssync_core::Status;
use ssync_runner::report::{self, Format, RenderOptions, sample};

const SARIF_SCHEMA: &str = include_str!("../src/report/sarif-schema-2.1.0.json");

fn sarif(include_passing: bool) -> Value {
    let opts = RenderOptions {
        include_passing,
        color: false,
        ..RenderOptions::default()
    };
    let text = report::render(&sample::report(), Format::Sarif, &opts);
    serde_json::from_str(&text).expect("SARIF output is JSON")
}

fn validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(SARIF_SCHEMA).unwrap();
    // The published schema's `language` patterns (run, toolComponent) have a stray `]` that the
    // Rust regex engine refuses; we never write `language`, so they are replaced by the intended
    // pattern here and the copied file stays verbatim.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[test]
fn validates_against_the_sarif_2_1_0_schema() {
    let validator = validator();
    for include_passing in [false, true] {
        let log = sarif(include_passing);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn the_schema_rejects_a_broken_log() {
    let validator = validator();
    let mut log = sarif(false);
    log["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&log));
    let mut log = sarif(false);
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&log));
}

#[test]
fn rules_come_from_check_metadata_and_results_point_at_them() {
    let report = sample::report();
    let log = sarif(false);
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, expected);
    let mam = &rules[ids.iter().position(|i| *i == "mailbox-address-mismatch").unwrap()];
    assert_eq!(
        mam["shortDescription"]["text"],
        "Mailbox address matches the Exchange mailbox"
    );
    assert_eq!(mam["defaultConfiguration"]["level"], "error");
    assert!(
        mam["helpUri"]
            .as_str()
            .unwrap()
            .starts_with("https://learn.microsoft.com/")
    );
    assert!(
        mam["help"]["text"]
            .as_str()
            .unwrap()
            .contains("Test & Enable Mailbox")
    );

    let results = run["results"].as_array().unwrap();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id, "ruleIndex points at the rule");
    }
    // warn and fail only: 10 fails at error level, 2 warns at warning level.
    let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
    assert_eq!(
        levels.iter().filter(|l| **l == "error").count(),
        report.summary.fail
    );
    assert_eq!(
        levels.iter().filter(|l| **l == "warning").count(),
        report.summary.warn
    );
    assert_eq!(results.len(), report.summary.fail + report.summary.warn);
}

#[test]
fn results_name_the_subject_the_mailboxes_and_the_evidence() {
    let log = sarif(false);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let frank = results
        .iter()
        .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "Frank Miller")
        .expect("Frank's result");
    let logical = &frank["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["kind"], "mailbox");
    assert_eq!(logical["fullyQualifiedName"], "mailbox/Frank Miller");
    assert_eq!(frank["properties"]["mailboxes"][0], "frank.old@contoso.com");
    assert_eq!(
        frank["properties"]["evidence"]["exchange_primary"],
        "frank@contoso.com"
    );
    let legacy = results
        .iter()
        .find(|r| r["ruleId"] == "exchange-online-basic-auth")
        .unwrap();
    assert_eq!(legacy["locations"][0]["logicalLocations"][0]["kind"], "profile");
    assert_eq!(legacy["properties"]["mailboxes"][0], "uma@contoso.com");
}

#[test]
fn errors_are_notifications_and_skips_appear_only_with_include_passing() {
    let report = sample::report();
    let log = sarif(false);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), report.summary.error);
    assert_eq!(notes[0]["associatedRule"]["id"], "recreated-user");
    assert_eq!(notes[0]["level"], "error");

    let all = sarif(true);
    let results = all["runs"][0]["results"].as_array().unwrap();
    let count = |kind: &str| results.iter().filter(|r| r["kind"] == kind).count();
    assert_eq!(count("notApplicable"), report.summary.skip);
    assert_eq!(count("pass"), report.summary.pass);
    assert_eq!(count("fail"), report.summary.fail + report.summary.warn);
    assert!(!report.findings.iter().all(|f| f.status != Status::Error));
}

/// A result with a reason gets the hierarchical rule id `check/reason` (SARIF 2.1.0 §3.27.5),
/// its `ruleIndex` still the check's rule.
#[test]
fn a_reason_makes_a_hierarchical_rule_id() {
    let mut report = ssync_runner::report::sample::report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == ssync_core::Status::Fail)
        .expect("a fail");
    f.evidence.insert("reason".into(), "approval-pending".into());
    let check = f.check.clone();
    let text = ssync_runner::report::render(
        &report,
        ssync_runner::report::Format::Sarif,
        &ssync_runner::report::RenderOptions::default(),
    );
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == format!("{check}/approval-pending").as_str())
        .expect("the result with its reason");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], check.as_str());
}
