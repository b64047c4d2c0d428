//! Evidence bundles: every fact a run's checks read, recorded once from a live source, so the
//! diagnosis can be repeated anywhere, without credentials or network, and handed to support.
//!
//! A bundle is one JSON document (`docs/bundles.md` is its reference):
//!
//! ```json
//! { "schema": "ssync-doctor/bundle/v1", "tool": {…}, "created_at": "…",
//!   "environment": {…}, "selection": {…}, "redacted": false, "facts": {…} }
//! ```
//!
//! It holds only what the data interface answered ([`Facts`]) plus a header; the data
//! interface carries no credential, so neither can a bundle.

mod build;
mod read;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use ssync_core::Facts;

use crate::report::Tool;

pub use build::{Collected, build};
pub use read::{BundleError, read, read_file};

/// The schema this version writes.
pub const SCHEMA: &str = "ssync-doctor/bundle/v1";
/// Every schema prefix a bundle of this tool carries; the version number follows it.
pub const SCHEMA_PREFIX: &str = "ssync-doctor/bundle/v";
/// The newest schema version this version reads.
pub const NEWEST_VERSION: u32 = 1;

/// An evidence bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// `ssync-doctor/bundle/v<N>`; see [`read`] for what is accepted.
    pub schema: String,
    /// The tool that collected the facts.
    pub tool: Tool,
    /// When the collection finished (RFC 3339, UTC).
    pub created_at: String,
    pub environment: BundleEnvironment,
    pub selection: BundleSelection,
    /// True when personal data was replaced by pseudonyms.
    pub redacted: bool,
    /// Every answer (and every failed read) of the data interface during the collection.
    pub facts: Facts,
}

/// Where the facts come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleEnvironment {
    /// The environment URL the collection connected to (its host pseudonymised when redacted).
    pub org_url: String,
    /// The environment's Entra tenant, when the environment could be read.
    #[serde(default)]
    pub tenant_id: Option<String>,
}

/// What the collection covered; `run --from` repeats it unless told otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleSelection {
    /// True for the default selection (every mailbox in a default run).
    pub all: bool,
    /// The mailboxes the checks ran on.
    #[serde(default)]
    pub mailboxes: Vec<SelectedMailbox>,
    /// The ids of the checks that ran.
    #[serde(default)]
    pub checks: Vec<String>,
}

/// One mailbox of the selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedMailbox {
    /// The mailbox record's id (never pseudonymised: it is not personal).
    pub id: String,
    /// Its e-mail address, or its name when it has none (pseudonymised when redacted).
    pub address: String,
}

impl Bundle {
    /// The bundle as pretty-printed JSON (people read bundles before they share them).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail.
        let _ = self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`Bundle::to_json`] written straight into `out`: a 100,000-mailbox bundle is over 200 MB
    /// of text that need not be held in memory beside the facts it is made of.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(out);
        // Plain data with string keys: only the writer can fail.
        serde_json::to_writer_pretty(&mut out, self).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// The `--mailbox` values that repeat the collection's selection: none for `--all`.
    pub fn mailbox_values(&self) -> Vec<String> {
        if self.selection.all {
            return Vec::new();
        }
        let mut values: Vec<String> = self
            .selection
            .mailboxes
            .iter()
            .map(|m| m.address.clone())
            .collect();
        values.dedup();
        values
    }

    /// How many facts the bundle holds, for the one-line summary.
    pub fn fact_count(&self) -> usize {
        let f = &self.facts;
        usize::from(f.environment.is_some())
            + f.profiles.len()
            + f.mailboxes.len()
            + f.system_users.len()
            + f.queues.len()
            + f.entra_users.len()
            + f.mailbox_locations.len()
            + f.deleted_users.len()
            + f.domain_tenants.len()
            + f.ews_probes.len()
            + f.alerts.len()
            + f.raw.len()
            + f.errors.len()
    }
}
