use ssync_core::fixtures;
use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate};

use super::MissingExchangeOnlineLicense;
use super::plans::{ESSENTIALS, FOUNDATION, FOUNDATION_GCC, KIOSK, PLAN_1, PLAN_2};

const OID: &str = "aaaaaaaa-0000-0000-0000-000000000003";

fn plan(id: &str, status: CapabilityStatus) -> AssignedPlan {
    AssignedPlan {
        service_plan_id: id.into(),
        service: "exchange".into(),
        capability_status: status,
        assigned_at: Some("2025-01-01T00:00:00Z".into()),
    }
}

/// User mailbox `mb` (laura@contoso.com) on the Exchange Online profile, owned by Dataverse
/// user `user-mb` whose Entra user `OID` holds exactly `plans`; the mailbox is a user mailbox in
/// Exchange Online. The mail domain belongs to the environment's tenant.
fn scenario(plans: Vec<AssignedPlan>) -> (MemorySourceBuilder, Mailbox) {
    let mailbox = fixtures::mailbox("mb", "laura@contoso.com");
    let mut user = fixtures::entra_user(OID, "laura@contoso.com");
    user.assigned_plans = plans;
    let builder = MemorySource::builder()
        .environment(fixtures::environment())
        .domain_tenant("contoso.com", fixtures::TENANT)
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .profile(fixtures::hybrid_profile("profile-hyb"))
        .profile(fixtures::on_premises_profile(
            "profile-onprem",
            "https://mail.contoso.com/EWS/Exchange.asmx",
        ))
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "laura@contoso.com", OID))
        .entra_user(user)
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User));
    (builder, mailbox)
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    evaluate(
        &MissingExchangeOnlineLicense,
        &CheckContext::new(source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

async fn status_with(plans: Vec<AssignedPlan>) -> Outcome {
    let (b, mb) = scenario(plans);
    run(&b.build(), mb).await
}

#[tokio::test]
async fn enabled_mailbox_plans_pass() {
    for id in [PLAN_1, PLAN_2, ESSENTIALS, KIOSK] {
        let out = status_with(vec![plan(id, CapabilityStatus::Enabled)]).await;
        assert_eq!(out.status, Status::Pass, "{id}: {out:?}");
    }
}

#[tokio::test]
async fn plan_2_passes_next_to_foundation() {
    let out = status_with(vec![
        plan(FOUNDATION, CapabilityStatus::Enabled),
        plan(PLAN_2, CapabilityStatus::Enabled),
    ])
    .await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn foundation_only_fails_and_says_why() {
    let out = status_with(vec![plan(FOUNDATION, CapabilityStatus::Enabled)]).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.message.contains("Foundation"), "{}", out.message);
    assert!(out.evidence.contains_key("note"), "{out:?}");
    assert_eq!(out.evidence["exchange_plans"][0]["service_plan_id"], FOUNDATION);
    assert_eq!(out.evidence["exchange_plans"][0]["capability_status"], "Enabled");
}

#[tokio::test]
async fn gcc_foundation_only_fails() {
    let out = status_with(vec![plan(FOUNDATION_GCC, CapabilityStatus::Enabled)]).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.evidence.contains_key("note"), "{out:?}");
}

#[tokio::test]
async fn suspended_deleted_and_locked_out_plans_fail() {
    for status in [
        CapabilityStatus::Suspended,
        CapabilityStatus::Deleted,
        CapabilityStatus::LockedOut,
    ] {
        let out = status_with(vec![plan(PLAN_1, status.clone())]).await;
        assert_eq!(out.status, Status::Fail, "{status:?}: {out:?}");
        assert_eq!(
            out.evidence["exchange_plans"][0]["capability_status"],
            status.as_str()
        );
        assert!(!out.evidence.contains_key("note"));
    }
}

#[tokio::test]
async fn warning_plan_warns_for_the_grace_period() {
    let out = status_with(vec![plan(PLAN_2, CapabilityStatus::Warning)]).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert!(out.remediation.is_some());
    assert_eq!(out.evidence["exchange_plans"][0]["capability_status"], "Warning");
}

#[tokio::test]
async fn no_plans_at_all_fails_with_evidence() {
    let (b, mb) = scenario(vec![]);
    let source = b
        .mailbox_location(OID, fixtures::not_in_exchange_online())
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["user_principal_name"], "laura@contoso.com");
    assert_eq!(out.evidence["exchange_plans"], json!([]));
    assert_eq!(
        out.evidence["mailbox_location"]["location"],
        "not-in-exchange-online"
    );
}

