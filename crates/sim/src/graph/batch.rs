//! Graph JSON batching (microsoft-apis.md §B.6): at most 20 requests with unique ids, each
//! throttled and counted on its own, `dependsOn` honoured (a failed dependency gives 424),
//! answered as `{"responses":[{"id","status","headers","body"}]}`.

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::errors;
use crate::gate;
use crate::knobs::Service;
use crate::server::Shared;

const MAX_REQUESTS: usize = 20;

fn bad(message: &str) -> Response {
    errors::graph(StatusCode::BAD_REQUEST, "BadRequest", message)
}

pub(crate) async fn run(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let Ok(payload) = serde_json::from_slice::<Value>(body) else {
        return bad("Invalid batch payload format.");
    };
    let Some(requests) = payload.get("requests").and_then(Value::as_array) else {
        return bad("Invalid batch payload format: a 'requests' array is required.");
    };
    if requests.is_empty() {
        return bad("A batch request must contain at least one request.");
    }
    if requests.len() > MAX_REQUESTS {
        return bad("The number of batch requests exceeds the limit of 20.");
    }
    let mut ids: Vec<&str> = Vec::new();
    for r in requests {
        let Some(id) = r.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
            return bad("Each batch request needs a string 'id'.");
        };
        if ids.contains(&id) {
            return bad("Batch request ids must be unique.");
        }
        ids.push(id);
        if r.get("method").and_then(Value::as_str).is_none() || r.get("url").and_then(Value::as_str).is_none()
        {
            return bad("Each batch request needs 'method' and 'url'.");
        }
        if r.get("body").is_some()
            && !r
                .get("headers")
                .and_then(Value::as_object)
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")))
        {
            return bad("A batch request with a body must carry a Content-Type header.");
        }
        if let Some(deps) = r.get("dependsOn").and_then(Value::as_array)
            && deps
                .iter()
                .any(|d| d.as_str().is_none_or(|d| !ids[..ids.len() - 1].contains(&d)))
        {
            return bad("dependsOn must name ids of earlier requests in the batch.");
        }
    }

    let mut responses = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for r in requests {
        let id = r["id"].as_str().unwrap_or_default().to_owned();
        let deps: Vec<&str> = r
            .get("dependsOn")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if deps.iter().any(|d| failed.iter().any(|f| f == d)) {
            failed.push(id.clone());
            responses.push(json!({"id": id, "status": 424, "headers": {"Content-Type": "application/json"},
                "body": errors::graph_body("FailedDependency", "The request depends on a request that failed.")}));
            continue;
        }
        let url = r["url"].as_str().unwrap_or_default();
        let method =
            Method::from_bytes(r["method"].as_str().unwrap_or("GET").as_bytes()).unwrap_or(Method::GET);
        let inner = if url.starts_with("http") || url.contains("$batch") {
            bad("Batch request URLs must be relative and may not nest $batch.")
        } else {
            let path_and_query = format!("/v1.0/{}", url.trim_start_matches('/'));
            let path = path_and_query.split('?').next().unwrap_or_default().to_owned();
            match gate::admit(
                shared,
                Service::Graph,
                method.as_str(),
                &path,
                gate::Arrival::Batched,
            )
            .await
            {
                Ok((n, slot)) => {
                    let resp = super::route(shared, &method, &path_and_query, headers);
                    drop(slot);
                    if shared
                        .knobs
                        .faults
                        .garbles(Service::Graph, n, &path, gate::ROLL_GARBLED)
                    {
                        shared.stats.fault(Service::Graph);
                        responses.push(json!({"id": id, "status": 200,
                            "headers": {"Content-Type": "text/html"}, "body": gate::PROXY_PAGE}));
                        continue;
                    }
                    resp
                }
                Err(resp) => resp,
            }
        };
        let status = inner.status().as_u16();
        let retry_after = inner
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = axum::body::to_bytes(inner.into_body(), usize::MAX).await.ok();
        let body: Value = body
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if status >= 400 {
            failed.push(id.clone());
        }
        let mut hdrs = json!({"Content-Type": "application/json"});
        if let Some(ra) = retry_after {
            hdrs["Retry-After"] = json!(ra);
        }
        responses.push(json!({"id": id, "status": status, "headers": hdrs, "body": body}));
    }
    errors::json_response(StatusCode::OK, &json!({"responses": responses}))
}
