//! Log lines on standard error, driven by `-q`, `-v` and `RUST_LOG`.
//!
//! Nothing secret is ever passed to a log macro: settings carry the secret as a
//! `SecretString`, whose `Debug` prints a placeholder.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber once per process. `RUST_LOG`, when set and valid, wins; otherwise
/// `-q` shows errors only, the default shows warnings, `-v` what the run does, `-vv` debug
/// and `-vvv` everything.
pub fn init(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(level));
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
