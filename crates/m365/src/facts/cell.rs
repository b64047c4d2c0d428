//! Single-flight caches: each fact is fetched at most once per run, however many checks ask
//! for it at the same time. Failures are cached too, so that a missing permission costs one
//! request, not one per mailbox.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use ssync_core::SourceError;
use tokio::sync::OnceCell;

pub(crate) type Fact<V> = Result<V, SourceError>;

/// A cache of facts by key (ids and addresses, lower-cased by the caller).
pub(crate) struct Keyed<V> {
    cells: Mutex<HashMap<String, Arc<OnceCell<Fact<V>>>>>,
}

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Self {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

/// The fact in `cell`, or the result of `read` (run once even under concurrent callers).
///
/// A known fact is answered without building `read`'s future: a large run asks for the same
/// few facts half a million times, and a read's future (request, retries, paging) is kilobytes
/// that would be allocated and copied each time. The read is boxed for the same reason: it
/// keeps the caller's own future small.
pub(crate) async fn once<V, F>(cell: &OnceCell<Fact<V>>, read: impl FnOnce() -> F) -> Fact<V>
where
    V: Clone,
    F: Future<Output = Fact<V>>,
{
    if let Some(known) = cell.get() {
        return known.clone();
    }
    Box::pin(cell.get_or_init(read)).await.clone()
}

impl<V: Clone> Keyed<V> {
    fn cell(&self, key: &str) -> Arc<OnceCell<Fact<V>>> {
        // A poisoned lock only means another task panicked while inserting; the map is
        // still consistent.
        let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cell) = cells.get(key) {
            return cell.clone();
        }
        cells.entry(key.to_owned()).or_default().clone()
    }

    /// The cached fact, or the result of `fetch` (run once even under concurrent callers).
    pub(crate) async fn get_or<F>(&self, key: &str, fetch: impl FnOnce() -> F) -> Fact<V>
    where
        F: Future<Output = Fact<V>>,
    {
        once(&self.cell(key), fetch).await
    }

    /// Stores a fact found by a bulk read; a fact already known is kept.
    pub(crate) fn put(&self, key: &str, fact: Fact<V>) {
        let _ = self.cell(key).set(fact);
    }

    /// True when the fact is known (or being fetched).
    pub(crate) fn known(&self, key: &str) -> bool {
        let cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        cells.get(key).is_some_and(|c| c.initialized())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_errors_are_cached() {
        let cache: Keyed<u32> = Keyed::default();
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(7)
        };
        let (a, b, c) = tokio::join!(
            cache.get_or("k", fetch),
            cache.get_or("k", fetch),
            cache.get_or("k", fetch)
        );
        assert_eq!((a, b, c), (Ok(7), Ok(7), Ok(7)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let err = SourceError::Unsupported("no".into());
        cache.put("e", Err(err.clone()));
        assert_eq!(cache.get_or("e", || async { Ok(1) }).await, Err(err));
        cache.put("k", Ok(9));
        assert_eq!(cache.get_or("k", || async { Ok(1) }).await, Ok(7));
        assert!(cache.known("k") && !cache.known("z"));
    }
}
