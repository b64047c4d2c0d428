//! The engine: from a data source and a set of checks to a [`Report`].
//!
//! 1. choose the checks ([`select::select_checks`]) and the mailboxes
//!    ([`select::select_mailboxes`]);
//! 2. tell the source what the run covers ([`DataSource::prepare`]) so a live source reads
//!    in bulk;
//! 3. build the subjects: the environment once, each profile that a selected mailbox uses,
//!    each selected mailbox;
//! 4. run every check over the subjects of its scope, concurrently ([`schedule::run_all`]);
//! 5. count and sort into a [`Report`].
//!
//! Waivers are not the engine's business: the command applies the configuration to the
//! report afterwards (`config::RunRules::apply`).
//!
//! `run` and `demo` both come here through the same function, whatever the source.

mod failed_reads;
mod progress;
mod schedule;
pub mod select;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use ssync_core::{
    Check, CheckOptions, DataNeed, DataSource, Finding, RunPlan, SourceError, Status, Subject, Summary,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::report::{CheckRun, EnvironmentInfo, Report, RunConfiguration, SCHEMA, Tool};
use failed_reads::NotingFailures;

pub use progress::Progress;
pub use schedule::Subjects;

/// What the operator selected on the command line.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--mailbox` values; empty means `--all`.
    pub mailboxes: Vec<String>,
    /// `--check` ids; empty means every check.
    pub checks: Vec<String>,
    /// `--skip-check` ids.
    pub skip_checks: Vec<String>,
    /// `--failing`: only mailboxes whose last test or synchronisation failed.
    pub failing: bool,
}

impl From<&crate::cli::SelectionArgs> for Selection {
    fn from(args: &crate::cli::SelectionArgs) -> Self {
        Self {
            mailboxes: args.mailbox.clone(),
            checks: args.checks.clone(),
            skip_checks: args.skip_checks.clone(),
            failing: args.failing,
        }
    }
}

/// How the engine runs.
pub struct EngineOptions {
    /// The environment URL the source is connected to (reported as `environment.org_url`).
    pub org_url: String,
    /// `live`, `demo` or `bundle` (reported as `environment.source`).
    pub source_label: String,
    /// How many check runs may be in flight at once.
    pub concurrency: usize,
    pub progress: Progress,
    /// Keep every `pass` finding (`--include-passing`, JUnit). Otherwise passes are only
    /// counted: at 100,000 mailboxes they are four fifths of all results.
    pub keep_passing: bool,
    /// What checks judge against: the run's "now" and the alert window.
    pub check_options: CheckOptions,
    /// `--quiet`: nothing on standard error but errors (no line naming the report files).
    pub quiet: bool,
}

impl EngineOptions {
    pub fn new(org_url: impl Into<String>, source_label: impl Into<String>) -> Self {
        Self {
            org_url: org_url.into(),
            source_label: source_label.into(),
            concurrency: DEFAULT_CONCURRENCY,
            progress: Progress::hidden(),
            keep_passing: true,
            check_options: CheckOptions::default(),
            quiet: false,
        }
    }
}

/// Check runs in flight at once. Checks mostly wait on the source, which bounds its own
/// requests per service, so this only needs to keep that pipeline full.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// Why a run could not happen at all.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// `--check`/`--skip-check` named a check that is not linked in (bad input).
    #[error("{0}")]
    UnknownCheck(String),
    /// `--mailbox` named a mailbox that does not exist (bad input).
    #[error("{0}")]
    UnknownMailbox(String),
    /// The selection leaves nothing to do (bad input).
    #[error("{0}")]
    NothingToRun(String),
    /// Data the run itself needs (not one check's data) could not be read.
    #[error("could not read {what}: {error}")]
    Source { what: String, error: Box<SourceError> },
}

impl EngineError {
    /// Contract exit codes: bad selection is bad input (2); unreadable run data means the
    /// tool could not run (3).
    pub fn exit_code(&self) -> u8 {
        match self {
            EngineError::UnknownCheck(_) | EngineError::UnknownMailbox(_) | EngineError::NothingToRun(_) => 2,
            EngineError::Source { .. } => 3,
        }
    }
}

