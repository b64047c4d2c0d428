//! One HTTP client for every service: timeouts, a concurrency cap per service, retries with
//! exponential backoff and jitter that honour `Retry-After`, a pause of the whole service
//! after a 429, a cap on response size, counters, and a user agent with the version. Callers
//! build the request (and add a token); this module never sees what is in the headers it is
//! given, and no error it produces quotes them.
//!
//! Throttling follows what both services ask of a client. Dataverse: "wait for the period
//! specified in the Retry-After header before sending more requests … requests sent before
//! then are rejected and extend the period" (learn.microsoft.com/power-apps/developer/
//! data-platform/api-limits, "Retry operations"). Graph: "wait the number of seconds specified
//! in the Retry-After header … if the request fails again with a 429, you are still being
//! throttled; continue to use the recommended delay" (learn.microsoft.com/graph/throttling,
//! "Best practices to handle throttling"). So a `Retry-After` is waited out in full (the run
//! gives up only when it would outlast the run's time limit), and every request to that
//! service waits behind the same [`Pause`], not only the one that was refused.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::HeaderMap;
use ssync_core::SourceError;
use tokio::sync::Semaphore;

use crate::failure::request_id;
use crate::settings::Options;

/// After this many requests in a row to one service failed with 5xx or a network error
/// despite their retries, the service is treated as down: later requests get one attempt
/// and no retry, until one of them is answered. Without this, a run against a service that
/// is down waits through the full backoff once per mailbox, for many minutes, before it
/// reports the `error` results it could have reported at once.
const OUTAGE_AFTER: u64 = 3;

/// Retries after a failure to connect at all (see [`AttemptError::ConnectFailed`]).
const CONNECT_FAILURE_RETRIES: u64 = 1;

pub(crate) const USER_AGENT: &str = concat!("ssync-doctor/", env!("CARGO_PKG_VERSION"));

/// The services the live source talks to, each with its own concurrency cap and counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    /// The token endpoint and OpenID discovery on the authority host.
    Identity,
    Dataverse,
    Graph,
    Ews,
}

impl Service {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::Identity => "Microsoft Entra ID",
            Service::Dataverse => "Dataverse",
            Service::Graph => "Microsoft Graph",
            Service::Ews => "EWS endpoint",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Requests sent, retries and 429s received, for the runner's summary and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Token requests and OpenID discovery documents.
    pub identity_requests: u64,
    pub dataverse_requests: u64,
    pub graph_requests: u64,
    pub ews_requests: u64,
    /// Attempts repeated after a 429, a 5xx or a connection error.
    pub retries: u64,
    /// HTTP 429 answers received.
    pub throttled: u64,
    /// Records that arrived in pages of collections so far (the progress indicator shows it
    /// while a large environment is read).
    pub records_read: u64,
}

impl ClientStats {
    /// Every HTTP request sent, retries included.
    pub fn total_requests(&self) -> u64 {
        self.identity_requests + self.dataverse_requests + self.graph_requests + self.ews_requests
    }
}

#[derive(Default)]
struct Counters {
    requests: [AtomicU64; 4],
    /// Requests in a row per service that ended in a 5xx or a network failure after their
    /// retries; reset by any other answer. See [`OUTAGE_AFTER`].
    failing: [AtomicU64; 4],
    retries: AtomicU64,
    throttled: AtomicU64,
    records: AtomicU64,
}

/// What a success answer must be for the request to count as answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Any body (the EWS probe reads headers only).
    Anything,
    /// A JSON document. A `2xx` answer whose body is cut short, an HTML page from a proxy or
    /// declared as something else is garbled in transit, and a GET (or a token request, which
    /// can be repeated safely) is asked again like a 5xx, within the same retry budget.
    Json,
}

