//! Every data-interface method against the bundled contoso scenario, paging, throttling and
//! fault injection.

mod common;

use std::time::Duration;

use common::*;
use ssync_core::records::*;
use ssync_core::{DataSource, RawService, SourceError};
use ssync_m365::{LiveSource, Options};
use ssync_sim::{Knobs, Scenario, ServiceLimits};

async fn one(source: &LiveSource, address: &str) -> Mailbox {
    let found = source.find_mailboxes(&[address.to_owned()]).await.unwrap();
    assert_eq!(found.len(), 1, "{address}: {found:?}");
    found.into_iter().next().unwrap()
}

async fn check_contoso(source: &LiveSource) {
    let env = source.environment().await.unwrap();
    assert_eq!(env.tenant_id, "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b");

    let all = source.mailboxes().await.unwrap();
    assert_eq!(all.len(), 29, "27 in the run, victor and wendy outside it");
    assert!(
        all.iter()
            .any(|m| m.email_address.as_deref() == Some("wendy@contoso.com") && !m.active)
    );
    let victor = all
        .iter()
        .find(|m| m.email_address.as_deref() == Some("victor@contoso.com"))
        .unwrap();
    assert!(!victor.delivery.uses_server_side_sync());

    let profiles = source.profiles().await.unwrap();
    assert_eq!(profiles.len(), 9);
    let ntlm = profiles
        .iter()
        .find(|p| p.name == "Exchange On-Premises (NTLM only)")
        .unwrap();
    assert_eq!(ntlm.server_type, ServerType::ExchangeServer);
    assert_eq!(ntlm.incoming.auth_protocol, Some(AuthProtocol::Basic));
    let fabrikam = profiles
        .iter()
        .find(|p| p.name == "Fabrikam cross-tenant OAuth")
        .unwrap();
    assert!(!fabrikam.use_default_tenant_id);
    assert_eq!(
        fabrikam.exchange_online_tenant_id.as_deref(),
        Some("9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c")
    );
    assert_eq!(fabrikam.authorization.secret_set, Some(true));
    assert_eq!(fabrikam.authorization.last_status, None);
    // cross-tenant-app-credentials: the Northwind profile's last authorisation test failed.
    let northwind = profiles
        .iter()
        .find(|p| p.name == "Northwind cross-tenant OAuth")
        .unwrap();
    let auth = &northwind.authorization;
    assert_eq!(
        auth.client_id.as_deref(),
        Some("4e5f6071-8293-4aa4-b5c6-d7e8f9a0b1c2")
    );
    assert_eq!(auth.last_status, Some(AuthorizationStatus::Failure));
    assert!(
        auth.last_message
            .as_deref()
            .is_some_and(|m| m.starts_with("AADSTS7000222"))
    );
    assert_eq!(auth.last_test_start.as_deref(), Some("2026-11-30T07:45:00Z"));
    assert_eq!(
        source.profile(&ntlm.id.to_uppercase()).await.unwrap().as_ref(),
        Some(ntlm)
    );
    assert_eq!(
        source
            .profile("00000000-0000-0000-0000-000000000000")
            .await
            .unwrap(),
        None
    );

    let on_ntlm = source.mailboxes_on_profile(&ntlm.id).await.unwrap();
    assert_eq!(
        on_ntlm
            .iter()
            .filter_map(|m| m.email_address.as_deref())
            .collect::<Vec<_>>(),
        ["quentin@contoso.com"]
    );

    let heidi = one(source, "heidi.park@contoso.com").await;
    assert_eq!(heidi.email_address.as_deref(), Some("Heidi.Park@Contoso.com"));
    let alice = one(source, "alice@contoso.com").await;
    let Regarding::User(uid) = &alice.regarding else {
        panic!("{:?}", alice.regarding)
    };
    let su = source
        .system_user(uid)
        .await
        .unwrap()
        .expect("alice's Dataverse user");
    let oid = su.entra_object_id.clone().expect("an Entra object id");
    let user = source
        .entra_user_by_id(&oid)
        .await
        .unwrap()
        .expect("alice in Entra");
    assert!(user.assigned_plans.iter().any(|p| p.service == "exchange"));
    assert_eq!(
        source
            .entra_user_by_id("00000000-0000-0000-0000-000000000000")
            .await
            .unwrap(),
        None
    );

    let support = one(source, "support@contoso.com").await;
    let Regarding::Queue(qid) = &support.regarding else {
        panic!("{:?}", support.regarding)
    };
    assert_eq!(
        source.queue(qid).await.unwrap().unwrap().email_address.as_deref(),
        Some("support@contoso.com")
    );
    let shared = source
        .entra_user_by_address("support@contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        source.mailbox_location(&shared.id).await.unwrap(),
        MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::Shared)
        }
    ));

    let grace = source
        .entra_user_by_address("G.Hopper@contoso.com")
        .await
        .unwrap()
        .expect("alias finds grace");
    assert_eq!(
        ssync_core::address::classify("g.hopper@contoso.com", &grace),
        ssync_core::address::AddressMatch::Secondary
    );
    assert_eq!(
        source.entra_user_by_address("nobody@contoso.com").await.unwrap(),
        None
    );

    let ivan = source
        .entra_user_by_address("ivan@contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        source.mailbox_location(&ivan.id).await.unwrap(),
        MailboxLocation::NotInExchangeOnline { .. }
    ));
    let ingrid = source
        .entra_user_by_address("ingrid@contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        source.mailbox_location(&ingrid.id).await.unwrap(),
        MailboxLocation::ExchangeOnline { .. }
    ));

    let twins = source.deleted_users_matching("SAM@contoso.com").await.unwrap();
    assert_eq!(twins.len(), 1, "{twins:?}");
    assert!(
        source
            .deleted_users_matching("alice@contoso.com")
            .await
            .unwrap()
            .is_empty()
    );

    let sam = one(source, "sam@contoso.com").await;
    let alerts = source.mailbox_alerts(&sam.id).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.level == AlertLevel::Error && a.mentions("NoUserFoundWithGivenClaims")),
        "{alerts:?}"
    );
    assert!(
        alerts.windows(2).all(|w| w[0].last_seen >= w[1].last_seen),
        "newest first"
    );
    assert!(
        source
            .mailbox_alerts(&alice.id)
            .await
            .unwrap()
            .iter()
            .all(|a| !a.mentions("NoUserFoundWithGivenClaims"))
    );

    let v = source.raw_get(RawService::Graph, "organization").await.unwrap();
    assert!(v.get("value").is_some());
    // A repeated raw read is answered from the run's facts: one request, the same answer.
    let path = "organizations?$select=requireapprovalforuseremail,requireapprovalforqueueemail";
    let before = source.stats().dataverse_requests;
    let first = source.raw_get(RawService::Dataverse, path).await.unwrap();
    let again = source.raw_get(RawService::Dataverse, path).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(
        source.stats().dataverse_requests - before,
        1,
        "one request for two reads"
    );
    assert_eq!(first["value"][0]["requireapprovalforuseremail"], true, "{first}");
    assert_eq!(
        first["value"][0]["requireapprovalforqueueemail"], false,
        "{first}"
    );
    let v = source
        .raw_get(RawService::Dataverse, "emailserverprofiles?$select=name")
        .await
        .unwrap();
    assert_eq!(v["value"].as_array().map(Vec::len), Some(9));
}

