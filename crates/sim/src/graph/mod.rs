//! Microsoft Graph v1.0 (microsoft-apis.md §B): users, mailbox settings, licence details,
//! the organization, deleted users and `$batch`, for the tenant the token was issued in.

mod batch;
mod users;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::errors;
use crate::identity::{Audience, TokenProblem};
use crate::odata::eval::{self, Dialect, Kind};
use crate::odata::{self, Query, filter};
use crate::scenario::model::MailboxHome;
use crate::server::Shared;
pub(crate) use users::Store;

/// A refusal: the error response to send (boxed: responses are large).
type Res<T> = Result<T, Box<Response>>;

const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;

fn unauthorized(problem: TokenProblem) -> Response {
    let message = match problem {
        TokenProblem::Missing => "Access token is empty.",
        TokenProblem::Unknown => "Invalid JWT token. The token is not valid.",
        TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
        TokenProblem::WrongAudience => "Invalid audience.",
    };
    let mut r = errors::graph(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        ),
    );
    r
}

pub(crate) async fn handle(shared: Arc<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if parts.method == Method::POST && parts.uri.path() == "/v1.0/$batch" {
        if let Err(p) = shared.tokens.check(bearer(&parts.headers), Audience::Graph) {
            return unauthorized(p);
        }
        return match axum::body::to_bytes(body, 4 << 20).await {
            Ok(bytes) => batch::run(&shared, &parts.headers, &bytes).await,
            Err(_) => errors::graph(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BadRequest",
                "The batch payload is too large.",
            ),
        };
    }
    route(&shared, &parts.method, &path_and_query, &parts.headers)
}

