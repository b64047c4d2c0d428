use ssync_core::fixtures;
use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, evaluate};

use super::CrossTenantExchange;

const CONTOSO: &str = fixtures::TENANT;
const FABRIKAM: &str = fixtures::OTHER_TENANT;
const NORTHWIND: &str = "33333333-3333-3333-3333-333333333333";

/// The environment is in `CONTOSO`; contoso.com belongs to it, fabrikam.com to `FABRIKAM`.
/// The source holds the default Exchange Online profile `profile-exo` and `extra`.
fn source(extra: EmailServerProfile) -> MemorySourceBuilder {
    MemorySource::builder()
        .environment(fixtures::environment())
        .domain_tenant("contoso.com", CONTOSO)
        .domain_tenant("fabrikam.com", FABRIKAM)
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .profile(extra)
}

/// A cross-tenant OAuth profile (`profile-xt`) pointing at `tenant`.
fn oauth_profile(tenant: &str) -> EmailServerProfile {
    let mut p = fixtures::exchange_online_profile("profile-xt");
    p.name = "Fabrikam cross-tenant OAuth".into();
    p.incoming.credential_retrieval = Some(CredentialRetrieval::EntraOAuth);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::EntraOAuth);
    p.use_default_tenant_id = false;
    p.exchange_online_tenant_id = Some(tenant.into());
    p
}

fn mailbox(address: &str, profile: &str) -> Mailbox {
    let mut m = fixtures::mailbox("mb", address);
    m.profile_id = Some(profile.into());
    m
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    evaluate(
        &CrossTenantExchange,
        &CheckContext::new(source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

async fn run_with(extra: EmailServerProfile, address: &str, profile: &str) -> Outcome {
    run(&source(extra).build(), mailbox(address, profile)).await
}

#[tokio::test]
async fn same_tenant_mailbox_on_the_default_profile_passes() {
    let out = run_with(oauth_profile(FABRIKAM), "alice@contoso.com", "profile-exo").await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn tenant_ids_are_compared_without_regard_to_case() {
    let mut env = fixtures::environment();
    env.tenant_id = "ABCDEF00-0000-0000-0000-00000000000A".into();
    let src = source(oauth_profile("BBBBBBBB-0000-0000-0000-00000000000B"))
        .environment(env)
        .domain_tenant("contoso.com", "abcdef00-0000-0000-0000-00000000000a")
        .domain_tenant("fabrikam.com", "bbbbbbbb-0000-0000-0000-00000000000b")
        .build();
    assert_eq!(
        run(&src, mailbox("alice@contoso.com", "profile-exo"))
            .await
            .status,
        Status::Pass
    );
    assert_eq!(
        run(&src, mailbox("peter@fabrikam.com", "profile-xt"))
            .await
            .status,
        Status::Pass
    );
}

#[tokio::test]
async fn foreign_mailbox_on_the_same_tenant_profile_fails_with_evidence() {
    let out = run_with(oauth_profile(FABRIKAM), "oscar@fabrikam.com", "profile-exo").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["environment_tenant"], CONTOSO);
    assert_eq!(out.evidence["domain"], "fabrikam.com");
    assert_eq!(out.evidence["domain_tenant"], FABRIKAM);
    assert_eq!(out.evidence["profile"], "Microsoft Exchange Online");
    assert_eq!(out.evidence["profile_tenant"], json!(null));
    assert_eq!(out.evidence["use_default_tenant_id"], true);
    assert_eq!(
        out.evidence["incoming_credential_retrieval"],
        "Server to Server Authentication"
    );
    assert_eq!(out.evidence["reason"], "same-tenant-profile-for-foreign-mailbox");
}

#[tokio::test]
async fn cross_tenant_oauth_profile_for_the_mailbox_tenant_passes() {
    let out = run_with(oauth_profile(FABRIKAM), "peter@fabrikam.com", "profile-xt").await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn oauth_in_one_direction_is_enough() {
    let mut p = oauth_profile(FABRIKAM);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    assert_eq!(
        run_with(p, "peter@fabrikam.com", "profile-xt").await.status,
        Status::Pass
    );
}

#[tokio::test]
async fn cross_tenant_oauth_profile_pointing_at_the_wrong_tenant_fails() {
    let out = run_with(oauth_profile(NORTHWIND), "peter@fabrikam.com", "profile-xt").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["profile_tenant"], NORTHWIND);
    assert_eq!(out.evidence["domain_tenant"], FABRIKAM);
    assert_eq!(out.evidence["reason"], "profile-points-at-another-tenant");
    assert!(out.remediation.is_some());
}

#[tokio::test]
async fn environment_mailbox_on_a_profile_for_another_tenant_fails() {
    let out = run_with(oauth_profile(FABRIKAM), "alice@contoso.com", "profile-xt").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "profile-points-at-another-tenant");
}

#[tokio::test]
async fn server_to_server_profile_with_a_non_default_tenant_fails() {
    let mut p = oauth_profile(FABRIKAM);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    let out = run_with(p, "peter@fabrikam.com", "profile-xt").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "cross-tenant-profile-without-oauth");
    assert_eq!(out.evidence["cross_tenant_oauth"], false);
}

#[tokio::test]
async fn oauth_profile_on_the_default_tenant_does_not_reach_another_tenant() {
    let mut p = oauth_profile(FABRIKAM);
    p.use_default_tenant_id = true;
    let out = run_with(p, "peter@fabrikam.com", "profile-xt").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "same-tenant-profile-for-foreign-mailbox");
}

