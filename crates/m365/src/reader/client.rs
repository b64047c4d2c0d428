//! Authenticated reads of Dataverse and Graph: a GET with the right headers and token, JSON
//! decoding, `@odata.nextLink` paging with a loop guard, and Graph `$batch`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use ssync_core::SourceError;
use url::Url;

use crate::error::ConnectError;
use crate::failure::{from_reply, malformed};
use crate::identity::{Audience, Identity};
use crate::transport::{Reply, Service, Transport};

/// Graph accepts at most 20 requests in one `$batch`.
pub(crate) const GRAPH_BATCH_MAX: usize = 20;

/// Which Dataverse annotations a request asks for (`Prefer: odata.include-annotations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Annotations {
    /// Only the lookup's target table, which is all the decoders read. `*` would add a
    /// formatted label beside every choice and lookup: about half of each page's bytes.
    Lookups,
    /// Everything the service offers.
    All,
}

impl Annotations {
    pub(crate) fn prefer(self) -> &'static str {
        match self {
            Annotations::Lookups => "Microsoft.Dynamics.CRM.lookuplogicalname",
            Annotations::All => "*",
        }
    }
}

/// What a Dataverse request asks for in `Prefer`: annotations, and a page size other than
/// [`Options::dataverse_page_size`](crate::Options) when set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefer {
    pub annotations: Annotations,
    pub page_size: Option<u32>,
}

impl From<Annotations> for Prefer {
    fn from(annotations: Annotations) -> Self {
        Prefer {
            annotations,
            page_size: None,
        }
    }
}

/// One answer inside a Graph `$batch`.
#[derive(Debug, Clone)]
pub(crate) struct BatchAnswer {
    pub status: u16,
    pub body: Value,
    /// `METHOD url (request id …)` of the inner request, for errors.
    pub request: String,
}

pub(crate) struct Client {
    pub transport: Arc<Transport>,
    pub identity: Arc<Identity>,
    /// `{org_url}/api/data/v9.2/`
    pub dataverse: Url,
    /// `{graph_url}/v1.0/`
    pub graph: Url,
}

impl Client {
    fn audience(service: Service) -> Audience {
        match service {
            Service::Graph => Audience::Graph,
            _ => Audience::Dataverse,
        }
    }

    pub(crate) fn base(&self, service: Service) -> &Url {
        match service {
            Service::Graph => &self.graph,
            _ => &self.dataverse,
        }
    }