/// The application permission a read needs (Graph permissions reference: "List users" and
/// "Get user" need User.Read.All, "Get mailboxSettings" MailboxSettings.Read, "List
/// deletedItems" of users User.Read.All), and the refusal when the scenario withholds it:
/// 403 `Authorization_RequestDenied` from the directory, `ErrorAccessDenied` from Exchange.
fn withheld_permission(shared: &Shared, segs: &[&str]) -> Option<Response> {
    let needed = match segs {
        ["v1.0", "users", _, "mailboxSettings", ..] => "MailboxSettings.Read",
        ["v1.0", "users", ..] | ["v1.0", "directory", "deletedItems", ..] => "User.Read.All",
        _ => return None,
    };
    let withheld = &shared.scenario.app.withheld_graph_permissions;
    if !withheld.iter().any(|p| p.eq_ignore_ascii_case(needed)) {
        return None;
    }
    Some(if needed == "MailboxSettings.Read" {
        errors::graph(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    } else {
        errors::graph(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// Answers one GET (also used for each request inside `$batch`).
pub(crate) fn route(shared: &Shared, method: &Method, path_and_query: &str, headers: &HeaderMap) -> Response {
    let info = match shared.tokens.check(bearer(headers), Audience::Graph) {
        Ok(info) => info,
        Err(p) => return unauthorized(p),
    };
    let (path, query) = path_and_query
        .split_once('?')
        .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
    let q = Query::parse(query);
    if method != Method::GET {
        return errors::graph(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "The simulator's Graph is read-only.",
        );
    }
    let decoded: Vec<String> = path.trim_matches('/').split('/').map(percent_decode).collect();
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    if let Some(refusal) = withheld_permission(shared, &segs) {
        return refusal;
    }
    let Some(tenant) = shared.graph.tenants.get(&info.tenant_id) else {
        return *not_found(path);
    };
    let base = format!("{}/v1.0", shared.urls.graph);
    let eventual = headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let advanced = eventual && q.get("$count").is_some_and(|c| c.eq_ignore_ascii_case("true"));
    let scenario = &shared.scenario;
    let looping = shared
        .knobs
        .faults
        .graph
        .looping_next_link
        .then(|| format!("{}{path_and_query}", shared.urls.graph));
    let result = match segs.as_slice() {
        ["v1.0", "users"] => {
            let get = |pos: usize, p: &str| users::user_property(&scenario.users[tenant.users[pos]], p);
            let c = Collection {
                len: tenant.users.len(),
                get: &get,
                is_property: users::is_property,
                kind: &users::filter_kind,
                default_select: users::DEFAULT_PROPERTIES,
                indexes: Some(&tenant.indexes),
                context: "users",
                link: format!("{base}/users"),
                base: &base,
            };
            list(&c, &q, advanced, path)
        }
        // Counting directory objects is an advanced query only: without `ConsistencyLevel:
        // eventual` Graph answers 400 "$count is not currently supported."
        // (concepts/aad-advanced-queries.md, "Error handling for advanced queries"). Graph
        // answers the number as text/plain; here it is the same digits.
        ["v1.0", "users", "$count"] => {
            if eventual {
                Ok(json!(tenant.users.len()))
            } else {
                Err(bad_request(
                    "Request_BadRequest",
                    "$count is not currently supported.",
                ))
            }
        }
        ["v1.0", "users", key] => match find_user(shared, tenant, key) {
            Some(u) => single(
                &|p| users::user_property(u, p),
                &q,
                users::is_property,
                users::DEFAULT_PROPERTIES,
            )
            .map(|mut v| {
                v.insert(
                    "@odata.context".into(),
                    json!(format!("{base}/$metadata#users/$entity")),
                );
                Value::Object(v)
            }),
            None => Err(not_found(key)),
        },
        ["v1.0", "users", key, "mailboxSettings"] => match find_user(shared, tenant, key) {
            Some(u) => match &u.mailbox {
                MailboxHome::Online(purpose) => Ok(mailbox_settings(&base, &u.id, purpose)),
                MailboxHome::OnPremises | MailboxHome::None => Err(Box::new(errors::graph(
                    StatusCode::NOT_FOUND,
                    "MailboxNotEnabledForRESTAPI",
                    "REST API is not yet supported for this mailbox.",
                ))),
            },
            None => Err(not_found(key)),
        },
        ["v1.0", "users", key, "licenseDetails"] => match find_user(shared, tenant, key) {
            Some(u) => Ok(license_details(&base, u)),
            None => Err(not_found(key)),
        },
        ["v1.0", "organization"] => Ok(json!({
            "@odata.context": format!("{base}/$metadata#organization"),
            "value": [organization(shared, &info.tenant_id)],
        })),
        ["v1.0", "organization", id] if id.eq_ignore_ascii_case(&info.tenant_id) => {
            let mut org = organization(shared, &info.tenant_id);
            if let Some(m) = org.as_object_mut() {
                m.insert(
                    "@odata.context".into(),
                    json!(format!("{base}/$metadata#organization/$entity")),
                );
            }
            Ok(org)
        }
        ["v1.0", "directory", "deletedItems", "microsoft.graph.user"] => {
            let get = |pos: usize, p: &str| {
                users::deleted_property(&scenario.deleted_users[tenant.deleted[pos]], p)
            };
            let mut default: Vec<&str> = users::DEFAULT_PROPERTIES.to_vec();
            default.push("deletedDateTime");
            let c = Collection {
                len: tenant.deleted.len(),
                get: &get,
                is_property: users::is_property,
                kind: &users::filter_kind,
                default_select: &default,
                indexes: None,
                context: "directory/deletedItems/microsoft.graph.user",
                link: format!("{base}/directory/deletedItems/microsoft.graph.user"),
                base: &base,
            };
            list(&c, &q, advanced, path)
        }
        ["v1.0", "directory", "deletedItems"] => Err(Box::new(errors::graph(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Listing deleted items requires a type cast segment, e.g. /directory/deletedItems/microsoft.graph.user.",
        ))),
        ["v1.0", "directory", "deletedItems", id] => {
            match tenant
                .deleted
                .iter()
                .map(|i| &scenario.deleted_users[*i])
                .find(|d| d.id.eq_ignore_ascii_case(id))
            {
                Some(d) => {
                    let mut default: Vec<&str> = users::DEFAULT_PROPERTIES.to_vec();
                    default.push("deletedDateTime");
                    single(
                        &|p| users::deleted_property(d, p),
                        &q,
                        users::is_property,
                        &default,
                    )
                    .map(|mut v| {
                        v.insert("@odata.type".into(), json!("#microsoft.graph.user"));
                        Value::Object(v)
                    })
                }
                None => Err(not_found(path)),
            }
        }
        _ => Err(not_found(path)),
    };
    match result {
        Ok(mut body) => {
            if let (Some(own), Some(m)) = (looping, body.as_object_mut())
                && m.contains_key("value")
            {
                // Fault knob: the next link leads back to this very page.
                m.insert("@odata.nextLink".into(), json!(own));
            }
            errors::json_response(StatusCode::OK, &body)
        }
        Err(r) => *r,
    }
}

/// Decodes `%XX` escapes in a path segment (`+` stays a plus: it is literal in paths).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_user<'a>(
    shared: &'a Shared,
    tenant: &users::TenantUsers,
    key: &str,
) -> Option<&'a crate::scenario::model::User> {
    let pos = tenant.by_id_or_upn.get(&key.to_lowercase())?;
    shared.scenario.users.get(*tenant.users.get(*pos)?)
}

fn not_found(path: &str) -> Box<Response> {
    Box::new(errors::graph(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!(
            "Resource '{path}' does not exist or one of its queried reference-property objects are not present."
        ),
    ))
}

fn bad_request(code: &str, message: impl AsRef<str>) -> Box<Response> {
    Box::new(errors::graph(StatusCode::BAD_REQUEST, code, message))
}

/// The properties to return: `$select` (each checked) or the defaults.
fn selection<'a>(q: &'a Query, is_property: fn(&str) -> bool, default: &[&'a str]) -> Res<Vec<String>> {
    match q.get("$select") {
        None => Ok(default.iter().map(|s| (*s).to_owned()).collect()),
        Some(raw) => {
            let list = odata::select_list(raw);
            match list.iter().find(|p| !is_property(p)) {
                Some(p) => Err(bad_request(
                    "Request_BadRequest",
                    format!("Could not find a property named '{p}' on type 'microsoft.graph.user'."),
                )),
                None => Ok(list),
            }
        }
    }
}

fn single(
    get: &dyn Fn(&str) -> Value,
    q: &Query,
    is_property: fn(&str) -> bool,
    default: &[&str],
) -> Res<Map<String, Value>> {
    let props = selection(q, is_property, default)?;
    Ok(props.iter().map(|p| (p.clone(), get(p))).collect())
}

struct Collection<'a> {
    len: usize,
    get: &'a dyn Fn(usize, &str) -> Value,
    is_property: fn(&str) -> bool,
    kind: &'a dyn Fn(&str) -> Option<Kind>,
    default_select: &'a [&'a str],
    indexes: Option<&'a odata::Indexes>,
    context: &'a str,
    link: String,
    base: &'a str,
}

fn list(c: &Collection<'_>, q: &Query, advanced: bool, path: &str) -> Res<Value> {
    if let Some(opt) = q
        .unknown_options(&["$select", "$filter", "$top", "$skiptoken", "$count", "$orderby"])
        .first()
    {
        return Err(bad_request(
            "Request_UnsupportedQuery",
            format!("The query parameter '{opt}' is not supported."),
        ));
    }
    let props = selection(q, c.is_property, c.default_select)?;
    let top = match q.get("$top") {
        None => DEFAULT_TOP,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            _ => {
                return Err(bad_request(
                    "Request_BadRequest",
                    format!("Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."),
                ));
            }
        },
    };
    let count = q.get("$count").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if count && !advanced {
        return Err(bad_request(
            "Request_BadRequest",
            "$count is only supported with the ConsistencyLevel: eventual header (advanced queries).",
        ));
    }
    let dialect = Dialect {
        crm_in: false,
        in_operator: true,
        lambda: true,
        contains: false,
        startswith: true,
        endswith: advanced,
        ne_and_not: advanced,
        // `ge`/`le` (ranges of `userPrincipalName`): Graph's user resource lists them, but
        // the directory-object filter table has disagreed between versions on whether they
        // work by default; the simulator takes the strict reading and wants an advanced query.
        ordering: advanced,
    };
    let expr = match q.get("$filter") {
        Some(f) => {
            let e = filter::parse(f)
                .map_err(|e| bad_request("BadRequest", format!("Invalid filter clause: {e}")))?;
            eval::validate(&e, c.kind, &dialect).map_err(|m| {
                let code = if m.starts_with("Could not find") {
                    "Request_BadRequest"
                } else {
                    "Request_UnsupportedQuery"
                };
                bad_request(
                    code,
                    format!("Unsupported or invalid query filter clause specified for property: {m}"),
                )
            })?;
            Some(e)
        }
        None => None,
    };
    let order = match q.get("$orderby") {
        Some(o) => {
            let list = odata::orderby_list(o).map_err(|m| bad_request("Request_BadRequest", m))?;
            if let Some((p, _)) = list
                .iter()
                .find(|(p, _)| !matches!(p.as_str(), "displayName" | "userPrincipalName"))
            {
                return Err(bad_request(
                    "Request_UnsupportedQuery",
                    format!("Sorting by '{p}' is not supported."),
                ));
            }
            list
        }
        None => Vec::new(),
    };
    let salt = odata::query_salt(path, q);
    let start = match q.get("$skiptoken") {
        Some(t) => odata::decode_skiptoken(t, salt).ok_or_else(|| {
            bad_request(
                "Request_BadRequest",
                "The $skiptoken is not valid for this query.",
            )
        })?,
        None => 0,
    };
    let all = odata::candidates(expr.as_ref(), c.indexes, c.len);
    let matches = |n: usize| expr.as_ref().is_none_or(|e| eval::matches(e, &|p| (c.get)(n, p)));
    let sort = |a: usize, b: usize| {
        for (p, desc) in &order {
            let o = odata::cmp_values(&(c.get)(a, p), &(c.get)(b, p));
            let o = if *desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    };
    let sort_ref: Option<&dyn Fn(usize, usize) -> std::cmp::Ordering> =
        if order.is_empty() { None } else { Some(&sort) };
    let paged = odata::page(all, start, top, &matches, sort_ref, count);

    let value: Vec<Value> = paged
        .rows
        .iter()
        .map(|n| Value::Object(props.iter().map(|p| (p.clone(), (c.get)(*n, p))).collect()))
        .collect();
    let context = match q.get("$select") {
        Some(s) => format!("{}/$metadata#{}({s})", c.base, c.context),
        None => format!("{}/$metadata#{}", c.base, c.context),
    };
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context));
    if let Some(total) = paged.total.filter(|_| count) {
        body.insert("@odata.count".into(), json!(total));
    }
    if let Some(next) = paged.next {
        let token = odata::encode_skiptoken(next, salt);
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{}?{}", c.link, q.with_skiptoken(&token))),
        );
    }
    body.insert("value".into(), Value::Array(value));
    Ok(Value::Object(body))
}

