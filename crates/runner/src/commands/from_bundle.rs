//! `ssync-doctor run --from bundle.json`: the checks over an evidence bundle's recorded facts,
//! with no network, through the same engine and reports as a live run.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use ssync_core::MemorySource;

use crate::bundle::{self, Bundle};
use crate::cli::{OutputArgs, SelectionArgs};
use crate::commands::diagnose::diagnose_source;
use crate::config::RunRules;
use crate::engine::{EngineOptions, Progress};
use crate::error::CliError;
use crate::output::Destination;

/// Reads the bundle (a damaged one is bad input, exit 2, naming the file and the place), then
/// runs exactly the `run` code path over it.
pub async fn run_from(
    path: &Path,
    selection: &SelectionArgs,
    output: &OutputArgs,
    rules: RunRules,
    quiet: bool,
    check_options: ssync_core::CheckOptions,
) -> Result<ExitCode, CliError> {
    // A bundle of 100,000 mailboxes is hundreds of megabytes: the spinner (on a terminal, after
    // a moment) says what is being read while it is parsed and indexed.
    let progress = Progress::new(!quiet && std::io::stderr().is_terminal());
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    progress.say(format!(
        "reading the evidence bundle {} ({:.0} MB)",
        path.display(),
        size as f64 / 1e6
    ));
    let bundle = bundle::read_file(path).map_err(|(file, err)| CliError::Usage(format!("{file}: {err}")))?;
    let known: Vec<&str> = crate::registered()?.iter().map(|r| r.check.meta().id).collect();
    let selection = effective_selection(&bundle, selection, &known)?;
    let destination = Destination::prepare(output)?;
    let opts = EngineOptions {
        progress,
        // "Recent" means recent when the facts were collected, not when they are replayed.
        check_options: ssync_core::CheckOptions {
            now: ssync_core::check::parse_time(&bundle.created_at).unwrap_or(check_options.now),
            ..check_options
        },
        keep_passing: crate::output::lists_passing(output),
        quiet,
        ..EngineOptions::new(bundle.environment.org_url.clone(), "bundle")
    };
    let source = MemorySource::from_facts(bundle.facts);
    diagnose_source(&source, &selection, output, destination, &opts, &rules).await
}

/// The selection of the command line, or the collection's where the command line gives none:
/// the bundle only holds the facts its own selection read, so that is what it answers best.
/// Checks this version no longer has are left out with a warning.
pub fn effective_selection(
    bundle: &Bundle,
    given: &SelectionArgs,
    known: &[&str],
) -> Result<SelectionArgs, CliError> {
    let mut selection = given.clone();
    if selection.mailbox.is_empty() && !selection.all {
        selection.mailbox = bundle.mailbox_values();
    }
    if selection.checks.is_empty() && !bundle.selection.checks.is_empty() {
        let (kept, gone): (Vec<&String>, Vec<&String>) = bundle
            .selection
            .checks
            .iter()
            .partition(|id| known.contains(&id.as_str()));
        if !gone.is_empty() {
            let gone: Vec<&str> = gone.iter().map(|s| s.as_str()).collect();
            tracing::warn!(
                "the bundle ran checks this version does not have; left out: {}",
                gone.join(", ")
            );
        }
        if kept.is_empty() {
            return Err(CliError::Usage(format!(
                "none of the bundle's checks ({}) is known to this version; name checks with --check",
                bundle.selection.checks.join(", ")
            )));
        }
        selection.checks = kept.into_iter().cloned().collect();
    }
    Ok(selection)
}
