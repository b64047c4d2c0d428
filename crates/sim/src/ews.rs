//! On-premises EWS endpoints: every request without valid credentials gets 401 with the
//! server's configured `WWW-Authenticate` challenges, one header per scheme, as IIS sends
//! them, or 403 from a server that refuses EWS (`status = 403`). The simulator never accepts credentials: the tool only probes which schemes an
//! endpoint offers.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::server::Shared;

pub(crate) async fn handle(shared: Arc<Shared>, req: Request) -> Response {
    let path = req.uri().path();
    let server = path
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .filter(|(_, rest)| rest.eq_ignore_ascii_case("EWS/Exchange.asmx"))
        .map(|(s, _)| s);
    let Some(server) = server.and_then(|s| shared.scenario.ews_servers.iter().find(|e| e.name == s)) else {
        return (StatusCode::NOT_FOUND, "The resource cannot be found.").into_response();
    };
    if server.status == 403 {
        // EWS refused before any sign-in (disabled, or an access rule): no challenge.
        let mut r = (StatusCode::FORBIDDEN, "403 - Forbidden: Access is denied.").into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        return r;
    }
    let mut r = (
        StatusCode::UNAUTHORIZED,
        "401 - Unauthorized: Access is denied due to invalid credentials.",
    )
        .into_response();
    for c in &server.challenges {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::WWW_AUTHENTICATE, v);
        }
    }
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}
