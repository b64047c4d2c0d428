//! A large directory is read as several ranges of `userPrincipalName` side by side; the
//! ranges cover every user exactly once, whatever the names look like, and the answers are
//! those of the single chain of pages.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use ssync_core::DataSource;
use ssync_m365::Options;
use ssync_sim::{Knobs, Scenario};

/// Names at and around the range bounds (`g`, `n`, `t` for four ranges), upper case,
/// digits, non-ASCII, and the ends of the alphabet.
const AWKWARD: &[&str] = &[
    "g@contoso.com",
    "G@contoso.com.au",
    "n@contoso.com",
    "N.x@contoso.com",
    "mz@contoso.com",
    "t@contoso.com",
    "T@contoso.com.au",
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
    // Mailboxes enough next to the directory that it is read in pages, not looked up by
    // `$batch` (see users_by_batch.rs).
    let mut scenario = Scenario::generated(500);
    let filler: Vec<String> = (0..3_000)
        .map(|i| format!("{}{i}@contoso.com", ['b', 'k', 's', 'x'][i % 4]))
        .collect();
    let mut upns: Vec<&str> = AWKWARD.to_vec();
    upns.extend(filler.iter().map(String::as_str));
    scenario.add_directory_users(&upns);
    let ids = scenario.directory_user_ids();
    (scenario, ids)
}

/// The source's log lines, to tell which way it read the directory.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every user the source finds by id after a bulk `prepare`, with pages of `page_size`, and
/// what the source logged meanwhile.
async fn users_found(page_size: u32) -> (BTreeSet<String>, u64, String) {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
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
    (found, graph, logs.text())
}

#[tokio::test]
async fn ranges_cover_every_user_once_and_answer_as_the_single_chain_does() {
    // About 3,500 users in pages of 100: 36 pages, read as four ranges.
    let (split, split_requests, logs) = users_found(100).await;
    assert!(logs.contains("in ranges side by side"), "{logs}");
    assert!(!logs.contains("refused ranges"), "{logs}");
    // Pages of 999: four, too few to split.
    let (chain, _, logs) = users_found(999).await;
    assert!(!logs.contains("in ranges side by side"), "{logs}");
    assert_eq!(split, chain);
    assert_eq!(split.len(), scenario().1.len());
    // The count, then each range's pages: at least the 36 pages of the directory.
    assert!(split_requests > 36, "{split_requests} Graph requests");
}
