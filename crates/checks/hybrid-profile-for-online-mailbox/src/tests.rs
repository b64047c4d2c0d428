use ssync_core::fixtures;
use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate};

use super::HybridProfileForOnlineMailbox;

const OID: &str = "aaaaaaaa-0000-0000-0000-000000000002";

/// Mailbox `mb` (ingrid@contoso.com) on the hybrid profile `profile-hyb`, owned by Dataverse
/// user `user-mb` whose Entra object id is `OID`. No mailbox location is recorded yet.
fn scenario() -> (MemorySourceBuilder, Mailbox) {
    let mut mailbox = fixtures::mailbox("mb", "ingrid@contoso.com");
    mailbox.profile_id = Some("profile-hyb".into());
    let builder = MemorySource::builder()
        .environment(fixtures::environment())
        .domain_tenant("contoso.com", fixtures::TENANT)
        .profile(fixtures::hybrid_profile("profile-hyb"))
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .profile(fixtures::on_premises_profile(
            "profile-onprem",
            "https://mail.contoso.com/EWS/Exchange.asmx",
        ))
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "ingrid@contoso.com", OID))
        .entra_user(fixtures::entra_user(OID, "ingrid@contoso.com"));
    (builder, mailbox)
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    evaluate(
        &HybridProfileForOnlineMailbox,
        &CheckContext::new(source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

#[tokio::test]
async fn hybrid_profile_on_an_exchange_online_mailbox_fails_with_evidence() {
    let (b, mb) = scenario();
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["profile"], "Exchange Hybrid");
    assert_eq!(out.evidence["profile_server_type"], "Exchange Server (Hybrid)");
    assert_eq!(out.evidence["purpose"], "user");
    assert_eq!(out.evidence["mailbox_location"]["location"], "exchange-online");
    assert_eq!(out.evidence["entra_user_id"], OID);
}

#[tokio::test]
async fn hybrid_profile_on_a_corroborated_on_premises_mailbox_passes() {
    let (mb, source) = on_premises(Some(true), Some("https://mail.contoso.com/EWS/Exchange.asmx"));
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.message.contains("mail.contoso.com"), "{}", out.message);
    assert_eq!(out.evidence["on_premises_sync_enabled"], true);
}

/// The hybrid mailbox `mb` with Graph's 404, its user synchronised from AD or not
/// (`onPremisesSyncEnabled`), and the EWS URL autodiscover stored on the mailbox record.
fn on_premises(sync: Option<bool>, ews_url: Option<&str>) -> (Mailbox, MemorySource) {
    let (b, mut mb) = scenario();
    mb.ews_url = ews_url.map(Into::into);
    let mut user = fixtures::entra_user(OID, "ingrid@contoso.com");
    user.on_premises_sync = sync;
    let mut facts = b
        .mailbox_location(OID, fixtures::not_in_exchange_online())
        .build()
        .facts()
        .clone();
    facts.entra_users = vec![user];
    (mb, MemorySource::from_facts(facts))
}

#[tokio::test]
async fn a_404_for_a_cloud_only_user_is_not_proof_of_an_on_premises_mailbox() {
    // Graph answers MailboxNotEnabledForRESTAPI for an unlicensed or soft-deleted cloud user
    // as well; a user not synchronised from AD cannot have an on-premises mailbox.
    for sync in [None, Some(false)] {
        let (mb, source) = on_premises(sync, Some("https://mail.contoso.com/EWS/Exchange.asmx"));
        let out = run(&source, mb).await;
        assert_eq!(out.status, Status::Skip, "{sync:?}: {out:?}");
        assert!(out.message.contains("onPremisesSyncEnabled"), "{}", out.message);
        assert!(
            out.message.contains("missing-exchange-online-license"),
            "{}",
            out.message
        );
    }
}

#[tokio::test]
async fn a_synced_user_needs_an_on_premises_ews_url_to_pass() {
    let (mb, source) = on_premises(Some(true), None);
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("ewsurl"), "{}", out.message);
    let (mb, source) = on_premises(
        Some(true),
        Some("https://outlook.office365.com/EWS/Exchange.asmx"),
    );
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("Exchange Online's"), "{}", out.message);
}

#[tokio::test]
async fn location_read_failure_is_an_error_not_a_fail() {
    let (b, mb) = scenario();
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .failing(
            DataNeed::MailboxLocation,
            SourceError::Permission {
                what: "Graph mailboxSettings".into(),
                detail: "ErrorAccessDenied: Access is denied".into(),
            },
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("Access is denied"), "{}", out.message);
}

#[tokio::test]
async fn unknown_location_is_an_error() {
    // Nothing recorded: the memory source answers the look-up with an HTTP error.
    let (b, mb) = scenario();
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn no_entra_user_is_an_error() {
    let mut mailbox = fixtures::mailbox("mb", "ingrid@contoso.com");
    mailbox.profile_id = Some("profile-hyb".into());
    let source = MemorySource::builder()
        .profile(fixtures::hybrid_profile("profile-hyb"))
        .system_user(fixtures::system_user("user-mb", "ingrid@contoso.com", OID))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("no Entra user"), "{}", out.message);
    assert_eq!(out.evidence["profile"], "Exchange Hybrid");
}

#[tokio::test]
async fn queue_mailbox_is_located_through_its_own_address() {
    let mut mailbox = fixtures::mailbox("mbq", "support@contoso.com");
    mailbox.profile_id = Some("profile-hyb".into());
    mailbox.regarding = Regarding::Queue("q1".into());
    let source = MemorySource::builder()
        .profile(fixtures::hybrid_profile("profile-hyb"))
        .entra_user(fixtures::entra_user("shared-1", "support@contoso.com"))
        .mailbox_location("shared-1", fixtures::in_exchange_online(MailboxPurpose::Shared))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["found_by"], "queue mailbox address");
    assert_eq!(out.evidence["purpose"], "shared");
}

#[tokio::test]
async fn exchange_online_profile_is_skipped() {
    let (b, mut mb) = scenario();
    mb.profile_id = Some("profile-exo".into());
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("Exchange Online"), "{}", out.message);
}

#[tokio::test]
async fn on_premises_profile_is_skipped() {
    let (b, mut mb) = scenario();
    mb.profile_id = Some("profile-onprem".into());
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    assert_eq!(run(&source, mb).await.status, Status::Skip);
}

#[tokio::test]
async fn mailbox_without_profile_or_with_an_unknown_profile_is_skipped() {
    let (b, mut mb) = scenario();
    let source = b
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    mb.profile_id = None;
    assert_eq!(run(&source, mb.clone()).await.status, Status::Skip);
    mb.profile_id = Some("profile-gone".into());
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("not found"), "{}", out.message);
}

#[tokio::test]
async fn mailbox_in_another_tenant_is_left_to_cross_tenant_exchange() {
    let (b, mb) = scenario();
    let source = b
        .domain_tenant("contoso.com", fixtures::OTHER_TENANT)
        .mailbox_location(OID, fixtures::in_exchange_online(MailboxPurpose::User))
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("cross-tenant-exchange"), "{}", out.message);
    assert_eq!(
        out.evidence["foreign_tenant"]["domain_tenant"],
        fixtures::OTHER_TENANT
    );
}