#[tokio::test]
async fn every_method_reads_the_contoso_facts_targeted_and_in_bulk() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let targeted = connect(&sim, quick()).await;
    check_contoso(&targeted).await;

    let bulk = connect(
        &sim,
        Options {
            targeted_max_mailboxes: 0,
            ..quick()
        },
    )
    .await;
    let all = bulk.mailboxes().await.unwrap();
    bulk.prepare(&plan(&all)).await.unwrap();
    check_contoso(&bulk).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn small_pages_are_followed_to_the_end() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let source = connect(
        &sim,
        Options {
            dataverse_page_size: 3,
            graph_page_size: 2,
            targeted_max_mailboxes: 0,
            // The chain of next links is what this test follows (ranges: `requests.rs`).
            max_ranges: 1,
            ..quick()
        },
    )
    .await;
    let before = sim.stats().dataverse.requests;
    assert_eq!(source.mailboxes().await.unwrap().len(), 29);
    assert_eq!(
        sim.stats().dataverse.requests - before,
        10,
        "29 mailboxes in pages of 3"
    );
    let all = source.mailboxes().await.unwrap();
    source.prepare(&plan(&all)).await.unwrap();
    assert!(
        source
            .entra_user_by_address("nina@contoso.com")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sim.stats().graph.routes.values().sum::<u64>() > 5,
        "users read in several pages of 2"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn service_protection_limits_are_waited_out() {
    let knobs = Knobs {
        limits: Some(ServiceLimits {
            requests_per_window: 4,
            window: Duration::from_secs(1),
            max_concurrent: 52,
        }),
        ..Knobs::default()
    };
    let sim = common::sim(Scenario::contoso(), knobs).await;
    let source = connect(
        &sim,
        Options {
            dataverse_page_size: 2,
            ..quick()
        },
    )
    .await;
    assert_eq!(
        source.mailboxes().await.unwrap().len(),
        29,
        "13 pages under a limit of 4 per second"
    );
    let sim_stats = sim.stats();
    assert!(sim_stats.dataverse.throttled > 0, "the simulator throttled");
    assert_eq!(
        source.stats().throttled,
        sim_stats.dataverse.throttled + sim_stats.graph.throttled
    );
    assert!(source.stats().retries >= source.stats().throttled);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_faults_map_onto_source_errors() {
    let mut knobs = Knobs::default();
    knobs.faults.dataverse.looping_next_link = true;
    knobs.faults.graph.malformed_json_rate = 1.0;
    let sim = common::sim(Scenario::contoso(), knobs).await;
    let source = connect(
        &sim,
        Options {
            dataverse_page_size: 2,
            ..quick()
        },
    )
    .await;
    let err = source.mailboxes().await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("nextLink")),
        "{err:?}"
    );
    let err = source
        .deleted_users_matching("sam@contoso.com")
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Malformed { .. }), "{err:?}");
    sim.shutdown().await;

    let mut knobs = Knobs::default();
    knobs.faults.graph.down = true;
    let sim = common::sim(Scenario::contoso(), knobs).await;
    let err = LiveSource::connect(
        settings(&sim),
        Options {
            max_retries: 1,
            ..quick()
        },
    )
    .await;
    let source = err.expect("Graph being down does not stop sign-in");
    let err = source
        .entra_user_by_address("alice@contoso.com")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::Http { status: 503, .. } | SourceError::Unreachable { .. }
        ),
        "{err:?}"
    );
    sim.shutdown().await;

    let mut knobs = Knobs::default();
    knobs.faults.dataverse.drop_rate = 1.0;
    let sim = common::sim(Scenario::contoso(), knobs).await;
    let err = LiveSource::connect(
        settings(&sim),
        Options {
            max_retries: 1,
            ..quick()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ssync_m365::ConnectError::Unreachable(_)), "{err:?}");
    sim.shutdown().await;
}

