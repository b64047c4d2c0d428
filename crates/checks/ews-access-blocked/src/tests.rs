use ssync_core::prelude::*;
use ssync_core::{MemorySource, evaluate, fixtures};

use super::EwsAccessBlocked;

async fn run(mailbox: Mailbox) -> Outcome {
    let source = MemorySource::builder().mailbox(mailbox.clone()).build();
    evaluate(
        &EwsAccessBlocked,
        &CheckContext::new(&source),
        &Subject::Mailbox(mailbox),
    )
    .await
}

#[tokio::test]
async fn mailbox_with_address_passes() {
    let out = run(fixtures::mailbox("mb", "frank@fabrikam.com")).await;
    assert_eq!(out.status, Status::Pass, "{out:?}");
}

#[tokio::test]
async fn mailbox_without_address_warns() {
    let mut mailbox = fixtures::mailbox("mb", "frank@fabrikam.com");
    mailbox.email_address = None;
    let out = run(mailbox).await;
    assert_eq!(out.status, Status::Warn, "{out:?}");
    assert_eq!(out.evidence["mailbox_id"], "mb");
}
