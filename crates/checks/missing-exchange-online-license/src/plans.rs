//! Which of a user's Graph `assignedPlans` give them an Exchange Online mailbox. The whole
//! counting rule lives here, in [`assess`], so that it can be tested on its own.
//!
//! Decision: only the service plans listed in [`MAILBOX_PLANS`] count. Any other plan of the
//! `exchange` service does **not**, because that service also carries plans that come without
//! a mailbox — Exchange Foundation (bundled into Entra ID P1/P2 and many non-mail SKUs, and
//! shown `Enabled`), Microsoft Defender for Office 365, Exchange Online Archiving, Customer
//! Lockbox. Counting them would pass users whom Exchange refuses with `ErrorInvalidLicense`.
//! The price is that a mailbox plan missing from the list is reported as missing; the
//! evidence then lists the user's other Exchange plans so that a reader can tell.

use ssync_core::prelude::*;

/// Exchange Online (Plan 1), `EXCHANGE_S_STANDARD`.
pub const PLAN_1: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";
/// Exchange Online (Plan 2), `EXCHANGE_S_ENTERPRISE`.
pub const PLAN_2: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";
/// Exchange Online Essentials, `EXCHANGE_S_ESSENTIALS`.
pub const ESSENTIALS: &str = "1126bef5-da20-4f07-b45e-ad25d2581aa8";
/// Exchange Online Kiosk, `EXCHANGE_S_DESKLESS`. Taken from Microsoft's "Product names and
/// service plan identifiers for licensing" reference; not re-verified against the live
/// table for this tool.
pub const KIOSK: &str = "4a82b400-a79f-41a4-b4e2-e94f5787b113";
/// Exchange Foundation, `EXCHANGE_S_FOUNDATION`: the plumbing other services rely on; never a
/// mailbox.
pub const FOUNDATION: &str = "113feb6c-3fe4-4440-bddc-54d774bf0318";
/// Exchange Foundation for Government (GCC), `EXCHANGE_S_FOUNDATION_GOV`; never a mailbox.
pub const FOUNDATION_GCC: &str = "922ba911-5694-4e99-a794-73aed9bfeec8";

/// The service plans that include an Exchange Online mailbox, with a readable name.
pub const MAILBOX_PLANS: &[(&str, &str)] = &[
    (PLAN_1, "Exchange Online (Plan 1)"),
    (PLAN_2, "Exchange Online (Plan 2)"),
    (ESSENTIALS, "Exchange Online Essentials"),
    (KIOSK, "Exchange Online Kiosk"),
];

/// What a plan is, as far as a mailbox is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// An Exchange Online mailbox plan, with its name.
    Mailbox(&'static str),
    /// Exchange Foundation (commercial or GCC): enabled in many SKUs, never a mailbox.
    Foundation,
    /// Another plan of the `exchange` service: not a mailbox.
    OtherExchange,
    /// A plan of another service.
    Other,
}

impl PlanKind {
    pub fn of(plan: &AssignedPlan) -> Self {
        let id = plan.service_plan_id.trim();
        if let Some((_, name)) = MAILBOX_PLANS.iter().find(|(p, _)| p.eq_ignore_ascii_case(id)) {
            PlanKind::Mailbox(name)
        } else if FOUNDATION.eq_ignore_ascii_case(id) || FOUNDATION_GCC.eq_ignore_ascii_case(id) {
            PlanKind::Foundation
        } else if plan.service.eq_ignore_ascii_case("exchange") {
            PlanKind::OtherExchange
        } else {
            PlanKind::Other
        }
    }

    fn label(self) -> &'static str {
        match self {
            PlanKind::Mailbox(name) => name,
            PlanKind::Foundation => "Exchange Foundation (no mailbox)",
            PlanKind::OtherExchange => "other Exchange plan (no mailbox)",
            PlanKind::Other => "not Exchange",
        }
    }
}

