//! Log lines on standard error, driven by `-q`, `-v` and `RUST_LOG`.
//!
//! Nothing secret is ever passed to a log macro: settings carry the secret as a
//! `SecretString`, whose `Debug` prints a placeholder.

use tracing_subscriber::EnvFilter;

/// This tool's own crates: `-v` and `-vv` raise their level only, so the HTTP stack's
/// connection pool chatter stays out of a readable log until `-vvv`.
const OWN_CRATES: [&str; 4] = ["ssync_runner", "ssync_m365", "ssync_sim", "ssync_core"];

/// Installs the subscriber once per process. `RUST_LOG`, when set and valid, wins; otherwise
/// `-q` shows errors only, the default shows warnings, `-v` what the run does, `-vv` this
/// tool's debug lines and `-vvv` everything, dependencies included.
pub fn init(quiet: bool, verbose: u8) {
    let own = |level: &str| {
        let crates: Vec<String> = OWN_CRATES.iter().map(|c| format!("{c}={level}")).collect();
        format!("warn,{}", crates.join(","))
    };
    let level = match (quiet, verbose) {
        (true, _) => "error".to_owned(),
        (false, 0) => "warn".to_owned(),
        (false, 1) => own("info"),
        (false, 2) => own("debug"),
        (false, _) => "trace".to_owned(),
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(&level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose >= 2)
        .with_ansi(use_colour(std::io::stderr()));
    // Timestamps help when following a run in detail; at the default level a warning reads
    // better without one.
    let _ = if verbose >= 2 {
        builder.try_init()
    } else {
        builder.without_time().try_init()
    };
}

/// Colour only on a terminal and never with `NO_COLOR` (<https://no-color.org>).
pub fn use_colour(stream: impl std::io::IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
