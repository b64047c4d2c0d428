//! Request accounting, so tests and benchmarks can assert how many requests a run made.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::knobs::Service;

/// Counters of one service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceStats {
    /// Every request received, including throttled and faulted ones.
    pub requests: u64,
    /// Requests per route, e.g. `GET mailboxes` or `GET /v1.0/users/{id}/mailboxSettings`.
    pub routes: BTreeMap<String, u64>,
    /// Requests per HTTP method.
    pub methods: BTreeMap<String, u64>,
    /// 429 responses sent.
    pub throttled: u64,
    /// Faults injected (5xx, dropped connections, malformed bodies, service down).
    pub faults: u64,
    /// Requests received while a [`crate::Penalty`] was on, sent after its 429 had been
    /// answered (a short grace covers requests that were already on their way).
    pub early: u64,
}

/// A snapshot of all counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub identity: ServiceStats,
    pub dataverse: ServiceStats,
    pub graph: ServiceStats,
    pub ews: ServiceStats,
    /// Access tokens issued by the token endpoint.
    pub tokens_issued: u64,
}

impl Stats {
    pub fn service(&self, service: Service) -> &ServiceStats {
        match service {
            Service::Identity => &self.identity,
            Service::Dataverse => &self.dataverse,
            Service::Graph => &self.graph,
            Service::Ews => &self.ews,
        }
    }

    /// Requests of all services together.
    pub fn total_requests(&self) -> u64 {
        Service::ALL.iter().map(|s| self.service(*s).requests).sum()
    }

    /// 429s of all services together.
    pub fn total_throttled(&self) -> u64 {
        Service::ALL.iter().map(|s| self.service(*s).throttled).sum()
    }
}

/// The live counters behind [`Stats`].
#[derive(Default)]
pub(crate) struct Recorder {
    services: [Mutex<ServiceStats>; 4],
    tokens: AtomicU64,
}

impl Recorder {
    /// Counts a request and returns its sequence number within the service.
    pub fn request(&self, service: Service, method: &str, route: &str) -> u64 {
        let mut s = lock(&self.services[service.index()]);
        let n = s.requests;
        s.requests += 1;
        *s.routes.entry(format!("{method} {route}")).or_default() += 1;
        *s.methods.entry(method.to_owned()).or_default() += 1;
        n
    }

    pub fn throttled(&self, service: Service) {
        lock(&self.services[service.index()]).throttled += 1;
    }

    pub fn early(&self, service: Service) {
        lock(&self.services[service.index()]).early += 1;
    }

    pub fn fault(&self, service: Service) {
        lock(&self.services[service.index()]).faults += 1;
    }

    pub fn token_issued(&self) {
        self.tokens.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        let get = |s: Service| lock(&self.services[s.index()]).clone();
        Stats {
            identity: get(Service::Identity),
            dataverse: get(Service::Dataverse),
            graph: get(Service::Graph),
            ews: get(Service::Ews),
            tokens_issued: self.tokens.load(Ordering::Relaxed),
        }
    }
}

/// A poisoned counter lock only means a handler panicked mid-increment; the counts are
/// still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A route label for accounting: path segments that name one record (GUIDs, addresses,
/// `set(guid)` keys) become `{id}` so counts group by route rather than by record.
pub(crate) fn route_label(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if let Some(open) = seg.find('(') {
                let (name, args) = seg.split_at(open);
                if looks_like_id(args.trim_start_matches('(').trim_end_matches(')')) {
                    return format!("{name}({{id}})");
                }
                if name == "RetrieveCurrentOrganization" {
                    return name.to_owned();
                }
                return seg.to_owned();
            }
            if looks_like_id(seg) {
                "{id}".to_owned()
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn looks_like_id(s: &str) -> bool {
    s.contains('@') || crate::ids::is_guid(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_group_records() {
        assert_eq!(
            route_label("/v1.0/users/alice@contoso.com/mailboxSettings"),
            "/v1.0/users/{id}/mailboxSettings"
        );
        assert_eq!(
            route_label("/api/data/v9.2/mailboxes(6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b)"),
            "/api/data/v9.2/mailboxes({id})"
        );
        assert_eq!(
            route_label("/api/data/v9.2/mailboxes"),
            "/api/data/v9.2/mailboxes"
        );
    }

    #[test]
    fn recorder_counts() {
        let r = Recorder::default();
        assert_eq!(r.request(Service::Graph, "GET", "/v1.0/users"), 0);
        assert_eq!(r.request(Service::Graph, "GET", "/v1.0/users"), 1);
        r.throttled(Service::Graph);
        r.token_issued();
        let s = r.snapshot();
        assert_eq!(s.graph.requests, 2);
        assert_eq!(s.graph.routes["GET /v1.0/users"], 2);
        assert_eq!(s.graph.throttled, 1);
        assert_eq!(s.tokens_issued, 1);
        assert_eq!(s.total_requests(), 2);
    }
}
