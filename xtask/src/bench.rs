//! `cargo xtask bench`: the whole-run benchmark of issue 8.
//!
//! For each size N it starts the simulated tenant in this process (`ssync_sim::start` with a
//! generated tenant of N healthy mailboxes, a per-request latency and Microsoft's service
//! protection limits), runs the release binary `ssync-doctor run --all --format json` against
//! it as a child process, and prints wall time, requests per service, 429s, peak memory and
//! the request floor (see [`floor`]).
//!
//! The simulator runs in-process rather than through `ssync-doctor sim serve` because `sim
//! serve` takes no latency or limit options; the simulator's own counters (`Sim::stats`) are
//! then read directly.

mod child;
mod floor;
mod offline;
mod per_mailbox;
mod table;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::Args;
use ssync_sim::{Knobs, RouteKind, RouteLatency, Scenario, ServiceLimits, Stats};

pub use floor::{Floor, Shape};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Tenant sizes (mailboxes), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,1000,10000,100000")]
    sizes: Vec<u64>,
    /// Latency the simulator adds to every request, in milliseconds (`--speed fast`).
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// `fast`: `--latency-ms` on every request. `real`: Microsoft's speeds by route (token
    /// 300 ms, Dataverse page 2 s, Graph users page 1.5 s, any other request 300 ms).
    #[arg(long, value_enum, default_value_t = Speed::Fast)]
    speed: Speed,
    /// Do not apply service protection limits (Dataverse 6,000 requests per 5 minutes and 52
    /// concurrent; the simulator's Graph stand-in).
    #[arg(long)]
    no_limits: bool,
    /// Use the release binary as it is; do not run `cargo build --release` first.
    #[arg(long)]
    no_build: bool,
    /// Run with `--include-passing`: every pass is kept and written, the heaviest report.
    #[arg(long)]
    include_passing: bool,
    /// Also `collect` an evidence bundle of each size and time `run --from` on it.
    #[arg(long)]
    offline: bool,
    /// Also print the simulator's request count per route.
    #[arg(long)]
    routes: bool,
    /// After each whole run, diagnose this many mailboxes one at a time (`run --mailbox`,
    /// spread over the tenant) and extrapolate to N: the per-mailbox approach side by side.
    /// 0 skips it.
    #[arg(long, default_value_t = 10, value_name = "K")]
    per_mailbox: usize,
    /// A `RUST_LOG` filter for ssync-doctor (e.g. `info,ssync_m365=debug`), to see in
    /// target/bench/log-N.txt where the time goes. Default: `-v`.
    #[arg(long, value_name = "FILTER")]
    rust_log: Option<String>,
}

/// How fast the simulated services answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Speed {
    Fast,
    Real,
}

/// The latency of each kind of route in one benchmark.
#[derive(Debug, Clone, Copy)]
pub struct Speeds {
    pub other: Duration,
    pub routes: RouteLatency,
}

impl Speeds {
    fn new(args: &BenchArgs) -> Self {
        match args.speed {
            Speed::Fast => Speeds {
                other: Duration::from_millis(args.latency_ms),
                routes: RouteLatency::default(),
            },
            Speed::Real => Speeds {
                other: RouteLatency::REAL_OTHER,
                routes: RouteLatency::real(),
            },
        }
    }

    pub fn of(&self, kind: RouteKind) -> Duration {
        self.routes.of(kind, self.other)
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Row {
    pub mailboxes: u64,
    pub exit_code: Option<i32>,
    pub wall: Duration,
    pub peak_rss: u64,
    /// The simulator's counters (Graph `$batch` inner requests included, as Graph meters
    /// them one by one).
    pub sim: Stats,
    /// What the client says it sent (`ClientStats` from its log), when the log has it.
    pub client: Option<ClientLine>,
    pub floor: Floor,
    /// Floor requests × their latency: reading everything once, one request after another.
    pub baseline: Duration,
    /// The longest chains of dependent pages at these speeds (the parallel floor).
    pub chains: floor::Chains,
    /// `summary` of the JSON report, as `pass/warn/fail/skip/error`.
    pub summary: String,
    pub report_bytes: u64,
    /// The same tenant diagnosed a mailbox at a time, on a sample.
    pub per_mailbox: Option<per_mailbox::Sample>,
    /// `collect` and `run --from` at this size (`--offline`).
    pub offline: Option<offline::Offline>,
}

/// The client's own counts, from the runner's `run finished` log line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientLine {
    pub identity: u64,
    pub dataverse: u64,
    pub graph: u64,
    pub ews: u64,
    pub retries: u64,
    pub throttled: u64,
}

impl ClientLine {
    pub fn total(&self) -> u64 {
        self.identity + self.dataverse + self.graph + self.ews
    }

