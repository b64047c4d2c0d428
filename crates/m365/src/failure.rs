//! Turning an error answer into a [`SourceError`] that names the request (method, path,
//! request id) and the service's own error code, and never a token.

use reqwest::header::HeaderMap;
use serde_json::Value;
use ssync_core::SourceError;

use crate::transport::{Reply, Service};

/// Longest service message quoted in an error.
const MAX_MESSAGE: usize = 300;

/// The request id of an answer: the `x-ms-request-id`, `request-id` or `client-request-id`
/// header, else `error.innerError.request-id` in a JSON body.
pub(crate) fn request_id(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    for name in [
        "x-ms-request-id",
        "request-id",
        "client-request-id",
        "x-ms-service-request-id",
    ] {
        if let Some(v) = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
        {
            return Some(clean(v));
        }
    }
    let json: Value = serde_json::from_slice(body).ok()?;
    let inner = json
        .get("error")?
        .get("innerError")
        .or_else(|| json.get("error")?.get("innererror"))?;
    ["request-id", "client-request-id"]
        .iter()
        .find_map(|k| inner.get(*k).and_then(Value::as_str))
        .map(clean)
}

/// The `code` and `message` of an OData / Graph error body (`{"error":{"code","message"}}`),
/// or of a token endpoint error (`{"error":"…","error_description":"…"}`).
pub(crate) fn error_parts(body: &[u8]) -> (String, String) {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return (String::new(), clean(text.trim()));
    };
    match json.get("error") {
        Some(Value::Object(e)) => (
            e.get("code")
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default(),
            e.get("message")
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default(),
        ),
        Some(Value::String(code)) => (
            clean(code),
            json.get("error_description")
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    }
}

/// Shortens service text and drops control characters, so that a hostile answer cannot
/// forge lines in a report.
pub(crate) fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE)
        .collect();
    if text.chars().count() > MAX_MESSAGE {
        out.push('…');
    }
    out
}

/// The error for a non-success answer. `what` says what was being read ("mailboxes").
pub(crate) fn from_reply(service: Service, what: &str, reply: &Reply) -> SourceError {
    let (code, message) = error_parts(&reply.body);
    let request = reply.describe();
    if reply.status == 403 || code == "Authorization_RequestDenied" || code == "accessDenied" {
        return SourceError::Permission {
            what: format!("{what} from {}", service.name()),
            detail: join(&[&request, &code, &message]),
        };
    }
    if reply.status == 401 {
        return SourceError::Permission {
            what: format!("{what} from {}", service.name()),
            detail: join(&[&request, "HTTP 401: the token was refused", &code, &message]),
        };
    }
    SourceError::Http {
        service: service.name().to_owned(),
        request,
        status: reply.status,
        code,
        message,
    }
}

/// A body that is not the JSON expected.
pub(crate) fn malformed(service: Service, reply: &Reply, why: impl std::fmt::Display) -> SourceError {
    SourceError::Malformed {
        service: service.name().to_owned(),
        detail: format!("{}: {why}", reply.describe()),
    }
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn reply(status: u16, body: &str, headers: &[(&'static str, &str)]) -> Reply {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        Reply {
            status,
            headers: h,
            body: body.as_bytes().to_vec(),
            request: "GET /v1.0/users".into(),
        }
    }

    #[test]
    fn graph_error_body_gives_code_message_and_request_id() {
        let r = reply(
            400,
            r#"{"error":{"code":"Request_BadRequest","message":"Bad filter","innerError":{"request-id":"rid-1","date":"x"}}}"#,
            &[],
        );
        match from_reply(Service::Graph, "users", &r) {
            SourceError::Http {
                status,
                code,
                message,
                request,
                ..
            } => {
                assert_eq!(
                    (status, code.as_str(), message.as_str()),
                    (400, "Request_BadRequest", "Bad filter")
                );
                assert_eq!(request, "GET /v1.0/users (request id rid-1)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_request_id_wins_and_403_is_a_permission_error() {
        let r = reply(
            403,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#,
            &[("request-id", "hdr-9")],
        );
        let e = from_reply(Service::Graph, "users", &r);
        assert!(
            matches!(&e, SourceError::Permission { detail, .. }
            if detail.contains("hdr-9") && detail.contains("Authorization_RequestDenied")),
            "{e:?}"
        );
        // Graph sometimes answers 400 with the same code.
        let r = reply(
            400,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"x"}}"#,
            &[],
        );
        assert!(matches!(
            from_reply(Service::Graph, "users", &r),
            SourceError::Permission { .. }
        ));
    }

    #[test]
    fn dataverse_hex_codes_and_token_endpoint_errors_are_read() {
        assert_eq!(
            error_parts(br#"{"error":{"code":"0x80044331","message":"m"}}"#),
            ("0x80044331".into(), "m".into())
        );
        assert_eq!(
            error_parts(
                br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret"}"#
            ),
            (
                "invalid_client".into(),
                "AADSTS7000215: Invalid client secret".into()
            )
        );
        assert_eq!(
            error_parts(b"<html>oops</html>"),
            ("".into(), "<html>oops</html>".into())
        );
    }

    #[test]
    fn service_text_is_shortened_and_flattened() {
        let long = "a\nb".repeat(400);
        let c = clean(&long);
        assert!(!c.contains('\n'));
        assert!(c.chars().count() <= MAX_MESSAGE + 1);
    }
}
