use ssync_core::prelude::*;
use ssync_core::{MemorySource, MemorySourceBuilder, RawService, evaluate, fixtures};

use super::{DEFAULT_PROFILE_QUERY, ProfileIsDefault};

fn with_default(default: serde_json::Value) -> MemorySourceBuilder {
    let mut hybrid = fixtures::hybrid_profile("profile-hyb");
    hybrid.name = "Exchange Hybrid".into();
    MemorySource::builder()
        .profile(fixtures::exchange_online_profile("profile-exo"))
        .profile(hybrid)
        .raw(
            RawService::Dataverse,
            DEFAULT_PROFILE_QUERY,
            json!({ "value": [default] }),
        )
}

async fn run(source: &MemorySource, mailbox: Mailbox) -> Outcome {
    evaluate(
        &ProfileIsDefault,
        &CheckContext::new(source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

#[tokio::test]
async fn mailbox_on_the_default_profile_passes() {
    let source = with_default(json!({ "_defaultemailserverprofileid_value": "profile-exo" })).build();
    let out = run(&source, fixtures::mailbox("mb", "a@contoso.com")).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn mailbox_on_another_profile_warns_naming_both() {
    let source = with_default(json!({ "_defaultemailserverprofileid_value": "profile-exo" })).build();
    let mut mailbox = fixtures::mailbox("mb", "a@contoso.com");
    mailbox.profile_id = Some("profile-hyb".into());
    let out = run(&source, mailbox).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["profile"], "Exchange Hybrid");
    assert_eq!(out.evidence["default_profile"], "Microsoft Exchange Online");
}

#[tokio::test]
async fn no_default_profile_skips() {
    let source = with_default(json!({ "_defaultemailserverprofileid_value": null })).build();
    let out = run(&source, fixtures::mailbox("mb", "a@contoso.com")).await;
    assert_eq!(out.status, Status::Skip, "{out:?}");
}

#[tokio::test]
async fn failed_raw_read_is_an_error() {
    let source = MemorySource::builder()
        .failing_raw(SourceError::Permission {
            what: "organizations".into(),
            detail: "prvReadOrganization".into(),
        })
        .build();
    let out = run(&source, fixtures::mailbox("mb", "a@contoso.com")).await;
    assert_eq!(out.status, Status::Error, "{out:?}");
    assert!(out.message.contains("prvReadOrganization"));
}
