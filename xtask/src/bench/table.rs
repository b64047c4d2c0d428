//! How the benchmark's figures are printed: a progress line per run, the final table (in
//! Markdown, so it can go into docs/performance.md as it is) and, on request, the routes.

use std::fmt::Write;
use std::time::Duration;

use ssync_sim::{Service, Stats};

use super::Row;

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `identity/dataverse/graph/ews`, as the simulator counted them.
fn per_service(s: &Stats) -> String {
    Service::ALL
        .iter()
        .map(|v| s.service(*v).requests.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "—".into()
    }
}

pub fn one_line(r: &Row) -> String {
    format!(
        "N = {}: exit {:?}, {} (baseline {}), {} requests (floor {}), {} × 429, peak {}, results {}, report {}",
        r.mailboxes,
        r.exit_code,
        secs(r.wall),
        secs(r.baseline),
        r.sim.total_requests(),
        r.floor.total(),
        r.sim.total_throttled(),
        mib(r.peak_rss),
        r.summary,
        mib(r.report_bytes),
    )
}

pub fn render(rows: &[Row], latency: Duration, limits: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nlatency {} ms per request; service protection limits {}\n",
        latency.as_millis(),
        if limits { "on" } else { "off" }
    );
    s += "| mailboxes | wall time | baseline (floor × latency) | wall / baseline | requests id/dv/graph/ews (sim) | client HTTP requests | floor id/dv/graph/ews | requests / floor | 429s (sim sent / client got) | retries | peak memory | results pass/warn/fail/skip/error |\n";
    s += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for r in rows {
        let f = &r.floor;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} = {} | {} | {}/{}/{}/{} = {} | {} | {} / {} | {} | {} | {} |",
            r.mailboxes,
            secs(r.wall),
            secs(r.baseline),
            ratio(r.wall.as_secs_f64(), r.baseline.as_secs_f64()),
            per_service(&r.sim),
            r.sim.total_requests(),
            r.client.map_or("?".into(), |c| c.total().to_string()),
            f.identity,
            f.dataverse,
            f.graph,
            f.ews,
            f.total(),
            ratio(r.sim.total_requests() as f64, f.total() as f64),
            r.sim.total_throttled(),
            r.client.map_or("?".into(), |c| c.throttled.to_string()),
            r.client.map_or("?".into(), |c| c.retries.to_string()),
            mib(r.peak_rss),
            r.summary,
        );
    }
    for r in rows.iter().filter(|r| r.exit_code != Some(0)) {
        let _ = writeln!(
            s,
            "\nN = {}: ssync-doctor exited with {:?}; see target/bench/log-{}.txt",
            r.mailboxes, r.exit_code, r.mailboxes
        );
    }
    s
}

/// The simulator's count per route, service by service.
pub fn routes(stats: &Stats) -> String {
    let mut s = String::new();
    for v in Service::ALL {
        for (route, count) in &stats.service(v).routes {
            let _ = writeln!(s, "  {:>9} {:<8} {route}", count, v.name());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_guard_against_zero() {
        assert_eq!(ratio(3.0, 2.0), "1.50×");
        assert_eq!(ratio(3.0, 0.0), "—");
    }
}
