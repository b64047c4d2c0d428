//! One throttling penalty ([`crate::Penalty`]): from its request on, the service refuses
//! everything with 429 until `Retry-After` has passed, and counts the requests a client sent
//! too early.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::knobs::{Penalty, Service};

/// Requests arriving this soon after the 429 was sent were already on their way.
const GRACE: Duration = Duration::from_millis(150);

#[derive(Default)]
pub(crate) struct PenaltyClock {
    /// When the 429 was sent, and until when the penalty lasts.
    on: Mutex<Option<(Instant, Instant)>>,
}

/// What the penalty says about one request.
pub(crate) enum Verdict {
    /// No penalty applies.
    Free,
    /// Refuse with 429 and this `Retry-After`; `early` when the client should have known.
    Refuse { retry_after: Duration, early: bool },
}

impl PenaltyClock {
    pub(crate) fn judge(&self, penalty: Option<Penalty>, service: Service, n: u64) -> Verdict {
        let Some(p) = penalty.filter(|p| p.service == service) else {
            return Verdict::Free;
        };
        let now = Instant::now();
        let mut on = self.on.lock().unwrap_or_else(|e| e.into_inner());
        if n == p.after && on.is_none() {
            *on = Some((now, now + p.retry_after));
            return Verdict::Refuse {
                retry_after: p.retry_after,
                early: false,
            };
        }
        match *on {
            Some((sent, until)) if now < until => Verdict::Refuse {
                retry_after: until - now,
                early: now > sent + GRACE,
            },
            _ => Verdict::Free,
        }
    }
}
