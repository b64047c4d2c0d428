//! Which of a user's Graph `assignedPlans` give them an Exchange Online mailbox. The whole
//! counting rule lives here, in [`assess`], so that it can be tested on its own; the plans it
//! knows live in one data file, `plans.toml`, read at compile time (see [`catalogue`]).
//!
//! Decisions:
//! - Only the plans the catalogue lists as `mailbox` count. The `exchange` service also carries
//!   plans that come without a mailbox — Exchange Foundation (bundled, enabled, into Entra ID
//!   P1/P2 and many non-mail SKUs), Defender for Office 365, archiving add-ons — listed as
//!   `not_mailbox`. Counting them would pass users whom Exchange refuses with
//!   `ErrorInvalidLicense`.
//! - A user holds a plan when *any* of its assignments provides it `Enabled` (or `Warning`, the
//!   grace period). Graph's `assignedPlans` lists a plan once per licence that brings it, so the
//!   same plan may appear `Deleted` (switched off in one licence) and `Enabled` (from another);
//!   the switched-off copy does not cancel the other. `disabledPlans` switches a plan off in its
//!   own licence only, so it cancels an `Enabled` entry only when *every* assigned licence
//!   switches it off.
//! - No catalogue is complete: new SKUs appear every year. An enabled `exchange` plan the
//!   catalogue does not know is [`Standing::Unknown`] (a `warn` naming it), never a `fail`.

use std::sync::LazyLock;

use serde::Deserialize;
use ssync_core::prelude::*;

/// Exchange Online (Plan 1), `EXCHANGE_S_STANDARD`.
pub const PLAN_1: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";
/// Exchange Online (Plan 2), `EXCHANGE_S_ENTERPRISE`.
pub const PLAN_2: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";
/// Exchange Online Essentials, `EXCHANGE_S_ESSENTIALS`.
pub const ESSENTIALS: &str = "1126bef5-da20-4f07-b45e-ad25d2581aa8";
/// Exchange Online Kiosk, `EXCHANGE_S_DESKLESS`.
pub const KIOSK: &str = "4a82b400-a79f-41a4-b4e2-e94f5787b113";
/// Exchange Foundation, `EXCHANGE_S_FOUNDATION`: never a mailbox.
pub const FOUNDATION: &str = "113feb6c-3fe4-4440-bddc-54d774bf0318";
/// Exchange Foundation for Government, `EXCHANGE_S_FOUNDATION_GOV`: never a mailbox.
pub const FOUNDATION_GCC: &str = "922ba911-5694-4e99-a794-73aed9bfeec8";

/// One plan of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CataloguedPlan {
    /// `servicePlanId`, lower case.
    pub id: String,
    /// The plan's string id (`EXCHANGE_S_STANDARD`).
    pub string_id: String,
    /// The plan's name as the admin centre shows it.
    pub name: String,
    /// Where the id and name were checked.
    pub confirmed: String,
    /// Exchange Foundation (commercial or government): worth naming in a `fail`, because it
    /// looks like an Exchange licence and is not.
    #[serde(default)]
    pub foundation: bool,
}

/// The plans of `plans.toml`.
#[derive(Debug, Deserialize)]
pub struct Catalogue {
    /// Plans that include an Exchange Online mailbox.
    pub mailbox: Vec<CataloguedPlan>,
    /// Plans of the `exchange` service that include no mailbox.
    pub not_mailbox: Vec<CataloguedPlan>,
}

impl Catalogue {
    fn find<'a>(list: &'a [CataloguedPlan], id: &str) -> Option<&'a CataloguedPlan> {
        list.iter().find(|p| p.id.eq_ignore_ascii_case(id.trim()))
    }
}

const CATALOGUE_TOML: &str = include_str!("../plans.toml");

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| match toml::from_str(CATALOGUE_TOML) {
    Ok(c) => c,
    // The file is part of the source and a unit test parses it, so this cannot happen in a
    // build that passed its tests.
    Err(e) => panic!("plans.toml does not parse: {e}"),
});

/// The catalogue of Exchange Online plans (`plans.toml`).
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

