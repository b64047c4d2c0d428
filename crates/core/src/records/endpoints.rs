//! The EWS endpoints of a profile that a check may probe: each distinct server location of the
//! directions it judges, once, and never an Exchange Online host (the tool probes only
//! on-premises endpoints, see `hosts`).

use serde::Serialize;

use super::{Connection, EmailServerProfile};
use crate::hosts;

/// One EWS URL of a profile and the directions (`incoming`, `outgoing`) that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EwsEndpoint {
    pub url: String,
    pub directions: Vec<&'static str>,
}

impl EmailServerProfile {
    /// The distinct EWS endpoints of the directions `judged` selects, in direction order, and
    /// for each selected direction without one, why: no server location (the EWS URL is
    /// discovered per mailbox), or an Exchange Online host, which is never probed.
    pub fn ews_endpoints(&self, judged: impl Fn(&Connection) -> bool) -> (Vec<EwsEndpoint>, Vec<String>) {
        let mut endpoints: Vec<EwsEndpoint> = Vec::new();
        let mut unprobed = Vec::new();
        for (direction, conn) in self.connections().into_iter().filter(|(_, c)| judged(c)) {
            let url = conn.server_location.as_deref().map(str::trim).unwrap_or_default();
            if url.is_empty() {
                unprobed.push(format!(
                    "{direction}: no server location is set (the EWS URL is discovered per mailbox)"
                ));
            } else if hosts::is_exchange_online(url) {
                unprobed.push(format!(
                    "{direction}: {url} is an Exchange Online host, which this tool never probes"
                ));
            } else if let Some(e) = endpoints.iter_mut().find(|e| e.url == url) {
                e.directions.push(direction);
            } else {
                endpoints.push(EwsEndpoint {
                    url: url.to_owned(),
                    directions: vec![direction],
                });
            }
        }
        (endpoints, unprobed)
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures;

    const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

    #[test]
    fn one_endpoint_per_distinct_url_with_its_directions() {
        let p = fixtures::on_premises_profile("p", URL);
        let (endpoints, unprobed) = p.ews_endpoints(|_| true);
        assert_eq!(endpoints.len(), 1);
        assert_eq!(endpoints[0].url, URL);
        assert_eq!(endpoints[0].directions, ["incoming", "outgoing"]);
        assert!(unprobed.is_empty());

        let mut p = p;
        p.outgoing.server_location = Some(" https://smtp.contoso.com/EWS/Exchange.asmx ".into());
        let (endpoints, _) = p.ews_endpoints(|_| true);
        assert_eq!(endpoints.len(), 2);
        assert_eq!(endpoints[1].url, "https://smtp.contoso.com/EWS/Exchange.asmx");
    }

    #[test]
    fn exchange_online_and_missing_locations_are_never_endpoints() {
        let p = fixtures::exchange_online_profile("p");
        let (endpoints, unprobed) = p.ews_endpoints(|_| true);
        assert!(endpoints.is_empty());
        assert_eq!(unprobed.len(), 2);
        assert!(unprobed[0].starts_with("incoming: "), "{unprobed:?}");
        assert!(unprobed[0].contains("Exchange Online host"), "{unprobed:?}");

        let mut p = fixtures::on_premises_profile("p", URL);
        p.incoming.server_location = None;
        let (endpoints, unprobed) = p.ews_endpoints(|_| true);
        assert_eq!(endpoints[0].directions, ["outgoing"]);
        assert!(unprobed[0].contains("no server location"), "{unprobed:?}");
    }

    #[test]
    fn only_the_selected_directions_count() {
        let p = fixtures::on_premises_profile("p", URL);
        let (endpoints, unprobed) = p.ews_endpoints(|_| false);
        assert!(endpoints.is_empty() && unprobed.is_empty());
    }
}
