//! The exact set of checks the runner links. If a check crate is dropped from
//! `src/bundled.rs` (or its registration breaks) this test fails.

#[test]
fn runner_links_exactly_the_bundled_checks() {
    let ids: Vec<&str> = ssync_runner::registered()
        .unwrap()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    let expected = [
        // xtask new-check: expected ids
        "exchange-online-basic-auth",
        "recreated-user",
        "ews-basic-auth-disabled",
        "cross-tenant-exchange",
        "missing-exchange-online-license",
        "hybrid-profile-for-online-mailbox",
        "mailbox-address-mismatch",
    ];
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(ids, expected);
}
