//! A simulated tenant started in the test process through the `ssync_sim` library, so a test
//! can turn its knobs (faults, throttling, token lifetime) and read what it saw, while the
//! built binary runs `ssync-doctor run` against it.

use std::process::Output;

use serde_json::Value;
use ssync_sim::{Knobs, Scenario, Sim, Stats};

/// Timeouts and retries short enough for a fault matrix that runs in seconds
/// (`docs/errors.md` lists the variables). A test's own `env` entries win.
pub const FAST: [(&str, &str); 5] = [
    ("SSYNC_CONNECT_TIMEOUT", "1"),
    ("SSYNC_REQUEST_TIMEOUT", "2"),
    ("SSYNC_RUN_TIMEOUT", "60"),
    ("SSYNC_MAX_RETRIES", "2"),
    ("SSYNC_MAX_BACKOFF", "0.3"),
];

/// A running simulator and the runtime that serves it (on its own worker threads, so the
/// test thread can wait for the child process).
pub struct InSim {
    rt: tokio::runtime::Runtime,
    sim: Option<Sim>,
}

impl InSim {
    pub fn start(scenario: Scenario, knobs: Knobs) -> InSim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let sim = rt
            .block_on(ssync_sim::start(scenario, knobs))
            .expect("start the simulator");
        InSim { rt, sim: Some(sim) }
    }

    pub fn sim(&self) -> &Sim {
        self.sim.as_ref().expect("running")
    }

    pub fn stats(&self) -> Stats {
        self.sim().stats()
    }

    /// The connection flags of `run` for this simulator.
    pub fn connection_args(&self) -> Vec<String> {
        let s = self.sim();
        [
            ("--org-url", &s.org_url),
            ("--tenant-id", &s.tenant_id),
            ("--client-id", &s.client_id),
            ("--authority-host", &s.authority_host),
            ("--graph-url", &s.graph_url),
        ]
        .into_iter()
        .flat_map(|(k, v)| [k.to_owned(), v.clone()])
        .collect()
    }

    /// `ssync-doctor run <connection> <extra>` with the simulator's secret, the [`FAST`]
    /// settings and `env` (which overrides them).
    pub fn run(&self, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let mut args = vec!["run".to_owned()];
        args.extend(self.connection_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let mut cmd = crate::command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        cmd.env("AZURE_CLIENT_SECRET", &self.sim().client_secret);
        for (k, v) in FAST.iter().chain(env) {
            cmd.env(k, v);
        }
        cmd.output().expect("run ssync-doctor")
    }
}

impl Drop for InSim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

/// One result of a JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub status: String,
    pub message: String,
}

/// The results of a JSON report keyed by (check, subject kind, subject id).
pub fn rows(report: &Value) -> std::collections::BTreeMap<(String, String, String), Row> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                (s(&f["check"]), s(&f["subject"]["kind"]), s(&f["subject"]["id"])),
                Row {
                    status: s(&f["status"]),
                    message: s(&f["message"]),
                },
            )
        })
        .collect()
}
