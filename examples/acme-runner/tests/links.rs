//! The team's binary carries every bundled check plus its own, and its check answers on the
//! demo what `acme-checks/contoso.toml` says.

use std::collections::BTreeSet;
use std::process::Command;

use ssync_sim::expected::Expected;

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
    // This test links the runner but not acme-checks: what it registers is the bundled set.
    let mut expected: BTreeSet<String> = ssync_runner::registered()
        .expect("bundled checks")
        .iter()
        .map(|r| r.meta().id.to_owned())
        .collect();
    expected.insert("acme-profile-is-default".into());
    let listed: BTreeSet<String> = checks
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn runs_the_custom_check_in_demo_through_the_raw_read() {
    let out = Command::new(env!("CARGO_BIN_EXE_acme-doctor"))
        .args([
            "demo",
            "--check",
            "acme-profile-is-default",
            "--format",
            "json",
            "--include-passing",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run acme-doctor demo");
    let expected = Expected::parse(include_str!("../../acme-checks/contoso.toml")).expect("contoso.toml");
    // A warn is not a fail: exit 0 unless the check is expected to fail somewhere.
    let fails = expected.status.values().any(|s| s == "fail");
    assert_eq!(
        out.status.code(),
        Some(i32::from(fails)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(
        Some(findings.len() as u64),
        v["summary"]["mailboxes"].as_u64(),
        "one result per mailbox"
    );
    for f in findings {
        assert_eq!(f["check"], "acme-profile-is-default");
        let address = f["mailboxes"][0]
            .as_str()
            .expect("a mailbox finding names its address");
        assert_eq!(
            f["status"],
            expected.status_of(address),
            "{address}: {}",
            f["message"]
        );
    }
}
