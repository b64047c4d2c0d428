//! Property tests for the mailbox-plan rule (`plans::assess`) and, through the whole check,
//! for the verdict it leads to. Graph hands plans over in no promised order, with GUIDs in
//! whatever case the tenant stored, and many SKUs carry Exchange Foundation next to (or
//! instead of) a real mailbox plan; none of that may move the verdict.

use proptest::prelude::*;
use ssync_check_missing_exchange_online_license::MissingExchangeOnlineLicense;
use ssync_check_missing_exchange_online_license::plans::{
    ESSENTIALS, FOUNDATION, FOUNDATION_GCC, KIOSK, PLAN_1, PLAN_2, Standing, assess, catalogue,
};
use ssync_core::prelude::*;
use ssync_core::{CheckContext, MemorySource, evaluate, fixtures};

// ---------------------------------------------------------------------------------------
// Generators

/// Plan ids a tenant really shows: the mailbox plans, Foundation, Defender for Office 365
/// (an `exchange` plan without a mailbox), SharePoint, Teams, and one made up.
const PLAN_IDS: &[&str] = &[
    PLAN_1,
    PLAN_2,
    ESSENTIALS,
    KIOSK,
    FOUNDATION,
    FOUNDATION_GCC,
    "f20fedf3-f3c3-43c3-8267-2bfdd51c0939",
    "5dbe027f-2339-4123-9542-606e4d348a72",
    "57ff2da0-773e-42df-b2af-ffb7a2317929",
    "0f9b09cb-62d1-4ff4-9129-43f4996f83f4",
];

fn status() -> impl Strategy<Value = CapabilityStatus> {
    prop_oneof![
        3 => Just(CapabilityStatus::Enabled),
        1 => Just(CapabilityStatus::Warning),
        1 => Just(CapabilityStatus::Suspended),
        1 => Just(CapabilityStatus::Deleted),
        1 => Just(CapabilityStatus::LockedOut),
        1 => "[A-Za-z]{0,12}".prop_map(|s| CapabilityStatus::from(s.as_str())),
    ]
}

fn plan_id() -> impl Strategy<Value = String> {
    prop::sample::select(PLAN_IDS).prop_map(str::to_owned)
}

fn service() -> impl Strategy<Value = String> {
    prop::sample::select(&["exchange", "Exchange", "SharePoint", "TeamspaceAPI", ""][..])
        .prop_map(str::to_owned)
}

fn plan_with(id: impl Strategy<Value = String>) -> impl Strategy<Value = AssignedPlan> {
    (id, service(), status()).prop_map(|(service_plan_id, service, capability_status)| AssignedPlan {
        service_plan_id,
        service,
        capability_status,
        assigned_at: None,
    })
}

fn licence() -> impl Strategy<Value = AssignedLicense> {
    prop::collection::vec(plan_id(), 0..4).prop_map(|disabled_plans| AssignedLicense {
        sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900".into(),
        disabled_plans,
    })
}

fn user_with(plans: Vec<AssignedPlan>, licences: Vec<AssignedLicense>) -> EntraUser {
    let mut u = fixtures::entra_user("u", "u@contoso.com");
    u.assigned_plans = plans;
    u.assigned_licenses = licences;
    u
}

fn user() -> impl Strategy<Value = EntraUser> {
    (
        prop::collection::vec(plan_with(plan_id()), 0..8),
        prop::collection::vec(licence(), 0..3),
    )
        .prop_map(|(p, l)| user_with(p, l))
}

