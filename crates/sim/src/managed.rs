//! The managed identity endpoints of Azure compute, served on the identity listener:
//!
//! * the instance metadata service, `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R`
//!   with `Metadata: true` (learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token):
//!   every number in the answer is a string;
//! * the App Service / Functions / Automation endpoint, `GET /msi/token?api-version=2019-08-01&resource=R`
//!   with `X-IDENTITY-HEADER` (learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference):
//!   the answer's `expires_on` is epoch seconds.
//!
//! The identity is the scenario's app (its service principal): a `client_id` naming anything
//! else is an identity not assigned to this resource.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::errors;
use crate::identity::TokenInfo;
use crate::server::Shared;

/// The `IDENTITY_HEADER` value the simulated platform gives its processes (a test value).
pub const MANAGED_IDENTITY_HEADER: &str = "sim-identity-header-test-value";

pub(crate) fn imds(shared: &Shared, headers: &HeaderMap, query: Option<&str>) -> Response {
    if headers.get("Metadata").and_then(|v| v.to_str().ok()) != Some("true") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    issue(shared, query, "2018-02-01", true)
}

pub(crate) fn app_service(shared: &Shared, headers: &HeaderMap, query: Option<&str>) -> Response {
    if headers.get("X-IDENTITY-HEADER").and_then(|v| v.to_str().ok()) != Some(MANAGED_IDENTITY_HEADER) {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
        );
    }
    issue(shared, query, "2019-08-01", false)
}

fn issue(shared: &Shared, query: Option<&str>, api_version: &str, imds_shape: bool) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    if params.get("api-version").map(String::as_str) != Some(api_version) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("api-version must be {api_version}"),
        );
    }
    let app = &shared.scenario.app;
    if let Some(client_id) = params.get("client_id")
        && !client_id.eq_ignore_ascii_case(&app.client_id)
    {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Identity not found");
    }
    let resource = params.get("resource").map(String::as_str).unwrap_or("");
    let Some(audience) = crate::identity::audience_of(shared, resource) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."),
        );
    };
    let lifetime = shared.knobs.token_lifetime();
    let access_token = shared.tokens.issue(TokenInfo {
        audience,
        tenant_id: app.tenant_id.clone(),
        expires: Instant::now() + lifetime,
    });
    shared.stats.token_issued();
    let expires_on = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        + lifetime.as_secs();
    let body = if imds_shape {
        json!({
            "access_token": access_token,
            "refresh_token": "",
            "expires_in": lifetime.as_secs().to_string(),
            "expires_on": expires_on.to_string(),
            "not_before": (expires_on - lifetime.as_secs()).to_string(),
            "resource": resource,
            "token_type": "Bearer",
        })
    } else {
        json!({
            "access_token": access_token,
            "expires_on": expires_on.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": app.client_id,
        })
    };
    errors::json_response(StatusCode::OK, &body)
}

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    errors::json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}
