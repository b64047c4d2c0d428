//! The Microsoft identity platform endpoints the tool uses: client-credentials tokens and
//! OpenID discovery (microsoft-apis.md §D). Tokens are opaque random strings bound to one
//! audience, one tenant and an expiry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use crate::errors::{self, aad};
use crate::ids;
use crate::scenario::model::Tenant;
use crate::server::Shared;

/// Which API a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    Dataverse,
    Graph,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub audience: Audience,
    pub tenant_id: String,
    pub expires: Instant,
}

#[derive(Default)]
pub(crate) struct TokenStore {
    tokens: Mutex<HashMap<String, TokenInfo>>,
}

/// Why a bearer token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Unknown,
    Expired,
    WrongAudience,
}

impl TokenStore {
    pub(crate) fn issue(&self, info: TokenInfo) -> String {
        let token = ids::random_token();
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), info);
        token
    }

    /// Checks an `Authorization` header value against the expected audience.
    pub fn check(&self, authorization: Option<&str>, audience: Audience) -> Result<TokenInfo, TokenProblem> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        let info = self
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
            .ok_or(TokenProblem::Unknown)?;
        if info.expires <= Instant::now() {
            return Err(TokenProblem::Expired);
        }
        if info.audience != audience {
            return Err(TokenProblem::WrongAudience);
        }
        Ok(info)
    }
}

/// Which of the simulated services a resource URI (a scope without `/.default`) names.
pub(crate) fn audience_of(shared: &Shared, resource: &str) -> Option<Audience> {
    let same = |a: &str, b: &str| {
        a.trim_end_matches('/')
            .eq_ignore_ascii_case(b.trim_end_matches('/'))
    };
    if same(resource, &shared.urls.org) {
        Some(Audience::Dataverse)
    } else if same(resource, &shared.urls.graph) {
        Some(Audience::Graph)
    } else {
        None
    }
}

fn find_tenant<'a>(shared: &'a Shared, name: &str) -> Option<&'a Tenant> {
    let name = name.to_ascii_lowercase();
    shared
        .scenario
        .tenants
        .iter()
        .find(|t| t.id == name || t.domains.contains(&name))
}

pub(crate) async fn handle(shared: Arc<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method(), segs.as_slice()) {
        (&Method::POST, [tenant, "oauth2", "v2.0", "token"]) => {
            let tenant = (*tenant).to_owned();
            let basic = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            match axum::body::to_bytes(req.into_body(), 1 << 20).await {
                Ok(body) => token(&shared, &tenant, basic.as_deref(), &body),
                Err(_) => aad(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    900144,
                    "The request body is too large.",
                ),
            }
        }
        (&Method::GET, [tenant, "v2.0", ".well-known", "openid-configuration"]) => discovery(&shared, tenant),
        (&Method::GET, ["metadata", "identity", "oauth2", "token"]) => {
            crate::managed::imds(&shared, req.headers(), req.uri().query())
        }
        (&Method::GET, ["msi", "token"]) => {
            crate::managed::app_service(&shared, req.headers(), req.uri().query())
        }
        _ => aad(
            StatusCode::NOT_FOUND,
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts the documented requests; {} {path} is not one.",
                req.method()
            ),
        ),
    }
}

fn discovery(shared: &Shared, tenant: &str) -> Response {
    let Some(t) = find_tenant(shared, tenant) else {
        return aad(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    };
    let a = &shared.urls.authority;
    let id = &t.id;
    errors::json_response(
        StatusCode::OK,
        &json!({
            "token_endpoint": format!("{a}/{id}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{a}/{id}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("https://login.microsoftonline.com/{id}/v2.0"),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": format!("{a}/{id}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{a}/{id}/oauth2/v2.0/devicecode"),
            "end_session_endpoint": format!("{a}/{id}/oauth2/v2.0/logout"),
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }),
    )
}

fn token(shared: &Shared, tenant: &str, authorization: Option<&str>, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(t) = find_tenant(shared, tenant) else {
        return aad(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    };
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return aad(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            );
        }
        None => return missing("grant_type"),
    }
    // client_secret_basic: `Authorization: Basic base64(id:secret)`.
    let basic = authorization
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let client_id = field("client_id")
        .map(str::to_owned)
        .or(basic.as_ref().map(|b| b.0.clone()));
    let Some(client_id) = client_id else {
        return missing("client_id");
    };
    let app = &shared.scenario.app;
    if !client_id.eq_ignore_ascii_case(&app.client_id) || app.tenant_id != t.id {
        return aad(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                t.name
            ),
        );
    }
    let Some(scope) = field("scope") else {
        return missing("scope");
    };
    let Some(resource) = scope.strip_suffix("/.default").filter(|_| !scope.contains(' ')) else {
        return aad(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    };
    let Some(audience) = audience_of(shared, resource) else {
        return aad(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
                t.name
            ),
        );
    };
    let secret = field("client_secret").map(str::to_owned).or(basic.map(|b| b.1));
    match (secret, field("client_assertion")) {
        (Some(s), _) if s == app.client_secret => {}
        (Some(_), _) => {
            return aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                    app.client_id
                ),
            );
        }
        (None, Some(assertion)) => {
            if field("client_assertion_type") != Some(crate::assertion::ASSERTION_TYPE) {
                return aad(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50027,
                    format!(
                        "client_assertion_type must be '{}'.",
                        crate::assertion::ASSERTION_TYPE
                    ),
                );
            }
            let audiences: Vec<String> = [tenant, t.id.as_str()]
                .iter()
                .map(|x| format!("{}/{x}/oauth2/v2.0/token", shared.urls.authority))
                .collect();
            let federated = crate::federation::claimed_issuer(assertion)
                .is_some_and(|iss| !iss.eq_ignore_ascii_case(&app.client_id));
            let checked = if federated {
                crate::federation::verify(assertion)
            } else {
                crate::assertion::verify(
                    assertion,
                    crate::assertion::TEST_CERTIFICATE_PEM,
                    &app.client_id,
                    &audiences,
                )
            };
            if let Err(r) = checked {
                return aad(StatusCode::UNAUTHORIZED, "invalid_client", r.aadsts, r.message);
            }
        }
        (None, None) => {
            return aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
    }
    let lifetime = shared.knobs.token_lifetime();
    let access_token = shared.tokens.issue(TokenInfo {
        audience,
        tenant_id: t.id.clone(),
        expires: Instant::now() + lifetime,
    });
    shared.stats.token_issued();
    errors::json_response(
        StatusCode::OK,
        &json!({
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs(),
            "ext_expires_in": lifetime.as_secs(),
            "access_token": access_token,
        }),
    )
}

fn missing(param: &str) -> Response {
    aad(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{param}'."),
    )
}
