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