/// Runs the selected checks against `source` and reports every result.
pub async fn diagnose(
    source: &dyn DataSource,
    all_checks: &[&dyn Check],
    selection: &Selection,
    opts: &EngineOptions,
) -> Result<Report, EngineError> {
    let started_at = now();
    let noting = NotingFailures::new(source);
    let source: &dyn DataSource = &noting;
    let checks = select::select_checks(all_checks, &selection.checks, &selection.skip_checks)?;
    let needs: Vec<DataNeed> = checks
        .iter()
        .flat_map(|c| c.meta().reads.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let selecting = select::select_mailboxes(source, &selection.mailboxes, selection.failing);
    let mailboxes = if selection.mailboxes.is_empty() {
        // `--all` reads every mailbox, page after page; a large environment is known as
        // such from the first page, and its directory can be read meanwhile.
        opts.progress
            .while_reading(source, async {
                tokio::join!(selecting, source.anticipate(&needs)).0
            })
            .await?
    } else {
        selecting.await?
    };
    tracing::info!(
        mailboxes = mailboxes.len(),
        checks = checks.len(),
        "selection made"
    );

    let profile_ids: BTreeSet<String> = mailboxes.iter().filter_map(|m| m.profile_id.clone()).collect();
    let plan = RunPlan {
        mailbox_ids: mailboxes.iter().map(|m| m.id.clone()).collect(),
        profile_ids: profile_ids.iter().cloned().collect(),
        needs,
        alerts_since: Some(ssync_core::check::format_time(opts.check_options.alerts_since())),
    };
    // A failed prefetch is not fatal: each check then asks for what it needs and reports its
    // own `error` if the data is really unreadable, so one missing permission costs only the
    // checks that need it.
    if let Err(err) = opts.progress.while_reading(source, source.prepare(&plan)).await {
        tracing::warn!("could not prefetch the run's data ({err}); the checks will read it one by one");
    }
    tracing::info!("data prefetched");

    // A read that fails for good costs the results that need it, not the run: those become
    // `error` with the reason, the others are reported as usual, and the report lists the
    // reads that failed. Only the mailbox list is indispensable (without it no check has a
    // subject), so its failure alone stops the run.
    let environment = source.environment().await;
    let has_scope = |scope| checks.iter().any(|c| c.meta().scope == scope);
    let mut unreadable: Vec<Finding> = Vec::new();
    let profiles = if has_scope(ssync_core::Scope::Profile) && !profile_ids.is_empty() {
        match source.profiles().await {
            Ok(all) => {
                let mut profiles: Vec<_> = all.into_iter().filter(|p| profile_ids.contains(&p.id)).collect();
                for missing in profile_ids
                    .iter()
                    .filter(|id| !profiles.iter().any(|p| &p.id == *id))
                {
                    tracing::warn!(profile = %missing, "a selected mailbox refers to an e-mail server profile that does not exist");
                }
                profiles.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
                profiles
            }
            Err(err) => {
                for check in checks
                    .iter()
                    .filter(|c| c.meta().scope == ssync_core::Scope::Profile)
                {
                    for id in &profile_ids {
                        let subject = ssync_core::SubjectRef::named("profile", id.clone(), id.clone());
                        let mailboxes = mailboxes
                            .iter()
                            .filter(|m| m.is_on_profile(id))
                            .cloned()
                            .collect::<Vec<_>>();
                        unreadable.push(unreadable_finding(
                            check.meta(),
                            subject,
                            &mailboxes,
                            "the e-mail server profiles",
                            &err,
                        ));
                    }
                }
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let (environment_subject, tenant_id) = match environment {
        Ok(environment) => {
            let tenant_id = environment.tenant_id.clone();
            (Some(Subject::Environment(environment)), tenant_id)
        }
        Err(err) => {
            for check in checks
                .iter()
                .filter(|c| c.meta().scope == ssync_core::Scope::Environment)
            {
                let subject =
                    ssync_core::SubjectRef::named("environment", String::new(), opts.org_url.clone());
                unreadable.push(unreadable_finding(
                    check.meta(),
                    subject,
                    &[],
                    "the environment (organisation)",
                    &err,
                ));
            }
            (None, String::new())
        }
    };

    let subjects = Subjects {
        environment: environment_subject,
        profiles: profiles.into_iter().map(Subject::Profile).collect(),
        mailboxes: mailboxes.iter().cloned().map(Subject::Mailbox).collect(),
    };
    let schedule::Ran { mut findings, counts } = schedule::run_all(
        source,
        &checks,
        &subjects,
        opts.check_options,
        opts.concurrency,
        opts.keep_passing,
        &opts.progress,
    )
    .await;
    let mut counts = counts;
    if !unreadable.is_empty() {
        for f in &unreadable {
            let id = checks
                .iter()
                .map(|c| c.meta().id)
                .find(|id| *id == f.check)
                .unwrap_or_default();
            let tally = counts.entry(id).or_default();
            tally.add(Status::Error);
            tally.mailboxes += 1;
        }
        findings.extend(unreadable);
        schedule::sort_findings(&mut findings);
    }
    tracing::info!(findings = findings.len(), "checks finished");
    fill_profile_mailboxes(&mut findings, &mailboxes);
    // The configuration (its file, its waivers) is applied by the caller, to the report.
    let configuration = RunConfiguration {
        disabled_checks: all_checks
            .iter()
            .map(|c| c.meta().id)
            .filter(|id| !checks.iter().any(|c| c.meta().id == *id))
            .map(str::to_owned)
            .collect(),
        ..RunConfiguration::default()
    };

    Ok(Report {
        schema: SCHEMA.into(),
        tool: Tool::this(),
        environment: EnvironmentInfo {
            org_url: opts.org_url.clone(),
            tenant_id,
            source: opts.source_label.clone(),
        },
        started_at,
        finished_at: now(),
        summary: summarise(&counts, mailboxes.len()),
        checks: check_runs(&checks, &counts),
        findings,
        expired_waivers: Vec::new(),
        failed_reads: noting.failed_reads(),
        configuration,
    })
}

/// The `error` result of a check whose subject could not be read at all.
fn unreadable_finding(
    meta: &ssync_core::CheckMeta,
    subject: ssync_core::SubjectRef,
    mailboxes: &[ssync_core::records::Mailbox],
    what: &str,
    err: &SourceError,
) -> Finding {
    let outcome = ssync_core::Outcome::error(format!(
        "Could not read {what}, so this check could not run here: {err}"
    ))
    .with_mailboxes(mailboxes.iter().map(|m| m.display_address().to_owned()));
    Finding::about(meta, subject, outcome)
}

/// The contract wants a profile finding to list the mailboxes it affects. Checks usually do
/// that themselves; when a problem result comes without them, the run's own mailboxes on that
/// profile stand in.
fn fill_profile_mailboxes(findings: &mut [Finding], mailboxes: &[ssync_core::records::Mailbox]) {
    for f in findings.iter_mut().filter(|f| {
        f.subject.kind == "profile"
            && f.mailboxes.is_empty()
            && matches!(f.status, Status::Warn | Status::Fail)
    }) {
        f.mailboxes = mailboxes
            .iter()
            .filter(|m| m.is_on_profile(&f.subject.id))
            .map(|m| m.display_address().to_owned())
            .collect();
    }
}

fn summarise(counts: &BTreeMap<&'static str, Summary>, mailboxes: usize) -> Summary {
    let mut summary = Summary {
        mailboxes,
        ..Summary::default()
    };
    for c in counts.values() {
        summary.add_counts(c);
    }
    summary
}

fn check_runs(checks: &[&dyn Check], counts: &BTreeMap<&'static str, Summary>) -> Vec<CheckRun> {
    let mut runs: Vec<CheckRun> = checks
        .iter()
        .map(|c| CheckRun::from_meta(c.meta(), counts.get(c.meta().id).copied().unwrap_or_default()))
        .collect();
    runs.sort_by(|a, b| a.id.cmp(&b.id));
    runs
}

/// Now, in RFC 3339 UTC to the second, as reports and bundles write it.
pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
