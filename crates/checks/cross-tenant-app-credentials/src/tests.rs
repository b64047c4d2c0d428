use ssync_core::prelude::*;
use ssync_core::{MemorySource, evaluate, fixtures};

use super::CrossTenantAppCredentials;

const FABRIKAM: &str = fixtures::OTHER_TENANT;

/// A cross-tenant OAuth profile as Microsoft's steps leave it (fixtures): id, secret, success.
fn healthy() -> EmailServerProfile {
    fixtures::cross_tenant_profile("profile-xt", FABRIKAM)
}

/// Runs the check on `profile` with two mailboxes on it and one elsewhere.
async fn run(profile: EmailServerProfile) -> Outcome {
    let on = |id: &str, addr: &str| {
        let mut m = fixtures::mailbox(id, addr);
        m.profile_id = Some(profile.id.clone());
        m
    };
    let source = MemorySource::builder()
        .mailbox(on("mb1", "peter@fabrikam.com"))
        .mailbox(on("mb2", "zoe@fabrikam.com"))
        .mailbox(fixtures::mailbox("mb3", "alice@contoso.com"))
        .build();
    run_on(&source, profile).await
}

async fn run_on(source: &MemorySource, profile: EmailServerProfile) -> Outcome {
    evaluate(
        &CrossTenantAppCredentials,
        &CheckContext::new(source),
        &Subject::Profile(profile),
    )
    .await
}

#[tokio::test]
async fn profile_with_id_secret_and_successful_test_passes() {
    let out = run(healthy()).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.mailboxes.is_empty());
    assert_eq!(
        out.evidence["application_id"],
        "7b2c9d4e-1f3a-4b5c-8d6e-9f0a1b2c3d4e"
    );
    assert_eq!(out.evidence["last_authorization_status"], "success");
}

#[tokio::test]
async fn missing_application_id_fails() {
    for id in [None, Some("  ".to_owned())] {
        let mut p = healthy();
        p.authorization.client_id = id;
        let out = run(p).await;
        assert_eq!(out.status, Status::Fail, "{out:?}");
        assert_eq!(out.evidence["reason"], "no-application-id");
        assert_eq!(out.evidence["reasons"], json!(["no-application-id"]));
    }
}

#[tokio::test]
async fn secret_not_set_fails_and_lists_the_profiles_mailboxes() {
    let mut p = healthy();
    p.authorization.secret_set = Some(false);
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "client-secret-not-set");
    assert_eq!(out.evidence["secret_set"], false);
    let mut listed = out.mailboxes.clone();
    listed.sort();
    assert_eq!(listed, ["peter@fabrikam.com", "zoe@fabrikam.com"]);
}

#[tokio::test]
async fn failed_last_authorization_fails_with_the_recorded_message_and_time() {
    let mut p = healthy();
    p.authorization.last_status = Some(AuthorizationStatus::Failure);
    p.authorization.last_message = Some("AADSTS7000222: The provided client secret keys are expired.".into());
    p.authorization.last_test_start = Some("2026-11-30T08:00:00Z".into());
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "last-authorization-failed");
    assert_eq!(out.evidence["last_authorization_status"], "failure");
    assert_eq!(
        out.evidence["last_message"],
        "AADSTS7000222: The provided client secret keys are expired."
    );
    assert_eq!(out.evidence["last_test_start"], "2026-11-30T08:00:00Z");
    assert!(out.message.contains("AADSTS7000222"), "{}", out.message);
    assert!(out.message.contains(FABRIKAM), "{}", out.message);
}

#[tokio::test]
async fn every_problem_is_named_in_fixing_order() {
    let mut p = healthy();
    p.authorization.client_id = None;
    p.authorization.secret_set = Some(false);
    p.authorization.last_status = Some(AuthorizationStatus::Failure);
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.evidence["reason"], "no-application-id");
    assert_eq!(
        out.evidence["reasons"],
        json!([
            "no-application-id",
            "client-secret-not-set",
            "last-authorization-failed"
        ])
    );
}

/// Unknown is not a failure: an absent status or secret flag, or a status value the reference
/// does not list, leaves a profile with an application id passing.
#[tokio::test]
async fn absent_or_unlisted_values_are_not_a_fail() {
    for (secret, status) in [
        (Some(true), None),
        (None, Some(AuthorizationStatus::Success)),
        (None, None),
        (Some(true), Some(AuthorizationStatus::Unknown(7))),
    ] {
        let mut p = healthy();
        p.authorization.secret_set = secret;
        p.authorization.last_status = status;
        let out = run(p).await;
        assert_eq!(out.status, Status::Pass, "{secret:?} {status:?}: {out:?}");
    }
}

#[tokio::test]
async fn a_successful_test_does_not_hide_a_missing_secret() {
    let mut p = healthy();
    p.authorization.secret_set = Some(false);
    p.authorization.last_status = Some(AuthorizationStatus::Success);
    assert_eq!(run(p).await.status, Status::Fail);
}

/// A bundle written before these columns were read, or a role that cannot see them: nothing
/// to judge, which is an error rather than a "no application id" fail.
#[tokio::test]
async fn profile_without_any_oauth_column_is_an_error_not_a_fail() {
    let mut p = healthy();
    p.authorization = ProfileAuthorization::default();
    let out = run(p).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn other_profiles_are_skipped_with_a_reason() {
    let mut same_tenant_oauth = healthy();
    same_tenant_oauth.use_default_tenant_id = true;
    let mut no_secret_s2s = fixtures::exchange_online_profile("p");
    no_secret_s2s.authorization.secret_set = Some(false);
    for p in [
        fixtures::exchange_online_profile("p"),
        no_secret_s2s,
        fixtures::hybrid_profile("p"),
        fixtures::on_premises_profile("p", "https://mail.contoso.com/EWS/Exchange.asmx"),
        same_tenant_oauth,
    ] {
        let name = p.name.clone();
        let out = run(p).await;
        assert_eq!(out.status, Status::Skip, "{name}: {out:?}");
        assert!(
            out.message.contains("not a cross-tenant OAuth profile"),
            "{}",
            out.message
        );
        assert!(out.evidence.contains_key("profile_target"));
        assert!(!out.evidence.contains_key("secret_set"), "{out:?}");
    }
}

#[tokio::test]
async fn profile_of_unknown_target_is_skipped_with_the_classification_reason() {
    let mut p = healthy();
    // Entra OAuth (Exchange Online only) against an on-premises host: the signals disagree.
    p.incoming.server_location = Some("https://mail.contoso.com/EWS/Exchange.asmx".into());
    p.authorization.secret_set = Some(false);
    let out = run(p).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("disagree"), "{}", out.message);
}

#[tokio::test]
async fn unreadable_mailboxes_are_an_error_not_a_fail() {
    let source = MemorySource::builder()
        .failing(
            DataNeed::Mailboxes,
            SourceError::Permission {
                what: "mailboxes".into(),
                detail: "denied".into(),
            },
        )
        .build();
    let mut p = healthy();
    p.authorization.secret_set = Some(false);
    let out = run_on(&source, p).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn a_long_message_is_shortened() {
    let mut p = healthy();
    p.authorization.last_status = Some(AuthorizationStatus::Failure);
    p.authorization.last_message = Some("é".repeat(5000));
    let out = run(p).await;
    let shown = out.evidence["last_message"].as_str().unwrap();
    assert_eq!(shown.chars().count(), super::MESSAGE_LIMIT + 1);
    assert!(shown.ends_with('…'));
}
