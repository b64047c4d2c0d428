//! What happens to every request before and after its handler: accounting, service down,
//! service protection (429), latency and fault injection. Graph `$batch` runs each inner
//! request through [`admit`] too, as Graph throttles them one by one.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::errors;
use crate::knobs::Service;
use crate::limiter::{Refusal, Slot};
use crate::server::Shared;
use crate::stats::route_label;

/// Fault kinds, mixed into the seeded roll so each knob draws its own numbers.
const ROLL_ERROR: u64 = 1;
const ROLL_DROP: u64 = 2;
const ROLL_MALFORMED: u64 = 3;
pub(crate) const ROLL_GARBLED: u64 = 4;
const ROLL_GARBLE_KIND: u64 = 5;
const ROLL_STATUS: u64 = 6;

/// What a proxy answers when its upstream failed: an HTML page, with a 200 status as some do.
pub(crate) const PROXY_PAGE: &str = "<html><head><title>Gateway</title></head><body><h1>The upstream server did not answer in time.</h1></body></html>";

/// Whether a request came over the wire or inside a Graph `$batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    Direct,
    /// Inside a `$batch`: counted, throttled and faulted one by one as Graph meters them, but
    /// adding no latency of its own (the batch is one round trip).
    Batched,
}

/// Accounting, throttling, latency and 5xx faults for one request. `Ok` carries the
/// sequence number and the in-flight slot to hold while the handler runs.
pub(crate) async fn admit<'a>(
    shared: &'a Shared,
    service: Service,
    method: &str,
    path: &str,
    arrival: Arrival,
) -> Result<(u64, Slot<'a>), Response> {
    let n = shared.stats.request(service, method, &route_label(path));
    let spec = shared.knobs.faults.for_service(service);
    if spec.down {
        shared.stats.fault(service);
        return Err(fault_response(service, true, 503));
    }
    if spec.hang {
        shared.stats.fault(service);
        // Longer than any client waits; the request ends when the client hangs up.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let crate::penalty::Verdict::Refuse { retry_after, early } =
        shared.penalty.judge(shared.knobs.penalty, service, n)
    {
        shared.stats.throttled(service);
        if early {
            shared.stats.early(service);
        }
        let mut r = errors::graph(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. Please retry after the time given in the Retry-After header.",
        );
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after.as_secs_f64().ceil().max(1.0) as u64),
        );
        return Err(r);
    }
    let slot = match shared.limiters[service.index()].acquire(shared.knobs.limits_for(service)) {
        Ok(slot) => slot,
        Err(refusal) => {
            shared.stats.throttled(service);
            return Err(throttled(service, refusal, shared));
        }
    };
    let latency = match arrival {
        Arrival::Direct => shared.knobs.latency_for(service, method, path),
        Arrival::Batched => Duration::ZERO,
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if spec.error_rate > 0.0 && shared.knobs.faults.roll(service, n, ROLL_ERROR) < spec.error_rate {
        shared.stats.fault(service);
        // Graph answers 500, 502, 503 or 504 when a backend fails (learn.microsoft.com/graph/errors).
        let status =
            [500, 502, 503, 504][(shared.knobs.faults.roll(service, n, ROLL_STATUS) * 4.0) as usize % 4];
        return Err(fault_response(service, false, status));
    }
    Ok((n, slot))
}

