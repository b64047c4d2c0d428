//! Requests grow with pages, not with mailboxes: counted by the simulator.

mod common;

use common::*;
use ssync_core::records::{Mailbox, Regarding};
use ssync_core::{DataNeed, DataSource, hosts};
use ssync_m365::{ClientStats, Options};
use ssync_sim::{Knobs, Scenario, Service, Stats};

/// HTTP requests that count against the budget: everything but EWS probes. The simulator's
/// Graph count also includes each request inside a `$batch` (Graph throttles them one by
/// one), so the HTTP count comes from the client and is checked against the simulator's
/// counts for the other services.
fn counted(client: &ClientStats, sim: &Stats) -> u64 {
    assert_eq!(client.identity_requests, sim.service(Service::Identity).requests);
    assert_eq!(
        client.dataverse_requests,
        sim.service(Service::Dataverse).requests
    );
    assert_eq!(client.ews_requests, sim.service(Service::Ews).requests);
    assert!(client.graph_requests <= sim.service(Service::Graph).requests);
    client.total_requests() - client.ews_requests
}

#[tokio::test]
async fn a_single_mailbox_run_needs_at_most_twelve_requests() {
    for address in [
        "alice@contoso.com",
        "support@contoso.com",
        "sam@contoso.com",
        "ingrid@contoso.com",
        "quentin@contoso.com",
        "oscar@fabrikam.com",
    ] {
        let sim = sim(Scenario::contoso(), Knobs::default()).await;
        let source = connect(&sim, quick()).await;
        let found = source.find_mailboxes(&[address.to_owned()]).await.unwrap();
        assert_eq!(found.len(), 1);
        source.prepare(&plan(&found)).await.unwrap();
        checks_reads(&source, &found[0]).await.unwrap();
        profile_reads(&source, found[0].profile_id.as_deref().unwrap())
            .await
            .unwrap();
        let (client, stats) = (source.stats(), sim.stats());
        let n = counted(&client, &stats);
        eprintln!("{address}: {n} HTTP requests ({client:?})");
        assert!(n <= 12, "{address}: {n} requests: {client:?} {stats:#?}");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn a_ten_thousand_mailbox_run_needs_fewer_than_a_hundred_requests() {
    let sim = sim(Scenario::generated(10_000), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    let all = source.mailboxes().await.unwrap();
    let run: Vec<Mailbox> = all
        .into_iter()
        .filter(|m| m.active && m.delivery.uses_server_side_sync())
        .collect();
    assert_eq!(run.len(), 10_000);
    source.prepare(&plan(&run)).await.unwrap();
    let started = std::time::Instant::now();
    for m in &run {
        checks_reads(&source, m).await.unwrap();
    }
    let mut profiles: Vec<&str> = run.iter().filter_map(|m| m.profile_id.as_deref()).collect();
    profiles.sort();
    profiles.dedup();
    for p in profiles {
        profile_reads(&source, p).await.unwrap();
    }
    eprintln!("reads of 10,000 mailboxes took {:?}", started.elapsed());
    let (client, stats) = (source.stats(), sim.stats());
    let n = counted(&client, &stats);
    eprintln!("10,000 mailboxes: {n} HTTP requests ({client:?})");
    assert!(n < 100, "{n} requests: {client:?} {stats:#?}");
    // No profile of the generated tenant is on-premises, so nothing was left uncounted.
    for p in source.profiles().await.unwrap() {
        assert!(p.server_locations().iter().all(|l| hosts::is_exchange_online(l)));
    }
    sim.shutdown().await;
}

/// Requests per service (identity, Dataverse, Graph), as the simulator counted them.
fn per_service(stats: &Stats) -> [u64; 3] {
    [Service::Identity, Service::Dataverse, Service::Graph].map(|s| stats.service(s).requests)
}

#[tokio::test]
async fn anticipating_a_large_environment_starts_the_directory_early_and_reads_nothing_twice() {
    let mut runs = Vec::new();
    for anticipate in [false, true] {
        let sim = sim(Scenario::generated(10_000), Knobs::default()).await;
        let source = connect(&sim, quick()).await;
        let all = if anticipate {
            let (all, ()) = tokio::join!(source.mailboxes(), source.anticipate(&DataNeed::ALL));
            all.unwrap()
        } else {
            source.mailboxes().await.unwrap()
        };
        let graph_before_prepare = sim.stats().service(Service::Graph).requests;
        source.prepare(&plan(&all)).await.unwrap();
        for m in &all {
            checks_reads(&source, m).await.unwrap();
        }
        runs.push((graph_before_prepare, per_service(&sim.stats())));
        sim.shutdown().await;
    }
    let (plain, anticipated) = (runs[0], runs[1]);
    assert_eq!(plain.0, 0, "without anticipation Graph waits for prepare");
    assert!(
        anticipated.0 >= 11,
        "every page of Entra users was read beside the mailboxes: {anticipated:?}"
    );
    assert_eq!(plain.1, anticipated.1, "the same requests, only earlier");
}

#[tokio::test]
async fn a_small_environment_is_not_read_ahead() {
    let sim = sim(Scenario::contoso(), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    let mailboxes_only = {
        source.mailboxes().await.unwrap();
        per_service(&sim.stats())
    };
    // The mailbox list is cached: anticipation after it has nothing to wait for.
    source.anticipate(&DataNeed::ALL).await;
    assert_eq!(per_service(&sim.stats()), mailboxes_only);
    sim.shutdown().await;
}

/// Issue 14: an online organisation stores its Exchange Online profile as servertype 0, and
/// mailboxes on it must not get a `mailboxSettings` read (meant for on-premises profiles),
/// whether the run is small (targeted `$batch`) or large (bulk pages).
#[tokio::test]
async fn mailboxes_on_the_default_exchange_online_profile_get_no_mailbox_settings_read() {
    for n in [5, 3_000] {
        let sim = sim(Scenario::generated(n), Knobs::default()).await;
        let source = connect(&sim, quick()).await;
        let all = source.mailboxes().await.unwrap();
        source.prepare(&plan(&all)).await.unwrap();
        for m in &all {
            checks_reads(&source, m).await.unwrap();
        }
        let profile = source.profiles().await.unwrap().remove(0);
        assert_eq!(
            profile.server_type.value(),
            0,
            "stored as an online organisation does"
        );
        let stats = sim.stats();
        let settings_reads: u64 = stats
            .service(Service::Graph)
            .routes
            .iter()
            .filter(|(route, _)| route.contains("mailboxSettings"))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            settings_reads,
            0,
            "{n} mailboxes: {:#?}",
            stats.service(Service::Graph).routes
        );
        sim.shutdown().await;
    }
}

/// The progress indicator's read count: every record of every page is counted once.
#[tokio::test]
async fn records_read_counts_the_records_of_every_page() {
    let sim = sim(Scenario::generated(12), Knobs::default()).await;
    let source = connect(&sim, quick()).await;
    assert_eq!(source.records_read(), Some(0));
    let all = source.mailboxes().await.unwrap();
    assert_eq!(source.records_read(), Some(all.len() as u64));
    sim.shutdown().await;
}

/// Issue 20: a table of more than a page is read as ranges of its key side by side, and the
/// ranges return exactly what one chain of pages returns: every mailbox and every owner, each
/// once; so does the fallback when the service refuses the ranges.
#[tokio::test]
async fn large_tables_read_in_key_ranges_return_what_one_chain_returns() {
    let mut runs = Vec::new();
    // One chain; ranges; ranges refused (400); ranges on a faulty network, where one in
    // eight Dataverse answers is a 500, a dropped body or a garbled 200 (each retried).
    for (max_ranges, refused, faulty) in [
        (1, false, false),
        (16, false, false),
        (16, true, false),
        (16, false, true),
    ] {
        let mut knobs = Knobs::default();
        knobs.faults.dataverse.refuse_key_ranges = refused;
        if faulty {
            knobs.faults.seed = 20;
            knobs.faults.dataverse.error_rate = 0.05;
            knobs.faults.dataverse.drop_rate = 0.04;
            knobs.faults.dataverse.garbled_rate = 0.04;
        }
        let sim = sim(Scenario::generated(12_000), knobs).await;
        let source = connect(
            &sim,
            Options {
                max_ranges,
                ..quick()
            },
        )
        .await;
        let all = source.mailboxes().await.unwrap();
        source.prepare(&plan(&all)).await.unwrap();
        let mut mailbox_ids: Vec<String> = all.iter().map(|m| m.id.clone()).collect();
        mailbox_ids.sort();
        let mut owners = Vec::new();
        for m in &all {
            if let Regarding::User(owner) = &m.regarding {
                owners.push(source.system_user(owner).await.unwrap().map(|u| u.id));
            }
        }
        let dataverse = sim.stats().service(Service::Dataverse).requests;
        runs.push((mailbox_ids, owners, dataverse));
        sim.shutdown().await;
    }
    let (chain, ranges) = (&runs[0], &runs[1]);
    assert_eq!(chain.0.len(), 12_000);
    let mut distinct = ranges.0.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 12_000, "no mailbox twice");
    assert_eq!(chain.0, ranges.0, "the same mailboxes");
    assert_eq!(chain.1.len(), 12_000);
    assert!(
        chain.1.iter().all(Option::is_some),
        "every owner found in one chain"
    );
    assert_eq!(chain.1, ranges.1, "the same owners");
    // One chain: 3 pages of mailboxes, 3 of system users. Ranges: the first page of
    // mailboxes, then for each table two reads of its span and four ranges of one page.
    assert!(
        ranges.2 > chain.2,
        "{} requests in ranges, {} in one chain",
        ranges.2,
        chain.2
    );
    assert!(
        ranges.2 <= chain.2 + 12,
        "{} requests in ranges, {} in one chain",
        ranges.2,
        chain.2
    );
    // A service that refuses to order GUIDs (400) is read as one chain: the same answers.
    let refused = &runs[2];
    assert_eq!((&refused.0, &refused.1), (&chain.0, &chain.1));
    // Faults cost retries, never records.
    let faulty = &runs[3];
    assert_eq!((&faulty.0, &faulty.1), (&chain.0, &chain.1));
    assert!(
        faulty.2 > ranges.2,
        "the faults were retried: {} against {}",
        faulty.2,
        ranges.2
    );
}