/// Why a `2xx` answer is not the JSON document it should be, if it is not.
fn garbled(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_ascii_lowercase());
    if let Some(ct) = content_type.as_deref().filter(|ct| !ct.contains("json")) {
        let shown: String = ct.chars().take(60).collect();
        return Some(format!("a 200 answer of type {shown:?} where JSON was expected"));
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => None,
        Err(e) if e.is_eof() => Some(format!(
            "a 200 answer whose JSON is cut short after {} bytes",
            body.len()
        )),
        Err(e) => Some(format!("a 200 answer that is not JSON ({e})")),
    }
}

/// A pause of one service after a 429: until when no request may be sent to it.
#[derive(Default)]
struct Pause(Mutex<Option<Instant>>);

impl Pause {
    fn until(&self) -> Option<Instant> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Extends the pause to `when` (never shortens it).
    fn extend(&self, when: Instant) {
        let mut until = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_none_or(|u| u < when) {
            *until = Some(when);
        }
    }
}

/// A complete answer: status, headers and the body (at most `max_response_bytes`).
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// `METHOD /path` of the request, without the query: for error messages.
    pub request: String,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `METHOD /path (request id …)`.
    pub(crate) fn describe(&self) -> String {
        match request_id(&self.headers, &self.body) {
            // A `$batch` answer's request already names the id it was given.
            Some(id) if !self.request.contains(&format!("(request id {id})")) => {
                format!("{} (request id {id})", self.request)
            }
            _ => self.request.clone(),
        }
    }
}

/// Why one attempt did not produce a final answer.
#[derive(Debug)]
enum AttemptError {
    /// A status worth retrying (429, 5xx); kept so that the last one can be reported.
    Status(Reply),
    /// Connection reset, a broken body.
    Network(String),
    /// No answer within the request's timeout.
    TimedOut(String),
    /// A `2xx` answer that is not the JSON expected ([`Expect::Json`]); the reason.
    Garbled(Reply, String),
    /// The service asked to be left alone until after the run's time limit.
    PausedPastDeadline,
    /// No connection could be made (refused, DNS, TLS): retried at most
    /// [`CONNECT_FAILURE_RETRIES`] times, as a host that refuses now rarely answers a
    /// second later, and the full backoff would keep the operator waiting half a minute.
    ConnectFailed(String),
    /// The body was larger than the cap.
    TooLarge(usize),
    /// The run's time limit is spent.
    Deadline,
}

impl AttemptError {
    fn retryable(&self) -> bool {
        match self {
            AttemptError::Status(r) => matches!(r.status, 429 | 500 | 502 | 503 | 504),
            AttemptError::Network(_)
            | AttemptError::TimedOut(_)
            | AttemptError::ConnectFailed(_)
            | AttemptError::Garbled(..) => true,
            AttemptError::TooLarge(_) | AttemptError::Deadline | AttemptError::PausedPastDeadline => false,
        }
    }
}

