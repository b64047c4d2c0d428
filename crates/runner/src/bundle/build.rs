//! Making a bundle from a collection's recorded facts, redacted on request.

use std::collections::HashMap;

use ssync_core::Facts;
use ssync_core::redact::{Pseudonyms, redact};

use super::{Bundle, BundleEnvironment, BundleSelection, SCHEMA, SelectedMailbox};
use crate::report::Tool;

/// What a collection produced.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Everything the checks read, through a `RecordingSource`.
    pub facts: Facts,
    /// The environment URL the collection connected to.
    pub org_url: String,
    /// True for the default selection.
    pub all: bool,
    /// The mailboxes the checks ran on, as records of `facts`.
    pub mailbox_ids: Vec<String>,
    /// The ids of the checks that ran.
    pub checks: Vec<String>,
}

/// The bundle of a collection and, when `redacted`, the table that undoes the redaction
/// (which is never part of the bundle).
pub fn build(collected: Collected, redacted: bool) -> (Bundle, Option<Pseudonyms>) {
    let Collected {
        facts,
        org_url,
        all,
        mailbox_ids,
        checks,
    } = collected;
    let (facts, table, org_url) = if redacted {
        let (facts, table) = redact(&facts);
        let org_url = pseudonymise_host(&org_url, &table);
        (facts, Some(table), org_url)
    } else {
        (facts, None, org_url)
    };
    // Addresses come from the (possibly redacted) records, so they match the bundle's facts.
    // Found through a table of ids: a scan per mailbox made a 100,000-mailbox collection
    // quadratic (most of its 104 s).
    let by_id: HashMap<&str, &ssync_core::records::Mailbox> =
        facts.mailboxes.iter().map(|m| (m.id.as_str(), m)).collect();
    let mailboxes = mailbox_ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .map(|m| SelectedMailbox {
            id: m.id.clone(),
            address: m.display_address().to_owned(),
        })
        .collect();
    let bundle = Bundle {
        schema: SCHEMA.into(),
        tool: Tool::this(),
        created_at: crate::engine::now(),
        environment: BundleEnvironment {
            org_url,
            tenant_id: facts.environment.as_ref().map(|e| e.tenant_id.clone()),
        },
        selection: BundleSelection {
            all,
            mailboxes,
            checks,
        },
        redacted,
        facts,
    };
    (bundle, table)
}

/// `url` with its host replaced by its pseudonym, when redaction gave the host one.
fn pseudonymise_host(url: &str, table: &Pseudonyms) -> String {
    let Some(host) = ssync_core::hosts::host_of(url) else {
        return url.to_owned();
    };
    match table.get(&host) {
        Some(pseudo) => match url.to_ascii_lowercase().find(&host) {
            Some(at) => format!("{}{pseudo}{}", &url[..at], &url[at + host.len()..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
