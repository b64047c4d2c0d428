//! How the benchmark's figures are printed: a progress line per run, the final table (in
//! Markdown, so it can go into docs/performance.md as it is) and, on request, the routes.

use std::fmt::Write;
use std::time::Duration;

use ssync_sim::{RouteKind, Service, Stats};

use super::{Row, Speed, Speeds};

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

pub fn render(rows: &[Row], speed: Speed, speeds: Speeds, limits: bool) -> String {
    let mut s = String::new();
    let ms = |k| speeds.of(k).as_millis();
    let _ = writeln!(
        s,
        "\nspeed `{}`: token {} ms, Dataverse page {} ms, Graph users page {} ms, any other request {} ms; service protection limits {}\n",
        match speed {
            Speed::Fast => "fast",
            Speed::Real => "real",
        },
        ms(RouteKind::Token),
        ms(RouteKind::DataversePage),
        ms(RouteKind::GraphUsersPage),
        ms(RouteKind::Other),
        if limits { "on" } else { "off" }
    );
    s += &chains(rows, speeds);
    s += "| mailboxes | wall time | baseline (floor requests one after another) | wall / baseline | requests id/dv/graph/ews (sim) | client HTTP requests | floor id/dv/graph/ews | requests / floor | 429s (sim sent / client got) | retries | peak memory | results pass/warn/fail/skip/error |\n";
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
    s += &per_mailbox(rows);
    s += &offline(rows);
    for r in rows.iter().filter(|r| r.exit_code != Some(0)) {
        let _ = writeln!(
            s,
            "\nN = {}: ssync-doctor exited with {:?}; see target/bench/log-{}.txt",
            r.mailboxes, r.exit_code, r.mailboxes
        );
    }
    s
}

/// The parallel floor of each run: the longest chain of dependent pages, with the Graph users
/// chain unsplit and split.
fn chains(rows: &[Row], speeds: Speeds) -> String {
    let token = speeds.of(RouteKind::Token);
    let mut s = String::from(
        "| mailboxes | wall time | Graph users chain (unsplit) | longest Dataverse chain | parallel floor unsplit | wall / unsplit floor | floor, Graph users split only |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let unsplit = r.chains.unsplit(token);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.mailboxes,
            secs(r.wall),
            secs(r.chains.graph_users),
            secs(r.chains.dataverse),
            secs(unsplit),
            ratio(r.wall.as_secs_f64(), unsplit.as_secs_f64()),
            secs(r.chains.split(token)),
        );
    }
    s + "\n"
}

/// The per-mailbox approach beside the whole run, when it was sampled.
fn per_mailbox(rows: &[Row]) -> String {
    let sampled: Vec<(&Row, &super::per_mailbox::Sample)> = rows
        .iter()
        .filter_map(|r| Some((r, r.per_mailbox.as_ref()?)))
        .collect();
    if sampled.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\nThe same tenants diagnosed a mailbox at a time (`run --mailbox`, a sample spread over the tenant, extrapolated to N):\n\n",
    );
    s += "| mailboxes | sample | time per mailbox | requests per mailbox (Dataverse) | one after another | least time under Dataverse's 6,000 per 5 min | requests in all | whole run (`--all`) | whole run requests |\n";
    s += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (r, p) in sampled {
        let _ = writeln!(
            s,
            "| {} | {}{} | {} | {:.1} ({:.1}) | {} | {} | {:.0} | {} | {} |",
            r.mailboxes,
            p.mailboxes,
            if p.failed_runs > 0 {
                format!(" ({} failed)", p.failed_runs)
            } else {
                String::new()
            },
            secs(p.wall_per_mailbox()),
            p.requests_per_mailbox(),
            p.dataverse_per_mailbox(),
            long(p.sequential(r.mailboxes)),
            long(p.throttling_floor(r.mailboxes)),
            p.requests_per_mailbox() * r.mailboxes as f64,
            secs(r.wall),
            r.sim.total_requests(),
        );
    }
    s
}

/// The evidence-bundle path beside the whole run, when measured (`--offline`).
fn offline(rows: &[Row]) -> String {
    let measured: Vec<(&Row, &super::offline::Offline)> = rows
        .iter()
        .filter_map(|r| Some((r, r.offline.as_ref()?)))
        .collect();
    if measured.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\nThe same tenants through an evidence bundle (`collect`, then `run --from` with no network):\n\n| mailboxes | collect | collect peak | bundle | run --from | run --from peak | per 1,000 mailboxes |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (r, o) in measured {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {}{} | {} | {:.3} s |",
            r.mailboxes,
            secs(o.collect_wall),
            mib(o.collect_peak),
            mib(o.bundle_bytes),
            secs(o.replay_wall),
            if o.ok { "" } else { " (failed: see the logs)" },
            mib(o.replay_peak),
            o.replay_wall.as_secs_f64() * 1000.0 / r.mailboxes.max(1) as f64,
        );
    }
    s
}

/// Seconds, or hours and minutes once it is long.
fn long(d: Duration) -> String {
    let total = d.as_secs();
    if total < 120 {
        return secs(d);
    }
    let (h, m) = (total / 3600, (total % 3600) / 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min")
    }
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
    fn long_durations_read_in_hours() {
        assert_eq!(long(Duration::from_millis(1500)), "1.50 s");
        assert_eq!(long(Duration::from_secs(600)), "10 min");
        assert_eq!(long(Duration::from_secs(20_000)), "5 h 33 min");
    }

    #[test]
    fn ratios_guard_against_zero() {
        assert_eq!(ratio(3.0, 2.0), "1.50×");
        assert_eq!(ratio(3.0, 0.0), "—");
    }
}
