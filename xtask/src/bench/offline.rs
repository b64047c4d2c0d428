//! `--offline`: the evidence-bundle path at the same size. `collect` reads the tenant and
//! writes a bundle (one live run through a recording source); `run --from` then diagnoses the
//! bundle with no network. Support hands such bundles around, so replay must stay linear.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::child;

/// What the offline path measured at one size.
#[derive(Debug, Clone)]
pub struct Offline {
    pub collect_wall: Duration,
    pub collect_peak: u64,
    pub bundle_bytes: u64,
    pub replay_wall: Duration,
    pub replay_peak: u64,
    /// Both commands ended as a run with findings may (0 or 1).
    pub ok: bool,
}

/// Runs `collect` (built by `collect`, the connection flags already set) into
/// `out_dir/bundle-N.json`, then `run --from` on it.
pub fn measure(binary: &Path, out_dir: &Path, n: u64, mut collect: Command) -> Result<Offline, String> {
    let bundle = out_dir.join(format!("bundle-{n}.json"));
    let log = |name: &str| super::create(&out_dir.join(format!("log-{n}-{name}.txt")));
    collect.args(["--all", "--output"]).arg(&bundle);
    let collected = child::run(&mut collect, log("collect")?)?;
    let bundle_bytes = std::fs::metadata(&bundle).map_or(0, |m| m.len());
    let mut replay = Command::new(binary);
    replay
        .args(["-v", "run", "--from"])
        .arg(&bundle)
        .args(["--format", "json", "--exit-zero", "--output"])
        .arg(out_dir.join(format!("report-{n}-from-bundle.json")))
        .env("NO_COLOR", "1");
    let replayed = child::run(&mut replay, log("from-bundle")?)?;
    let fine = |s: std::process::ExitStatus| matches!(s.code(), Some(0 | 1));
    Ok(Offline {
        collect_wall: collected.wall,
        collect_peak: collected.peak_rss,
        bundle_bytes,
        replay_wall: replayed.wall,
        replay_peak: replayed.peak_rss,
        ok: fine(collected.status) && fine(replayed.status),
    })
}
