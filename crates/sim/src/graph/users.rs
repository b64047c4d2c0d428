//! Entra users as Graph shows them: per-tenant lists with indexes by id, UPN, mail and
//! proxy address, and the property rules of microsoft-apis.md §B.1 (only the default
//! properties unless `$select` names others).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::odata::eval::Kind;
use crate::scenario::Scenario;
use crate::scenario::model::{DeletedUser, User};

/// Returned when no `$select` is given (Graph `GET /users` defaults).
pub const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Every user property the simulator knows; others are a 400, as in Graph.
const OTHER_PROPERTIES: &[&str] = &[
    "accountEnabled",
    "assignedLicenses",
    "assignedPlans",
    "provisionedPlans",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "mailNickname",
    "userType",
    "usageLocation",
    "createdDateTime",
    "deletedDateTime",
];

pub fn is_property(p: &str) -> bool {
    DEFAULT_PROPERTIES.contains(&p) || OTHER_PROPERTIES.contains(&p)
}

pub fn filter_kind(p: &str) -> Option<Kind> {
    Some(match p {
        "id" => Kind::Guid,
        "userPrincipalName"
        | "mail"
        | "displayName"
        | "givenName"
        | "surname"
        | "mailNickname"
        | "userType"
        | "jobTitle"
        | "usageLocation"
        | "onPremisesUserPrincipalName" => Kind::Text,
        "accountEnabled" | "onPremisesSyncEnabled" => Kind::Bool,
        "proxyAddresses" => Kind::TextList,
        "createdDateTime" | "deletedDateTime" => Kind::DateTime,
        _ => return None,
    })
}

fn local_part(upn: &str) -> &str {
    upn.split('@').next().unwrap_or(upn)
}

pub fn user_property(u: &User, p: &str) -> Value {
    match p {
        "id" => json!(u.id),
        "userPrincipalName" => json!(u.upn),
        "displayName" => json!(u.display_name),
        "givenName" => json!(u.given_name),
        "surname" => json!(u.surname),
        "mail" => json!(u.mail),
        "businessPhones" => json!([]),
        "jobTitle" | "mobilePhone" | "officeLocation" | "deletedDateTime" => Value::Null,
        "preferredLanguage" => json!("en-US"),
        "accountEnabled" => json!(u.account_enabled),
        "proxyAddresses" => json!(u.proxy_addresses),
        "onPremisesSyncEnabled" => json!(u.on_premises_sync),
        "onPremisesUserPrincipalName" => {
            if u.on_premises_sync == Some(true) { json!(u.upn) } else { Value::Null }
        }
        "mailNickname" => json!(local_part(&u.upn)),
        "userType" => json!("Member"),
        "usageLocation" => json!("US"),
        "createdDateTime" => json!(u.created),
        "assignedLicenses" => Value::Array(
            u.licenses.iter().map(|l| json!({"skuId": l.sku.id, "disabledPlans": l.disabled_plans})).collect(),
        ),
        "assignedPlans" => Value::Array(
            u.plans
                .iter()
                .map(|a| {
                    json!({"assignedDateTime": "2024-03-01T09:00:00Z", "capabilityStatus": a.status,
                           "service": a.plan.service, "servicePlanId": a.plan.id})
                })
                .collect(),
        ),
        "provisionedPlans" => Value::Array(
            u.plans
                .iter()
                .map(|a| {
                    let status = if a.status == "Enabled" || a.status == "Warning" { "Success" } else { "Disabled" };
                    json!({"capabilityStatus": a.status, "provisioningStatus": status, "service": a.plan.service})
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

pub fn deleted_property(d: &DeletedUser, p: &str) -> Value {
    match p {
        "id" => json!(d.id),
        "userPrincipalName" => json!(d.upn),
        "displayName" => json!(d.display_name),
        "mail" => json!(d.mail),
        "proxyAddresses" => json!(d.proxy_addresses),
        "deletedDateTime" => json!(d.deleted_at),
        "businessPhones" => json!([]),
        "accountEnabled" => json!(false),
        "mailNickname" => json!(local_part(&d.upn)),
        "userType" => json!("Member"),
        _ => Value::Null,
    }
}

/// Users of one tenant, by position, with look-up indexes (keys lower-cased).
#[derive(Default)]
pub struct TenantUsers {
    /// Indexes into `Scenario::users`.
    pub users: Vec<usize>,
    /// Indexes into `Scenario::deleted_users`.
    pub deleted: Vec<usize>,
    /// Filterable column → value → positions in `users`.
    pub indexes: crate::odata::Indexes,
    pub by_id_or_upn: HashMap<String, usize>,
}

pub struct Store {
    pub tenants: HashMap<String, TenantUsers>,
}

impl Store {
    pub fn build(s: &Scenario) -> Store {
        let mut tenants: HashMap<String, TenantUsers> = HashMap::new();
        for (i, u) in s.users.iter().enumerate() {
            let t = tenants.entry(u.tenant_id.clone()).or_default();
            let pos = t.users.len();
            t.users.push(i);
            t.by_id_or_upn.insert(u.id.to_lowercase(), pos);
            t.by_id_or_upn.insert(u.upn.to_lowercase(), pos);
            let mut add = |col: &'static str, v: &str| {
                t.indexes
                    .entry(col)
                    .or_default()
                    .entry(v.to_lowercase())
                    .or_default()
                    .push(pos);
            };
            add("id", &u.id);
            add("userPrincipalName", &u.upn);
            if let Some(m) = &u.mail {
                add("mail", m);
            }
            for p in &u.proxy_addresses {
                add("proxyAddresses/any", p);
            }
        }
        for (i, d) in s.deleted_users.iter().enumerate() {
            tenants.entry(d.tenant_id.clone()).or_default().deleted.push(i);
        }
        Store { tenants }
    }
}
