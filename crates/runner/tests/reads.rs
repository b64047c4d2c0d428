//! Every registered check reads only what its `reads` declares (#15): the demo tenant's facts
//! are recorded once through the live source, then each check runs alone over them on a
//! [`MemorySource`] that notes every kind of data asked for. A check that reads something it
//! does not declare fails this test with its id and the `DataNeed` to add.

use ssync_core::audit::undeclared_reads;
use ssync_core::{CheckOptions, MemorySource, RecordingSource, Subject};
use ssync_m365::{LiveSource, Options};
use ssync_runner::engine::{self, EngineOptions, Selection, select};
use ssync_sim::{Knobs, Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_declares_what_it_reads() {
    let sim = ssync_sim::start(Scenario::contoso(), Knobs::default())
        .await
        .expect("the simulator starts");
    let live = LiveSource::connect(ssync_runner::sim_settings(&sim), Options::default())
        .await
        .expect("connects to the simulator");
    let checks: Vec<&'static dyn ssync_core::Check> = ssync_runner::registered()
        .expect("the bundled checks register")
        .iter()
        .map(|r| r.check)
        .collect();
    let recording = RecordingSource::new(live);
    let options = CheckOptions::default();
    let opts = EngineOptions {
        check_options: options,
        ..EngineOptions::new(sim.org_url.clone(), "live")
    };
    engine::diagnose(&recording, &checks, &Selection::default(), &opts)
        .await
        .expect("the demo run completes");
    sim.shutdown().await;

    let facts = recording.into_facts();
    let mut subjects: Vec<Subject> = facts
        .environment
        .iter()
        .cloned()
        .map(Subject::Environment)
        .collect();
    subjects.extend(facts.profiles.iter().cloned().map(Subject::Profile));
    subjects.extend(
        facts
            .mailboxes
            .iter()
            .filter(|m| select::in_default_run(m))
            .cloned()
            .map(Subject::Mailbox),
    );
    let source = MemorySource::from_facts(facts);

    let selected: Vec<&'static ssync_core::CheckMeta> = checks.iter().map(|c| c.meta()).collect();
    let mut undeclared = Vec::new();
    for check in &checks {
        undeclared.extend(undeclared_reads(*check, &source, &subjects, options, &selected).await);
    }
    let report: Vec<String> = undeclared.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}
