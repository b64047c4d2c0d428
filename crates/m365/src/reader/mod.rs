//! The reader: HTTP and decoding. One method per kind of Microsoft read, each returning the
//! core's records (or a [`SourceError`]); no method remembers what it read.
//!
//! The layers of the live source depend one way:
//!
//! ```text
//! source (the DataSource impl) ──▶ policy (what to read in bulk) ──▶ reader (this module)
//!            │                         │
//!            └─────────────────────────┴──▶ facts (the single-flight caches)
//! ```
//!
//! This module knows nothing of the fact store, the policy or the source; `tests/layers.rs`
//! fails on an import that goes the other way.

mod alerts;
pub(crate) mod client;
mod dataverse;
pub(crate) mod decode;
mod discovery;
mod graph;
mod graph_batch;
pub(crate) mod key_ranges;
mod paging;
pub(crate) mod query;
mod raw;
pub(crate) mod user_ranges;

use std::sync::{Arc, OnceLock};

use serde_json::Value;
use ssync_core::SourceError;
use ssync_core::records::EwsProbe;
use url::Url;

use crate::identity::Identity;
use crate::settings::Options;
use crate::transport::{Service, Transport};
use client::Client;
use decode::Decoded;

pub(crate) use graph_batch::BatchReads;

/// What a read answers: the records, or why they could not be read.
pub(crate) type Read<T> = Result<T, SourceError>;

/// Reads Dataverse, Graph, OpenID discovery and the EWS probe for one connection.
pub(crate) struct Reader {
    pub(crate) client: Client,
    /// The environment's URL as configured, without a trailing slash (the organisation's
    /// record names it).
    org_url: String,
    /// The authority host, with a trailing slash: OpenID discovery is read there.
    authority: Url,
    /// The start of the alert window (RFC 3339): no older alert is read.
    alerts_since: OnceLock<String>,
}

impl Reader {
    pub(crate) fn new(client: Client, org_url: String, authority: Url) -> Self {
        Self {
            client,
            org_url,
            authority,
            alerts_since: OnceLock::new(),
        }
    }

    pub(crate) fn options(&self) -> &Options {
        self.client.transport.options()
    }

    pub(crate) fn transport(&self) -> &Arc<Transport> {
        &self.client.transport
    }

    pub(crate) fn identity(&self) -> &Arc<Identity> {
        &self.client.identity
    }

    /// Reads no alert last modified before `since` (RFC 3339); the first setting holds.
    pub(crate) fn set_alerts_since(&self, since: String) {
        let _ = self.alerts_since.set(since);
    }

    /// The start of the alert window in effect: as set, else the last 30 days.
    pub(crate) fn alerts_since(&self) -> String {
        self.alerts_since
            .get_or_init(|| {
                ssync_core::check::format_time(ssync_core::CheckOptions::default().alerts_since())
            })
            .clone()
    }

    /// The unauthenticated EWS challenge probe of one URL.
    pub(crate) async fn ews_probe(&self, url: &str) -> Read<EwsProbe> {
        crate::ews::probe(&self.client.transport, url).await
    }
}

/// Decodes every item of a collection, or says which one could not be.
pub(crate) fn decode_all<T>(
    service: Service,
    what: &str,
    items: &[Value],
    f: impl Fn(&Value) -> Decoded<T>,
) -> Result<Vec<T>, SourceError> {
    items
        .iter()
        .map(|v| {
            f(v).map_err(|why| SourceError::Malformed {
                service: service.name().to_owned(),
                detail: format!("{what}: {why}"),
            })
        })
        .collect()
}

/// A key the tool will not put in a URL.
fn bad_key(what: &str, value: &str) -> SourceError {
    SourceError::Unsupported(format!(
        "{what} {value:?} contains characters the tool does not send"
    ))
}