/// Microsoft lists `tracelog` rows per mailbox and profile without a documented limit; an
/// environment can hold millions. The alert read takes error-level traces of the alert window
/// only, newest first, at most `ALERTS_PER_MAILBOX` (50) per mailbox, so its size does not
/// follow the table's (docs/configuration.md, `[alerts]`).
#[tokio::test]
async fn the_alert_read_is_bounded_over_a_million_traces() {
    let knobs = Knobs {
        noise_traces: 1_000_000,
        ..Knobs::default()
    };
    let sim = common::sim(Scenario::contoso(), knobs).await;
    let source = connect(&sim, quick()).await;
    let mailboxes = source.mailboxes().await.unwrap();
    let before = source.stats().dataverse_requests;
    source.prepare(&common::plan(&mailboxes)).await.unwrap();
    let since = (time::OffsetDateTime::now_utc() - time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut total = 0;
    for m in &mailboxes {
        let alerts = source.mailbox_alerts(&m.id).await.unwrap();
        assert!(alerts.len() <= 50, "{}: {} alerts", m.name, alerts.len());
        assert!(alerts.iter().all(|a| a.level == AlertLevel::Error));
        assert!(
            alerts
                .iter()
                .all(|a| a.last_seen.as_deref().is_some_and(|s| s > since.as_str())),
            "only the alert window"
        );
        total += alerts.len();
    }
    // Made-up traces regard every mailbox, so most mailboxes hit the bound.
    assert!(total > 500, "{total}");
    let sam = one(&source, "sam@contoso.com").await;
    assert!(
        source
            .mailbox_alerts(&sam.id)
            .await
            .unwrap()
            .iter()
            .any(|a| a.mentions("NoUserFoundWithGivenClaims")),
        "the newest alert is kept"
    );
    // One request per 50 mailboxes, one page each: the bound stops the paging.
    let requests = source.stats().dataverse_requests - before;
    assert!(requests <= 20, "{requests} Dataverse requests");
    sim.shutdown().await;
}
