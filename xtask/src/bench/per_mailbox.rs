//! The per-mailbox approach, side by side: diagnose a sample of the tenant's mailboxes one
//! `ssync-doctor run --mailbox` at a time, against the same simulated tenant, and extrapolate
//! to every mailbox. This is what a script looping over mailboxes costs; the whole-run figure
//! is what `--all` costs.

use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ssync_sim::{Service, Sim, Stats};

use super::child;

/// Dataverse's service protection limit: requests per user per window.
pub const DATAVERSE_REQUESTS_PER_WINDOW: u64 = 6_000;
/// The window of that limit.
pub const DATAVERSE_WINDOW: Duration = Duration::from_secs(300);

/// What the sample measured, per mailbox on average.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub mailboxes: usize,
    pub wall: Duration,
    /// Requests per service (identity, Dataverse, Graph, EWS) over the whole sample, as the
    /// simulator counted them.
    pub requests: [u64; 4],
    /// Runs that did not exit 0 or 1.
    pub failed_runs: usize,
}

impl Sample {
    pub fn wall_per_mailbox(&self) -> Duration {
        self.wall / u32::try_from(self.mailboxes.max(1)).unwrap_or(u32::MAX)
    }

    pub fn requests_per_mailbox(&self) -> f64 {
        self.requests.iter().sum::<u64>() as f64 / self.mailboxes.max(1) as f64
    }

    /// Dataverse requests per mailbox.
    pub fn dataverse_per_mailbox(&self) -> f64 {
        self.requests[1] as f64 / self.mailboxes.max(1) as f64
    }

    /// The time `n` mailboxes take one after another at the sample's pace.
    pub fn sequential(&self, n: u64) -> Duration {
        self.wall_per_mailbox().mul_f64(n as f64)
    }

    /// The least time Dataverse's 6,000-per-5-minutes limit allows for `n` mailboxes at the
    /// sample's Dataverse requests per mailbox, however many run in parallel.
    pub fn throttling_floor(&self, n: u64) -> Duration {
        let requests = self.dataverse_per_mailbox() * n as f64;
        let windows = (requests / DATAVERSE_REQUESTS_PER_WINDOW as f64).floor();
        DATAVERSE_WINDOW.mul_f64(windows)
    }
}

/// Up to `k` addresses spread evenly over `all`.
pub fn spread<'a>(all: impl Iterator<Item = &'a str>, k: usize) -> Vec<String> {
    let all: Vec<&str> = all.collect();
    if k == 0 || all.is_empty() {
        return Vec::new();
    }
    let k = k.min(all.len());
    (0..k).map(|i| all[i * all.len() / k].to_owned()).collect()
}

/// Runs `doctor() run --mailbox A` for each address, one after another; standard error of
/// every run goes to `log`.
pub fn measure(
    sim: &Sim,
    addresses: &[String],
    log: &Path,
    doctor: impl Fn() -> Command,
) -> Result<Sample, String> {
    let before = sim.stats();
    let mut wall = Duration::ZERO;
    let mut failed_runs = 0;
    for address in addresses {
        let log = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("opening {}: {e}", log.display()))?;
        let mut cmd = doctor();
        cmd.args(["--mailbox", address, "--format", "json"])
            .stdout(std::process::Stdio::null());
        let measured = child::run(&mut cmd, log)?;
        wall += measured.wall;
        if !matches!(measured.status.code(), Some(0 | 1)) {
            failed_runs += 1;
        }
    }
    let after = sim.stats();
    Ok(Sample {
        mailboxes: addresses.len(),
        wall,
        requests: requests_between(&before, &after),
        failed_runs,
    })
}

fn requests_between(before: &Stats, after: &Stats) -> [u64; 4] {
    Service::ALL.map(|s| after.service(s).requests - before.service(s).requests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_the_sample_over_the_tenant() {
        let all = ["a", "b", "c", "d", "e", "f"];
        assert_eq!(spread(all.iter().copied(), 3), ["a", "c", "e"]);
        assert_eq!(spread(all.iter().copied(), 10).len(), 6);
        assert!(spread(all.iter().copied(), 0).is_empty());
    }

    #[test]
    fn extrapolates_time_and_the_throttling_floor() {
        let s = Sample {
            mailboxes: 10,
            wall: Duration::from_secs(2),
            requests: [30, 50, 40, 0],
            failed_runs: 0,
        };
        assert_eq!(s.wall_per_mailbox(), Duration::from_millis(200));
        assert_eq!(s.sequential(100_000), Duration::from_secs(20_000));
        assert!((s.requests_per_mailbox() - 12.0).abs() < 1e-9);
        // 5 Dataverse requests per mailbox: 500,000 requests are 83 full windows of 6,000.
        assert_eq!(s.throttling_floor(100_000), Duration::from_secs(83 * 300));
    }
}
