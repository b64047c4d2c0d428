//! The shape of `ssync-doctor.toml` as written. Unknown keys are refused so that a typo
//! (`[[waivers]]`, `expiry`) is an error with its line instead of a setting silently ignored;
//! values that are checked after parsing keep their span to name their line.

use serde::Deserialize;
use toml::Spanned;

/// No `Debug`: a refused secret value must not be printable.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub connection: Connection,
    #[serde(default)]
    pub checks: Checks,
    #[serde(default)]
    pub alerts: Alerts,
    #[serde(default, rename = "waiver")]
    pub waivers: Vec<Spanned<Waiver>>,
    // Refused with a message of their own (see `Connection`).
    pub client_secret: Option<Spanned<toml::Value>>,
    pub secret: Option<Spanned<toml::Value>>,
    pub password: Option<Spanned<toml::Value>>,
}

/// Default connection settings. No secret keys: they are refused. No `Debug`:
/// a refused secret value must not be printable.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub org_url: Option<Spanned<String>>,
    pub tenant_id: Option<Spanned<String>>,
    pub client_id: Option<Spanned<String>>,
    pub authority_host: Option<Spanned<String>>,
    pub graph_url: Option<Spanned<String>>,
    /// Keys that would put a secret in a file. They are recognised (rather than left to the
    /// unknown-key error) only to refuse them with a message that says where a secret
    /// belongs. (`serde(flatten)` would share them, but does not work with
    /// `deny_unknown_fields`.)
    pub client_secret: Option<Spanned<toml::Value>>,
    pub secret: Option<Spanned<toml::Value>>,
    pub password: Option<Spanned<toml::Value>>,
}

/// The first secret key present among `client_secret`, `secret`, `password`, with its span.
pub fn first_secret(
    keys: [&Option<Spanned<toml::Value>>; 3],
) -> Option<(&'static str, std::ops::Range<usize>)> {
    ["client_secret", "secret", "password"]
        .into_iter()
        .zip(keys)
        .find_map(|(name, v)| v.as_ref().map(|v| (name, v.span())))
}

/// Which checks run, as `--check` and `--skip-check` would say it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    #[serde(default)]
    pub enable: Vec<Spanned<String>>,
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
}

/// `[alerts]`: which alerts the checks count.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// How many days back an alert counts (default 30).
    pub window_days: Option<Spanned<i64>>,
}

/// One `[[waiver]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub check: Spanned<String>,
    pub subject: Spanned<String>,
    /// Optional here so that a missing rationale gets our message and the waiver's line.
    pub rationale: Option<Spanned<String>>,
    pub expires: Option<Spanned<String>>,
    /// Only results with this reason (one the check declares, e.g. `approval-pending`).
    pub reason: Option<Spanned<String>>,
}
