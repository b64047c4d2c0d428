//! The ssync-doctor runner: command line, scheduling and reports.
//!
//! A team's own runner links the bundled checks plus its own and calls [`main`]:
//!
//! ```ignore
//! use acme_checks as _; // registers the team's checks
//! fn main() -> std::process::ExitCode { ssync_runner::main() }
//! ```

pub mod bundle;
mod bundled;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod error;
pub mod logging;
pub mod output;
pub mod report;
mod shell;
pub mod triage;

use std::process::ExitCode;

use clap::Parser;

pub use commands::sim_settings;
pub use error::CliError;

/// Parses the command line, runs the command, prints one clear error report on failure and
/// returns the contract's exit code.
pub fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            anstream::eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

/// Every check linked into this binary, validated and sorted by id.
pub fn registered() -> Result<Vec<&'static ssync_core::Registration>, ssync_core::RegistryError> {
    ssync_core::registered_checks()
}
