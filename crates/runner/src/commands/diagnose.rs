//! The one code path of `run` and `demo`: connect the live source, run the engine, write the
//! report, turn the result into the contract's exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use ssync_core::{Check, DataSource};
use ssync_m365::{LiveSource, Options, Settings};

use crate::cli::{OutputArgs, SelectionArgs};
use crate::config::RunRules;
use crate::engine::{self, EngineOptions, Progress, Selection};
use crate::error::CliError;
use crate::output::Destination;

/// Connects to `settings` (authentication and connection problems surface here, before any
/// check runs) and diagnoses the environment. `source_label` is reported as
/// `environment.source` (`live` or `demo`).
pub async fn connect_and_diagnose(
    settings: Settings,
    source_label: &str,
    selection: &SelectionArgs,
    output: &OutputArgs,
    quiet: bool,
    rules: RunRules,
    check_options: ssync_core::CheckOptions,
) -> Result<ExitCode, CliError> {
    // Bad input is reported before any request: the check ids, then the output path.
    let checks = all_checks()?;
    crate::engine::select::select_checks(&checks, &selection.checks, &selection.skip_checks)?;
    let destination = Destination::prepare(output)?;
    let org_url = settings.org_url.clone();
    tracing::info!(org_url = %org_url, tenant = %settings.tenant_id, client = %settings.client_id, "connecting");
    // SSYNC_* variables shorten timeouts and retries (docs/errors.md); garbage there is bad input.
    let options = match Options::from_env() {
        Ok(options) => options,
        Err(err) => {
            destination.abandon();
            return Err(err.into());
        }
    };
    let source = match LiveSource::connect(settings, options).await {
        Ok(source) => source,
        Err(err) => {
            destination.abandon();
            return Err(err.into());
        }
    };
    // Before any read: `anticipate` may start the alert read beside the mailbox read.
    source.set_alerts_since(check_options.alerts_since());
    let opts = EngineOptions {
        progress: Progress::new(!quiet && std::io::stderr().is_terminal()),
        check_options,
        keep_passing: crate::output::lists_passing(output),
        quiet,
        ..EngineOptions::new(org_url, source_label)
    };
    let result = diagnose_source(&source, selection, output, destination, &opts, &rules).await;
    let stats = source.stats();
    tracing::info!(
        requests = stats.total_requests(),
        identity = stats.identity_requests,
        dataverse = stats.dataverse_requests,
        graph = stats.graph_requests,
        ews = stats.ews_requests,
        retries = stats.retries,
        throttled = stats.throttled,
        "run finished"
    );
    result
}

/// Runs every selected check against an already connected source, applies the
/// configuration's waivers to the results and writes the report.
pub async fn diagnose_source(
    source: &dyn DataSource,
    selection: &SelectionArgs,
    output: &OutputArgs,
    destination: Destination,
    opts: &EngineOptions,
    rules: &RunRules,
) -> Result<ExitCode, CliError> {
    let checks = match all_checks() {
        Ok(checks) => checks,
        Err(err) => {
            destination.abandon();
            return Err(err);
        }
    };
    let selection = Selection::from(selection);
    let mut report = match engine::diagnose(source, &checks, &selection, opts).await {
        Ok(report) => report,
        Err(err) => {
            destination.abandon();
            return Err(err.into());
        }
    };
    rules.apply(&mut report, crate::config::waiver::today());
    if let Some(line) = destination.write(&report)? {
        // The one line a scheduled job's log shows when the report went to a file.
        if !opts.quiet {
            eprintln!("{line}");
        }
    }
    Ok(if report.has_failures() && !output.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every check linked into this binary.
pub(crate) fn all_checks() -> Result<Vec<&'static dyn Check>, CliError> {
    Ok(crate::registered()?.iter().map(|r| r.check).collect())
}