#[tokio::test]
async fn plan_switched_off_through_disabled_plans_fails() {
    let (b, mb) = scenario(vec![plan(PLAN_1, CapabilityStatus::Enabled)]);
    let mut user = fixtures::entra_user(OID, "laura@contoso.com");
    user.assigned_licenses[0].disabled_plans = vec![PLAN_1.into()];
    // Replace the recorded user with one whose licence switches Plan 1 off.
    let mut facts = b.build().facts().clone();
    facts.entra_users = vec![user];
    let out = run(&MemorySource::from_facts(facts), mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["disabled_plans"], json!([PLAN_1]));
    assert_eq!(out.evidence["exchange_plans"][0]["disabled_in_licence"], true);
}

#[tokio::test]
async fn plan_switched_off_in_one_licence_passes_when_another_brings_it_enabled() {
    // Graph lists the plan per licence: Deleted in the one that switches it off, Enabled in
    // the other.
    let (b, mb) = scenario(vec![
        plan(PLAN_2, CapabilityStatus::Deleted),
        plan(PLAN_2, CapabilityStatus::Enabled),
    ]);
    let mut facts = b.build().facts().clone();
    let user = &mut facts.entra_users[0];
    user.assigned_licenses = vec![
        AssignedLicense {
            sku_id: "sku-e3".into(),
            disabled_plans: vec![PLAN_2.into()],
        },
        AssignedLicense {
            sku_id: "sku-exchange-plan-2".into(),
            disabled_plans: vec![],
        },
    ];
    let out = run(&MemorySource::from_facts(facts), mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn an_exchange_plan_the_catalogue_does_not_know_warns_naming_it() {
    const NEW: &str = "0a1b2c3d-0000-4000-8000-00000000abcd";
    let out = status_with(vec![
        plan(FOUNDATION, CapabilityStatus::Enabled),
        plan(NEW, CapabilityStatus::Enabled),
    ])
    .await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert!(out.message.contains(NEW), "{}", out.message);
    assert_eq!(out.evidence["unknown_plans"], json!([NEW]));
}

#[tokio::test]
async fn shared_room_and_equipment_mailboxes_need_no_licence() {
    for purpose in [
        MailboxPurpose::Shared,
        MailboxPurpose::Room,
        MailboxPurpose::Equipment,
    ] {
        let (b, mb) = scenario(vec![]);
        let source = b
            .mailbox_location(OID, fixtures::in_exchange_online(purpose.clone()))
            .build();
        let out = run(&source, mb).await;
        assert_eq!(out.status, Status::Pass, "{purpose:?}: {out:?}");
        assert!(out.message.contains("needs no licence"), "{}", out.message);
    }
}

#[tokio::test]
async fn linked_mailbox_still_needs_a_licence() {
    let (b, mb) = scenario(vec![]);
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::Linked))
        .build();
    assert_eq!(run(&source, mb).await.status, Status::Fail);
}

#[tokio::test]
async fn on_premises_mailbox_on_a_hybrid_or_exchange_server_profile_is_skipped() {
    for profile in ["profile-hyb", "profile-onprem"] {
        let (b, mut mb) = scenario(vec![]);
        mb.profile_id = Some(profile.into());
        let source = b
            .mailbox_location(OID, fixtures::not_in_exchange_online())
            .build();
        let out = run(&source, mb).await;
        assert_eq!(out.status, Status::Skip, "{profile}: {out:?}");
        assert!(
            out.message.contains("needs no Exchange Online licence"),
            "{}",
            out.message
        );
    }
}

