//! The progress indicator of long runs: on standard error, only on a terminal, and only once a
//! run has taken long enough for a person to wonder whether it is stuck. A spinner while the
//! source reads in bulk, then a bar while the checks run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this never show anything (the demo finishes well within it).
const SHOW_AFTER: Duration = Duration::from_millis(1500);

pub struct Progress {
    bar: Option<ProgressBar>,
    done: Arc<AtomicBool>,
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
        Self { bar, done }
    }

    /// Never shows anything (tests, `--quiet`, standard error not a terminal).
    pub fn hidden() -> Self {
        Self::new(false)
    }

    /// The checks start: `total` runs of a check over a subject.
    pub(crate) fn start(&self, total: usize) {
        if let Some(bar) = &self.bar {
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} checking {pos}/{len} [{bar:30}] {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_length(total as u64);
        }
    }

    pub(crate) fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
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
