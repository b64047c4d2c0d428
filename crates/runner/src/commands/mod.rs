//! One module per subcommand.

mod diagnose;
mod explain;
mod list;
mod run;
mod sim;
mod triage;

use std::process::ExitCode;

use crate::cli::{Cli, Command, SimCommand};
use crate::error::CliError;

pub use explain::explain_text;
pub use list::list_json;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    crate::logging::init(cli.quiet, cli.verbose);
    let quiet = cli.quiet;
    match cli.command {
        Command::List { format } => list::run(format),
        Command::Explain { id } => explain::run(&id),
        Command::Triage { text } => triage::run(text),
        Command::Run {
            connection,
            selection,
            output,
        } => {
            let settings = run::settings(&connection)?;
            runtime()?.block_on(diagnose::connect_and_diagnose(
                settings, "live", &selection, &output, quiet,
            ))
        }
        Command::Demo {
            scenario,
            selection,
            output,
        } => runtime()?.block_on(sim::demo(&scenario, &selection, &output, quiet)),
        Command::Sim {
            command: SimCommand::Serve { scenario },
        } => runtime()?.block_on(sim::serve(&scenario)),
    }
}

/// The async runtime of `run`, `demo` and `sim serve`; the other commands need none.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Connection(format!("cannot start the async runtime: {e}")))
}
