//! Knobs that make the simulated tenant behave like a loaded or failing one: latency,
//! service protection limits and seeded fault injection. Everything here is plain data; the
//! [`crate::gate`] module applies it to requests.

use std::time::Duration;

/// The four simulated services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Identity,
    Dataverse,
    Graph,
    Ews,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::Identity,
        Service::Dataverse,
        Service::Graph,
        Service::Ews,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Service::Identity => "identity",
            Service::Dataverse => "dataverse",
            Service::Graph => "graph",
            Service::Ews => "ews",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Everything that changes how the simulator answers, set once at [`crate::start`].
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// Added to every request before it is answered (requests inside a Graph `$batch` add
    /// none: the batch is one round trip and carries its own).
    pub latency: Duration,
    /// Latency of the slow routes (token, Dataverse pages, Graph users pages), replacing
    /// `latency` for them.
    pub route_latency: crate::latency::RouteLatency,
    /// Service protection for Dataverse (and for Graph unless `graph_limits` is set). Each
    /// service counts separately. `None` = never throttle.
    pub limits: Option<ServiceLimits>,
    /// Service protection for Graph only; overrides `limits` for Graph when set.
    pub graph_limits: Option<ServiceLimits>,
    /// Per-service fault injection.
    pub faults: Faults,
    /// Lifetime of issued tokens; default 3599 s, as Microsoft's token endpoint answers.
    pub token_lifetime: Option<Duration>,
    /// Extra rows in `tracelogs`, made up on demand rather than stored, so that a table of a
    /// million traces costs little memory: every fourth is an error, one a minute going back
    /// from three days before the start, regarding the scenario's mailboxes in turn.
    pub noise_traces: usize,
    /// One throttling penalty, as a service protection limit would impose it.
    pub penalty: Option<Penalty>,
}

/// Request number `after` of `service` (counted from 0) is answered 429 with this
/// `Retry-After`, and so is every request to that service until the time has passed. Those
/// early requests are counted in [`crate::ServiceStats::early`]: a well-behaved client sends
/// none (Dataverse api-limits, "Retry operations"; Graph throttling, "Best practices").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Penalty {
    pub service: Service,
    pub after: u64,
    pub retry_after: Duration,
}

impl Knobs {
    pub(crate) fn limits_for(&self, service: Service) -> Option<ServiceLimits> {
        match service {
            Service::Dataverse => self.limits,
            Service::Graph => self.graph_limits.or(self.limits),
            Service::Identity | Service::Ews => None,
        }
    }

    /// The latency of one request.
    pub(crate) fn latency_for(&self, service: Service, method: &str, path: &str) -> Duration {
        let kind = crate::latency::route_kind(service, method, path);
        self.route_latency.of(kind, self.latency)
    }

    pub(crate) fn token_lifetime(&self) -> Duration {
        self.token_lifetime.unwrap_or(Duration::from_secs(3599))
    }
}

/// Requests allowed per sliding window and at the same time; beyond either, the service
/// answers 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceLimits {
    pub requests_per_window: u32,
    pub window: Duration,
    pub max_concurrent: u32,
}

impl ServiceLimits {
    /// Dataverse's documented defaults: 6000 requests per 5-minute sliding window and 52
    /// concurrent requests, per user and web server.
    pub fn dataverse_default() -> Self {
        Self {
            requests_per_window: 6000,
            window: Duration::from_secs(300),
            max_concurrent: 52,
        }
    }

    /// Graph publishes no single per-app number for directory reads (limits are counted in
    /// resource units per tenant and app). This stand-in — 2000 requests per 10 s and 20
    /// concurrent — is in the range clients meet in practice; it is a simulator choice,
    /// not a Microsoft figure.
    pub fn graph_default() -> Self {
        Self {
            requests_per_window: 2000,
            window: Duration::from_secs(10),
            max_concurrent: 20,
        }
    }
}

/// Fault injection for one service. Rates are probabilities in 0.0..=1.0, decided by a
/// counter-based hash of `Faults::seed` and the request's sequence number, so the same run
/// gives the same faults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    /// Answer 5xx (Dataverse 500 with its error JSON, Graph 503, identity 503, EWS 503).
    pub error_rate: f64,
    /// Send the status line and headers, then break the connection mid-body.
    pub drop_rate: f64,
    /// Deliver the body in small chunks spread over this long.
    pub slow_body: Option<Duration>,
    /// Answer 200 with a truncated JSON body.
    pub malformed_json_rate: f64,
    /// Answer 200 with a garbled body, as a proxy or a broken connection can: JSON cut short,
    /// an HTML page, or the right body declared with a wrong content type (one of the three
    /// per request, by the seeded roll). Inside a Graph `$batch`, a part is garbled instead
    /// (status 200 with an HTML page as its body).
    pub garbled_rate: f64,
    /// Limits `garbled_rate` to requests whose path contains one of these (any, when empty).
    pub garbled_routes: Vec<String>,
    /// Never answer: hold every request until the client gives up.
    pub hang: bool,
    /// Every collection page carries an `@odata.nextLink` pointing at itself.
    pub looping_next_link: bool,
    /// Dataverse: answer 400 to a `$filter` that orders a GUID key (`…id gt <guid>`,
    /// `…id le <guid>`), as a service that does not compare GUIDs would; the client must then
    /// read the table as one chain.
    pub refuse_key_ranges: bool,
    /// Every request gets 503 Service Unavailable.
    pub down: bool,
}

/// Fault injection for every service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub seed: u64,
    pub identity: FaultSpec,
    pub dataverse: FaultSpec,
    pub graph: FaultSpec,
    pub ews: FaultSpec,
}

impl Faults {
    pub fn for_service(&self, service: Service) -> &FaultSpec {
        match service {
            Service::Identity => &self.identity,
            Service::Dataverse => &self.dataverse,
            Service::Graph => &self.graph,
            Service::Ews => &self.ews,
        }
    }

    pub fn for_service_mut(&mut self, service: Service) -> &mut FaultSpec {
        match service {
            Service::Identity => &mut self.identity,
            Service::Dataverse => &mut self.dataverse,
            Service::Graph => &mut self.graph,
            Service::Ews => &mut self.ews,
        }
    }

    /// True when request `n` of `service` to `path` gets a garbled answer.
    pub(crate) fn garbles(&self, service: Service, n: u64, path: &str, kind: u64) -> bool {
        let spec = self.for_service(service);
        spec.garbled_rate > 0.0
            && (spec.garbled_routes.is_empty()
                || spec.garbled_routes.iter().any(|r| path.contains(r.as_str())))
            && self.roll(service, n, kind) < spec.garbled_rate
    }

    /// A deterministic number in [0, 1) for request `n` of `service` and fault `kind`.
    pub(crate) fn roll(&self, service: Service, n: u64, kind: u64) -> f64 {
        let mut x = self.seed ^ (service.index() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= n.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ kind.wrapping_mul(0x94D0_49BB_1331_11EB);
        (splitmix(x) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_are_deterministic_and_spread() {
        let f = Faults {
            seed: 7,
            ..Faults::default()
        };
        let a: Vec<f64> = (0..1000).map(|n| f.roll(Service::Graph, n, 1)).collect();
        let b: Vec<f64> = (0..1000).map(|n| f.roll(Service::Graph, n, 1)).collect();
        assert_eq!(a, b);
        let below = a.iter().filter(|x| **x < 0.3).count();
        assert!((200..400).contains(&below), "{below}");
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    }
}