#[tokio::test]
async fn online_mailbox_on_an_exchange_server_profile_is_judged() {
    let (b, mut mb) = scenario(vec![plan(FOUNDATION, CapabilityStatus::Enabled)]);
    mb.profile_id = Some("profile-onprem".into());
    assert_eq!(run(&b.build(), mb.clone()).await.status, Status::Fail);
    let (b, mut mb) = scenario(vec![plan(PLAN_1, CapabilityStatus::Enabled)]);
    mb.profile_id = Some("profile-onprem".into());
    assert_eq!(run(&b.build(), mb).await.status, Status::Pass);
}

#[tokio::test]
async fn queue_mailbox_is_judged_by_the_mailbox_own_entra_object() {
    let mut mailbox = fixtures::mailbox("mbq", "support@contoso.com");
    mailbox.regarding = Regarding::Queue("q1".into());
    let mut shared = fixtures::entra_user("shared-1", "support@contoso.com");
    shared.assigned_plans = vec![];
    // The queue's owner holds a licence; that must not make the queue's mailbox pass.
    let source = MemorySource::builder()
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .system_user(fixtures::system_user("user-mbq", "owner@contoso.com", OID))
        .entra_user(fixtures::entra_user(OID, "owner@contoso.com"))
        .entra_user(shared)
        .mailbox_location("shared-1", fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    let out = run(&source, mailbox.clone()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["found_by"], "queue mailbox address");
    assert_eq!(out.evidence["entra_user_id"], "shared-1");

    let mut facts = source.facts().clone();
    facts.mailbox_locations.insert(
        "shared-1".into(),
        fixtures::in_exchange_online(MailboxPurpose::Shared),
    );
    let out = run(&MemorySource::from_facts(facts), mailbox).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn mailbox_in_another_tenant_is_skipped() {
    let (b, mb) = scenario(vec![]);
    let source = b.domain_tenant("contoso.com", fixtures::OTHER_TENANT).build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("cross-tenant-exchange"), "{}", out.message);
}

#[tokio::test]
async fn no_entra_user_is_skipped_and_points_at_recreated_user() {
    let mailbox = fixtures::mailbox("mb", "laura@contoso.com");
    let source = MemorySource::builder()
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .system_user(fixtures::system_user("user-mb", "laura@contoso.com", OID))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("recreated-user"), "{}", out.message);
}

#[tokio::test]
async fn profiles_that_are_not_exchange_are_skipped() {
    let (b, mut mb) = scenario(vec![]);
    let mut pop = fixtures::exchange_online_profile("profile-pop");
    pop.server_type = ServerType::Pop3Smtp;
    let source = b.profile(pop).build();
    mb.profile_id = Some("profile-pop".into());
    assert_eq!(run(&source, mb.clone()).await.status, Status::Skip);
    mb.profile_id = None;
    assert_eq!(run(&source, mb).await.status, Status::Skip);
}

#[tokio::test]
async fn source_errors_are_errors_not_fails() {
    let denied = SourceError::Permission {
        what: "Graph mailboxSettings".into(),
        detail: "ErrorAccessDenied".into(),
    };
    let (b, mb) = scenario(vec![]);
    let out = run(&b.failing(DataNeed::MailboxLocation, denied.clone()).build(), mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    let (b, mb) = scenario(vec![plan(PLAN_1, CapabilityStatus::Enabled)]);
    let out = run(&b.failing(DataNeed::EntraUsers, denied).build(), mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn shared_mailbox_passes_even_with_a_plan_in_grace() {
    let (b, mb) = scenario(vec![plan(PLAN_2, CapabilityStatus::Warning)]);
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::Shared))
        .build();
    assert_eq!(run(&source, mb).await.status, Status::Pass);
}
