//! Dataverse Web API v9.2 (microsoft-apis.md §A).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::errors;
use crate::identity::{Audience, TokenProblem};
use crate::scenario::Scenario;
use crate::server::{Shared, Urls};

pub(crate) const API: &str = "/api/data/v9.2";

pub(crate) struct Store {}

impl Store {
    pub fn build(_scenario: &Scenario, _urls: &Urls) -> Store {
        Store {}
    }
}

/// 401 as Dataverse sends it: no body, a `WWW-Authenticate: Bearer` challenge naming the
/// authority and the resource.
fn unauthorized(shared: &Shared, problem: TokenProblem) -> Response {
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    let challenge = format!(
        "Bearer authorization_uri=https://login.microsoftonline.com/{}/oauth2/authorize, resource_id={}",
        shared.scenario.environment.tenant_id, shared.urls.org
    );
    if let Ok(v) = challenge.parse() {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    tracing::debug!(?problem, "dataverse refused a token");
    r
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

pub(crate) async fn handle(shared: Arc<Shared>, req: Request) -> Response {
    if let Err(p) = shared.tokens.check(bearer(req.headers()), Audience::Dataverse) {
        return unauthorized(&shared, p);
    }
    let path = req.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(API).map(|r| r.trim_start_matches('/')) else {
        return errors::dataverse(
            StatusCode::NOT_FOUND,
            "0x8006088a",
            format!("Resource not found for the segment '{path}'."),
        );
    };
    let env = &shared.scenario.environment;
    if rest.starts_with("RetrieveCurrentOrganization(") {
        return errors::json_response(
            StatusCode::OK,
            &json!({
                "@odata.context": format!("{}{API}/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse", shared.urls.org),
                "Detail": {
                    "OrganizationId": env.organization_id,
                    "FriendlyName": env.name,
                    "OrganizationVersion": "9.2.25111.00000",
                    "EnvironmentId": env.environment_id,
                    "DatacenterId": "00000000-0000-0000-0000-000000000000",
                    "Geo": "NA",
                    "TenantId": env.tenant_id,
                    "UrlName": env.url_name,
                    "UniqueName": env.unique_name,
                    "Endpoints": {"Count": 1, "IsReadOnly": false, "Keys": ["WebApplication"], "Values": [shared.urls.org]},
                    "State": "Enabled",
                    "OrganizationType": "Customer",
                    "SchemaType": "Full",
                }
            }),
        );
    }
    errors::dataverse(
        StatusCode::NOT_FOUND,
        "0x8006088a",
        format!("Resource not found for the segment '{rest}'."),
    )
}