/// One Exchange-related plan of the user, as the evidence shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub service_plan_id: String,
    /// What the plan is ("Exchange Online (Plan 1)", "Exchange Foundation (no mailbox)"…).
    pub name: &'static str,
    pub service: String,
    pub capability_status: String,
    /// Switched off through `disabledPlans` in one of the user's licences.
    pub disabled_in_licence: bool,
}

/// How the user stands for an Exchange Online mailbox licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// At least one mailbox plan is `Enabled` and not switched off.
    Enabled,
    /// No enabled mailbox plan, but one in `Warning` (the grace period after a subscription
    /// lapses: it still works, but not for long).
    Grace,
    /// No mailbox plan that works.
    Missing,
}

/// The verdict over a user's plans, with what it was based on.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub standing: Standing,
    /// The user's Exchange-related plans (mailbox, Foundation, other `exchange`), for evidence.
    pub plans: Vec<PlanRow>,
    /// Every plan id switched off in one of the user's licences (lower case).
    pub disabled_plans: Vec<String>,
    /// True when the user has an Exchange Foundation plan (worth saying: it looks like a
    /// mailbox licence and is not).
    pub has_foundation: bool,
}

/// What one plan contributes. A plan counts only when it is a mailbox plan that no assigned
/// licence switches off; then `Enabled` grants, `Warning` grants for the grace period, and
/// `Suspended`, `Deleted`, `LockedOut` or anything unknown grant nothing.
fn contribution(plan: &AssignedPlan, disabled: &[String]) -> Option<Standing> {
    if !matches!(PlanKind::of(plan), PlanKind::Mailbox(_)) {
        return None;
    }
    let id = plan.service_plan_id.trim();
    if disabled.iter().any(|d| d.eq_ignore_ascii_case(id)) {
        return None;
    }
    match plan.capability_status {
        CapabilityStatus::Enabled => Some(Standing::Enabled),
        CapabilityStatus::Warning => Some(Standing::Grace),
        _ => None,
    }
}

