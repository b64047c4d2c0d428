//! The progress bar of long runs: on standard error, only on a terminal, and only once a run
//! has taken long enough for a person to wonder whether it is stuck.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this never show a bar (the demo finishes well within it).
const SHOW_AFTER: Duration = Duration::from_millis(1500);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Mutex<Option<Instant>>,
}

impl Progress {
    /// A bar that may appear on standard error; `enabled` is the caller's decision (a terminal
    /// on standard error, not `--quiet`).
    pub fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} checking {pos}/{len} [{bar:30}] {elapsed_precise}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Self {
            bar,
            started: Mutex::new(None),
        }
    }

    /// Never shows anything (tests, `--quiet`, output not on a terminal).
    pub fn hidden() -> Self {
        Self::new(false)
    }

    pub(crate) fn start(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        }
    }

    pub(crate) fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        let started = *self.started.lock().unwrap_or_else(|e| e.into_inner());
        if bar.is_hidden() && started.is_some_and(|s| s.elapsed() >= SHOW_AFTER) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
