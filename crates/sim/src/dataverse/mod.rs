//! Dataverse Web API v9.2 (microsoft-apis.md §A): read-only entity sets, single records,
//! `RetrieveCurrentOrganization` and `WhoAmI`, behind a bearer token for the environment.

mod query;
mod schema;
mod store;

pub(crate) use store::Store;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::errors;
use crate::identity::{Audience, TokenProblem};
use crate::odata::Query;
use crate::server::Shared;
use query::{Prefer, QueryError};

pub(crate) const API: &str = "/api/data/v9.2";

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
    if !shared.scenario.app.application_user {
        // A valid token for an app that was never added as an application user.
        return errors::dataverse(
            StatusCode::FORBIDDEN,
            "0x80072560",
            "The user is not a member of the organization.",
        );
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
    if req.method() != axum::http::Method::GET {
        return errors::dataverse(
            StatusCode::METHOD_NOT_ALLOWED,
            "0x80060888",
            format!(
                "The simulator's Web API is read-only; {} is not supported.",
                req.method()
            ),
        );
    }
    let base = format!("{}{API}", shared.urls.org);
    if rest.is_empty() {
        // The service document: the entity sets the simulator serves.
        let sets: Vec<_> = schema::ENTITIES
            .iter()
            .map(|e| json!({"name": e.set, "kind": "EntitySet", "url": e.set}))
            .collect();
        return errors::json_response(
            StatusCode::OK,
            &json!({"@odata.context": format!("{base}/$metadata"), "value": sets}),
        );
    }
    if rest == "WhoAmI" || rest == "WhoAmI()" {
        let app_user = shared
            .scenario
            .system_users
            .iter()
            .find(|u| u.application_id.is_some());
        return errors::json_response(
            StatusCode::OK,
            &json!({
                "@odata.context": format!("{base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"),
                "BusinessUnitId": env.business_unit_id,
                "UserId": app_user.map(|u| u.id.clone()),
                "OrganizationId": env.organization_id,
            }),
        );
    }
    let q = Query::parse(req.uri().query());
    let prefer = Prefer::parse(req.headers().get("prefer").and_then(|v| v.to_str().ok()));
    let (set, key) = match rest.split_once('(') {
        Some((set, k)) => match k.strip_suffix(')') {
            Some(k) => (set, Some(k)),
            None => return not_found(rest),
        },
        None => (rest, None),
    };
    let Some(table) = shared.dataverse.tables.get(set) else {
        return not_found(rest);
    };
    let looping = shared.knobs.faults.dataverse.looping_next_link;
    if shared.knobs.faults.dataverse.refuse_key_ranges && orders_a_key(q.get("$filter")) {
        return errors::dataverse(
            StatusCode::BAD_REQUEST,
            "0x80060888",
            "The operator is not supported for a uniqueidentifier property.",
        );
    }
    let result = match key {
        Some(id) => query::single(&shared.dataverse, table, id, &q, &prefer, &base).map(|v| (v, None)),
        None => query::collection(&shared.dataverse, table, &q, &prefer, &base, set).map(|mut page| {
            if looping && let Some(m) = page.body.as_object_mut() {
                // Fault knob: the next link leads back to this very page.
                let own = format!("{}{}", shared.urls.org, req.uri());
                m.insert("@odata.nextLink".into(), json!(own));
            }
            (page.body, Some(page.page_size))
        }),
    };
    match result {
        Ok((body, page)) => {
            let mut r = errors::json_response(StatusCode::OK, &body);
            r.headers_mut()
                .insert("OData-Version", header::HeaderValue::from_static("4.0"));
            if let Some(applied) = prefer.applied(page.unwrap_or(query::MAX_PAGE))
                && let Ok(v) = applied.parse()
            {
                r.headers_mut().insert("Preference-Applied", v);
            }
            r
        }
        Err(QueryError {
            status,
            code,
            message,
        }) => errors::dataverse(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            message,
        ),
    }
}

/// Whether a `$filter` compares a key column (`…id`) with `gt`, `ge`, `lt` or `le`.
fn orders_a_key(filter: Option<&str>) -> bool {
    let words: Vec<&str> = filter.unwrap_or("").split_whitespace().collect();
    words
        .windows(2)
        .any(|w| w[0].ends_with("id") && matches!(w[1], "gt" | "ge" | "lt" | "le"))
}

fn not_found(segment: &str) -> Response {
    errors::dataverse(
        StatusCode::NOT_FOUND,
        "0x8006088a",
        format!("Resource not found for the segment '{segment}'."),
    )
}
