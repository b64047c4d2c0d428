//! One EWS endpoint of a Hybrid Modern Authentication profile: what its unauthenticated
//! request answered, and whether that trusts the environment's tenant.

use serde::Serialize;
use ssync_core::prelude::*;

/// One endpoint as the check saw it; reported as evidence.
#[derive(Debug, Serialize)]
pub struct Judged {
    pub url: String,
    pub directions: Vec<&'static str>,
    pub http_status: Option<u16>,
    /// The schemes of its `WWW-Authenticate` challenges, in order.
    pub offered_schemes: Vec<String>,
    /// The issuers of its `Bearer` challenges' `trusted_issuers`.
    pub trusted_issuers: Vec<String>,
    /// The issuer naming the environment's tenant (or `*`), when one does.
    pub issuer_for_tenant: Option<String>,
    /// Present when the server sends clients to Entra ID (HMA's default authorization endpoint).
    pub authorization_uri: Option<String>,
    /// `pass`, `fail` or `error`.
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub detail: String,
}

impl Judged {
    /// Judges one probe answer against the environment's tenant.
    pub fn new(endpoint: EwsEndpoint, answer: &Result<EwsProbe, SourceError>, tenant: &str) -> Self {
        let EwsEndpoint { url, directions } = endpoint;
        let mut e = Judged {
            url: url.clone(),
            directions,
            http_status: None,
            offered_schemes: Vec::new(),
            trusted_issuers: Vec::new(),
            issuer_for_tenant: None,
            authorization_uri: None,
            status: Status::Error,
            reason: None,
            detail: String::new(),
        };
        let probe = match answer {
            Err(err) => {
                e.detail = format!("could not probe {url}: {err}");
                return e;
            }
            Ok(probe) => probe,
        };
        e.http_status = Some(probe.status);
        e.offered_schemes = probe.schemes().into_iter().map(str::to_owned).collect();
        let bearers: Vec<&AuthChallenge> = probe.challenges_of("Bearer").collect();
        for b in &bearers {
            e.trusted_issuers.extend(b.trusted_issuers());
            e.issuer_for_tenant = e.issuer_for_tenant.take().or_else(|| b.issuer_trusting(tenant));
            e.authorization_uri = e
                .authorization_uri
                .take()
                .or_else(|| b.param("authorization_uri"));
        }
        let (status, reason, detail) = match (probe.status, &e.issuer_for_tenant) {
            (403, _) => (
                Status::Error,
                None,
                format!(
                    "{url} answered 403 Forbidden before any sign-in, so its challenge cannot be read \
                     (see `ews-access-blocked`)"
                ),
            ),
            (401, _) if probe.challenges.is_empty() => (
                Status::Error,
                None,
                format!("{url} answered 401 without naming any authentication scheme"),
            ),
            (401, _) if bearers.is_empty() => (
                Status::Fail,
                Some("no-bearer"),
                format!(
                    "{url} offers {} but not `Bearer`: OAuth is not enabled on its EWS virtual directory, so it \
                     accepts no Entra ID token",
                    e.offered_schemes.join(", ")
                ),
            ),
            (401, Some(issuer)) => (
                Status::Pass,
                None,
                format!("{url} offers `Bearer` and trusts {issuer}"),
            ),
            (401, None) if e.trusted_issuers.is_empty() => (
                Status::Fail,
                Some("tenant-not-trusted"),
                format!("{url} offers `Bearer` but names no trusted issuer, so it trusts no tenant's tokens"),
            ),
            (401, None) => (
                Status::Fail,
                Some("tenant-not-trusted"),
                format!(
                    "{url} offers `Bearer`, but trusts only {}, not the environment's tenant",
                    e.trusted_issuers.join(", ")
                ),
            ),
            (status, _) => (
                Status::Error,
                None,
                format!("{url} answered HTTP {status} instead of an authentication challenge (401)"),
            ),
        };
        (e.status, e.reason, e.detail) = (status, reason, detail);
        e
    }

    /// "incoming and outgoing: <detail>".
    pub fn line(&self) -> String {
        format!("{}: {}", self.directions.join(" and "), self.detail)
    }
}
