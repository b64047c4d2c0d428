//! The team's binary carries the seven bundled checks plus its own.

use std::process::Command;

#[test]
fn lists_the_bundled_checks_and_the_custom_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_acme-doctor"))
        .args(["list", "--format", "json"])
        .output()
        .expect("run acme-doctor");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let checks = v["checks"].as_array().expect("checks");
    let custom = checks
        .iter()
        .find(|c| c["id"] == "acme-profile-is-default")
        .expect("custom check listed");
    assert_eq!(custom["crate"], "acme-checks");
    let bundled = checks
        .iter()
        .filter(|c| c["crate"].as_str().is_some_and(|k| k.starts_with("ssync-check-")))
        .count();
    assert_eq!(bundled, 7);
    assert_eq!(checks.len(), 8);
}

#[test]
fn runs_the_custom_check_in_demo_through_the_raw_read() {
    let out = Command::new(env!("CARGO_BIN_EXE_acme-doctor"))
        .args(["demo", "--check", "acme-profile-is-default", "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run acme-doctor demo");
    // A warn is not a fail: exit 0.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["check"] == "acme-profile-is-default"));
    // contoso: six mailboxes are on a profile other than the default Exchange Online one
    // (docs/contoso.md): ingrid and ivan (hybrid), peter (cross-tenant), quentin and rita
    // (on-premises), uma (legacy Basic).
    let mut warned: Vec<&str> = findings
        .iter()
        .filter(|f| f["status"] == "warn")
        .filter_map(|f| f["mailboxes"][0].as_str())
        .collect();
    warned.sort_unstable();
    assert_eq!(
        warned,
        [
            "ingrid@contoso.com",
            "ivan@contoso.com",
            "peter@fabrikam.com",
            "quentin@contoso.com",
            "rita@contoso.com",
            "uma@contoso.com"
        ]
    );
    assert_eq!(v["summary"]["pass"], 14);
}