/// Runs a whole request: `/_sim/stats`, then [`admit`], the handler, and body faults.
pub(crate) async fn around<F, Fut>(
    shared: Arc<Shared>,
    service: Service,
    req: Request,
    handler: F,
) -> Response
where
    F: FnOnce(Arc<Shared>, Request) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Response>,
{
    if req.uri().path() == "/_sim/stats" {
        return errors::json_response(
            StatusCode::OK,
            &serde_json::to_value(shared.stats.snapshot()).unwrap_or_default(),
        );
    }
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let (n, slot) = match admit(&shared, service, &method, &path, Arrival::Direct).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Rendering a page of 5,000 records takes tens of milliseconds of CPU. On the runtime's
    // worker threads it would hold up every other request behind it, which a real service
    // (many servers) does not do; on the blocking pool the operating system shares the cores.
    let handle = tokio::runtime::Handle::current();
    let for_handler = shared.clone();
    let response = match tokio::task::spawn_blocking(move || handle.block_on(handler(for_handler, req))).await
    {
        Ok(r) => r,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    drop(slot);
    body_faults(&shared, service, n, &path, response).await
}

async fn body_faults(shared: &Shared, service: Service, n: u64, path: &str, response: Response) -> Response {
    let faults = &shared.knobs.faults;
    let spec = faults.for_service(service);
    if spec.drop_rate > 0.0 && faults.roll(service, n, ROLL_DROP) < spec.drop_rate {
        shared.stats.fault(service);
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        // A first chunk, then an error: hyper aborts the connection mid-body.
        let stream = futures::stream::iter(vec![
            Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"value\":[")),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "simulated dropped connection",
            )),
        ]);
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    if faults.garbles(service, n, path, ROLL_GARBLED) {
        shared.stats.fault(service);
        return garbled(faults.roll(service, n, ROLL_GARBLE_KIND), response).await;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let malformed = is_json
        && spec.malformed_json_rate > 0.0
        && faults.roll(service, n, ROLL_MALFORMED) < spec.malformed_json_rate;
    if !malformed && spec.slow_body.is_none() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(mut bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if malformed {
        shared.stats.fault(service);
        parts.status = StatusCode::OK;
        bytes = bytes.slice(..bytes.len() / 2);
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    }
    if let Some(total) = spec.slow_body {
        parts.headers.remove(header::CONTENT_LENGTH);
        let chunks = 10usize;
        let size = bytes.len().div_ceil(chunks).max(1);
        let pause = total / chunks as u32;
        let pieces: Vec<Bytes> = (0..bytes.len())
            .step_by(size)
            .map(|i| bytes.slice(i..(i + size).min(bytes.len())))
            .collect();
        let stream = futures::stream::iter(pieces).then(move |piece| async move {
            tokio::time::sleep(pause).await;
            Ok::<Bytes, std::io::Error>(piece)
        });
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A 200 answer whose body is not the JSON it should be, of the kind `roll` picks.
async fn garbled(roll: f64, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.status = StatusCode::OK;
    let (content_type, bytes) = if roll < 1.0 / 3.0 {
        // Cut short: the first part of the document, or the start of a page when it is short.
        let cut = if bytes.len() > 16 {
            bytes.slice(..bytes.len() / 2)
        } else {
            Bytes::from_static(b"{\"value\":[{\"id\":")
        };
        ("application/json; charset=utf-8", cut)
    } else if roll < 2.0 / 3.0 {
        ("text/html", Bytes::from_static(PROXY_PAGE.as_bytes()))
    } else {
        ("text/plain", bytes)
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::from(bytes))
}

fn fault_response(service: Service, down: bool, status: u16) -> Response {
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    match (service, down) {
        (Service::Dataverse, false) => errors::dataverse(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "0x80040216",
            "An unexpected error occurred. (simulated fault)",
        ),
        (Service::Dataverse, true) => errors::dataverse(
            unavailable,
            "0x80040216",
            "The service is unavailable. (simulated outage)",
        ),
        (Service::Graph, _) => errors::graph(
            if down {
                unavailable
            } else {
                StatusCode::from_u16(status).unwrap_or(unavailable)
            },
            "serviceNotAvailable",
            "The service is temporarily unavailable. (simulated)",
        ),
        (Service::Identity, _) => errors::aad(
            unavailable,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again. (simulated)",
        ),
        (Service::Ews, _) => (unavailable, "Service Unavailable").into_response(),
    }
}

fn throttled(service: Service, refusal: Refusal, shared: &Shared) -> Response {
    let limits = shared.knobs.limits_for(service);
    let retry = match &refusal {
        Refusal::Requests(d) => d.as_secs().max(1),
        Refusal::Concurrency => 1,
    };
    let mut r = match (service, &refusal) {
        (Service::Graph, _) => errors::graph(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. Please retry after the time given in the Retry-After header.",
        ),
        (_, Refusal::Requests(_)) => errors::dataverse(
            StatusCode::TOO_MANY_REQUESTS,
            "0x80072322",
            format!(
                "Number of requests exceeded the limit of {} over time window of {} seconds.",
                limits.map_or(0, |l| l.requests_per_window),
                limits.map_or(Duration::ZERO, |l| l.window).as_secs()
            ),
        ),
        (_, Refusal::Concurrency) => errors::dataverse(
            StatusCode::TOO_MANY_REQUESTS,
            "0x80072326",
            format!(
                "Number of concurrent requests exceeded the limit of {}.",
                limits.map_or(0, |l| l.max_concurrent)
            ),
        ),
    };
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry));
    r
}
