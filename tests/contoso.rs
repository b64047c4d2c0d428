//! The expected answers of the bundled `contoso` scenario, transcribed from `docs/contoso.md`.
//! That table is the truth: when a check or the scenario disagrees, the code is wrong, not
//! this file (change both together when the scenario deliberately changes).

/// Mailbox-scoped check ids, in the table's column order.
pub const MAILBOX_CHECKS: [&str; 5] = [
    "mailbox-address-mismatch",
    "hybrid-profile-for-online-mailbox",
    "missing-exchange-online-license",
    "cross-tenant-exchange",
    "recreated-user",
];

/// Profile-scoped check ids, in the table's column order.
pub const PROFILE_CHECKS: [&str; 2] = ["ews-basic-auth-disabled", "exchange-online-basic-auth"];

/// Dataverse address → MAM, HYB, LIC, XT, REC.
pub const MAILBOXES: [(&str, [&str; 5]); 20] = [
    ("alice@contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
    ("bob@contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
    ("Heidi.Park@Contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
    ("frank.old@contoso.com", ["fail", "skip", "pass", "pass", "pass"]),
    ("g.hopper@contoso.com", ["warn", "skip", "pass", "pass", "pass"]),
    ("ingrid@contoso.com", ["pass", "fail", "pass", "skip", "pass"]),
    ("ivan@contoso.com", ["pass", "pass", "skip", "skip", "pass"]),
    ("judy@contoso.com", ["pass", "skip", "fail", "pass", "pass"]),
    ("kevin@contoso.com", ["pass", "skip", "fail", "pass", "pass"]),
    ("laura@contoso.com", ["pass", "skip", "fail", "pass", "pass"]),
    ("mallory@contoso.com", ["pass", "skip", "warn", "pass", "pass"]),
    ("nina@contoso.com", ["pass", "skip", "fail", "pass", "pass"]),
    ("support@contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
    ("boardroom@contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
    ("oscar@fabrikam.com", ["skip", "skip", "skip", "fail", "pass"]),
    ("peter@fabrikam.com", ["skip", "skip", "skip", "pass", "pass"]),
    ("quentin@contoso.com", ["pass", "skip", "skip", "skip", "pass"]),
    ("rita@contoso.com", ["pass", "skip", "skip", "skip", "pass"]),
    ("sam@contoso.com", ["pass", "skip", "pass", "pass", "fail"]),
    ("uma@contoso.com", ["pass", "skip", "pass", "pass", "pass"]),
];

/// Mailboxes that exist but are not in a default run (no server-side sync; inactive).
pub const NOT_IN_RUN: [&str; 2] = ["victor@contoso.com", "wendy@contoso.com"];

/// Profile name → EWS, EXOB, mailboxes listed on the finding.
pub const PROFILES: [(&str, [&str; 2], &[&str]); 6] = [
    ("Microsoft Exchange Online", ["skip", "pass"], &[]),
    ("Exchange Hybrid", ["skip", "skip"], &[]),
    ("Exchange On-Premises (Basic)", ["pass", "skip"], &[]),
    (
        "Exchange On-Premises (NTLM only)",
        ["fail", "skip"],
        &["quentin@contoso.com"],
    ),
    (
        "Legacy Exchange Online (Basic)",
        ["skip", "fail"],
        &["uma@contoso.com"],
    ),
    ("Fabrikam cross-tenant OAuth", ["skip", "pass"], &[]),
];
