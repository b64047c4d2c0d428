//! Alerts: error-level `tracelogs` rows inside the alert window, grouped by the mailbox they
//! regard.

use std::collections::HashMap;

use ssync_core::records::Alert;

use super::dataverse::IDS_PER_FILTER;
use super::decode;
use super::query::any_guid_eq;
use super::{Read, Reader};
use crate::transport::Service;

/// Alerts by the (lower-cased) id of the record they regard.
type AlertsByMailbox = HashMap<String, Vec<Alert>>;

impl Reader {
    /// Error-level alerts regarding the given mailboxes, grouped by mailbox id (lower case),
    /// newest first, at most [`ALERTS_PER_MAILBOX`] each.
    pub(crate) async fn read_alerts(&self, mailbox_ids: &[String]) -> Read<AlertsByMailbox> {
        let mut out: AlertsByMailbox = HashMap::new();
        let ids: Vec<String> = mailbox_ids
            .iter()
            .filter(|i| decode::is_guid(i))
            .cloned()
            .collect();
        for chunk in ids.chunks(IDS_PER_FILTER) {
            let regarding = any_guid_eq("_regardingobjectid_value", chunk);
            let items = self
                .read_alert_rows(&regarding, ALERTS_PER_MAILBOX * chunk.len())
                .await?;
            group_alerts(&mut out, items);
        }
        Ok(out)
    }

    /// The newest [`MAX_ALERTS_READ`] error-level alerts inside the window that regard a
    /// record (a tracelog regards a mailbox or an e-mail server profile, §A.7).
    pub(crate) async fn read_all_alerts(&self) -> Read<AlertsByMailbox> {
        let items = self
            .read_alert_rows("_regardingobjectid_value ne null", MAX_ALERTS_READ)
            .await?;
        let mut out = HashMap::new();
        group_alerts(&mut out, items);
        Ok(out)
    }

    /// One bounded read of `tracelogs`: error level only, modified inside the alert window,
    /// regarding what `regarding` selects, the columns the checks use, newest first with the
    /// unique `tracelogid` breaking ties so that paging neither repeats nor skips a row, and
    /// no page past `limit` rows.
    async fn read_alert_rows(&self, regarding: &str, limit: usize) -> Read<Vec<(Option<String>, Alert)>> {
        let filter = alert_filter(&self.alerts_since(), regarding);
        let url = self.client.url(
            Service::Dataverse,
            "tracelogs",
            &[
                ("$select", decode::ALERT_COLUMNS),
                ("$filter", &filter),
                ("$orderby", ALERT_ORDER),
            ],
        )?;
        self.client
            .collect_decoded_at_most(Service::Dataverse, url, "tracelogs", decode::alert, limit)
            .await
    }

    pub(crate) async fn read_alerts_of(&self, mailbox_id: &str) -> Read<Vec<Alert>> {
        let mut all = self.read_alerts(&[mailbox_id.to_owned()]).await?;
        Ok(all.remove(&mailbox_id.to_ascii_lowercase()).unwrap_or_default())
    }
}

/// Alerts kept per mailbox: the newest. Checks look for a marker in a recent alert; a mailbox
/// that failed for weeks has many rows saying the same thing (repeats mostly update one row,
/// §A.7), so the newest fifty say all there is.
pub(crate) const ALERTS_PER_MAILBOX: usize = 50;

/// The most alerts one environment-wide read takes (20 pages of 5,000), newest first. The
/// tracelog table can hold millions of rows; this bounds the pages, memory and time.
pub(crate) const MAX_ALERTS_READ: usize = 100_000;

/// `tracelog.level` 3 = Error (PA-ENT tracelog.md, §A.7).
const ALERT_LEVEL_ERROR: i32 = 3;

/// Newest first; `tracelogid` is unique, so rows with the same `modifiedon` keep one order
/// from page to page.
pub(crate) const ALERT_ORDER: &str = "modifiedon desc,tracelogid desc";

/// The `$filter` of an alert read: error level, modified after `since` (Dataverse takes a
/// date-time literal unquoted), and `regarding`.
pub(crate) fn alert_filter(since: &str, regarding: &str) -> String {
    format!("level eq {ALERT_LEVEL_ERROR} and modifiedon gt {since} and {regarding}")
}

fn group_alerts(out: &mut AlertsByMailbox, items: Vec<(Option<String>, Alert)>) {
    // The rows come newest first; keep that order and the newest few per mailbox.
    for (regarding, alert) in items {
        if let Some(r) = regarding {
            let list = out.entry(r).or_default();
            if list.len() < ALERTS_PER_MAILBOX {
                list.push(alert);
            }
        }
    }
    for list in out.values_mut() {
        decode::newest_first(list);
    }
}
