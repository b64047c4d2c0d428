//! `ssync-sim`: a simulated Microsoft tenant — identity, Dataverse Web API, Microsoft Graph
//! and on-premises EWS endpoints — served over 127.0.0.1 with ephemeral ports, in the
//! documented shapes (`shared/reference/microsoft-apis.md`). The demo, the end-to-end tests
//! and the benchmarks run against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ssync_sim::SimError> {
//! let sim = ssync_sim::start(ssync_sim::Scenario::contoso(), ssync_sim::Knobs::default()).await?;
//! println!("Web API at {}/api/data/v9.2/", sim.org_url);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod assertion;
mod dataverse;
mod errors;
mod ews;
pub mod expected;
mod federation;
mod gate;
mod graph;
mod identity;
mod ids;
mod knobs;
mod latency;
mod limiter;
mod managed;
mod odata;
mod options;
mod penalty;
mod scenario;
mod server;
mod stats;

pub use assertion::{TEST_PFX, TEST_PFX_LEGACY, TEST_PFX_PASSWORD};
pub use federation::{FEDERATED_AUDIENCE, FEDERATED_ISSUER, FEDERATED_SUBJECT, federated_token};
pub use ids::sql_server_order;
pub use knobs::{FaultSpec, Faults, Knobs, Penalty, Service, ServiceLimits};
pub use latency::{RouteKind, RouteLatency, route_kind};
pub use managed::MANAGED_IDENTITY_HEADER;
pub use scenario::{Scenario, ScenarioError};
pub use server::{Sim, SimError, start};
pub use stats::{ServiceStats, Stats};
