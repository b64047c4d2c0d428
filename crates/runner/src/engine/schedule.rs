//! Running checks over their subjects, concurrently, so that one broken check costs one
//! `error` result and not the run.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use futures::{FutureExt, StreamExt, stream};
use ssync_core::{
    Check, CheckContext, DataSource, Finding, Outcome, Scope, Status, Subject, Summary, evaluate,
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
pub async fn run_all(
    source: &dyn DataSource,
    checks: &[&dyn Check],
    subjects: &Subjects,
    concurrency: usize,
    keep_passing: bool,
    progress: &Progress,
) -> Ran {
    let ctx = CheckContext::new(source);
    let tasks: Vec<(&dyn Check, &Subject)> = checks
        .iter()
        .flat_map(|c| subjects.of(c.meta().scope).iter().map(move |s| (*c, s)))
        .collect();
    progress.start(tasks.len());
    let mut counts: BTreeMap<&'static str, Summary> = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut results = stream::iter(tasks)
        .map(|(check, subject)| {
            let ctx = &ctx;
            async move {
                let outcome = run_one(check, ctx, subject).await;
                progress.tick();
                (check, subject, outcome)
            }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((check, subject, outcome)) = results.next().await {
        let tally = counts.entry(check.meta().id).or_default();
        tally.add(outcome.status);
        tally.mailboxes += 1;
        if keep_passing || outcome.status != Status::Pass {
            findings.push(Finding::new(check.meta(), subject, outcome));
        }
    }
    progress.finish();
    findings.sort_by(|a, b| {
        (&a.check, &a.subject.kind, &a.subject.name, &a.subject.id).cmp(&(
            &b.check,
            &b.subject.kind,
            &b.subject.name,
            &b.subject.id,
        ))
    });
    Ran { findings, counts }
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
