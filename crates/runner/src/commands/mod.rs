//! One module per subcommand.

mod explain;
mod list;
mod triage;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

pub use explain::explain_text;
pub use list::list_json;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    crate::logging::init(cli.quiet, cli.verbose);
    match cli.command {
        Command::List { format } => list::run(format),
        Command::Explain { id } => explain::run(&id),
        Command::Triage { text } => triage::run(text),
        Command::Run { .. } | Command::Demo { .. } | Command::Sim { .. } => Err(CliError::Usage(
            "this command needs the live data source and the simulated tenant, which this build lacks".into(),
        )),
    }
}