    /// Sends an authenticated request. A 401 for a token that has expired (by the service's
    /// word or our clock) is repeated once with a new token.
    pub(crate) async fn send(
        &self,
        service: Service,
        method: Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Reply, SourceError> {
        let advanced = asks_advanced_query(service, url);
        self.send_with(service, method, url, body, Annotations::Lookups, advanced)
            .await
    }

    /// The first `rows` rows of the Dataverse collection at `url` (which orders it): one page
    /// asked for with `Prefer: odata.maxpagesize`, because the Web API ignores `$top` beside
    /// a page size (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/
    /// page-results). The next link, if any, is not followed.
    pub(crate) async fn dataverse_first_rows(
        &self,
        url: &Url,
        what: &str,
        rows: u32,
    ) -> Result<Vec<Value>, SourceError> {
        let prefer = Prefer {
            annotations: Annotations::Lookups,
            page_size: Some(rows),
        };
        let mut page = self.get_json_with(Service::Dataverse, url, what, prefer).await?;
        match page.get_mut("value").map(Value::take) {
            Some(Value::Array(rows)) => Ok(rows),
            _ => Err(SourceError::Malformed {
                service: Service::Dataverse.name().to_owned(),
                detail: format!("GET {}: the page of {what} has no \"value\" array", url.path()),
            }),
        }
    }

    /// [`Client::send`], choosing what to ask Dataverse for (`Prefer`) and whether a Graph
    /// request is an advanced query (`ConsistencyLevel: eventual`).
    pub(crate) async fn send_with(
        &self,
        service: Service,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        prefer: impl Into<Prefer>,
        advanced: bool,
    ) -> Result<Reply, SourceError> {
        let Prefer {
            annotations,
            page_size,
        } = prefer.into();
        let page_size = page_size.unwrap_or(self.transport.options().dataverse_page_size);
        let audience = Self::audience(service);
        let request = format!("{method} {}", url.path());
        for round in 0..2 {
            let token = self
                .identity
                .token(audience)
                .await
                .map_err(|e| token_error(service, e))?;
            let reply = self
                .transport
                .send(service, &request, |client| {
                    let mut rb = client
                        .request(method.clone(), url.clone())
                        .bearer_auth(token.expose_secret())
                        .header("Accept", "application/json");
                    if service == Service::Dataverse {
                        rb = rb
                            .header("OData-MaxVersion", "4.0")
                            .header("OData-Version", "4.0")
                            .header(
                                "Prefer",
                                format!(
                                    "odata.include-annotations=\"{}\",odata.maxpagesize={page_size}",
                                    annotations.prefer()
                                ),
                            );
                    }
                    if advanced && service == Service::Graph {
                        rb = rb.header("ConsistencyLevel", "eventual");
                    }
                    if let Some(b) = body {
                        rb = rb.json(b);
                    }
                    rb
                })
                .await?;
            if reply.status == 401 && round == 0 && self.expired(audience, &token, &reply).await {
                self.identity.invalidate(audience, &token).await;
                tracing::debug!(
                    service = service.name(),
                    "token refused as expired; renewing it once"
                );
                continue;
            }
            return Ok(reply);
        }
        Err(SourceError::Permission {
            what: service.name().to_owned(),
            detail: format!("{request}: a renewed token was refused too"),
        })
    }

    async fn expired(&self, audience: Audience, token: &secrecy::SecretString, reply: &Reply) -> bool {
        let says_expired = reply
            .headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .any(|v| v.contains("invalid_token") || v.to_ascii_lowercase().contains("expired"))
            || String::from_utf8_lossy(&reply.body)
                .to_ascii_lowercase()
                .contains("expired");
        says_expired || self.identity.is_expired(audience, token).await
    }

    /// GETs one JSON document; an error status becomes a [`SourceError`].
    pub(crate) async fn get_json(
        &self,
        service: Service,
        url: &Url,
        what: &str,
    ) -> Result<Value, SourceError> {
        self.get_json_with(service, url, what, Annotations::Lookups).await
    }

    /// GETs a plain-text answer (Graph's `$count`); an error status becomes a
    /// [`SourceError`].
    pub(crate) async fn get_text(
        &self,
        service: Service,
        url: &Url,
        what: &str,
    ) -> Result<String, SourceError> {
        let reply = self.send(service, Method::GET, url, None).await?;
        if !reply.is_success() {
            return Err(from_reply(service, what, &reply));
        }
        Ok(String::from_utf8_lossy(&reply.body).into_owned())
    }

    /// [`Client::get_json`] with every Dataverse annotation, for the escape hatch: a custom
    /// check may want the formatted labels the source's own reads do without.
    pub(crate) async fn get_json_annotated(
        &self,
        service: Service,
        url: &Url,
        what: &str,
    ) -> Result<Value, SourceError> {
        self.get_json_with(service, url, what, Annotations::All).await
    }

    async fn get_json_with(
        &self,
        service: Service,
        url: &Url,
        what: &str,
        prefer: impl Into<Prefer>,
    ) -> Result<Value, SourceError> {
        let reply = self
            .send_with(
                service,
                Method::GET,
                url,
                None,
                prefer,
                asks_advanced_query(service, url),
            )
            .await?;
        if !reply.is_success() {
            return Err(from_reply(service, what, &reply));
        }
        serde_json::from_slice(&reply.body).map_err(|e| malformed(service, &reply, format!("not JSON ({e})")))
    }

    /// A URL under the service's base: `path` is relative (`mailboxes`, `users`), the query
    /// pairs are encoded.
    pub(crate) fn url(
        &self,
        service: Service,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, SourceError> {
        let mut url = self
            .base(service)
            .join(path)
            .map_err(|e| SourceError::Unsupported(format!("cannot build a URL for {path:?}: {e}")))?;
        if !query.is_empty() {
            url.set_query(Some(&super::query::encode(query)));
        }
        Ok(url)
    }

    /// Sends GETs (URLs relative to `/v1.0`, starting with `/`) through Graph `$batch`, 20 at a
    /// time, and returns the answers in the order of `urls`. Inner 429 and 5xx answers
    /// (500, 502, 503, 504) are sent again, after their `Retry-After` when they carry one (in
    /// full, and pausing every Graph request meanwhile for a 429) or else after a backoff, as
    /// often and as long as a request on its own would be: the same retry count, budget and
    /// run deadline. Graph throttles the requests inside a batch one by one
    /// (learn.microsoft.com/graph/json-batching; microsoft-apis.md §B.6).
    pub(crate) async fn graph_batch(&self, urls: &[String]) -> Result<Vec<BatchAnswer>, SourceError> {
        let mut answers: Vec<Option<BatchAnswer>> = vec![None; urls.len()];
        let batch_url = self.url(Service::Graph, "$batch", &[])?;
        let options = self.transport.options().clone();
        let mut pending: Vec<usize> = (0..urls.len()).collect();
        let mut round = 0;
        let mut renewed = false;
        let started = std::time::Instant::now();
        // Time spent waiting out Graph's own `Retry-After`s: not charged to the retry budget.
        let mut waited_for_service = Duration::ZERO;
        while !pending.is_empty() {
            let mut renew = false;
            let mut retry = Vec::new();
            let mut wait = Duration::ZERO;
            let mut asked_wait = Duration::ZERO;
            for chunk in pending.chunks(GRAPH_BATCH_MAX) {
                let requests: Vec<Value> = chunk
                    .iter()
                    .map(|&i| json!({"id": i.to_string(), "method": "GET", "url": urls[i]}))
                    .collect();
                let body = json!({ "requests": requests });
                let sent = std::time::Instant::now();
                let reply = self
                    .send(Service::Graph, Method::POST, &batch_url, Some(&body))
                    .await?;
                if !reply.is_success() {
                    return Err(from_reply(Service::Graph, "a batch of reads", &reply));
                }
                let json: Value = serde_json::from_slice(&reply.body)
                    .map_err(|e| malformed(Service::Graph, &reply, format!("not JSON ({e})")))?;
                let responses = json
                    .get("responses")
                    .and_then(Value::as_array)
                    .ok_or_else(|| malformed(Service::Graph, &reply, "no \"responses\" array"))?;
                for r in responses {
                    let Some(i) = r
                        .get("id")
                        .and_then(Value::as_str)
                        .and_then(|id| id.parse::<usize>().ok())
                        .filter(|i| chunk.contains(i))
                    else {
                        return Err(malformed(Service::Graph, &reply, "an answer with an unknown id"));
                    };
                    let status = r.get("status").and_then(Value::as_u64).unwrap_or(0) as u16;
                    // The token can expire while Graph works through the batch: renew it and
                    // send those requests again, once.
                    if status == 401 && !renewed && says_expired(r.get("body")) {
                        self.identity
                            .invalidate_issued_before(Audience::Graph, sent)
                            .await;
                        tracing::debug!("a token expired inside a $batch; renewing it and resending");
                        renew = true;
                        retry.push(i);
                        continue;
                    }
                    // A success whose body is not a JSON object was garbled on its way (a
                    // proxy's page): asked again like a 5xx.
                    let garbled =
                        (200..300).contains(&status) && !r.get("body").is_some_and(Value::is_object);
                    if (garbled || matches!(status, 429 | 500 | 502 | 503 | 504))
                        && round < options.max_retries
                    {
                        let asked = r
                            .get("headers")
                            .and_then(|h| h.get("Retry-After").or_else(|| h.get("retry-after")))
                            .and_then(crate::identity::seconds)
                            .map(Duration::from_secs);
                        let remaining = self.transport.remaining();
                        let part_wait = match asked {
                            // Graph's own word is honoured in full, within the run's time.
                            Some(asked) => (asked < remaining).then_some(asked),
                            None => {
                                let planned = options
                                    .min_backoff
                                    .saturating_mul(1 << round.min(16))
                                    .min(options.max_backoff);
                                let spent = started.elapsed().saturating_sub(waited_for_service);
                                (spent + planned <= options.max_total_wait && planned < remaining)
                                    .then_some(planned)
                            }
                        };
                        if let Some(part_wait) = part_wait {
                            if let (429, Some(asked)) = (status, asked) {
                                self.transport.pause(Service::Graph, asked);
                                asked_wait = asked_wait.max(asked);
                            }
                            wait = wait.max(part_wait);
                            retry.push(i);
                            continue;
                        }
                    }
                    let body = r.get("body").cloned().unwrap_or(Value::Null);
                    let request_id = body
                        .get("error")
                        .and_then(|e| e.get("innerError"))
                        .and_then(|e| e.get("request-id"))
                        .and_then(Value::as_str)
                        .map(|id| format!(" (request id {id})"))
                        .unwrap_or_default();
                    let path = urls[i].split('?').next().unwrap_or_default();
                    // A part still garbled after its retries must not read as a success with
                    // nothing in it (every decoder would take its defaults): it is reported as
                    // the gateway error it is, with what was wrong.
                    let (status, body) = if garbled {
                        let seen: String = body.to_string().chars().take(60).collect();
                        let message =
                            format!("a 200 answer inside $batch whose body is not a JSON object ({seen}…)");
                        (
                            502,
                            json!({"error": {"code": "garbledAnswer", "message": message}}),
                        )
                    } else {
                        (status, body)
                    };
                    answers[i] = Some(BatchAnswer {
                        status,
                        body,
                        request: format!("GET /v1.0{path} in $batch{request_id}"),
                    });
                }
                if chunk.iter().any(|&i| answers[i].is_none() && !retry.contains(&i)) {
                    return Err(malformed(
                        Service::Graph,
                        &reply,
                        "an answer is missing from the batch",
                    ));
                }
            }
            if !retry.is_empty() {
                tracing::debug!(
                    count = retry.len(),
                    ?wait,
                    "Graph throttled requests inside a batch; waiting"
                );
                tokio::time::sleep(wait).await;
                waited_for_service += wait.min(asked_wait);
            }
            pending = retry;
            round += 1;
            renewed |= renew;
        }
        let mut out = Vec::with_capacity(urls.len());
        for (i, answer) in answers.into_iter().enumerate() {
            match answer {
                Some(a) => out.push(a),
                None => {
                    return Err(SourceError::Throttled {
                        service: format!(
                            "{} ({})",
                            Service::Graph.name(),
                            urls[i].split('?').next().unwrap_or("")
                        ),
                        attempts: round as u32,
                    });
                }
            }
        }
        Ok(out)
    }
}

/// A token failure met during a read.
pub(crate) fn token_error(service: Service, err: ConnectError) -> SourceError {
    match err {
        ConnectError::Unreachable(detail) => SourceError::Unreachable {
            service: crate::transport::Service::Identity.name().to_owned(),
            detail,
        },
        ConnectError::Auth { code, advice } => SourceError::Permission {
            what: format!("a token for {}", service.name()),
            detail: match code {
                Some(c) => format!("{c}: {advice}"),
                None => advice,
            },
        },
        ConnectError::Config(detail) => SourceError::Unsupported(detail),
    }
}

/// True when `url` is a Graph advanced query: the `$count` segment, or `$count=true` in the
/// query. Graph answers those only with the `ConsistencyLevel: eventual` header, and answers
/// any query with it, eventually consistent (learn.microsoft.com/graph/aad-advanced-queries;
/// microsoftgraph/microsoft-graph-docs-contrib concepts/aad-advanced-queries.md).
pub(crate) fn asks_advanced_query(service: Service, url: &Url) -> bool {
    service == Service::Graph
        && (url.path().ends_with("/$count")
            || url
                .query_pairs()
                .any(|(k, v)| k == "$count" && v.eq_ignore_ascii_case("true")))
}

/// True when an inner `$batch` answer's error says the token expired.
fn says_expired(body: Option<&Value>) -> bool {
    body.is_some_and(|b| b.to_string().to_ascii_lowercase().contains("expired"))
}