/// What a plan is, as far as a mailbox is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// An Exchange Online mailbox plan.
    Mailbox(&'static CataloguedPlan),
    /// A known plan of the `exchange` service without a mailbox (Foundation among them).
    NotMailbox(&'static CataloguedPlan),
    /// A plan of the `exchange` service the catalogue does not know.
    UnknownExchange,
    /// A plan of another service.
    Other,
}

impl PlanKind {
    pub fn of(plan: &AssignedPlan) -> Self {
        let c = catalogue();
        if let Some(p) = Catalogue::find(&c.mailbox, &plan.service_plan_id) {
            PlanKind::Mailbox(p)
        } else if let Some(p) = Catalogue::find(&c.not_mailbox, &plan.service_plan_id) {
            PlanKind::NotMailbox(p)
        } else if plan.service.trim().eq_ignore_ascii_case("exchange") {
            PlanKind::UnknownExchange
        } else {
            PlanKind::Other
        }
    }

    fn is_foundation(self) -> bool {
        matches!(self, PlanKind::NotMailbox(p) if p.foundation)
    }

    fn label(self) -> String {
        match self {
            PlanKind::Mailbox(p) => p.name.clone(),
            PlanKind::NotMailbox(p) => format!("{} (no mailbox)", p.name),
            PlanKind::UnknownExchange => "unknown Exchange plan (not in the catalogue)".to_owned(),
            PlanKind::Other => "not Exchange".to_owned(),
        }
    }
}

/// One Exchange-related plan of the user, as the evidence shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub service_plan_id: String,
    /// What the plan is ("Exchange Online (Plan 1)", "Exchange Foundation (no mailbox)"…).
    pub name: String,
    pub service: String,
    pub capability_status: String,
    /// Switched off through `disabledPlans` in every one of the user's licences.
    pub disabled_in_licence: bool,
}

/// How the user stands for an Exchange Online mailbox licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// At least one assignment provides a mailbox plan `Enabled`.
    Enabled,
    /// No enabled mailbox plan, but one in `Warning` (the grace period after a subscription
    /// lapses: it still works, but not for long).
    Grace,
    /// No known mailbox plan that works, but an enabled `exchange` plan the catalogue does not
    /// know, which may well be one.
    Unknown,
    /// No mailbox plan that works, and no unknown Exchange plan that might.
    Missing,
}

/// The verdict over a user's plans, with what it was based on.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub standing: Standing,
    /// The user's Exchange-related plans (mailbox, not-mailbox, unknown `exchange`), for evidence.
    pub plans: Vec<PlanRow>,
    /// Every plan id switched off in one of the user's licences (lower case).
    pub disabled_plans: Vec<String>,
    /// The enabled `exchange` plans the catalogue does not know (lower case, once each).
    pub unknown_plans: Vec<String>,
    /// True when the user has an Exchange Foundation plan (worth saying: it looks like a
    /// mailbox licence and is not).
    pub has_foundation: bool,
}

/// True when every assigned licence switches the plan off (and there is at least one). A
/// plan switched off in one licence may still come, enabled, from another.
fn off_in_every_licence(user: &EntraUser, id: &str) -> bool {
    !user.assigned_licenses.is_empty()
        && user.assigned_licenses.iter().all(|l| {
            l.disabled_plans
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(id.trim()))
        })
}

