//! The bundled `contoso` scenario as the end-to-end tests see it: which mailboxes and
//! profiles a default run covers (from `docs/contoso.md`), and where each check keeps its
//! expected answers (`contoso.toml` beside the check, read with [`expected_answers`]).

use std::path::{Path, PathBuf};

use ssync_sim::expected::Expected;

/// The Dataverse address of every mailbox a default run covers.
pub const MAILBOXES: [&str; 27] = [
    "alice@contoso.com",
    "bob@contoso.com",
    "Heidi.Park@Contoso.com",
    "frank.old@contoso.com",
    "g.hopper@contoso.com",
    "ingrid@contoso.com",
    "ivan@contoso.com",
    "judy@contoso.com",
    "kevin@contoso.com",
    "laura@contoso.com",
    "mallory@contoso.com",
    "nina@contoso.com",
    "support@contoso.com",
    "boardroom@contoso.com",
    "oscar@fabrikam.com",
    "peter@fabrikam.com",
    "quentin@contoso.com",
    "rita@contoso.com",
    "sam@contoso.com",
    "uma@contoso.com",
    "xena@contoso.com",
    "yuri@contoso.com",
    "hank@contoso.com",
    "fiona@contoso.com",
    "zoe@contoso.com",
    // cross-tenant-app-credentials.
    "nora@northwindtraders.com",
    // mailbox-email-not-approved: not approved by a Microsoft 365 administrator.
    "xavier@contoso.com",
];

/// Mailboxes that exist but are not in a default run (no server-side sync; inactive).
pub const NOT_IN_RUN: [&str; 2] = ["victor@contoso.com", "wendy@contoso.com"];

/// The name of every profile that at least one mailbox of a default run uses.
pub const PROFILES: [&str; 9] = [
    "Microsoft Exchange Online",
    "Exchange Hybrid",
    "Exchange On-Premises (Basic)",
    "Exchange On-Premises (NTLM only)",
    "Legacy Exchange Online (Basic)",
    "Fabrikam cross-tenant OAuth",
    "Exchange Hybrid (Fabrikam trust)",
    "Exchange On-Premises (EWS blocked)",
    // cross-tenant-app-credentials.
    "Northwind cross-tenant OAuth",
];

/// The directory of a bundled check crate: `crates/checks/<name without ssync-check->`, the
/// layout `cargo xtask new-check` creates.
pub fn check_dir(crate_name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let dir = crate_name.strip_prefix("ssync-check-").unwrap_or(crate_name);
    root.join("crates/checks").join(dir)
}

/// A check's expected answers on contoso, from the `contoso.toml` in its crate.
pub fn expected_answers(check: &str, crate_name: &str) -> Expected {
    let path = check_dir(crate_name).join("contoso.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "check `{check}` has no expected answers on contoso ({}: {e}); write what it answers \
             there (see docs/writing-a-check.md)",
            path.display()
        )
    });
    Expected::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
