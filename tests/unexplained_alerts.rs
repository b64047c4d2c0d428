//! `unexplained-sync-alert` on a scenario of its own (`tests/scenarios/unexplained-alerts.toml`):
//! every kind of alert on otherwise healthy mailboxes gets the answer below, with all checks
//! selected and with the check alone (then nothing else explains the 401 or the licence).

use std::collections::BTreeMap;

use ssync_e2e::scenario_report;

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/unexplained-alerts.toml");
const CHECK: &str = "unexplained-sync-alert";

/// mailbox → (status, reason) of the check's finding.
fn answers(extra: &[&str]) -> BTreeMap<String, (String, String)> {
    let (_, report) = scenario_report(SCENARIO, extra);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == CHECK)
        .map(|f| {
            let status = f["status"].as_str().unwrap_or_default().to_owned();
            assert_ne!(status, "fail", "this check never fails: {f}");
            (
                f["mailboxes"][0].as_str().unwrap_or_default().to_owned(),
                (
                    status,
                    f["evidence"]["reason"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

fn assert_answers(got: &BTreeMap<String, (String, String)>, want: &[(&str, &str, &str)]) {
    let wrong: Vec<String> = want
        .iter()
        .filter_map(|(mailbox, status, reason)| match got.get(*mailbox) {
            Some((s, r)) if s == status && r == reason => None,
            other => Some(format!("{mailbox}: expected {status} {reason:?}, got {other:?}")),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(got.len(), want.len(), "one finding per mailbox: {got:?}");
}

#[test]
fn with_every_check_only_unclaimed_recent_error_alerts_warn() {
    assert_answers(
        &answers(&[]),
        &[
            ("amy@tailspin.example", "pass", ""),
            ("ben@tailspin.example", "pass", ""),
            ("cleo@tailspin.example", "warn", "privilege-denied"),
            ("dan@tailspin.example", "warn", "no-documented-cause"),
            ("eve@tailspin.example", "pass", ""),
            ("fay@tailspin.example", "pass", ""),
            ("hal@tailspin.example", "pass", ""),
            ("ivy@tailspin.example", "pass", ""),
        ],
    );
}

#[test]
fn alone_it_explains_nothing_and_names_the_documented_causes() {
    assert_answers(
        &answers(&["--check", CHECK]),
        &[
            ("amy@tailspin.example", "pass", ""),
            ("ben@tailspin.example", "warn", "invalid-license"),
            ("cleo@tailspin.example", "warn", "privilege-denied"),
            ("dan@tailspin.example", "warn", "no-documented-cause"),
            ("eve@tailspin.example", "pass", ""),
            ("fay@tailspin.example", "pass", ""),
            ("hal@tailspin.example", "pass", ""),
            ("ivy@tailspin.example", "warn", "unauthorized-401"),
        ],
    );
}