    /// Parses the runner's `run finished requests=149 identity=3 dataverse=44 graph=102 ews=0
    /// retries=2 throttled=1` log line.
    fn parse(log: &str) -> Option<ClientLine> {
        let line = log.lines().rev().find(|l| l.contains("run finished"))?;
        let field = |name: &str| -> Option<u64> {
            let at = line.find(&format!(" {name}="))? + name.len() + 2;
            let digits: String = line[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        Some(ClientLine {
            identity: field("identity")?,
            dataverse: field("dataverse")?,
            graph: field("graph")?,
            ews: field("ews")?,
            retries: field("retries")?,
            throttled: field("throttled")?,
        })
    }
}

pub fn run(root: &Path, args: &BenchArgs) -> Result<(), String> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    if !args.no_build {
        // The simulator runs in this process: an unoptimised one would be the bottleneck, so
        // a debug xtask builds its release self too and hands over to it.
        let mut packages = vec!["-p", "ssync-runner"];
        if cfg!(debug_assertions) {
            packages.extend(["-p", "xtask"]);
        }
        eprintln!(
            "building the release binaries (cargo build --release {})",
            packages.join(" ")
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release"])
            .args(&packages)
            .current_dir(root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build --release failed ({status})"));
        }
        if cfg!(debug_assertions) {
            let status = Command::new(target.join("release/xtask"))
                .args(std::env::args_os().skip(1))
                .arg("--no-build")
                .status()
                .map_err(|e| format!("cannot start the release xtask: {e}"))?;
            return if status.success() {
                Ok(())
            } else {
                Err(format!("the release xtask failed ({status})"))
            };
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: this xtask is not optimised; the simulator may slow the runs down");
    }
    let binary = target.join("release/ssync-doctor");
    if !binary.is_file() {
        return Err(format!("{} does not exist", binary.display()));
    }
    let out_dir = target.join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let speeds = Speeds::new(args);
    let mut rows = Vec::new();
    for &n in &args.sizes {
        let row = runtime.block_on(measure(&binary, &out_dir, n, speeds, args))?;
        eprintln!("{}", table::one_line(&row));
        if args.routes {
            eprintln!("{}", table::routes(&row.sim));
        }
        rows.push(row);
    }
    println!("{}", table::render(&rows, args.speed, speeds, !args.no_limits));
    Ok(())
}

fn knobs(speeds: Speeds, limits: bool) -> Knobs {
    Knobs {
        latency: speeds.other,
        route_latency: speeds.routes,
        limits: limits.then(ServiceLimits::dataverse_default),
        graph_limits: limits.then(ServiceLimits::graph_default),
        ..Knobs::default()
    }
}

async fn measure(
    binary: &Path,
    out_dir: &Path,
    n: u64,
    speeds: Speeds,
    args: &BenchArgs,
) -> Result<Row, String> {
    let size = usize::try_from(n).map_err(|_| format!("{n} mailboxes is too many"))?;
    eprintln!("N = {n}: starting the simulated tenant");
    let scenario = Scenario::generated(size);
    let sample = per_mailbox::spread(scenario.mailbox_addresses(), args.per_mailbox);
    let sim = ssync_sim::start(scenario, knobs(speeds, !args.no_limits))
        .await
        .map_err(|e| format!("cannot start the simulated tenant: {e}"))?;
    let report = out_dir.join(format!("report-{n}.json"));
    let log = out_dir.join(format!("log-{n}.txt"));
    let mut cmd = doctor(binary, &sim, args.rust_log.as_deref().unwrap_or(""));
    cmd.args(["--all", "--format", "json", "--exit-zero"]);
    if args.include_passing {
        cmd.arg("--include-passing");
    }
    cmd.stdout(create(&report)?);
    let log_file = create(&log)?;
    eprintln!("N = {n}: running {}", binary.display());
    // The simulator keeps serving on the runtime's worker threads while this one waits.
    let measured = tokio::task::block_in_place(|| child::run(&mut cmd, log_file))?;
    let sim_stats = sim.stats();
    let per_mailbox = if sample.is_empty() {
        None
    } else {
        eprintln!("N = {n}: diagnosing {} mailboxes one at a time", sample.len());
        Some(tokio::task::block_in_place(|| {
            per_mailbox::measure(
                &sim,
                &sample,
                &out_dir.join(format!("log-{n}-per-mailbox.txt")),
                || doctor(binary, &sim, ""),
            )
        })?)
    };
    let offline = if args.offline {
        eprintln!("N = {n}: collect, then run --from the bundle");
        Some(tokio::task::block_in_place(|| {
            offline::measure(binary, out_dir, n, doctor_command(binary, &sim, "", "collect"))
        })?)
    } else {
        None
    };
    sim.shutdown().await;

    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let report_bytes = std::fs::metadata(&report).map_or(0, |m| m.len());
    let shape = Shape::generated(n);
    let floor = floor::floor(&shape);
    Ok(Row {
        mailboxes: n,
        exit_code: measured.status.code(),
        wall: measured.wall,
        peak_rss: measured.peak_rss,
        sim: sim_stats,
        client: ClientLine::parse(&log_text),
        floor,
        baseline: floor::baseline(&shape, &speeds),
        chains: floor::chains(&shape, &speeds),
        summary: summary(&report),
        report_bytes,
        per_mailbox,
        offline,
    })
}

fn create(p: &Path) -> Result<File, String> {
    File::create(p).map_err(|e| format!("creating {}: {e}", p.display()))
}

/// `ssync-doctor -v run` connected to `sim`, to be completed with the selection.
fn doctor(binary: &Path, sim: &ssync_sim::Sim, rust_log: &str) -> Command {
    doctor_command(binary, sim, rust_log, "run")
}

/// `ssync-doctor -v <command>` with the simulator's connection flags and secret.
fn doctor_command(binary: &Path, sim: &ssync_sim::Sim, rust_log: &str, command: &str) -> Command {
    let mut cmd = Command::new(binary);
    cmd.args(["-v", command])
        .args(["--org-url", &sim.org_url, "--tenant-id", &sim.tenant_id])
        .args([
            "--client-id",
            &sim.client_id,
            "--authority-host",
            &sim.authority_host,
        ])
        .args(["--graph-url", &sim.graph_url])
        // The simulator's own test secret, handed over the way the contract requires.
        .env("AZURE_CLIENT_SECRET", &sim.client_secret)
        .env_remove("AZURE_CLIENT_CERTIFICATE_PATH")
        .env("RUST_LOG", rust_log)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// The report's `summary` counts, or why they are missing (with the log to look at).
fn summary(report: &Path) -> String {
    let parsed = std::fs::read(report)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let Some(s) = parsed.as_ref().and_then(|r| r.get("summary")) else {
        return "no report".into();
    };
    let n = |k: &str| s.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    format!(
        "{}/{}/{}/{}/{}",
        n("pass"),
        n("warn"),
        n("fail"),
        n("skip"),
        n("error")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_counts_from_the_log() {
        let log = "[   0.1 s]  INFO selection made mailboxes=100000\n\
                   [  47.4 s]  INFO run finished requests=149 identity=3 dataverse=44 graph=102 ews=0 retries=2 throttled=1\n";
        let c = ClientLine::parse(log).unwrap();
        assert_eq!(
            c,
            ClientLine {
                identity: 3,
                dataverse: 44,
                graph: 102,
                ews: 0,
                retries: 2,
                throttled: 1
            }
        );
        assert_eq!(c.total(), 149);
        assert_eq!(ClientLine::parse("nothing here"), None);
    }
}