pub(crate) struct Transport {
    client: reqwest::Client,
    options: Options,
    permits: [Arc<Semaphore>; 4],
    pauses: [Pause; 4],
    counters: Counters,
    deadline: Instant,
    /// The proxy variables, to name the proxy in connection errors.
    proxies: crate::proxy::Proxies,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(options: Options) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            // Never follow redirects: a token must not travel to a host it was not meant for,
            // and an EWS probe reports what the URL itself answers.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("could not build the HTTP client: {e}"))?;
        let permits = [
            Arc::new(Semaphore::new(4)),
            Arc::new(Semaphore::new(options.dataverse_concurrency)),
            Arc::new(Semaphore::new(options.graph_concurrency)),
            Arc::new(Semaphore::new(options.ews_concurrency)),
        ];
        Ok(Self {
            client,
            deadline: Instant::now() + options.run_timeout,
            options,
            permits,
            pauses: Default::default(),
            counters: Counters::default(),
            proxies: crate::proxy::Proxies::from_env(),
        })
    }

    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// The time the run has left.
    pub(crate) fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Pauses every request to `service` for `wait` (a `Retry-After` met outside
    /// [`Transport::send`], e.g. inside a Graph `$batch`).
    pub(crate) fn pause(&self, service: Service, wait: Duration) {
        self.pauses[service.index()].extend(Instant::now() + wait);
    }

    pub(crate) fn stats(&self) -> ClientStats {
        let r = |s: Service| self.counters.requests[s.index()].load(Ordering::Relaxed);
        ClientStats {
            identity_requests: r(Service::Identity),
            dataverse_requests: r(Service::Dataverse),
            graph_requests: r(Service::Graph),
            ews_requests: r(Service::Ews),
            retries: self.counters.retries.load(Ordering::Relaxed),
            throttled: self.counters.throttled.load(Ordering::Relaxed),
            records_read: self.counters.records.load(Ordering::Relaxed),
        }
    }

    /// Counts records that arrived in a page of a collection.
    pub(crate) fn note_records(&self, n: usize) {
        self.counters
            .records
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Sends the request `make` builds, retrying 429/5xx/connection errors. Returns the final
    /// answer whatever its status (callers map error statuses), except a 429 that outlasted
    /// the retries (`Throttled`), a network failure (`Unreachable`), an oversized body and a
    /// garbled one (`Malformed`).
    pub(crate) async fn send<F>(&self, service: Service, request: &str, make: F) -> Result<Reply, SourceError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let expect = match service {
            Service::Ews => Expect::Anything,
            _ => Expect::Json,
        };
        self.send_expecting(service, request, expect, make).await
    }

    /// [`Transport::send`], saying what a success answer must be.
    pub(crate) async fn send_expecting<F>(
        &self,
        service: Service,
        request: &str,
        expect: Expect,
        make: F,
    ) -> Result<Reply, SourceError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let started = Instant::now();
        let waited_for_service = AtomicU64::new(0);
        let attempts = AtomicU64::new(0);
        let failing = &self.counters.failing[service.index()];
        // EWS endpoints are other people's servers: one short attempt (see `ews_timeout`).
        let max_retries = if service == Service::Ews || failing.load(Ordering::Relaxed) >= OUTAGE_AFTER {
            0
        } else {
            self.options.max_retries
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.options.min_backoff)
            .with_max_delay(self.options.max_backoff)
            .with_max_times(max_retries)
            .with_jitter();
        let result = (|| async {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.attempt(service, request, expect, &make).await
        })
        .retry(backoff)
        .when(|err| {
            err.retryable()
                && !(matches!(err, AttemptError::ConnectFailed(_))
                    && attempts.load(Ordering::Relaxed) > CONNECT_FAILURE_RETRIES)
        })
        .adjust(|err, planned| {
            let planned = planned?;
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            let asked = match err {
                AttemptError::Status(r) => retry_after(&r.headers),
                _ => None,
            };
            match asked {
                // The service's own word is honoured in full; only the run's end is a limit.
                Some(wait) => {
                    if wait >= remaining {
                        return None;
                    }
                    waited_for_service.fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                    Some(wait)
                }
                None => {
                    // The budget covers the attempts themselves (a host that answers slowly
                    // spends it as surely as the waits do), but not the service's own
                    // `Retry-After` waits.
                    let spent = started
                        .elapsed()
                        .saturating_sub(Duration::from_millis(waited_for_service.load(Ordering::Relaxed)));
                    if spent + planned > self.options.max_total_wait || planned >= remaining {
                        return None;
                    }
                    Some(planned)
                }
            }
        })
        .notify(|err, wait| {
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(service = service.name(), request, ?wait, reason = %brief(err), "retrying");
        })
        .await;
        let attempts = attempts.load(Ordering::Relaxed) as u32;
        let outage = match &result {
            Ok(_)
            | Err(AttemptError::TooLarge(_) | AttemptError::Deadline | AttemptError::PausedPastDeadline) => {
                false
            }
            Err(AttemptError::Status(reply)) => reply.status != 429,
            Err(
                AttemptError::Network(_)
                | AttemptError::TimedOut(_)
                | AttemptError::ConnectFailed(_)
                | AttemptError::Garbled(..),
            ) => true,
        };
        // Each EWS endpoint is a different server: one that is down says nothing of the next.
        if service != Service::Ews {
            if outage {
                if failing.fetch_add(1, Ordering::Relaxed) + 1 == OUTAGE_AFTER {
                    tracing::warn!(
                        service = service.name(),
                        "{OUTAGE_AFTER} requests in a row failed; no more retries until it answers again"
                    );
                }
            } else {
                failing.store(0, Ordering::Relaxed);
            }
        }
        let tries = |n: u32| {
            if n == 1 {
                "1 attempt".to_owned()
            } else {
                format!("{n} attempts")
            }
        };
        match result {
            Ok(reply) => Ok(reply),
            Err(AttemptError::Status(reply)) if reply.status == 429 => Err(SourceError::Throttled {
                service: service.name().to_owned(),
                attempts,
            }),
            Err(AttemptError::PausedPastDeadline) => Err(SourceError::Throttled {
                service: service.name().to_owned(),
                attempts: attempts.saturating_sub(1),
            }),
            Err(AttemptError::Status(reply)) => Ok(reply),
            Err(
                AttemptError::Network(detail)
                | AttemptError::TimedOut(detail)
                | AttemptError::ConnectFailed(detail),
            ) => Err(SourceError::Unreachable {
                service: service.name().to_owned(),
                detail: format!("{request}: {detail} (after {})", tries(attempts)),
            }),
            Err(AttemptError::Garbled(reply, why)) => Err(SourceError::Malformed {
                service: service.name().to_owned(),
                detail: format!("{}: {why} (after {})", reply.describe(), tries(attempts)),
            }),
            Err(AttemptError::TooLarge(cap)) => Err(SourceError::Malformed {
                service: service.name().to_owned(),
                detail: format!("{request}: the answer is larger than {cap} bytes"),
            }),
            Err(AttemptError::Deadline) => Err(SourceError::Unreachable {
                service: service.name().to_owned(),
                detail: format!(
                    "{request}: the run's time limit of {} s was reached",
                    self.options.run_timeout.as_secs()
                ),
            }),
        }
    }

    /// Waits until the service's pause (after a 429) is over; fails at once when it lasts
    /// beyond the run's time limit.
    async fn wait_for_pause(&self, service: Service) -> Result<(), AttemptError> {
        while let Some(until) = self.pauses[service.index()].until() {
            if until <= Instant::now() {
                return Ok(());
            }
            if until >= self.deadline {
                return Err(AttemptError::PausedPastDeadline);
            }
            tokio::time::sleep_until(until.into()).await;
        }
        Ok(())
    }

    async fn attempt<F>(
        &self,
        service: Service,
        request: &str,
        expect: Expect,
        make: &F,
    ) -> Result<Reply, AttemptError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        self.wait_for_pause(service).await?;
        let _permit = self.permits[service.index()]
            .acquire()
            .await
            .map_err(|_| AttemptError::Network("the client is shutting down".into()))?;
        // A pause may have begun while this request queued for a permit.
        self.wait_for_pause(service).await?;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(AttemptError::Deadline);
        }
        self.counters.requests[service.index()].fetch_add(1, Ordering::Relaxed);
        let limit = match service {
            Service::Ews => self.options.ews_timeout,
            _ => self.options.request_timeout,
        };
        let timeout = limit.min(remaining);
        let response = make(&self.client).timeout(timeout).send().await.map_err(|e| {
            if e.is_timeout() {
                AttemptError::TimedOut(network_detail(&e))
            } else if e.is_connect() {
                let route = self.proxies.route(e.url());
                AttemptError::ConnectFailed(format!("{}{route}", network_detail(&e)))
            } else {
                AttemptError::Network(network_detail(&e))
            }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if status == 429 {
            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
            if let Some(wait) = retry_after(&headers) {
                self.pauses[service.index()].extend(Instant::now() + wait);
                tracing::debug!(
                    service = service.name(),
                    ?wait,
                    "throttled; pausing every request to it"
                );
            }
        }
        let body = read_capped(response, self.options.max_response_bytes).await?;
        let reply = Reply {
            status,
            headers,
            body,
            request: request.to_owned(),
        };
        if matches!(status, 429 | 500 | 502 | 503 | 504) {
            return Err(AttemptError::Status(reply));
        }
        if expect == Expect::Json && reply.is_success() {
            if let Some(why) = garbled(&reply.headers, &reply.body) {
                return Err(AttemptError::Garbled(reply, why));
            }
        }
        Ok(reply)
    }
}

