//! `ssync-doctor demo` on the bundled `contoso` scenario gives exactly the answers each
//! registered check expects (its `contoso.toml`), through the built binary. The table is
//! built from `ssync-doctor list`, so a new check is covered without an edit here.

use std::collections::BTreeMap;

use serde_json::Value;
use ssync_e2e::contoso::{MAILBOXES, NOT_IN_RUN, PROFILES, expected_answers};
use ssync_e2e::{run, stderr, stdout};
use ssync_sim::expected::{Expected, STATUSES};

/// (check, subject kind, key) → finding, where the key is the mailbox's address for a
/// mailbox finding and the profile's name for a profile finding.
fn by_subject(report: &Value) -> BTreeMap<(String, String, String), Value> {
    let mut map = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        let kind = f["subject"]["kind"].as_str().expect("kind").to_owned();
        let key = if kind == "mailbox" {
            let listed = f["mailboxes"].as_array().expect("mailboxes");
            assert_eq!(listed.len(), 1, "a mailbox finding lists its own address: {f}");
            listed[0].as_str().expect("address").to_owned()
        } else {
            f["subject"]["name"].as_str().expect("name").to_owned()
        };
        let check = f["check"].as_str().expect("check").to_owned();
        let previous = map.insert((check, kind, key), f.clone());
        assert!(previous.is_none(), "two findings for one check and subject: {f}");
    }
    map
}

fn demo_report(extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["demo", "--format", "json", "--include-passing"];
    args.extend_from_slice(extra);
    let out = run(&args);
    let report = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("demo prints a JSON report ({e}); stderr:\n{}", stderr(&out)));
    (out.status.code(), report)
}

/// One registered check as `list` shows it, with its expected answers.
struct Registered {
    id: String,
    scope: String,
    expected: Expected,
}

/// Every check the binary registers, each with its `contoso.toml`.
fn registered_checks() -> Vec<Registered> {
    let out = run(&["list", "--format", "json"]);
    let list: Value = serde_json::from_str(&stdout(&out)).expect("list prints JSON");
    let checks = list["checks"].as_array().expect("checks");
    assert!(!checks.is_empty(), "the binary registers no check");
    checks
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_owned();
            let crate_name = c["crate"].as_str().expect("crate");
            Registered {
                expected: expected_answers(&id, crate_name),
                scope: c["scope"].as_str().expect("scope").to_owned(),
                id,
            }
        })
        .collect()
}

/// Expected count per status over the whole run, from every check's answers.
fn expected_counts(checks: &[Registered]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for check in checks {
        let subjects: &[&str] = if check.scope == "profile" {
            &PROFILES
        } else {
            &MAILBOXES
        };
        for subject in subjects {
            *counts.entry(check.expected.status_of(subject)).or_default() += 1;
        }
    }
    counts
}

