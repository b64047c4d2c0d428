//! The unauthenticated EWS probe against the simulated on-premises servers.

mod common;

use common::*;
use ssync_core::{DataSource, SourceError};
use ssync_sim::{Knobs, Scenario};

#[tokio::test]
async fn probe_reads_every_challenge_once_per_url_and_never_touches_exchange_online() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    let basic = sim.ews_server_url("mail-basic");
    let legacy = sim.ews_server_url("mail-legacy");

    let p = source.ews_probe(&basic).await.unwrap();
    assert_eq!(p.status, 401);
    assert!(
        p.offers("Basic") && p.offers("NTLM") && p.offers("Negotiate"),
        "{:?}",
        p.schemes()
    );
    let p = source.ews_probe(&legacy).await.unwrap();
    assert!(!p.offers("Basic") && p.offers("NTLM"), "{:?}", p.schemes());
    let _ = source.ews_probe(&basic).await.unwrap();
    assert_eq!(sim.stats().ews.requests, 2, "one probe per distinct URL");

    let err = source
        .ews_probe("https://outlook.office365.com/EWS/Exchange.asmx")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Unsupported(m) if m.contains("Exchange Online")),
        "{err:?}"
    );
    let err = source
        .ews_probe("http://mail.contoso.com/EWS/Exchange.asmx")
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Unsupported(_)));
    assert_eq!(sim.stats().ews.requests, 2);
    sim.shutdown().await;
}
