//! The 100,000-mailbox generated scenario starts in under 10 s and serves pages of 5000.
//! Slow in a debug build, so ignored by default; measure with
//! `cargo test --release -p ssync-sim --test scale -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use ssync_sim::{Knobs, Scenario};

#[tokio::test]
#[ignore = "run in release mode; see docs/scenarios.md"]
async fn hundred_thousand_mailboxes() {
    let started = Instant::now();
    let scenario = Scenario::generated(100_000);
    let generated = started.elapsed();
    let sim = ssync_sim::start(scenario, Knobs::default()).await.expect("start");
    let ready = started.elapsed();
    println!("generated 100,000 mailboxes in {generated:?}; serving after {ready:?}");
    assert!(ready < Duration::from_secs(10), "{ready:?}");

    let t = dataverse_token(&sim).await;
    let mut url = format!(
        "{}?$select=name,emailaddress,_regardingobjectid_value,_emailserverprofile_value,statecode,incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod&$filter=statecode eq 0",
        api(&sim, "mailboxes")
    );
    let prefer =
        "odata.maxpagesize=5000,odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\"";
    let (mut pages, mut rows, mut slowest) = (0, 0, Duration::ZERO);
    let all = Instant::now();
    loop {
        let t0 = Instant::now();
        let (s, b) = get(&url, &t, Some(prefer)).await;
        slowest = slowest.max(t0.elapsed());
        assert_eq!(s, StatusCode::OK);
        let n = b["value"].as_array().map(Vec::len).unwrap_or(0);
        rows += n;
        pages += 1;
        match b["@odata.nextLink"].as_str() {
            Some(next) => {
                assert_eq!(n, 5000);
                url = next.to_owned();
            }
            None => break,
        }
    }
    println!(
        "read {rows} mailboxes in {pages} pages in {:?} (slowest page {slowest:?})",
        all.elapsed()
    );
    assert_eq!((rows, pages), (100_000, 20));

    // Index-backed look-ups stay cheap at this size.
    let g = graph_token(&sim).await;
    let t0 = Instant::now();
    let (s, b) = get(
        &graph(&sim, "users?$select=id,assignedPlans&$filter=proxyAddresses/any(x:x%20eq%20'smtp:user099999@generated.example')"),
        &g,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["value"].as_array().map(Vec::len), Some(1));
    println!(
        "Graph proxy-address look-up among 100,000 users: {:?}",
        t0.elapsed()
    );
    sim.shutdown().await;
}
