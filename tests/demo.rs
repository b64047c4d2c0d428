//! `ssync-doctor demo` on the bundled `contoso` scenario gives exactly the answers of
//! `docs/contoso.md` (transcribed in `contoso.rs`), through the built binary.

use std::collections::BTreeMap;

use serde_json::Value;
use ssync_e2e::contoso::{MAILBOX_CHECKS, MAILBOXES, NOT_IN_RUN, PROFILE_CHECKS, PROFILES};
use ssync_e2e::{run, stderr, stdout};

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

#[test]
fn demo_reproduces_the_whole_contoso_table() {
    let (code, report) = demo_report(&[]);
    assert_eq!(report["schema"], "ssync-doctor/report/v1");
    assert_eq!(report["environment"]["source"], "demo");
    assert_eq!(
        report["environment"]["tenant_id"],
        "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b"
    );
    let found = by_subject(&report);

    let mut disagreements = Vec::new();
    let mut expected_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (address, statuses) in MAILBOXES {
        for (check, want) in MAILBOX_CHECKS.iter().zip(statuses) {
            *expected_counts.entry(want).or_default() += 1;
            match found.get(&(check.to_string(), "mailbox".into(), address.to_string())) {
                None => disagreements.push(format!("{check} on {address}: expected {want}, no finding")),
                Some(f) if f["status"] != want => disagreements.push(format!(
                    "{check} on {address}: expected {want}, got {} ({})",
                    f["status"], f["message"]
                )),
                Some(_) => {}
            }
        }
    }
    for (profile, statuses, listed) in PROFILES {
        for (check, want) in PROFILE_CHECKS.iter().zip(statuses) {
            *expected_counts.entry(want).or_default() += 1;
            match found.get(&(check.to_string(), "profile".into(), profile.to_string())) {
                None => disagreements.push(format!(
                    "{check} on profile {profile}: expected {want}, no finding"
                )),
                Some(f) => {
                    if f["status"] != want {
                        disagreements.push(format!(
                            "{check} on profile {profile}: expected {want}, got {} ({})",
                            f["status"], f["message"]
                        ));
                    }
                    let wanted_list: &[&str] = if want == "fail" { listed } else { &[] };
                    let got: Vec<&str> = f["mailboxes"]
                        .as_array()
                        .expect("mailboxes")
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    if got != wanted_list {
                        disagreements.push(format!(
                            "{check} on profile {profile}: expected mailboxes {wanted_list:?}, got {got:?}"
                        ));
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
    let expected_findings = MAILBOXES.len() * MAILBOX_CHECKS.len() + PROFILES.len() * PROFILE_CHECKS.len();
    if found.len() != expected_findings {
        disagreements.push(format!(
            "expected {expected_findings} findings, got {}",
            found.len()
        ));
    }
    assert!(
        disagreements.is_empty(),
        "demo disagrees with docs/contoso.md:\n  {}",
        disagreements.join("\n  ")
    );

    // Totals: 20 mailboxes; ten fails (LIC four times), two warnings, no error.
    let summary = &report["summary"];
    assert_eq!(summary["mailboxes"], 20);
    assert_eq!(expected_counts.get("fail"), Some(&10));
    assert_eq!(expected_counts.get("warn"), Some(&2));
    for status in ["pass", "warn", "fail", "skip", "error"] {
        assert_eq!(
            summary[status].as_u64(),
            Some(expected_counts.get(status).copied().unwrap_or(0) as u64),
            "summary.{status}"
        );
    }
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
    assert_eq!(
        report["summary"]["fail"], 10,
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
