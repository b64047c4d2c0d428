//! Running checks over their subjects, concurrently, so that one broken check costs one
//! `error` result and not the run.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use futures::{FutureExt, StreamExt, stream};
use ssync_core::{
    Check, CheckContext, CheckMeta, CheckOptions, DataSource, Finding, Outcome, Scope, Status, Subject,
    Summary, evaluate,
};

use super::progress::Progress;

/// The subjects of one run, by scope.
#[derive(Debug, Default)]
pub struct Subjects {
    pub environment: Option<Subject>,
    pub profiles: Vec<Subject>,
    pub mailboxes: Vec<Subject>,
}

impl Subjects {
    pub fn of(&self, scope: Scope) -> &[Subject] {
        match scope {
            Scope::Environment => self.environment.as_slice(),
            Scope::Profile => &self.profiles,
            Scope::Mailbox => &self.mailboxes,
        }
    }
}

/// What [`run_all`] produced.
#[derive(Default)]
pub struct Ran {
    /// One finding per (check, subject) in the report's order — passes only when kept.
    pub findings: Vec<Finding>,
    /// Counts per status for each check id, passes included; `mailboxes` is the number of
    /// subjects the check ran on.
    pub counts: BTreeMap<&'static str, Summary>,
}

/// Runs every check over every subject of its scope, at most `concurrency` at a time. Every
/// result is counted; `pass` findings are kept only when `keep_passing`. Findings come back in
/// the report's order: check id, then subject kind, name and id.
///
/// Check runs are mostly CPU once `prepare` has read the data (500,000 of them at 100,000
/// mailboxes), so on a multi-threaded runtime they are dealt out to one thread per core, each
/// driving its share on the runtime's handle; on a current-thread runtime (unit tests) they
/// run on the caller's thread.
pub async fn run_all(
    source: &dyn DataSource,
    checks: &[&dyn Check],
    subjects: &Subjects,
    options: CheckOptions,
    concurrency: usize,
    keep_passing: bool,
    progress: &Progress,
) -> Ran {
    // Subject by subject (every check of one mailbox, then the next), so that the progress
    // bar can count mailboxes; the report's order is restored by sorting at the end.
    let tasks: Vec<(&dyn Check, &Subject)> = [Scope::Environment, Scope::Profile, Scope::Mailbox]
        .into_iter()
        .flat_map(|scope| {
            subjects.of(scope).iter().flat_map(move |s| {
                checks
                    .iter()
                    .filter(move |c| c.meta().scope == scope)
                    .map(move |c| (*c, s))
            })
        })
        .collect();
    let per_mailbox = checks.iter().filter(|c| c.meta().scope == Scope::Mailbox).count();
    progress.start(tasks.len(), subjects.mailboxes.len(), per_mailbox);
    let threads = threads_for(tasks.len());
    // Every check learns which checks share the run (`unexplained-sync-alert` needs it).
    let selected: Vec<&'static CheckMeta> = checks.iter().map(|c| c.meta()).collect();
    let shard = Shard {
        source,
        options,
        selected: &selected,
        concurrency: concurrency.div_ceil(threads).max(1),
        keep_passing,
        progress,
    };
    let mut ran = if threads == 1 {
        shard.run(tasks).await
    } else {
        let mut shares: Vec<Vec<(&dyn Check, &Subject)>> = vec![Vec::new(); threads];
        for (i, task) in tasks.into_iter().enumerate() {
            shares[i % threads].push(task);
        }
        let handle = tokio::runtime::Handle::current();
        let shard = &shard;
        let parts: Vec<Ran> = tokio::task::block_in_place(|| {
            std::thread::scope(|scope| {
                let running: Vec<_> = shares
                    .into_iter()
                    .map(|share| {
                        let handle = handle.clone();
                        scope.spawn(move || handle.block_on(shard.run(share)))
                    })
                    .collect();
                running
                    .into_iter()
                    .map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        });
        let mut all = Ran::default();
        for part in parts {
            all.absorb(part);
        }
        all
    };
    progress.finish();
    sort_findings(&mut ran.findings);
    ran
}

/// The report's order: check id, then subject kind, name and id.
pub(super) fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.check, &a.subject.kind, &a.subject.name, &a.subject.id).cmp(&(
            &b.check,
            &b.subject.kind,
            &b.subject.name,
            &b.subject.id,
        ))
    });
}

/// Fewer runs than this per thread are not worth a thread.
const MIN_RUNS_PER_THREAD: usize = 1_000;

/// How many threads to spread `runs` check runs over: one per core on a multi-threaded
/// runtime, fewer for small runs, one on a current-thread runtime (where `block_in_place`
/// is not allowed).
fn threads_for(runs: usize) -> usize {
    let multi_threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if !multi_threaded {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(runs / MIN_RUNS_PER_THREAD).max(1)
}

/// What every share of the check runs has in common.
struct Shard<'a> {
    source: &'a dyn DataSource,
    options: CheckOptions,
    selected: &'a [&'static CheckMeta],
    concurrency: usize,
    keep_passing: bool,
    progress: &'a Progress,
}

impl Shard<'_> {
    /// Runs `tasks`, `concurrency` at a time, counting every result and keeping the findings
    /// the report lists.
    async fn run(&self, tasks: Vec<(&dyn Check, &Subject)>) -> Ran {
        let ctx = CheckContext::with_options(self.source, self.options).with_selected(self.selected);
        let mut ran = Ran::default();
        let mut results = stream::iter(tasks)
            .map(|(check, subject)| {
                let ctx = &ctx;
                async move {
                    let outcome = run_one(check, ctx, subject).await;
                    self.progress.tick(subject.scope() == Scope::Mailbox);
                    (check, subject, outcome)
                }
            })
            .buffer_unordered(self.concurrency);
        while let Some((check, subject, outcome)) = results.next().await {
            let tally = ran.counts.entry(check.meta().id).or_default();
            tally.add(outcome.status);
            tally.mailboxes += 1;
            if self.keep_passing || outcome.status != Status::Pass {
                ran.findings.push(Finding::new(check.meta(), subject, outcome));
            }
        }
        ran
    }
}

impl Ran {
    fn absorb(&mut self, other: Ran) {
        self.findings.extend(other.findings);
        for (id, counts) in other.counts {
            let tally = self.counts.entry(id).or_default();
            tally.add_counts(&counts);
            tally.mailboxes += counts.mailboxes;
        }
    }
}

/// One check on one subject. A `SourceError` becomes an `error` outcome (through
/// [`evaluate`], exactly as check authors see it in their tests); a panic becomes an `error`
/// outcome naming the check as the culprit.
async fn run_one(check: &dyn Check, ctx: &CheckContext<'_>, subject: &Subject) -> Outcome {
    let id = check.meta().id;
    match AssertUnwindSafe(evaluate(check, ctx, subject))
        .catch_unwind()
        .await
    {
        Ok(outcome) => {
            if outcome.status == Status::Error {
                // The report carries it; the log line is for following a run with -vv.
                tracing::debug!(check = id, subject = subject.name(), "{}", outcome.message);
            }
            outcome
        }
        Err(payload) => {
            let what = panic_text(payload.as_ref());
            tracing::warn!(check = id, subject = subject.name(), "check panicked: {what}");
            Outcome::error(format!(
                "The check `{id}` crashed on this subject ({what}); this is a bug in the check, not a \
                 finding about the subject."
            ))
            .with_evidence("panic", what)
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".into())
}
