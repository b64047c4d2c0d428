//! Profiles stored the way real organisations store them (`tests/scenarios/profile-targets.toml`,
//! docs/profile-target.md): Exchange Online as servertype 3 (Dynamics 365 on-premises) and as 0
//! with the display name "Exchange Online" (online organisations), and an on-premises profile
//! whose display text says "Exchange Online". Each check must give the answer below.

use ssync_e2e::{answers_by_subject, mismatches, scenario_report};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/profile-targets.toml");

/// (check, subject name or mailbox address) → expected status.
const EXPECTED: &[(&str, &str, &str)] = &[
    // servertype 3: Exchange Online, same tenant.
    ("missing-exchange-online-license", "ann@northwind.example", "pass"),
    ("cross-tenant-exchange", "ann@northwind.example", "pass"),
    (
        "hybrid-profile-for-online-mailbox",
        "ann@northwind.example",
        "skip",
    ),
    ("missing-exchange-online-license", "ben@northwind.example", "fail"),
    ("cross-tenant-exchange", "ben@northwind.example", "pass"),
    // servertype 0, "Exchange Online", no location: Exchange Online.
    (
        "missing-exchange-online-license",
        "carl@northwind.example",
        "pass",
    ),
    ("cross-tenant-exchange", "carl@northwind.example", "pass"),
    (
        "hybrid-profile-for-online-mailbox",
        "carl@northwind.example",
        "skip",
    ),
    // servertype 0 pointing at on-premises EWS with profile credentials: on-premises.
    (
        "missing-exchange-online-license",
        "dora@northwind.example",
        "skip",
    ),
    ("cross-tenant-exchange", "dora@northwind.example", "skip"),
    ("ews-basic-auth-disabled", "Head office Exchange", "fail"),
    ("exchange-online-basic-auth", "Head office Exchange", "skip"),
    // The Exchange Online profiles send no password, whatever their protocol field says.
    (
        "exchange-online-basic-auth",
        "Exchange Online from Dynamics 365 on-premises",
        "pass",
    ),
    ("exchange-online-basic-auth", "Microsoft Exchange Online", "pass"),
    ("ews-basic-auth-disabled", "Microsoft Exchange Online", "skip"),
];

#[test]
fn every_profile_target_gets_its_expected_answers() {
    let (out, report) = scenario_report(SCENARIO, &[]);
    let found = answers_by_subject(&report);
    let wrong = mismatches(&found, EXPECTED);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(out.status.code(), Some(1), "a fail exits 1");
}