async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, AttemptError> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(AttemptError::TooLarge(cap));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        if e.is_timeout() {
            AttemptError::TimedOut(network_detail(&e))
        } else {
            AttemptError::Network(network_detail(&e))
        }
    })? {
        if body.len() + chunk.len() > cap {
            return Err(AttemptError::TooLarge(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The cause of a reqwest error in words, without the URL (which reqwest would print with its
/// query) and without any header.
fn network_detail(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    match innermost {
        Some(cause) => format!("{kind} ({cause})"),
        None => kind.to_owned(),
    }
}

fn brief(err: &AttemptError) -> String {
    match err {
        AttemptError::Status(r) => format!("HTTP {}", r.status),
        AttemptError::Network(d) | AttemptError::TimedOut(d) | AttemptError::ConnectFailed(d) => d.clone(),
        AttemptError::Garbled(_, why) => why.clone(),
        AttemptError::TooLarge(cap) => format!("larger than {cap} bytes"),
        AttemptError::Deadline => "run time limit".into(),
        AttemptError::PausedPastDeadline => "throttled past the run time limit".into(),
    }
}

/// `Retry-After` as delta-seconds (possibly fractional) or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let delta = when - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(delta).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn with_retry_after(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(&with_retry_after("3")), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after(&with_retry_after("0.5")),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(&with_retry_after("Sun, 06 Nov 1994 08:49:37 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&with_retry_after("-1")), None);
        assert_eq!(retry_after(&with_retry_after("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn a_request_id_is_named_once() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", HeaderValue::from_static("rid-7"));
        let reply = |request: &str| Reply {
            status: 404,
            headers: headers.clone(),
            body: Vec::new(),
            request: request.to_owned(),
        };
        assert_eq!(
            reply("GET /v1.0/users").describe(),
            "GET /v1.0/users (request id rid-7)"
        );
        assert_eq!(
            reply("GET /v1.0/users in $batch (request id rid-7)").describe(),
            "GET /v1.0/users in $batch (request id rid-7)"
        );
    }

    #[test]
    fn a_success_that_is_not_json_is_garbled() {
        let typed = |ct: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(ct));
            h
        };
        let odata = typed("application/json; odata.metadata=minimal");
        assert_eq!(garbled(&odata, br#"{"value":[]}"#), None);
        assert_eq!(garbled(&HeaderMap::new(), br#"{"value":[]}"#), None);
        let cut = garbled(&odata, br#"{"value":[{"id":"#).unwrap();
        assert!(cut.contains("cut short"), "{cut}");
        let html = garbled(&typed("text/html"), b"<html></html>").unwrap();
        assert!(html.contains("text/html"), "{html}");
        let plain = garbled(&typed("text/plain"), br#"{"value":[]}"#).unwrap();
        assert!(plain.contains("text/plain"), "{plain}");
        assert!(
            garbled(&HeaderMap::new(), b"<html>")
                .unwrap()
                .contains("not JSON")
        );
    }

    #[test]
    fn a_pause_is_only_ever_extended() {
        let pause = Pause::default();
        let now = Instant::now();
        pause.extend(now + Duration::from_secs(5));
        pause.extend(now + Duration::from_secs(1));
        assert_eq!(pause.until(), Some(now + Duration::from_secs(5)));
    }

    #[test]
    fn user_agent_carries_the_version() {
        assert_eq!(USER_AGENT, format!("ssync-doctor/{}", env!("CARGO_PKG_VERSION")));
    }
}