/// What one assignment of a plan contributes: `Enabled` grants, `Warning` grants for the grace
/// period, and `Suspended`, `Deleted`, `LockedOut` or anything unknown grant nothing.
fn contribution(user: &EntraUser, plan: &AssignedPlan) -> Option<Standing> {
    let granted = match plan.capability_status {
        CapabilityStatus::Enabled => Standing::Enabled,
        CapabilityStatus::Warning => Standing::Grace,
        _ => return None,
    };
    match PlanKind::of(plan) {
        PlanKind::Mailbox(_) if !off_in_every_licence(user, &plan.service_plan_id) => Some(granted),
        PlanKind::UnknownExchange if !off_in_every_licence(user, &plan.service_plan_id) => {
            Some(Standing::Unknown)
        }
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
    let contributions: Vec<Standing> = user
        .assigned_plans
        .iter()
        .filter_map(|p| contribution(user, p))
        .collect();
    let standing = [Standing::Enabled, Standing::Grace, Standing::Unknown]
        .into_iter()
        .find(|s| contributions.contains(s))
        .unwrap_or(Standing::Missing);
    let mut unknown_plans: Vec<String> = user
        .assigned_plans
        .iter()
        .filter(|p| contribution(user, p) == Some(Standing::Unknown))
        .map(|p| p.service_plan_id.trim().to_ascii_lowercase())
        .collect();
    unknown_plans.sort();
    unknown_plans.dedup();
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
                disabled_in_licence: off_in_every_licence(user, id),
            }
        })
        .collect();
    Assessment {
        standing,
        plans,
        disabled_plans,
        unknown_plans,
        has_foundation: user
            .assigned_plans
            .iter()
            .any(|p| PlanKind::of(p).is_foundation()),
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
        for id in catalogue().mailbox.iter().map(|p| p.id.as_str()) {
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
            assert!(
                a.plans[0].name.starts_with("Exchange Foundation"),
                "{:?}",
                a.plans
            );
            assert!(a.plans[0].name.ends_with("(no mailbox)"), "{:?}", a.plans);
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
    fn a_plan_switched_off_in_the_only_licence_does_not_count() {
        let mut u = user(vec![plan(PLAN_1, "exchange", CapabilityStatus::Enabled)], &[]);
        u.assigned_licenses = vec![AssignedLicense {
            sku_id: "sku-b".into(),
            disabled_plans: vec![PLAN_1.to_uppercase()],
        }];
        let a = assess(&u);
        assert_eq!(a.standing, Standing::Missing);
        assert_eq!(a.disabled_plans, vec![PLAN_1.to_string()]);
        assert!(a.plans[0].disabled_in_licence);
    }

    #[test]
    fn a_plan_switched_off_in_one_licence_still_counts_from_another() {
        // Graph lists the plan once per licence: Deleted where it is switched off, Enabled
        // where another licence brings it.
        let a = assess(&user(
            vec![
                plan(PLAN_1, "exchange", CapabilityStatus::Deleted),
                plan(PLAN_1, "exchange", CapabilityStatus::Enabled),
            ],
            &[PLAN_1],
        ));
        assert_eq!(a.standing, Standing::Enabled);
        assert!(!a.plans[0].disabled_in_licence);
        // And in the other order.
        assert_eq!(
            standing(
                vec![
                    plan(PLAN_1, "exchange", CapabilityStatus::Enabled),
                    plan(PLAN_1, "exchange", CapabilityStatus::Deleted),
                ],
                &[PLAN_1]
            ),
            Standing::Enabled
        );
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
    fn an_enabled_exchange_plan_the_catalogue_does_not_know_is_unknown() {
        const NEW: &str = "0a1b2c3d-0000-4000-8000-00000000abcd";
        let a = assess(&user(vec![plan(NEW, "exchange", CapabilityStatus::Enabled)], &[]));
        assert_eq!(a.standing, Standing::Unknown);
        assert_eq!(a.unknown_plans, vec![NEW.to_string()]);
        assert_eq!(a.plans[0].name, "unknown Exchange plan (not in the catalogue)");
        // In grace it is unknown too; deleted or of another service it is nothing.
        assert_eq!(
            standing(vec![plan(NEW, "Exchange", CapabilityStatus::Warning)], &[]),
            Standing::Unknown
        );
        assert_eq!(
            standing(vec![plan(NEW, "exchange", CapabilityStatus::Deleted)], &[]),
            Standing::Missing
        );
        assert_eq!(
            standing(vec![plan(NEW, "SharePoint", CapabilityStatus::Enabled)], &[]),
            Standing::Missing
        );
        // A known mailbox plan, enabled or in grace, outranks it.
        assert_eq!(
            standing(
                vec![
                    plan(NEW, "exchange", CapabilityStatus::Enabled),
                    plan(PLAN_2, "exchange", CapabilityStatus::Warning),
                ],
                &[]
            ),
            Standing::Grace
        );
    }

    #[test]
    fn the_catalogue_parses_with_lower_case_unique_guids_and_a_source_for_each() {
        let c = catalogue();
        let all: Vec<&CataloguedPlan> = c.mailbox.iter().chain(&c.not_mailbox).collect();
        assert!(c.mailbox.len() >= 9, "{}", c.mailbox.len());
        for p in &all {
            let b = p.id.as_bytes();
            assert!(
                b.len() == 36
                    && b.iter().enumerate().all(|(i, ch)| match i {
                        8 | 13 | 18 | 23 => *ch == b'-',
                        _ => ch.is_ascii_digit() || (b'a'..=b'f').contains(ch),
                    }),
                "{}",
                p.id
            );
            assert!(
                !p.confirmed.trim().is_empty() && !p.name.trim().is_empty(),
                "{p:?}"
            );
            assert_eq!(all.iter().filter(|q| q.id == p.id).count(), 1, "{}", p.id);
        }
        for id in [PLAN_1, PLAN_2, ESSENTIALS, KIOSK] {
            assert!(c.mailbox.iter().any(|p| p.id == id), "{id}");
        }
        for id in [FOUNDATION, FOUNDATION_GCC] {
            assert!(c.not_mailbox.iter().any(|p| p.id == id && p.foundation), "{id}");
        }
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
