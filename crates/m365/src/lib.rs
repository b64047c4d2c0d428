//! # ssync-m365 — the live data source of ssync-doctor
//!
//! [`LiveSource`] implements the core's [`DataSource`](ssync_core::DataSource) over HTTP:
//!
//! * **identity** — OAuth 2.0 client credentials (secret or certificate) or the Azure CLI;
//!   one token per audience (Dataverse, Graph), cached and renewed before expiry;
//! * **Dataverse** Web API v9.2 — OData GETs with `$select`/`$filter`, `Prefer:
//!   odata.maxpagesize` paging and lookup annotations;
//! * **Microsoft Graph** v1.0 — users, mailbox settings (`$batch` of 20), deleted users;
//! * **OpenID discovery** per mail domain, and the unauthenticated **EWS challenge probe**.
//!
//! Every fact is read at most once per run, and [`DataSource::prepare`](ssync_core::DataSource::prepare)
//! reads in bulk for the run's mailboxes (see the `policy` module for the targeted/bulk
//! threshold). Three layers depend one way: the `reader` (HTTP and decoding) and the `facts`
//! store (the caches) know nothing of each other, the `policy` drives the one to fill the
//! other, and `source` composes them into the [`DataSource`](ssync_core::DataSource). Transport: timeouts, retries with backoff honouring `Retry-After`, concurrency
//! caps, a response size cap, https only (http for loopback hosts), user agent
//! `ssync-doctor/<version>`. No secret or token appears in `Debug`, logs or errors.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ssync_m365::ConnectError> {
//! use ssync_m365::{Credential, LiveSource, Options, Settings};
//! let source = LiveSource::connect(
//!     Settings {
//!         org_url: "https://contoso.crm.dynamics.com".into(),
//!         tenant_id: "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b".into(),
//!         client_id: "11111111-2222-3333-4444-555555555555".into(),
//!         credential: Credential::Secret(std::env::var("AZURE_CLIENT_SECRET").unwrap_or_default().into()),
//!         authority_host: ssync_m365::DEFAULT_AUTHORITY_HOST.into(),
//!         graph_url: ssync_m365::DEFAULT_GRAPH_URL.into(),
//!     },
//!     Options::default(),
//! )
//! .await?;
//! # let _ = source; Ok(()) }
//! ```

mod assertion;
mod azcli;
pub mod challenge;
mod error;
mod ews;
mod facts;
mod failure;
mod identity;
#[cfg(test)]
mod leak_tests;
mod managed;
mod overrides;
mod policy;
mod proxy;
mod reader;
mod settings;
mod source;
mod transport;

pub use error::ConnectError;
pub use overrides::{
    CONNECT_TIMEOUT_VAR, MAX_BACKOFF_VAR, MAX_RETRIES_VAR, REQUEST_TIMEOUT_VAR, RUN_TIMEOUT_VAR,
};
pub use settings::{
    Credential, DATAVERSE_MAX_CONCURRENCY, DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_URL, IMDS_BASE,
    ManagedIdentity, Options, Settings,
};
pub use source::LiveSource;
pub use transport::ClientStats;