fn mailbox_settings(base: &str, id: &str, purpose: &str) -> Value {
    json!({
        "@odata.context": format!("{base}/$metadata#users('{id}')/mailboxSettings"),
        "archiveFolder": "AAMkAGI2TGuLAAA=",
        "timeZone": "UTC",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "userPurpose": purpose,
        "automaticRepliesSetting": {"status": "disabled", "externalAudience": "all",
            "internalReplyMessage": "", "externalReplyMessage": ""},
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
            "timeZone": {"name": "UTC"}},
    })
}

fn license_details(base: &str, u: &crate::scenario::model::User) -> Value {
    let value: Vec<Value> = u
        .licenses
        .iter()
        .map(|l| {
            let plans: Vec<Value> = l
                .sku
                .plans
                .iter()
                .map(|p| {
                    let status = if l.disabled_plans.contains(&p.id) {
                        "Disabled"
                    } else {
                        "Success"
                    };
                    json!({"servicePlanId": p.id, "servicePlanName": p.name,
                           "provisioningStatus": status, "appliesTo": p.applies_to})
                })
                .collect();
            json!({"id": format!("{}_{}", u.id, l.sku.id), "skuId": l.sku.id,
                   "skuPartNumber": l.sku.part_number, "servicePlans": plans})
        })
        .collect();
    json!({"@odata.context": format!("{base}/$metadata#users('{}')/licenseDetails", u.id), "value": value})
}

fn organization(shared: &Shared, tenant_id: &str) -> Value {
    let Some(t) = shared.scenario.tenants.iter().find(|t| t.id == tenant_id) else {
        return Value::Null;
    };
    let default = t
        .domains
        .iter()
        .find(|d| !d.ends_with(".onmicrosoft.com"))
        .or(t.domains.first());
    let domains: Vec<Value> = t
        .domains
        .iter()
        .map(|d| {
            json!({"name": d, "isDefault": Some(d) == default, "isInitial": d.ends_with(".onmicrosoft.com"),
                   "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"})
        })
        .collect();
    json!({"id": t.id, "displayName": t.name, "tenantType": "AAD", "verifiedDomains": domains,
           "assignedPlans": [], "provisionedPlans": []})
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_segments_decode_percent_escapes_but_keep_plus() {
        assert_eq!(super::percent_decode("a%2Bb%40contoso.com"), "a+b@contoso.com");
        assert_eq!(super::percent_decode("a+b@contoso.com"), "a+b@contoso.com");
        assert_eq!(super::percent_decode("bad%zz%4"), "bad%zz%4");
    }
}
