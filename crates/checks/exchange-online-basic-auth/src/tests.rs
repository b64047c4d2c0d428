use ssync_core::prelude::*;
use ssync_core::{MemorySource, evaluate, fixtures};

use super::ExchangeOnlineBasicAuth;

const EWS_ONLINE: &str = "https://outlook.office365.com/EWS/Exchange.asmx";

/// A profile of `server_type` whose two directions use `cred` and `protocol` against `location`.
fn profile(
    server_type: ServerType,
    cred: CredentialRetrieval,
    protocol: Option<AuthProtocol>,
    location: &str,
) -> EmailServerProfile {
    let conn = Connection {
        credential_retrieval: Some(cred),
        auth_protocol: protocol,
        server_location: Some(location.into()),
    };
    EmailServerProfile {
        server_type,
        incoming: conn.clone(),
        outgoing: conn,
        ..fixtures::exchange_online_profile("p1")
    }
}

/// Runs the check on `profile` with two mailboxes on it and one elsewhere.
async fn run(profile: EmailServerProfile) -> Outcome {
    let mut elsewhere = fixtures::mailbox("mb3", "carol@contoso.com");
    elsewhere.profile_id = Some("other".into());
    let on = |id: &str, addr: &str| {
        let mut m = fixtures::mailbox(id, addr);
        m.profile_id = Some(profile.id.clone());
        m
    };
    let source = MemorySource::builder()
        .mailbox(on("mb1", "uma@contoso.com"))
        .mailbox(on("mb2", "vera@contoso.com"))
        .mailbox(elsewhere)
        .build();
    evaluate(
        &ExchangeOnlineBasicAuth,
        &CheckContext::new(&source),
        &Subject::Profile(profile),
    )
    .await
}

#[tokio::test]
async fn server_to_server_passes() {
    let out = run(fixtures::exchange_online_profile("p1")).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
    assert!(out.mailboxes.is_empty());
}

#[tokio::test]
async fn cross_tenant_oauth_passes() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::EntraOAuth,
        None,
        EWS_ONLINE,
    );
    assert_eq!(run(p).await.status, Status::Pass);
}

#[tokio::test]
async fn hybrid_modern_auth_to_exchange_online_passes() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::HybridModernAuth,
        Some(AuthProtocol::OAuth),
        EWS_ONLINE,
    );
    assert_eq!(run(p).await.status, Status::Pass);
}

#[tokio::test]
async fn credentials_by_user_or_queue_fail() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::UserOrQueue,
        None,
        EWS_ONLINE,
    );
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(
        out.evidence["connections"][0]["credential_retrieval"],
        "Credentials Specified by a User or Queue"
    );
    assert_eq!(out.evidence["basic_auth_retired_on"], "2022-10-01");
}

#[tokio::test]
async fn credentials_in_profile_fail() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::InProfile,
        None,
        EWS_ONLINE,
    );
    assert_eq!(run(p).await.status, Status::Fail);
}

/// Microsoft's profile form writes Basic (3) in the protocol field of token-based profiles in
/// online organisations (microsoft-apis.md §A.3, form script): the credential setting decides.
#[tokio::test]
async fn the_basic_protocol_field_alone_does_not_fail_a_profile_that_sends_no_password() {
    for cred in [
        CredentialRetrieval::ServerToServer,
        CredentialRetrieval::EntraOAuth,
        CredentialRetrieval::Anonymous,
    ] {
        let p = profile(
            ServerType::ExchangeServer,
            cred,
            Some(AuthProtocol::Basic),
            EWS_ONLINE,
        );
        let out = run(p).await;
        assert_eq!(out.status, Status::Pass, "{cred:?}: {out:?}");
        assert_eq!(out.evidence["connections"][1]["auth_protocol"], "Basic");
    }
}

#[tokio::test]
async fn an_empty_credential_setting_is_not_judged() {
    let mut p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::UserOrQueue,
        Some(AuthProtocol::Basic),
        EWS_ONLINE,
    );
    p.incoming.credential_retrieval = None;
    p.outgoing.credential_retrieval = None;
    let out = run(p).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert!(out.message.contains("no credential setting"), "{}", out.message);
}

