//! `ssync-doctor collect`: run the selected checks through a recording source and write what
//! they read as an evidence bundle (`docs/bundles.md`), for `run --from` to analyse anywhere.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ssync_core::{MemorySource, RecordingSource};
use ssync_m365::{LiveSource, Options, Settings};

use crate::bundle::{self, Collected};
use crate::cli::{CollectArgs, SelectionArgs};
use crate::commands::{run, sim};
use crate::engine::{self, EngineOptions, Progress, Selection, select};
use crate::error::CliError;

/// `collect`: from the live environment of the connection flags, or from the simulated tenant
/// with `--demo`.
pub async fn collect(
    args: &CollectArgs,
    quiet: bool,
    check_options: ssync_core::CheckOptions,
) -> Result<ExitCode, CliError> {
    check_destination(&args.output, args.pseudonyms.as_deref())?;
    if !args.demo {
        let settings = run::settings(&args.connection)?;
        return collect_from(settings, args, quiet, check_options).await;
    }
    let (sim, name) = sim::start(&args.scenario).await?;
    tracing::info!(scenario = %name, org_url = %sim.org_url, "simulated tenant started");
    let result = collect_from(sim::sim_settings(&sim), args, quiet, check_options).await;
    sim.shutdown().await;
    result
}

/// Connects, runs the checks through a [`RecordingSource`] and writes the bundle.
async fn collect_from(
    settings: Settings,
    args: &CollectArgs,
    quiet: bool,
    check_options: ssync_core::CheckOptions,
) -> Result<ExitCode, CliError> {
    let all_checks: Vec<&'static dyn ssync_core::Check> =
        crate::registered()?.iter().map(|r| r.check).collect();
    let selection = &args.selection;
    let checks = select::select_checks(&all_checks, &selection.checks, &selection.skip_checks)?;
    let org_url = settings.org_url.clone();
    tracing::info!(org_url = %org_url, tenant = %settings.tenant_id, client = %settings.client_id, "connecting");
    // SSYNC_* variables shorten timeouts and retries as for `run` (docs/errors.md).
    let options = Options::from_env()?;
    let live = LiveSource::connect(settings, options).await?;
    live.set_alerts_since(check_options.alerts_since());
    let source = RecordingSource::new(live);
    let opts = EngineOptions {
        progress: Progress::new(!quiet && std::io::stderr().is_terminal()),
        check_options,
        // Only the counts are printed: keeping 900,000 passes at 100,000 mailboxes cost more
        // than a gigabyte.
        keep_passing: false,
        ..EngineOptions::new(org_url.clone(), "live")
    };
    let engine_selection = Selection::from(selection);
    let report = engine::diagnose(&source, &all_checks, &engine_selection, &opts).await?;
    let (facts, mailbox_ids) = covered_mailboxes(source.into_facts(), selection).await?;
    let (bundle, table) = bundle::build(
        Collected {
            facts,
            org_url,
            // A `--failing` bundle names its mailboxes: replayed as `--all`, it would cover
            // the healthy ones too, whose facts it does not hold.
            all: selection.mailbox.is_empty() && !selection.failing,
            mailbox_ids,
            checks: checks.iter().map(|c| c.meta().id.to_owned()).collect(),
        },
        args.redact,
    );
    write_file(&args.output, |file| bundle.write_json(file))?;
    if let (Some(path), Some(table)) = (&args.pseudonyms, &table) {
        let text = serde_json::to_string_pretty(table).unwrap_or_default() + "\n";
        write_file(path, |mut file| file.write_all(text.as_bytes()))?;
    }
    let s = &report.summary;
    let line = format!(
        "wrote {}: {} mailbox(es), {} check(s), {} facts{}; the checks found {} fail, {} warn, {} error. \
         Analyse it with: ssync-doctor run --from {}\n",
        args.output.display(),
        bundle.selection.mailboxes.len(),
        bundle.selection.checks.len(),
        bundle.fact_count(),
        if bundle.redacted { ", redacted" } else { "" },
        s.fail,
        s.warn,
        s.error,
        crate::shell::quote(&args.output.display().to_string()),
    );
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The ids of the mailboxes the run covered: the same selection made again over the recorded
/// facts, which is also what `run --from` will see. The facts are handed back, not copied.
async fn covered_mailboxes(
    facts: ssync_core::Facts,
    selection: &SelectionArgs,
) -> Result<(ssync_core::Facts, Vec<String>), CliError> {
    let replay = MemorySource::from_facts(facts);
    let mailboxes = select::select_mailboxes(&replay, &selection.mailbox, selection.failing).await?;
    Ok((replay.into_facts(), mailboxes.into_iter().map(|m| m.id).collect()))
}

/// Refuses, before connecting, a destination that cannot be written.
fn check_destination(output: &Path, pseudonyms: Option<&Path>) -> Result<(), CliError> {
    for path in std::iter::once(output).chain(pseudonyms) {
        if path.is_dir() {
            return Err(CliError::Usage(format!(
                "{} is a directory; give a file name",
                path.display()
            )));
        }
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(CliError::Usage(format!(
                "cannot write {}: the directory {} does not exist",
                path.display(),
                parent.display()
            )));
        }
    }
    if pseudonyms == Some(output) {
        return Err(CliError::Usage(
            "--pseudonyms must name another file than --output".into(),
        ));
    }
    Ok(())
}

/// Writes to `path` through a temporary file beside it (what `write` puts in the file), so
/// that a failed write never leaves half a bundle behind.
fn write_file(path: &Path, write: impl FnOnce(std::fs::File) -> std::io::Result<()>) -> Result<(), CliError> {
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".partial");
    let err = |e: std::io::Error| CliError::Usage(format!("cannot write {}: {e}", path.display()));
    if let Err(e) = std::fs::File::create(&tmp).and_then(write) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}
