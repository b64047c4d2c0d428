//! Few mailboxes in a large directory: their users are looked up in `$batch`es instead of
//! paging through the whole directory, chosen by the directory's size (`/users/$count`). The
//! answers are the same either way.

mod common;

use common::*;
use ssync_core::{DataSource, lookup};
use ssync_m365::Options;
use ssync_sim::{Knobs, Scenario};

/// 100 mailboxes, and 2,000 more users without one.
fn scenario() -> Scenario {
    let mut scenario = Scenario::generated(100);
    let others: Vec<String> = (0..2_000).map(|i| format!("staff{i}@contoso.com")).collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    scenario.add_directory_users(&others);
    scenario
}

/// What the checks learn of each mailbox's Entra user after a bulk `prepare` with Graph
/// pages of `page_size`, and the Graph requests it took.
async fn facts(page_size: u32) -> (Vec<String>, u64) {
    let sim = sim(scenario(), Knobs::default()).await;
    let options = Options {
        graph_page_size: page_size,
        targeted_max_mailboxes: 1,
        ..quick()
    };
    let source = connect(&sim, options).await;
    let all = source.mailboxes().await.unwrap();
    source.prepare(&plan(&all)).await.unwrap();
    let mut facts = Vec::new();
    for m in &all {
        let owner = lookup::mailbox_owner(&source, m).await.unwrap();
        let by_address = match m.email_address.as_deref() {
            Some(a) => source.entra_user_by_address(a).await.unwrap(),
            None => None,
        };
        facts.push(format!("{}: {owner:?} / {by_address:?}", m.id));
    }
    let graph = source.stats().graph_requests;
    sim.shutdown().await;
    (facts, graph)
}

#[tokio::test]
async fn batch_look_ups_and_directory_pages_give_the_same_facts() {
    // Pages of 10: 211 pages against 10 batches of look-ups, so batches.
    let (batched, batched_requests) = facts(10).await;
    // Pages of 999: 3 pages against 10 batches, so pages.
    let (paged, paged_requests) = facts(999).await;
    assert_eq!(batched.len(), 100);
    assert_eq!(batched, paged);
    assert!(
        batched_requests < 100,
        "the directory was paged: {batched_requests} Graph requests"
    );
    eprintln!("Graph requests: {batched_requests} by $batch, {paged_requests} by pages");
}