/// `s` with the case of each ASCII letter chosen by `flips` (cycled), and maybe surrounded
/// by spaces: the forms a GUID may take in a tenant's answer.
fn disguise(s: &str, flips: &[bool], pad: bool) -> String {
    let recased: String = s
        .chars()
        .zip(flips.iter().cycle())
        .map(|(c, up)| {
            if *up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if pad { format!(" {recased} ") } else { recased }
}

fn is_mailbox_plan(id: &str) -> bool {
    catalogue()
        .mailbox
        .iter()
        .any(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

fn is_known(id: &str) -> bool {
    let c = catalogue();
    c.mailbox
        .iter()
        .chain(&c.not_mailbox)
        .any(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

/// The rule written again from its specification, plainly: an assignment of a mailbox plan
/// that not every licence switches off grants `Enabled` when enabled and `Grace` when in
/// `Warning`; an enabled (or in grace) `exchange` plan the catalogue does not know makes the
/// standing `Unknown` when nothing better is held.
fn reference(u: &EntraUser) -> Standing {
    let off_everywhere = |id: &str| {
        !u.assigned_licenses.is_empty()
            && u.assigned_licenses.iter().all(|l| {
                l.disabled_plans
                    .iter()
                    .any(|d| d.trim().eq_ignore_ascii_case(id.trim()))
            })
    };
    let live = |p: &&AssignedPlan| {
        matches!(
            p.capability_status,
            CapabilityStatus::Enabled | CapabilityStatus::Warning
        ) && !off_everywhere(&p.service_plan_id)
    };
    let mailbox: Vec<&CapabilityStatus> = u
        .assigned_plans
        .iter()
        .filter(|p| is_mailbox_plan(&p.service_plan_id))
        .filter(live)
        .map(|p| &p.capability_status)
        .collect();
    let unknown = u
        .assigned_plans
        .iter()
        .filter(|p| !is_known(&p.service_plan_id) && p.service.eq_ignore_ascii_case("exchange"))
        .any(|p| live(&p));
    if mailbox.contains(&&CapabilityStatus::Enabled) {
        Standing::Enabled
    } else if mailbox.contains(&&CapabilityStatus::Warning) {
        Standing::Grace
    } else if unknown {
        Standing::Unknown
    } else {
        Standing::Missing
    }
}

// ---------------------------------------------------------------------------------------
// `assess`

proptest! {
    #[test]
    fn assess_agrees_with_the_rule_as_specified(u in user()) {
        prop_assert_eq!(assess(&u).standing, reference(&u), "{:?}", u);
    }

    #[test]
    fn adding_foundation_plans_never_changes_the_verdict(
        u in user(),
        extra in prop::collection::vec(
            (plan_with(prop::sample::select(&[FOUNDATION, FOUNDATION_GCC][..]).prop_map(str::to_owned)),
             any::<prop::sample::Index>(),
             prop::collection::vec(any::<bool>(), 1..8),
             any::<bool>()),
            1..4,
        ),
    ) {
        let before = assess(&u).standing;
        let mut more = u.clone();
        for (mut plan, at, flips, pad) in extra {
            plan.service_plan_id = disguise(&plan.service_plan_id, &flips, pad);
            let i = at.index(more.assigned_plans.len() + 1);
            more.assigned_plans.insert(i, plan);
        }
        let after = assess(&more);
        prop_assert_eq!(after.standing, before, "{:?}", more.assigned_plans);
        prop_assert!(after.has_foundation);
    }

    #[test]
    fn an_enabled_plan_1_or_2_not_switched_off_always_passes(
        u in user(),
        id in prop::sample::select(&[PLAN_1, PLAN_2][..]),
        at in any::<prop::sample::Index>(),
        flips in prop::collection::vec(any::<bool>(), 1..8),
        service in service(),
    ) {
        let mut u = u;
        for l in &mut u.assigned_licenses {
            l.disabled_plans.retain(|d| !d.trim().eq_ignore_ascii_case(id));
        }
        let plan = AssignedPlan {
            service_plan_id: disguise(id, &flips, false),
            service,
            capability_status: CapabilityStatus::Enabled,
            assigned_at: None,
        };
        let i = at.index(u.assigned_plans.len() + 1);
        u.assigned_plans.insert(i, plan);
        prop_assert_eq!(assess(&u).standing, Standing::Enabled, "{:?}", u);
    }

    #[test]
    fn switching_off_every_counted_plan_in_every_licence_never_passes(
        u in user(),
        flips in prop::collection::vec(any::<bool>(), 1..8),
        pad in any::<bool>(),
    ) {
        let mut u = u;
        if u.assigned_licenses.is_empty() {
            u.assigned_licenses.push(AssignedLicense { sku_id: "sku".into(), disabled_plans: vec![] });
        }
        // Each mailbox plan switched off in every licence, in some case; and no unknown
        // Exchange plan (those warn rather than fail).
        for id in catalogue().mailbox.iter().map(|p| p.id.as_str()) {
            for l in &mut u.assigned_licenses {
                l.disabled_plans.push(disguise(id, &flips, pad));
            }
        }
        u.assigned_plans.retain(|p| is_known(&p.service_plan_id) || !p.service.eq_ignore_ascii_case("exchange"));
        let a = assess(&u);
        prop_assert_eq!(a.standing, Standing::Missing, "{:?}", u);
        prop_assert!(a.plans.iter().filter(|p| is_mailbox_plan(&p.service_plan_id)).all(|p| p.disabled_in_licence));
    }

    #[test]
    fn the_verdict_does_not_depend_on_order_or_guid_case(
        u in user(),
        seed in any::<u64>(),
        flips in prop::collection::vec(any::<bool>(), 1..36),
        pad in any::<bool>(),
    ) {
        let before = assess(&u).standing;
        let mut v = u.clone();
        // A permutation of plans and licences drawn from the seed (Fisher–Yates with a
        // simple LCG, so the shrinker only has to shrink one number).
        let mut state = seed | 1;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for i in (1..v.assigned_plans.len()).rev() {
            let j = next(i + 1);
            v.assigned_plans.swap(i, j);
        }
        for i in (1..v.assigned_licenses.len()).rev() {
            let j = next(i + 1);
            v.assigned_licenses.swap(i, j);
        }
        for p in &mut v.assigned_plans {
            p.service_plan_id = disguise(&p.service_plan_id, &flips, pad);
        }
        for l in &mut v.assigned_licenses {
            for d in &mut l.disabled_plans {
                *d = disguise(d, &flips, pad);
            }
            l.disabled_plans.reverse();
        }
        prop_assert_eq!(assess(&v).standing, before, "{:?}\n{:?}", u, v);
    }
}

// ---------------------------------------------------------------------------------------
// Through the check: the verdict a user mailbox in Exchange Online gets.

fn check_status(u: EntraUser) -> Status {
    let mailbox = fixtures::mailbox("mb", "u@contoso.com");
    let source = MemorySource::builder()
        .environment(fixtures::environment())
        .domain_tenant("contoso.com", fixtures::TENANT)
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "u@contoso.com", &u.id))
        .mailbox_location(&u.id, fixtures::in_exchange_online(MailboxPurpose::User))
        .entra_user(u)
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread().build();
    let Ok(runtime) = runtime else {
        return Status::Error;
    };
    runtime
        .block_on(evaluate(
            &MissingExchangeOnlineLicense,
            &CheckContext::new(&source),
            &Subject::Mailbox(mailbox),
        ))
        .status
}

proptest! {
    // Each case builds a source and a runtime: fewer cases keep the test quick.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_check_passes_exactly_when_a_mailbox_plan_is_enabled(u in user()) {
        let want = match reference(&u) {
            Standing::Enabled => Status::Pass,
            Standing::Grace | Standing::Unknown => Status::Warn,
            Standing::Missing => Status::Fail,
        };
        prop_assert_eq!(check_status(u.clone()), want, "{:?}", u);
    }
}
