//! Service protection: a sliding window of request times plus a count of requests in
//! flight, per service.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::knobs::ServiceLimits;

#[derive(Default)]
pub(crate) struct Limiter {
    window: Mutex<VecDeque<Instant>>,
    in_flight: AtomicU32,
}

/// Why a request was refused.
pub(crate) enum Refusal {
    /// Too many requests in the window; retry after this long.
    Requests(Duration),
    /// Too many requests at once.
    Concurrency,
}

/// Holds one in-flight slot until dropped.
pub(crate) struct Slot<'a>(Option<&'a AtomicU32>);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.0 {
            c.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Limiter {
    pub fn acquire(&self, limits: Option<ServiceLimits>) -> Result<Slot<'_>, Refusal> {
        let Some(l) = limits else { return Ok(Slot(None)) };
        let now = Instant::now();
        {
            let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
            while w.front().is_some_and(|t| now.duration_since(*t) >= l.window) {
                w.pop_front();
            }
            if w.len() >= l.requests_per_window as usize {
                let oldest = w.front().copied().unwrap_or(now);
                return Err(Refusal::Requests(
                    l.window.saturating_sub(now.duration_since(oldest)),
                ));
            }
            w.push_back(now);
        }
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if before >= l.max_concurrent {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Concurrency);
        }
        Ok(Slot(Some(&self.in_flight)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_and_concurrency() {
        let l = Limiter::default();
        let lim = ServiceLimits {
            requests_per_window: 3,
            window: Duration::from_secs(60),
            max_concurrent: 2,
        };
        let a = l.acquire(Some(lim)).ok();
        let b = l.acquire(Some(lim)).ok();
        assert!(a.is_some() && b.is_some());
        assert!(matches!(l.acquire(Some(lim)), Err(Refusal::Concurrency)));
        drop(a);
        // The refused request above still counted in the window: 3 of 3 used.
        match l.acquire(Some(lim)) {
            Err(Refusal::Requests(d)) => assert!(d > Duration::from_secs(58)),
            _ => panic!("expected a window refusal"),
        }
        assert!(l.acquire(None).is_ok());
    }
}
