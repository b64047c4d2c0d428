//! The escape hatch is polite: the acme check asks for the organisation's default profile on
//! every mailbox, and the live source answers that raw read once per run (#15).

use acme_checks::{DEFAULT_PROFILE_QUERY, ProfileIsDefault};
use ssync_core::Check;
use ssync_m365::{LiveSource, Options};
use ssync_runner::engine::{self, EngineOptions, Selection};
use ssync_sim::{Knobs, Scenario, Service};

/// Requests the simulator counted on the `organizations` entity set.
fn organization_reads(sim: &ssync_sim::Sim) -> u64 {
    let stats = sim.stats();
    stats
        .service(Service::Dataverse)
        .routes
        .iter()
        .filter(|(route, _)| route.ends_with("/organizations"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_custom_check_reads_the_organisation_once_per_run() {
    assert!(DEFAULT_PROFILE_QUERY.starts_with("organizations?"));
    let sim = ssync_sim::start(Scenario::contoso(), Knobs::default())
        .await
        .expect("the simulator starts");
    let source = LiveSource::connect(ssync_runner::sim_settings(&sim), Options::default())
        .await
        .expect("connects to the simulator");
    let before = organization_reads(&sim);
    let checks: [&dyn Check; 1] = [&ProfileIsDefault];
    let opts = EngineOptions::new(sim.org_url.clone(), "live");
    let report = engine::diagnose(&source, &checks, &Selection::default(), &opts)
        .await
        .expect("the run completes");
    let subjects = report.summary.mailboxes;
    assert!(subjects > 10, "the check ran on {subjects} mailboxes");
    assert_eq!(
        organization_reads(&sim) - before,
        1,
        "one organisation read for {subjects} mailboxes"
    );
    sim.shutdown().await;
}
