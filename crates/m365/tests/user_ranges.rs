//! A large directory is read as several ranges of `userPrincipalName` side by side; the
//! ranges cover every user exactly once, whatever the names look like, and the answers are
//! those of the single chain of pages.

mod common;

use std::collections::BTreeSet;

use common::*;
use ssync_core::DataSource;
use ssync_m365::Options;
use ssync_sim::{Knobs, Scenario};

/// Names at and around the range bounds (`i`, `r` for three ranges, every letter for more),
/// upper case, digits, non-ASCII, and the ends of the alphabet.
const AWKWARD: &[&str] = &[
    "i@contoso.com",
    "I@contoso.com.au",
    "h.zz@contoso.com",
    "IVAN@contoso.com",
    "r@contoso.com",
    "R.Q@contoso.com",
    "q~@contoso.com",
    "007@contoso.com",
    "0@contoso.com",
    "ørjan@contoso.com",
    "émile@contoso.com",
    "Ångström@contoso.com",
    "李@contoso.com",
    "aaron@contoso.com",
    "zz@contoso.com",
    "~tilde@contoso.com",
    "_under@contoso.com",
];

fn scenario() -> (Scenario, Vec<String>) {
    let mut scenario = Scenario::generated(30);
    let filler: Vec<String> = (0..400)
        .map(|i| format!("{}{i}@contoso.com", ['b', 'k', 's', 'x'][i % 4]))
        .collect();
    let mut upns: Vec<&str> = AWKWARD.to_vec();
    upns.extend(filler.iter().map(String::as_str));
    scenario.add_directory_users(&upns);
    let ids = scenario.directory_user_ids();
    (scenario, ids)
}

/// Every user the source finds by id after a bulk `prepare`, with pages of `page_size`.
async fn users_found(page_size: u32) -> (BTreeSet<String>, u64) {
    let (scenario, ids) = scenario();
    let sim = sim(scenario, Knobs::default()).await;
    let options = Options {
        graph_page_size: page_size,
        targeted_max_mailboxes: 1,
        ..quick()
    };
    let source = connect(&sim, options).await;
    let all = source.mailboxes().await.unwrap();
    source.prepare(&plan(&all)).await.unwrap();
    let mut found = BTreeSet::new();
    for id in &ids {
        let user = source.entra_user_by_id(id).await.unwrap();
        let user = user.unwrap_or_else(|| panic!("user {id} not found with pages of {page_size}"));
        assert_eq!(&user.id, id);
        found.insert(user.id);
    }
    let graph = source.stats().graph_requests;
    sim.shutdown().await;
    (found, graph)
}

#[tokio::test]
async fn ranges_cover_every_user_once_and_answer_as_the_single_chain_does() {
    // 447 users in pages of 10: 45 pages, more than enough to split.
    let (split, split_requests) = users_found(10).await;
    // One page of 999: no split.
    let (chain, _) = users_found(999).await;
    assert_eq!(split, chain);
    assert_eq!(split.len(), scenario().1.len());
    // The count, then each range's pages: at least the 45 pages of the directory.
    assert!(split_requests > 45, "{split_requests} Graph requests");
}
