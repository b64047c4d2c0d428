//! The error bodies each service sends, in the documented shapes (microsoft-apis.md §A.8,
//! §B.6, §D.1).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn random_guid() -> String {
    let (a, b): (u64, u64) = (rand::random(), rand::random());
    crate::ids::format_guid(a, b)
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// Dataverse: `{"error":{"code":"0x…","message":"…"}}`.
pub(crate) fn dataverse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let mut r = json_response(
        status,
        &json!({"error": {"code": code, "message": message.into()}}),
    );
    r.headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    r
}

/// Graph: `{"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}`.
pub(crate) fn graph_body(code: &str, message: &str) -> Value {
    let id = random_guid();
    json!({"error": {"code": code, "message": message,
        "innerError": {"request-id": id, "date": now_rfc3339(), "client-request-id": id}}})
}

pub(crate) fn graph(status: StatusCode, code: &str, message: impl AsRef<str>) -> Response {
    json_response(status, &graph_body(code, message.as_ref()))
}

/// Microsoft identity platform: `{"error","error_description":"AADSTSnnn: …","error_codes":[n],…}`.
pub(crate) fn aad(status: StatusCode, error: &str, aadsts: u32, message: impl AsRef<str>) -> Response {
    let trace = random_guid();
    let correlation = random_guid();
    let ts = now_rfc3339();
    let description = format!(
        "AADSTS{aadsts}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {ts}",
        message.as_ref()
    );
    json_response(
        status,
        &json!({
            "error": error,
            "error_description": description,
            "error_codes": [aadsts],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={aadsts}"),
        }),
    )
}
