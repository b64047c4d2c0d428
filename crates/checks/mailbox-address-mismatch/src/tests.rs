use ssync_core::fixtures;
use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate};

use super::MailboxAddressMismatch;

const OID: &str = "aaaaaaaa-0000-0000-0000-000000000001";

/// Mailbox `mb` with address `dataverse`, owned by Dataverse user `user-mb` whose Entra object
/// id is `OID`; the Entra user's primary address is frank@fabrikam.com with one alias.
fn scenario(dataverse: &str) -> (MemorySourceBuilder, Mailbox) {
    let mailbox = fixtures::mailbox("mb", dataverse);
    let mut entra = fixtures::entra_user(OID, "frank@fabrikam.com");
    entra.proxy_addresses.push("smtp:f.miller@fabrikam.com".into());
    entra.proxy_addresses.push("X500:/o=ExchangeLabs/cn=frank".into());
    let builder = MemorySource::builder()
        .mailbox(mailbox.clone())
        .system_user(fixtures::system_user("user-mb", "frank@fabrikam.com", OID))
        .entra_user(entra);
    (builder, mailbox)
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    evaluate(
        &MailboxAddressMismatch,
        &CheckContext::new(source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

#[tokio::test]
async fn primary_address_passes() {
    let (b, mb) = scenario("frank@fabrikam.com");
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn case_only_difference_passes() {
    let (b, mb) = scenario("Frank@Fabrikam.COM");
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn secondary_alias_warns_and_names_the_primary() {
    let (b, mb) = scenario("f.miller@fabrikam.com");
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["exchange_primary"], "frank@fabrikam.com");
    assert_eq!(out.evidence["dataverse"], "f.miller@fabrikam.com");
}

#[tokio::test]
async fn different_address_fails_with_evidence() {
    let (b, mb) = scenario("frank.old@fabrikam.com");
    let out = run(&b.build(), mb).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["dataverse"], "frank.old@fabrikam.com");
    assert_eq!(out.evidence["exchange_primary"], "frank@fabrikam.com");
    assert_eq!(out.evidence["exchange_aliases"], json!(["f.miller@fabrikam.com"]));
    assert_eq!(out.evidence["found_by"], "Dataverse user's Entra object id");
}

#[tokio::test]
async fn sign_in_name_that_is_not_an_smtp_address_fails() {
    let mailbox = fixtures::mailbox("mb", "frank@fabrikam.onmicrosoft.com");
    let mut entra = fixtures::entra_user(OID, "frank@fabrikam.com");
    entra.user_principal_name = "frank@fabrikam.onmicrosoft.com".into();
    let source = MemorySource::builder()
        .system_user(fixtures::system_user(
            "user-mb",
            "frank@fabrikam.onmicrosoft.com",
            OID,
        ))
        .entra_user(entra)
        .build();
    assert_eq!(run(&source, mailbox).await.status, Status::Fail);
}

#[tokio::test]
async fn falls_back_to_the_sign_in_name_when_the_object_id_is_unknown() {
    let mailbox = fixtures::mailbox("mb", "frank.old@fabrikam.com");
    let mut su = fixtures::system_user("user-mb", "frank@fabrikam.com", OID);
    su.entra_object_id = None;
    let source = MemorySource::builder()
        .system_user(su)
        .entra_user(fixtures::entra_user(OID, "frank@fabrikam.com"))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["found_by"], "Dataverse user's sign-in name");
}

#[tokio::test]
async fn no_entra_user_skips_and_points_at_the_related_checks() {
    let mailbox = fixtures::mailbox("mb", "frank@fabrikam.com");
    let source = MemorySource::builder()
        .system_user(fixtures::system_user("user-mb", "frank@fabrikam.com", OID))
        .build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("recreated-user"), "{}", out.message);
    assert!(out.message.contains("cross-tenant-exchange"), "{}", out.message);
}

#[tokio::test]
async fn queue_mailbox_is_judged_by_its_own_address() {
    let mut mailbox = fixtures::mailbox("mbq", "support@fabrikam.com");
    mailbox.regarding = Regarding::Queue("q1".into());
    let mut shared = fixtures::entra_user("shared-1", "helpdesk@fabrikam.com");
    shared.proxy_addresses.push("smtp:support@fabrikam.com".into());
    let source = MemorySource::builder().entra_user(shared).build();
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["found_by"], "queue mailbox address");
}

#[tokio::test]
async fn source_error_is_an_error_not_a_fail() {
    let (b, mb) = scenario("frank.old@fabrikam.com");
    let source = b
        .failing(
            DataNeed::EntraUsers,
            SourceError::Permission {
                what: "Graph users".into(),
                detail: "Authorization_RequestDenied: Insufficient privileges".into(),
            },
        )
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("Insufficient privileges"), "{}", out.message);
}

#[tokio::test]
async fn mailbox_without_address_is_skipped() {
    let (b, mut mb) = scenario("frank@fabrikam.com");
    mb.email_address = None;
    assert_eq!(run(&b.build(), mb).await.status, Status::Skip);
}

#[tokio::test]
async fn mailbox_in_another_tenant_is_left_to_cross_tenant_exchange() {
    let (b, mb) = scenario("frank@fabrikam.com");
    let source = b
        .environment(fixtures::environment())
        .domain_tenant("fabrikam.com", fixtures::OTHER_TENANT)
        .build();
    let out = run(&source, mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("cross-tenant-exchange"));
}

#[tokio::test]
async fn mailbox_in_the_environment_tenant_is_compared() {
    let (b, mb) = scenario("frank.old@fabrikam.com");
    let source = b
        .environment(fixtures::environment())
        .domain_tenant("fabrikam.com", fixtures::TENANT)
        .build();
    assert_eq!(run(&source, mb).await.status, Status::Fail);
}
