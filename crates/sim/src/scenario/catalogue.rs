//! Built-in service plans and licence SKUs. Plan GUIDs for Exchange Online Plan 1/2 and
//! Exchange Foundation are the documented ones (microsoft-apis.md §B.2); the SKU GUIDs and
//! the Entra ID P1 plan are as Microsoft's licensing reference lists them, used here only
//! as realistic sample data. Scenario files may add their own.

use super::model::{ServicePlan, Sku};

pub const EXO_PLAN1: &str = "EXCHANGE_S_STANDARD";

const PLANS: &[(&str, &str, &str, &str)] = &[
    (
        "EXCHANGE_S_STANDARD",
        "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
        "exchange",
        "User",
    ),
    (
        "EXCHANGE_S_ENTERPRISE",
        "efb87545-963c-4e0d-99df-69c6916d9eb0",
        "exchange",
        "User",
    ),
    (
        "EXCHANGE_S_FOUNDATION",
        "113feb6c-3fe4-4440-bddc-54d774bf0318",
        "exchange",
        "Company",
    ),
    (
        "AAD_PREMIUM",
        "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
        "AADPremiumService",
        "User",
    ),
];

const SKUS: &[(&str, &str, &[&str])] = &[
    (
        "EXCHANGESTANDARD",
        "4b9405b0-7788-4568-add1-99614e613b69",
        &["EXCHANGE_S_STANDARD"],
    ),
    (
        "EXCHANGEENTERPRISE",
        "19ec0d23-8335-4cbd-94ac-6050e30712fa",
        &["EXCHANGE_S_ENTERPRISE"],
    ),
    (
        "AAD_PREMIUM",
        "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
        &["AAD_PREMIUM", "EXCHANGE_S_FOUNDATION"],
    ),
];

pub fn plans() -> Vec<ServicePlan> {
    PLANS
        .iter()
        .map(|(name, id, service, applies)| ServicePlan {
            id: (*id).into(),
            name: (*name).into(),
            service: (*service).into(),
            applies_to: (*applies).into(),
        })
        .collect()
}

pub fn skus(plans: &[ServicePlan]) -> Vec<Sku> {
    SKUS.iter()
        .map(|(part, id, names)| Sku {
            id: (*id).into(),
            part_number: (*part).into(),
            plans: names
                .iter()
                .filter_map(|n| plans.iter().find(|p| p.name == *n).cloned())
                .collect(),
        })
        .collect()
}
