//! Read-only: during `run` and `demo` the simulated tenant sees nothing but reads. Allowed
//! besides GET: token requests (POST to the token endpoint), Graph `$batch` POSTs — whose
//! inner requests the simulator counts one by one with their own method, so they must all be
//! GETs — and the EWS probes.

use serde_json::Value;
use ssync_e2e::insim::InSim;
use ssync_e2e::{run_with_env, stderr};
use ssync_sim::{Knobs, Scenario};

/// Asserts the rule on the simulator's stats (the JSON form of `ssync_sim::Stats`).
fn assert_read_only(stats: &Value) {
    let routes = |service: &str| -> Vec<(String, u64)> {
        stats[service]["routes"]
            .as_object()
            .unwrap_or_else(|| panic!("{service} routes in {stats}"))
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
            .collect()
    };
    for (route, _) in routes("identity") {
        assert!(
            route.starts_with("GET ")
                || (route.starts_with("POST ") && route.ends_with("/oauth2/v2.0/token")),
            "identity: {route}"
        );
    }
    let dataverse = routes("dataverse");
    assert!(!dataverse.is_empty(), "Dataverse was read");
    for (route, _) in &dataverse {
        assert!(route.starts_with("GET "), "Dataverse saw {route}");
    }
    let graph = routes("graph");
    let batches: u64 = graph
        .iter()
        .filter(|(r, _)| r == "POST /v1.0/$batch")
        .map(|(_, n)| n)
        .sum();
    for (route, _) in &graph {
        assert!(
            route.starts_with("GET ") || route == "POST /v1.0/$batch",
            "Graph saw {route}"
        );
    }
    let methods = stats["graph"]["methods"].as_object().expect("graph methods");
    assert_eq!(
        methods.get("POST").and_then(Value::as_u64).unwrap_or(0),
        batches,
        "the only POSTs Graph saw are the $batch envelopes; every inner request is a GET: {methods:?}"
    );
    for method in methods.keys() {
        assert!(method == "GET" || method == "POST", "Graph saw {method}");
    }
}

#[test]
fn run_sends_only_reads() {
    for scenario in [Scenario::contoso(), Scenario::generated(150)] {
        let sim = InSim::start(scenario, Knobs::default());
        let out = sim.run(&["--format", "json"], &[]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        let stats = serde_json::to_value(sim.stats()).expect("stats as JSON");
        assert!(stats["graph"]["requests"].as_u64().unwrap_or(0) > 0);
        assert_read_only(&stats);
    }
}

/// `demo` runs its simulator in its own process; it logs the simulator's stats at debug level.
#[test]
fn demo_sends_only_reads() {
    for extra in [&[][..], &["--mailboxes", "150"][..]] {
        let mut args = vec!["demo", "--format", "json"];
        args.extend_from_slice(extra);
        let out = run_with_env(&args, &[("RUST_LOG", "ssync_sim::stats=debug")]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        let err = stderr(&out);
        let json = err
            .lines()
            .find_map(|l| l.split_once("simulator stats: ").map(|(_, j)| j))
            .unwrap_or_else(|| panic!("demo logs the simulator's stats: {err}"));
        let stats: Value = serde_json::from_str(json).expect("stats JSON");
        assert!(stats["graph"]["requests"].as_u64().unwrap_or(0) > 0);
        assert_read_only(&stats);
    }
}
