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