/// Assesses the user's plans.
pub fn assess(user: &EntraUser) -> Assessment {
    let mut disabled_plans: Vec<String> = user
        .assigned_licenses
        .iter()
        .flat_map(|l| l.disabled_plans.iter())
        .map(|p| p.trim().to_ascii_lowercase())
        .collect();
    disabled_plans.sort();
    disabled_plans.dedup();
    let contributions: Vec<Option<Standing>> = user
        .assigned_plans
        .iter()
        .map(|p| contribution(p, &disabled_plans))
        .collect();
    let standing = if contributions.contains(&Some(Standing::Enabled)) {
        Standing::Enabled
    } else if contributions.contains(&Some(Standing::Grace)) {
        Standing::Grace
    } else {
        Standing::Missing
    };
    let plans = user
        .assigned_plans
        .iter()
        .filter(|p| PlanKind::of(p) != PlanKind::Other)
        .map(|p| {
            let id = p.service_plan_id.trim();
            PlanRow {
                service_plan_id: id.to_owned(),
                name: PlanKind::of(p).label(),
                service: p.service.clone(),
                capability_status: p.capability_status.as_str().to_owned(),
                disabled_in_licence: disabled_plans.iter().any(|d| d.eq_ignore_ascii_case(id)),
            }
        })
        .collect();
    Assessment {
        standing,
        plans,
        disabled_plans,
        has_foundation: user
            .assigned_plans
            .iter()
            .any(|p| PlanKind::of(p) == PlanKind::Foundation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, service: &str, status: CapabilityStatus) -> AssignedPlan {
        AssignedPlan {
            service_plan_id: id.into(),
            service: service.into(),
            capability_status: status,
            assigned_at: None,
        }
    }

    fn user(plans: Vec<AssignedPlan>, disabled: &[&str]) -> EntraUser {
        let mut u = ssync_core::fixtures::entra_user("u", "u@contoso.com");
        u.assigned_plans = plans;
        u.assigned_licenses = vec![
            AssignedLicense {
                sku_id: "sku-a".into(),
                disabled_plans: vec![],
            },
            AssignedLicense {
                sku_id: "sku-b".into(),
                disabled_plans: disabled.iter().map(|s| s.to_string()).collect(),
            },
        ];
        u
    }

    fn standing(plans: Vec<AssignedPlan>, disabled: &[&str]) -> Standing {
        assess(&user(plans, disabled)).standing
    }

    #[test]
    fn every_mailbox_plan_counts_when_enabled_whatever_the_case_of_its_id() {
        for (id, _) in MAILBOX_PLANS {
            assert_eq!(
                standing(vec![plan(id, "exchange", CapabilityStatus::Enabled)], &[]),
                Standing::Enabled,
                "{id}"
            );
            assert_eq!(
                standing(
                    vec![plan(&id.to_uppercase(), "exchange", CapabilityStatus::Enabled)],
                    &[]
                ),
                Standing::Enabled,
                "{id}"
            );
        }
    }

    #[test]
    fn foundation_never_counts_even_enabled_with_service_exchange() {
        for id in [FOUNDATION, FOUNDATION_GCC] {
            let a = assess(&user(vec![plan(id, "exchange", CapabilityStatus::Enabled)], &[]));
            assert_eq!(a.standing, Standing::Missing, "{id}");
            assert!(a.has_foundation);
            assert_eq!(a.plans[0].name, "Exchange Foundation (no mailbox)");
        }
    }

    #[test]
    fn other_exchange_plans_do_not_count() {
        // Microsoft Defender for Office 365 (Plan 1) is an `exchange` plan without a mailbox.
        let defender = plan(
            "f20fedf3-f3c3-43c3-8267-2bfdd51c0939",
            "exchange",
            CapabilityStatus::Enabled,
        );
        let a = assess(&user(vec![defender], &[]));
        assert_eq!(a.standing, Standing::Missing);
        assert!(!a.has_foundation);
        assert_eq!(a.plans.len(), 1);
    }

    #[test]
    fn suspended_deleted_locked_out_and_unknown_statuses_do_not_count() {
        for status in [
            CapabilityStatus::Suspended,
            CapabilityStatus::Deleted,
            CapabilityStatus::LockedOut,
            CapabilityStatus::Other("PendingActivation".into()),
        ] {
            assert_eq!(
                standing(vec![plan(PLAN_2, "exchange", status.clone())], &[]),
                Standing::Missing,
                "{status:?}"
            );
        }
    }

    #[test]
    fn warning_is_the_grace_period_unless_an_enabled_plan_exists() {
        assert_eq!(
            standing(vec![plan(PLAN_2, "exchange", CapabilityStatus::Warning)], &[]),
            Standing::Grace
        );
        assert_eq!(
            standing(
                vec![
                    plan(PLAN_2, "exchange", CapabilityStatus::Warning),
                    plan(PLAN_1, "exchange", CapabilityStatus::Enabled),
                ],
                &[]
            ),
            Standing::Enabled
        );
    }

    #[test]
    fn a_plan_switched_off_in_any_licence_does_not_count() {
        let a = assess(&user(
            vec![plan(PLAN_1, "exchange", CapabilityStatus::Enabled)],
            &[&PLAN_1.to_uppercase()],
        ));
        assert_eq!(a.standing, Standing::Missing);
        assert_eq!(a.disabled_plans, vec![PLAN_1.to_string()]);
        assert!(a.plans[0].disabled_in_licence);
        // Switching off another plan leaves this one counting.
        assert_eq!(
            standing(
                vec![plan(PLAN_1, "exchange", CapabilityStatus::Enabled)],
                &[PLAN_2]
            ),
            Standing::Enabled
        );
    }

    #[test]
    fn evidence_lists_exchange_plans_only() {
        let a = assess(&user(
            vec![
                plan(PLAN_1, "exchange", CapabilityStatus::Suspended),
                plan(
                    "57ff2da0-773e-42df-b2af-ffb7a2317929",
                    "TeamspaceAPI",
                    CapabilityStatus::Enabled,
                ),
            ],
            &[],
        ));
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.plans[0].capability_status, "Suspended");
        assert_eq!(a.plans[0].name, "Exchange Online (Plan 1)");
    }
}
