//! EWS endpoints that trust the wrong tenant or refuse EWS (`tests/scenarios/ews-access.toml`):
//! `hybrid-modern-auth-trust` per profile and `ews-access-blocked` per mailbox must give the
//! answers below, and no mailbox or profile built healthy may get a `fail` from any check.

use ssync_e2e::{answers_by_subject, mismatches, scenario_report};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/ews-access.toml");

/// (check, subject name or mailbox address) → expected status.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("hybrid-modern-auth-trust", "HMA trusting Woodgrove", "pass"),
    ("hybrid-modern-auth-trust", "HMA trusting every tenant", "pass"),
    ("hybrid-modern-auth-trust", "HMA trusting Tailspin", "fail"),
    ("hybrid-modern-auth-trust", "HMA without OAuth on EWS", "fail"),
    ("hybrid-modern-auth-trust", "Microsoft Exchange Online", "skip"),
    ("hybrid-modern-auth-trust", "On-premises, EWS off", "skip"),
    ("hybrid-modern-auth-trust", "On-premises, Basic", "skip"),
    ("ews-access-blocked", "ann@woodgrove.example", "pass"),
    ("ews-access-blocked", "ben@woodgrove.example", "fail"),
    ("ews-access-blocked", "cai@woodgrove.example", "pass"),
    ("ews-access-blocked", "dan@woodgrove.example", "pass"),
    ("ews-access-blocked", "eve@woodgrove.example", "fail"),
    ("ews-access-blocked", "fay@woodgrove.example", "pass"),
    ("ews-access-blocked", "gus@woodgrove.example", "pass"),
    ("ews-access-blocked", "hal@woodgrove.example", "pass"),
    ("ews-access-blocked", "ida@woodgrove.example", "pass"),
    ("ews-access-blocked", "jo@woodgrove.example", "pass"),
    // A 403 endpoint is not "Basic disabled".
    ("ews-basic-auth-disabled", "On-premises, EWS off", "skip"),
    ("ews-basic-auth-disabled", "On-premises, Basic", "pass"),
];

/// Subjects built healthy: no check may fail on them.
const HEALTHY: &[&str] = &[
    "ann@woodgrove.example",
    "cai@woodgrove.example",
    "dan@woodgrove.example",
    "fay@woodgrove.example",
    "gus@woodgrove.example",
    "hal@woodgrove.example",
    "HMA trusting Woodgrove",
    "HMA trusting every tenant",
    "On-premises, Basic",
    "Microsoft Exchange Online",
];

#[test]
fn each_mailbox_and_profile_gets_its_expected_answer() {
    let (out, report) = scenario_report(SCENARIO, &[]);
    let found = answers_by_subject(&report);
    let mut wrong = mismatches(&found, EXPECTED);
    for ((check, subject), (status, message)) in &found {
        if HEALTHY.contains(&subject.as_str()) && status == "fail" {
            wrong.push(format!("{check} fails on healthy {subject}: {message}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(out.status.code(), Some(1), "a fail exits 1");
}
