//! One module per subcommand.

mod explain;
mod list;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

pub use explain::explain_text;
pub use list::list_json;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::List { format } => list::run(format),
        Command::Explain { id } => explain::run(&id),
    }
}
