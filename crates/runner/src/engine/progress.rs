//! The progress indicator of long runs: on standard error, only on a terminal, and only once a
//! run has taken long enough for a person to wonder whether it is stuck. A spinner counting
//! the records read while the source reads in bulk, then a bar counting the mailboxes checked,
//! with the time left, while the checks run.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ssync_core::DataSource;

/// How often the read count is refreshed.
const READ_COUNT_EVERY: Duration = Duration::from_millis(250);

/// Runs shorter than this never show anything (the demo finishes well within it).
const SHOW_AFTER: Duration = Duration::from_millis(1500);

pub struct Progress {
    bar: Option<ProgressBar>,
    done: Arc<AtomicBool>,
    /// Check runs per mailbox (the mailbox-scoped checks selected); 0 counts check runs.
    per_mailbox: AtomicUsize,
    /// Mailbox-scoped check runs finished so far.
    mailbox_runs: AtomicUsize,
}

impl Progress {
    /// An indicator that may appear on standard error; `enabled` is the caller's decision (a
    /// terminal on standard error, not `--quiet`). The clock starts now.
    pub fn new(enabled: bool) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                bar.set_style(style);
            }
            bar.set_message("connecting and reading the environment's data");
            bar.enable_steady_tick(Duration::from_millis(120));
            let (shown, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(SHOW_AFTER);
                if !done.load(Ordering::SeqCst) {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                }
            });
            bar
        });
        Self {
            bar,
            done,
            per_mailbox: AtomicUsize::new(0),
            mailbox_runs: AtomicUsize::new(0),
        }
    }

    /// Says what the run is doing before the checks start (the spinner's text).
    pub(crate) fn say(&self, what: impl Into<std::borrow::Cow<'static, str>>) {
        if let Some(bar) = &self.bar {
            bar.set_message(what);
        }
    }

    /// Drives `work` (the bulk reads) to its end, showing how many records the source has
    /// read so far, when it counts them.
    pub(crate) async fn while_reading<T>(&self, source: &dyn DataSource, work: impl Future<Output = T>) -> T {
        let Some(bar) = &self.bar else {
            return work.await;
        };
        let mut work = std::pin::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                () = tokio::time::sleep(READ_COUNT_EVERY) => {
                    if let Some(n) = source.records_read() {
                        bar.set_message(format!("reading the environment's data: {n} records"));
                    }
                }
            }
        }
    }

    /// Never shows anything (tests, `--quiet`, standard error not a terminal).
    pub fn hidden() -> Self {
        Self::new(false)
    }

    /// The checks start: `total` runs of a check over a subject, `per_mailbox` of them on each
    /// of `mailboxes` mailboxes. The bar counts mailboxes (runs when there are none), in the
    /// order the engine deals them out: every check of one mailbox, then the next.
    pub(crate) fn start(&self, total: usize, mailboxes: usize, per_mailbox: usize) {
        let Some(bar) = &self.bar else {
            return;
        };
        let by_mailbox = mailboxes > 0 && per_mailbox > 0;
        self.per_mailbox
            .store(if by_mailbox { per_mailbox } else { 0 }, Ordering::Relaxed);
        let template = if by_mailbox {
            "{spinner} checked {pos}/{len} mailboxes [{bar:30}] {elapsed}, about {eta} left"
        } else {
            "{spinner} checking {pos}/{len} [{bar:30}] {elapsed}, about {eta} left"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_length((if by_mailbox { mailboxes } else { total }) as u64);
    }

    /// One check run finished (on a mailbox, or on another subject).
    pub(crate) fn tick(&self, on_mailbox: bool) {
        let Some(bar) = &self.bar else {
            return;
        };
        match self.per_mailbox.load(Ordering::Relaxed) {
            0 => bar.inc(1),
            per if on_mailbox => {
                let runs = self.mailbox_runs.fetch_add(1, Ordering::Relaxed) + 1;
                if runs % per == 0 {
                    bar.set_position((runs / per) as u64);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// A run that ends early (an error before the checks) must not leave a spinner behind.
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(p: &Progress) -> u64 {
        p.bar.as_ref().map_or(0, ProgressBar::position)
    }

    #[test]
    fn the_bar_counts_mailboxes_whose_checks_have_all_run() {
        let p = Progress::new(true);
        // 2 mailbox checks on 5 mailboxes, and a profile check.
        p.start(11, 5, 2);
        assert_eq!(p.bar.as_ref().and_then(ProgressBar::length), Some(5));
        p.tick(false);
        p.tick(true);
        assert_eq!(position(&p), 0, "half a mailbox is not a mailbox");
        p.tick(true);
        p.tick(true);
        assert_eq!(position(&p), 1);
        p.tick(true);
        assert_eq!(position(&p), 2);
        p.finish();
    }

    #[test]
    fn without_mailboxes_the_bar_counts_check_runs() {
        let p = Progress::new(true);
        p.start(3, 0, 0);
        p.tick(false);
        p.tick(false);
        assert_eq!(position(&p), 2);
        p.finish();
    }
}
