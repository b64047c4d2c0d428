//! How long the simulated services take per request, by route.
//!
//! One figure for every request (`Knobs::latency`) measures the client's overhead; it hides
//! where a real run spends its time. Microsoft's services are slow where the work is: a page of
//! 5,000 Dataverse rows or 999 Graph users with their plans takes on the order of a second or
//! more, and those pages come one after another, each waiting for the last one's next link.
//! [`RouteLatency`] gives those routes their own figure, so the benchmark can show the chain of
//! pages that bounds a run.

use std::time::Duration;

use crate::knobs::Service;

/// Per-route latency; a route left at `None` takes the knobs' `latency`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteLatency {
    /// The token endpoint (`…/oauth2/v2.0/token`, managed identity included).
    pub token: Option<Duration>,
    /// A page of a Dataverse collection (`GET /api/data/v9.2/<entity set>`, no key).
    pub dataverse_page: Option<Duration>,
    /// A page of Graph users (`GET /v1.0/users`, whatever the filter).
    pub graph_users_page: Option<Duration>,
}

/// What kind of route a request is, as far as its latency goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Token,
    DataversePage,
    GraphUsersPage,
    Other,
}

impl RouteLatency {
    /// The "real speed" profile of the benchmark (issue 20): token 300 ms, Dataverse page
    /// 2 s, Graph users page 1.5 s; with 300 ms for every other request in the knobs.
    pub const REAL_OTHER: Duration = Duration::from_millis(300);

    pub fn real() -> Self {
        Self {
            token: Some(Duration::from_millis(300)),
            dataverse_page: Some(Duration::from_secs(2)),
            graph_users_page: Some(Duration::from_millis(1500)),
        }
    }

    /// The latency of a route of `kind`, `other` when the profile does not name it.
    pub fn of(&self, kind: RouteKind, other: Duration) -> Duration {
        let named = match kind {
            RouteKind::Token => self.token,
            RouteKind::DataversePage => self.dataverse_page,
            RouteKind::GraphUsersPage => self.graph_users_page,
            RouteKind::Other => None,
        };
        named.unwrap_or(other)
    }
}

/// Classifies a request by service, method and path (without the query).
pub fn route_kind(service: Service, method: &str, path: &str) -> RouteKind {
    let path = path.trim_end_matches('/');
    let get = method.eq_ignore_ascii_case("GET");
    match service {
        Service::Identity if path.ends_with("/token") => RouteKind::Token,
        Service::Dataverse if get => match path.strip_prefix("/api/data/v9.2/") {
            // A collection: one segment, no key in parentheses (`mailboxes`, not
            // `mailboxes(…)` nor `RetrieveCurrentOrganization(…)`).
            Some(set) if !set.is_empty() && !set.contains(['/', '(']) => RouteKind::DataversePage,
            _ => RouteKind::Other,
        },
        Service::Graph if get && path == "/v1.0/users" => RouteKind::GraphUsersPage,
        _ => RouteKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified_by_what_they_read() {
        use RouteKind::*;
        let cases = [
            (Service::Identity, "POST", "/tenant/oauth2/v2.0/token", Token),
            (
                Service::Identity,
                "GET",
                "/tenant/v2.0/.well-known/openid-configuration",
                Other,
            ),
            (
                Service::Dataverse,
                "GET",
                "/api/data/v9.2/mailboxes",
                DataversePage,
            ),
            (Service::Dataverse, "GET", "/api/data/v9.2/mailboxes(1234)", Other),
            (
                Service::Dataverse,
                "GET",
                "/api/data/v9.2/RetrieveCurrentOrganization(AccessType=@p)",
                Other,
            ),
            (Service::Graph, "GET", "/v1.0/users", GraphUsersPage),
            (Service::Graph, "GET", "/v1.0/users/$count", Other),
            (Service::Graph, "GET", "/v1.0/users/abc/mailboxSettings", Other),
            (Service::Graph, "POST", "/v1.0/$batch", Other),
            (Service::Ews, "POST", "/EWS/Exchange.asmx", Other),
        ];
        for (service, method, path, kind) in cases {
            assert_eq!(route_kind(service, method, path), kind, "{method} {path}");
        }
    }

    #[test]
    fn a_route_the_profile_does_not_name_takes_the_common_latency() {
        let other = Duration::from_millis(20);
        assert_eq!(RouteLatency::default().of(RouteKind::DataversePage, other), other);
        let real = RouteLatency::real();
        assert_eq!(real.of(RouteKind::DataversePage, other), Duration::from_secs(2));
        assert_eq!(real.of(RouteKind::Other, other), other);
    }
}
