//! One module per subcommand.

mod collect;
mod diagnose;
mod explain;
mod from_bundle;
mod list;
mod preflight;
mod run;
mod sim;
mod triage;

pub use sim::sim_settings;

use std::process::ExitCode;

use crate::cli::{Cli, Command, SimCommand};
use crate::error::CliError;

pub use explain::explain_text;
pub use from_bundle::effective_selection;
pub use list::list_json;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    crate::logging::init(cli.quiet, cli.verbose);
    let quiet = cli.quiet;
    let config_path = cli.config;
    let config = || load_config(config_path.as_deref());
    match cli.command {
        Command::List {
            format,
            permissions,
            checks,
        } => list::run(format, permissions, &checks),
        Command::Explain { id } => explain::run(&id),
        Command::Triage { text } => triage::run(text),
        Command::Run {
            from: Some(path),
            selection,
            output,
            ..
        } => {
            let config = config()?;
            let selection = config.selection_args(selection);
            let check_options = config.check_options();
            runtime()?.block_on(from_bundle::run_from(
                &path,
                &selection,
                &output,
                config.run_rules(),
                quiet,
                check_options,
            ))
        }
        Command::Collect(mut args) => {
            let config = config()?;
            args.connection = config.connection_args(args.connection);
            args.selection = config.selection_args(args.selection);
            runtime()?.block_on(collect::collect(&args, quiet, config.check_options()))
        }
        Command::Run {
            from: None,
            connection,
            selection,
            output,
        } => {
            let config = config()?;
            let settings = run::settings(&config.connection_args(connection))?;
            let selection = config.selection_args(selection);
            let check_options = config.check_options();
            runtime()?.block_on(diagnose::connect_and_diagnose(
                settings,
                "live",
                &selection,
                &output,
                quiet,
                config.run_rules(),
                check_options,
            ))
        }
        Command::Demo {
            scenario,
            selection,
            output,
        } => {
            let config = config()?;
            let selection = config.selection_args(selection);
            let check_options = config.check_options();
            runtime()?.block_on(sim::demo(
                &scenario,
                &selection,
                &output,
                quiet,
                config.run_rules(),
                check_options,
            ))
        }
        Command::Sim {
            command: SimCommand::Serve { scenario },
        } => runtime()?.block_on(sim::serve(&scenario)),
        Command::Preflight {
            connection,
            selection,
        } => {
            let config = config()?;
            let settings = run::settings(&config.connection_args(connection))?;
            let selection = config.selection_args(selection);
            runtime()?.block_on(preflight::preflight(settings, &selection))
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "ssync-doctor", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The configuration file of this run (`--config`, else `ssync-doctor.toml` in the working
/// directory, else none), validated against the linked checks.
fn load_config(path: Option<&std::path::Path>) -> Result<crate::config::Config, CliError> {
    let known: Vec<&str> = crate::registered()?.iter().map(|r| r.check.meta().id).collect();
    let dir = std::env::current_dir()?;
    let config = crate::config::Config::discover(path, &dir, &known)?;
    if let Some(p) = &config.path {
        tracing::info!(config = %p.display(), waivers = config.waivers.len(), "configuration read");
    }
    Ok(config)
}

/// The async runtime of `run`, `demo` and `sim serve`; the other commands need none.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Connection(format!("cannot start the async runtime: {e}")))
}
