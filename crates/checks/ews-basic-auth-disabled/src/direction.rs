//! Judging each direction (incoming, outgoing) of a profile against its EWS endpoint's
//! challenge. Each distinct URL is probed once, and Exchange Online hosts never.

use serde::Serialize;
use ssync_core::prelude::*;

use crate::scheme;

/// One direction of the profile as the check saw it; reported as evidence.
#[derive(Debug, Serialize)]
pub struct DirectionReport {
    pub direction: &'static str,
    pub credential_retrieval: Option<&'static str>,
    pub auth_protocol: Option<&'static str>,
    pub server_location: Option<String>,
    /// The endpoint must offer at least one of these; empty when the direction is not judged.
    pub required_schemes: &'static [&'static str],
    /// The schemes the endpoint's challenge offered, when it was probed.
    pub offered_schemes: Option<Vec<String>>,
    pub http_status: Option<u16>,
    /// `pass`, `fail`, `error` or `skip` (not judged) for this direction.
    pub status: Status,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_error: Option<SourceError>,
}

impl DirectionReport {
    /// "incoming (Basic): https://… offers …".
    pub fn line(&self) -> String {
        let protocol = self.auth_protocol.unwrap_or("no protocol");
        format!("{} ({protocol}): {}", self.direction, self.reason)
    }
}

/// An endpoint to probe and the schemes it must offer for one direction.
struct Target<'a> {
    url: &'a str,
    required: &'static [&'static str],
}

/// The endpoint to probe for a connection, or why the direction is not judged.
fn plan(conn: &Connection) -> Result<Target<'_>, String> {
    let Some(url) = conn
        .server_location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        return Err(
            "no server location is set (the EWS URL is discovered per mailbox), so there is \
                    no endpoint to probe"
                .into(),
        );
    };
    if hosts::is_exchange_online(url) {
        return Err(format!(
            "{url} is an Exchange Online host, which this check never probes; see `exchange-online-basic-auth`"
        ));
    }
    let required = scheme::required(conn.credential_retrieval, conn.auth_protocol)?;
    Ok(Target { url, required })
}

/// Why an answer other than 401 says nothing about the schemes the endpoint accepts.
fn not_a_challenge(url: &str, status: u16) -> String {
    match status {
        403 => format!(
            "{url} answered 403 Forbidden before any sign-in: EWS refuses the request whatever the scheme, which \
             Dynamics 365 reports as 'Http server returned Forbidden exception', a different error than the 401 \
             (judged by `ews-access-blocked`)"
        ),
        404 => format!("{url} answered 404 Not Found: there is no EWS endpoint at this server location"),
        200..=299 => format!(
            "{url} answered {status} without asking for credentials, so it names no scheme to compare with"
        ),
        300..=399 => format!(
            "{url} answered {status} (a redirect, often to a sign-in page) instead of an authentication challenge"
        ),
        _ => format!("{url} answered HTTP {status} instead of an authentication challenge (401)"),
    }
}

/// Compares one probe answer with the schemes a direction needs.
fn verdict(url: &str, required: &[&str], answer: &Result<EwsProbe, SourceError>) -> (Status, String) {
    let probe = match answer {
        Err(err) => return (Status::Error, format!("could not probe {url}: {err}")),
        Ok(p) => p,
    };
    if probe.status == 403 {
        // A refusal before any sign-in says nothing about the schemes, and it is another
        // check's cause: not this check's error.
        return (Status::Skip, not_a_challenge(url, probe.status));
    }
    if probe.status != 401 {
        return (Status::Error, not_a_challenge(url, probe.status));
    }
    if probe.challenges.is_empty() {
        return (
            Status::Error,
            format!("{url} answered 401 without naming any authentication scheme"),
        );
    }
    let offered = probe.schemes().join(", ");
    let needed = required.join(" or ");
    if required.iter().any(|s| probe.offers(s)) {
        (Status::Pass, format!("needs {needed}; {url} offers {offered}"))
    } else {
        (
            Status::Fail,
            format!("needs {needed}, but {url} offers only {offered}"),
        )
    }
}

/// Judges both directions, probing each distinct URL once.
pub async fn judge_all(data: &dyn DataSource, profile: &EmailServerProfile) -> Vec<DirectionReport> {
    let connections = profile.connections();
    let plans: Vec<Result<Target<'_>, String>> = connections.iter().map(|(_, conn)| plan(conn)).collect();
    let mut answers: Vec<(&str, Result<EwsProbe, SourceError>)> = Vec::new();
    for target in plans.iter().flatten() {
        if !answers.iter().any(|(u, _)| *u == target.url) {
            answers.push((target.url, data.ews_probe(target.url).await));
        }
    }
    connections
        .iter()
        .zip(plans)
        .map(|((direction, conn), plan)| {
            let mut report = DirectionReport {
                direction,
                credential_retrieval: conn.credential_retrieval.map(CredentialRetrieval::label),
                auth_protocol: conn.auth_protocol.map(AuthProtocol::label),
                server_location: conn.server_location.clone(),
                required_schemes: &[],
                offered_schemes: None,
                http_status: None,
                status: Status::Skip,
                reason: String::new(),
                source_error: None,
            };
            let target = match plan {
                Err(reason) => {
                    report.reason = reason;
                    return report;
                }
                Ok(target) => target,
            };
            // Every target's URL was probed above.
            let Some((_, answer)) = answers.iter().find(|(u, _)| *u == target.url) else {
                return report;
            };
            (report.status, report.reason) = verdict(target.url, target.required, answer);
            report.required_schemes = target.required;
            match answer {
                Ok(probe) => {
                    report.offered_schemes = Some(probe.schemes().into_iter().map(str::to_owned).collect());
                    report.http_status = Some(probe.status);
                }
                Err(err) => report.source_error = Some(err.clone()),
            }
            report
        })
        .collect()
}