#[tokio::test]
async fn non_default_profile_naming_the_environment_tenant_passes_for_its_mailboxes() {
    let mut p = oauth_profile(CONTOSO);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    assert_eq!(
        run_with(p, "alice@contoso.com", "profile-xt").await.status,
        Status::Pass
    );
}

#[tokio::test]
async fn profile_without_default_tenant_and_without_tenant_id_fails() {
    let mut p = oauth_profile(FABRIKAM);
    p.exchange_online_tenant_id = Some("  ".into());
    let out = run_with(p, "peter@fabrikam.com", "profile-xt").await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "profile-without-tenant");
    assert_eq!(out.evidence["profile_tenant"], json!(null));
}

#[tokio::test]
async fn unknown_domain_is_an_error_not_a_fail() {
    let out = run_with(oauth_profile(FABRIKAM), "zoe@unknown.example", "profile-exo").await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert_eq!(out.evidence["domain"], "unknown.example");
}

#[tokio::test]
async fn unreadable_domain_tenant_or_environment_is_an_error() {
    let err = SourceError::Unreachable {
        service: "login.microsoftonline.com".into(),
        detail: "connection refused".into(),
    };
    let src = source(oauth_profile(FABRIKAM))
        .failing(DataNeed::DomainTenant, err.clone())
        .build();
    let out = run(&src, mailbox("oscar@fabrikam.com", "profile-exo")).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    let src = source(oauth_profile(FABRIKAM))
        .failing(DataNeed::Environment, err)
        .build();
    let out = run(&src, mailbox("oscar@fabrikam.com", "profile-exo")).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn mailbox_without_address_is_skipped() {
    let mut mb = mailbox("alice@contoso.com", "profile-exo");
    mb.email_address = None;
    let out = run(&source(oauth_profile(FABRIKAM)).build(), mb).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn profiles_other_than_exchange_online_are_skipped() {
    let src = source(fixtures::hybrid_profile("profile-hyb"))
        .profile(fixtures::on_premises_profile(
            "profile-onprem",
            "https://mail.contoso.com/EWS/Exchange.asmx",
        ))
        .build();
    for profile in ["profile-hyb", "profile-onprem"] {
        let out = run(&src, mailbox("oscar@fabrikam.com", profile)).await;
        assert_eq!(out.status, Status::Skip, "{profile}: {out:?}");
    }
    let mut mb = mailbox("oscar@fabrikam.com", "profile-exo");
    mb.profile_id = None;
    assert_eq!(run(&src, mb).await.status, Status::Skip);
}
