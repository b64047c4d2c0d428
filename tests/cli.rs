//! `list` and `explain` through the built binary.

use ssync_e2e::{run, stderr, stdout};

#[test]
fn list_json_carries_every_metadata_field() {
    let out = run(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("list prints JSON");
    let checks = v["checks"].as_array().expect("checks array");
    let mam = checks
        .iter()
        .find(|c| c["id"] == "mailbox-address-mismatch")
        .expect("bundled check listed");
    assert_eq!(mam["cause"], 1);
    assert_eq!(mam["scope"], "mailbox");
    assert_eq!(mam["crate"], "ssync-check-mailbox-address-mismatch");
    for field in [
        "title",
        "summary",
        "explain",
        "remediation",
        "severity",
        "docs",
        "reads",
        "permissions",
    ] {
        assert!(!mam[field].is_null(), "missing {field}");
    }
}

#[test]
fn explain_prints_the_check_text() {
    let out = run(&["explain", "mailbox-address-mismatch"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("## How to fix it") && text.contains("Test & Enable"),
        "{text}"
    );
}

#[test]
fn explain_unknown_id_exits_2_and_suggests_the_closest() {
    let out = run(&["explain", "mailbox-adress-mismatch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("Did you mean `mailbox-address-mismatch`"), "{err}");
    assert!(err.contains("Known checks:"), "{err}");
}

#[test]
fn usage_error_exits_2() {
    let out = run(&["list", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}