/// Dynamics 365 on-premises reaches Exchange Online through a profile of type 3, Exchange
/// Online (Hybrid); with a password it fails like any other.
#[tokio::test]
async fn an_exchange_online_hybrid_profile_with_a_password_fails() {
    let p = profile(
        ServerType::ExchangeOnlineHybrid,
        CredentialRetrieval::InProfile,
        Some(AuthProtocol::Basic),
        EWS_ONLINE,
    );
    assert_eq!(run(p).await.status, Status::Fail);
}

#[tokio::test]
async fn on_premises_type_pointing_at_outlook_office365_fails_and_lists_the_mailboxes() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::UserOrQueue,
        Some(AuthProtocol::Basic),
        EWS_ONLINE,
    );
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(out.mailboxes, vec!["uma@contoso.com", "vera@contoso.com"]);
    assert_eq!(out.evidence["connections"][0]["server_location"], EWS_ONLINE);
    assert_eq!(out.evidence["connections"][0]["reaches_exchange_online"], true);
    assert!(out.message.contains("1 October 2022"), "{}", out.message);
}

#[tokio::test]
async fn smtp_office365_host_counts_as_exchange_online() {
    let p = profile(
        ServerType::Pop3Smtp,
        CredentialRetrieval::InProfile,
        Some(AuthProtocol::Basic),
        "smtp.office365.com",
    );
    assert_eq!(run(p).await.status, Status::Fail);
}

#[tokio::test]
async fn on_premises_host_is_skipped() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::InProfile,
        Some(AuthProtocol::Basic),
        "https://mail.contoso.com/EWS/Exchange.asmx",
    );
    let out = run(p).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
    assert_eq!(out.evidence["server_type"], "Exchange Server");
    assert!(out.mailboxes.is_empty());
}

#[tokio::test]
async fn look_alike_host_is_skipped() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::UserOrQueue,
        Some(AuthProtocol::Basic),
        "https://outlook.office365.com.evil.example/EWS/Exchange.asmx",
    );
    assert_eq!(run(p).await.status, Status::Skip);
}

#[tokio::test]
async fn only_the_direction_that_reaches_exchange_online_is_judged() {
    // Incoming goes to Exchange Online with S2S; outgoing uses Basic, but against an
    // on-premises host, which `ews-basic-auth-disabled` judges.
    let mut p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::ServerToServer,
        None,
        EWS_ONLINE,
    );
    p.outgoing = Connection {
        credential_retrieval: Some(CredentialRetrieval::InProfile),
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: Some("https://mail.contoso.com/EWS/Exchange.asmx".into()),
    };
    assert_eq!(run(p.clone()).await.status, Status::Pass);
    p.incoming.credential_retrieval = Some(CredentialRetrieval::UserOrQueue);
    let out = run(p).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert!(out.message.contains("incoming"), "{}", out.message);
    assert!(!out.message.contains("outgoing"), "{}", out.message);
}

#[tokio::test]
async fn failing_mailbox_read_is_an_error() {
    let p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::InProfile,
        None,
        EWS_ONLINE,
    );
    let source = MemorySource::builder()
        .failing(
            DataNeed::Mailboxes,
            SourceError::Permission {
                what: "mailboxes".into(),
                detail: "missing privilege prvReadMailbox".into(),
            },
        )
        .build();
    let out = evaluate(
        &ExchangeOnlineBasicAuth,
        &CheckContext::new(&source),
        &Subject::Profile(p),
    )
    .await;
    assert_eq!(out.status, Status::Error, "{out:?}");
}

#[tokio::test]
async fn an_exchange_online_profile_counts_even_without_a_server_location() {
    let mut p = profile(
        ServerType::ExchangeServer,
        CredentialRetrieval::InProfile,
        None,
        "",
    );
    p.incoming.server_location = None;
    let out = run(p.clone()).await;
    assert_eq!(out.status, Status::Fail, "{out:?}");
    assert_eq!(
        out.evidence["connections"][0]["server_location"],
        serde_json::Value::Null
    );
    p.incoming.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    p.outgoing.credential_retrieval = Some(CredentialRetrieval::ServerToServer);
    assert_eq!(run(p).await.status, Status::Pass);
}