#[test]
fn demo_reproduces_every_checks_expected_answers() {
    let (code, report) = demo_report(&[]);
    assert_eq!(report["schema"], "ssync-doctor/report/v1");
    assert_eq!(report["environment"]["source"], "demo");
    assert_eq!(
        report["environment"]["tenant_id"],
        "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b"
    );
    let found = by_subject(&report);
    let checks = registered_checks();

    let mut disagreements = Vec::new();
    let mut expected_findings = 0;
    for check in &checks {
        let id = &check.id;
        let (kind, subjects): (&str, &[&str]) = match check.scope.as_str() {
            "mailbox" => ("mailbox", &MAILBOXES),
            "profile" => ("profile", &PROFILES),
            other => panic!("check `{id}` has scope {other}; teach this test that scope"),
        };
        for key in check
            .expected
            .status
            .keys()
            .chain(check.expected.mailboxes.keys())
        {
            if !subjects.contains(&key.as_str()) {
                disagreements.push(format!(
                    "{id}'s contoso.toml names `{key}`, which is not a {kind} of the run"
                ));
            }
        }
        for subject in subjects {
            expected_findings += 1;
            let want = check.expected.status_of(subject);
            match found.get(&(id.clone(), kind.to_owned(), (*subject).to_owned())) {
                None => disagreements.push(format!("{id} on {kind} {subject}: expected {want}, no finding")),
                Some(f) => {
                    if f["status"] != want {
                        disagreements.push(format!(
                            "{id} on {kind} {subject}: expected {want}, got {} ({})",
                            f["status"], f["message"]
                        ));
                    }
                    if kind == "profile" {
                        let wanted: Vec<&str> = check
                            .expected
                            .mailboxes_of(subject)
                            .iter()
                            .map(String::as_str)
                            .collect();
                        let got: Vec<&str> = f["mailboxes"]
                            .as_array()
                            .expect("mailboxes")
                            .iter()
                            .filter_map(Value::as_str)
                            .collect();
                        if got != wanted {
                            disagreements.push(format!(
                                "{id} on profile {subject}: expected mailboxes {wanted:?}, got {got:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    for absent in NOT_IN_RUN {
        if found.keys().any(|(_, _, key)| key.eq_ignore_ascii_case(absent)) {
            disagreements.push(format!("{absent} is not in the run, yet has findings"));
        }
    }
    if found.len() != expected_findings {
        disagreements.push(format!(
            "expected {expected_findings} findings, got {}",
            found.len()
        ));
    }
    assert!(
        disagreements.is_empty(),
        "demo disagrees with the checks' contoso.toml:\n  {}",
        disagreements.join("\n  ")
    );

    let summary = &report["summary"];
    assert_eq!(summary["mailboxes"], MAILBOXES.len());
    let counts = expected_counts(&checks);
    for status in STATUSES {
        assert_eq!(
            summary[status].as_u64(),
            Some(counts.get(status).copied().unwrap_or(0) as u64),
            "summary.{status}"
        );
    }
    let fails = counts.get("fail").copied().unwrap_or(0);
    assert!(fails > 0, "contoso is built so that checks fail");
    assert_eq!(code, Some(1), "a run with failures exits 1");
}

#[test]
fn demo_findings_are_in_a_stable_order_with_fix_and_evidence() {
    let (_, report) = demo_report(&[]);
    let findings = report["findings"].as_array().unwrap();
    let keys: Vec<(String, String, String, String)> = findings
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&f["check"]),
                s(&f["subject"]["kind"]),
                s(&f["subject"]["name"]),
                s(&f["subject"]["id"]),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "findings sorted by check, subject kind, name, id");
    for f in findings.iter().filter(|f| f["status"] == "fail") {
        assert!(
            f["remediation"].as_str().is_some_and(|r| !r.is_empty()),
            "fail without a fix: {f}"
        );
        assert!(
            f["evidence"].as_object().is_some_and(|e| !e.is_empty()),
            "fail without evidence: {f}"
        );
    }
}

#[test]
fn without_include_passing_only_problems_are_listed_and_exit_zero_is_honoured() {
    let out = run(&["demo", "--format", "json", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["status"] != "pass"));
    let fails = expected_counts(&registered_checks())
        .get("fail")
        .copied()
        .unwrap_or(0);
    assert_eq!(
        report["summary"]["fail"], fails,
        "the summary still counts everything"
    );
}

#[test]
fn demo_selection_narrows_the_run() {
    let (code, report) = demo_report(&[
        "--mailbox",
        "FRANK.OLD@contoso.com",
        "--check",
        "mailbox-address-mismatch",
        "--check",
        "ews-basic-auth-disabled",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["mailboxes"], 1);
    let found = by_subject(&report);
    let keys: Vec<_> = found.keys().cloned().collect();
    assert_eq!(
        keys,
        [
            (
                "ews-basic-auth-disabled".into(),
                "profile".into(),
                "Microsoft Exchange Online".into()
            ),
            (
                "mailbox-address-mismatch".into(),
                "mailbox".into(),
                "frank.old@contoso.com".into()
            ),
        ]
    );

    let (code, report) = demo_report(&[
        "--skip-check",
        "mailbox-address-mismatch",
        "--mailbox",
        "alice@contoso.com",
    ]);
    assert_eq!(code, Some(0), "alice is healthy");
    assert!(
        by_subject(&report)
            .keys()
            .all(|(check, _, _)| check != "mailbox-address-mismatch")
    );
}

#[test]
fn demo_text_report_is_the_default() {
    let out = run(&["demo"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "not JSON by default:\n{text}"
    );
    assert!(text.contains("frank.old@contoso.com"), "{text}");
}

/// One run writes HTML, JSON, SARIF and CSV that agree on the findings, says on standard error
/// where they are, and `-` puts a text report on standard output beside them.
#[test]
fn one_run_writes_every_format_and_they_agree() {
    let dir = std::env::temp_dir().join(format!("ssync-e2e-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = |name: &str| dir.join(name).display().to_string();
    let (html, json, sarif, csv) = (path("r.html"), path("r.json"), path("r.sarif"), path("r.CSV"));
    let out = run(&[
        "demo", "-o", &html, "-o", &json, "-o", &sarif, "-o", &csv, "-o", "-",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("FAIL: ") && err.contains("r.html") && err.contains("r.CSV"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("Problems:"),
        "the text report on standard output"
    );

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let problems: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["warn", "fail", "error"].contains(&f["status"].as_str().unwrap()))
        .collect();
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<tr class=\"finding").count(), problems.len());
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let errors = problems.iter().filter(|f| f["status"] == "error").count();
    assert_eq!(
        results.len(),
        problems.len() - errors,
        "SARIF lists warn and fail as results"
    );
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.starts_with('\u{feff}'), "Excel's UTF-8 mark");
    let rows = table
        .split("\r\n")
        .filter(|l| l.starts_with("fail,") || l.starts_with("warn,"))
        .count();
    let json_fail_warn = problems.iter().filter(|f| f["status"] != "error").count();
    assert_eq!(rows, json_fail_warn, "CSV and JSON list the same problems");
    for f in &problems {
        let check = f["check"].as_str().unwrap();
        assert!(page.contains(check) && table.contains(check));
    }
    let mailbox = problems
        .iter()
        .find(|f| f["subject"]["kind"] == "mailbox")
        .unwrap();
    assert!(
        mailbox["subject"]["state"]["incoming"].is_string(),
        "the subject carries its state"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let bad = run(&["demo", "--format", "JSON", "-o", &path("x.html")]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a format that contradicts the extension"
    );
    assert!(stderr(&bad).contains("contradicts"), "{}", stderr(&bad));
}
