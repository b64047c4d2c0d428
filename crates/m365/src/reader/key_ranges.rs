//! Reading a long Dataverse collection (every mailbox, every system user) as several ranges
//! of its primary key side by side, instead of one chain of `@odata.nextLink`s.
//!
//! Dataverse pages with a paging cookie in `@odata.nextLink`, so page k+1 cannot be asked for
//! before page k has arrived: at 2 s a page, the 21 pages of system users of a
//! 100,000-mailbox environment take 42 s whatever the client does. The Web API's `$filter`
//! takes `gt` and `le` and its `$orderby` sorts by any column
//! (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows,
//! "Comparison operators"; …/query/order-rows), so the table can be cut by its key.
//!
//! The ranges are `key le b1`, `key gt b1 and key le b2`, …, `key gt bn`. For any total order
//! the service compares GUIDs in, a key belongs to the range after the last bound it is
//! greater than, so the ranges cover every record by construction, whatever the order and
//! whatever the bounds; a key in two ranges (possible when the bounds do not increase in the
//! service's order) is kept once. The order only decides how evenly the records spread:
//!
//! * The bounds are cut between keys near the table's two ends as the service sorts them
//!   (`$orderby` ascending and descending, the 64th row of each), in SQL Server's
//!   `uniqueidentifier` order, Dataverse's store: the last group of the text form is the most
//!   significant (Microsoft Learn, *Comparing GUID and uniqueidentifier values*, ADO.NET).
//!   Keys that grow with time, as sequential GUIDs do in that order, are then cut where they
//!   are, not lumped into one range by their shared last group.
//! * Without that span (unreadable), fixed bounds (`h0000000-0000-0000-0000-h00000000000`)
//!   vary in the first digit of both the first and the last group, so random GUIDs spread
//!   evenly whether the service compares them as SQL Server or as text does.
//!
//! A service that refuses the comparison (HTTP 400) is read as one chain instead.

use std::collections::HashSet;

use serde_json::Value;
use ssync_core::SourceError;

use super::decode::{self, Decoded};
use super::{Read, Reader};
use crate::transport::Service;

/// The most ranges a Dataverse table is cut into: with 5,000 rows a page, four ranges take
/// the 100,000-row tables from 20 dependent pages to 5 or 6, shorter than the Graph users'
/// chain once that is split; more would only add partial pages.
const DATAVERSE_RANGES: usize = 4;

/// How many ranges a large Dataverse table is read in under `options`
/// ([`DATAVERSE_RANGES`], capped by `SSYNC_MAX_RANGES`).
pub(crate) fn dataverse_ranges(options: &crate::Options) -> usize {
    DATAVERSE_RANGES.min(options.max_ranges)
}

/// Keys read from each end of a table to find its span: the last of them bounds the span,
/// so that up to this many outliers (a table's system and application users, created apart
/// from the rest, with keys of another pattern) fall in the open first and last ranges
/// instead of stretching the cut over empty key space.
const TRIM_ROWS: u32 = 64;

/// One range of a GUID key: greater than `after`, at most `upto`; `None` is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRange {
    pub after: Option<String>,
    pub upto: Option<String>,
}

impl KeyRange {
    /// The `$filter` that selects the range of `key` (`None` for the whole table).
    pub(crate) fn filter(&self, key: &str) -> Option<String> {
        let after = self.after.as_deref().map(|b| format!("{key} gt {b}"));
        let upto = self.upto.as_deref().map(|b| format!("{key} le {b}"));
        match (after, upto) {
            (Some(a), Some(u)) => Some(format!("{a} and {u}")),
            (a, u) => a.or(u),
        }
    }
}

/// `count` ranges (1 to 16) covering every GUID, with fixed bounds (see the module's comment).
pub(crate) fn guid_ranges(count: usize) -> Vec<KeyRange> {
    let count = count.clamp(1, 16);
    let bounds = (1..count)
        .map(|i| {
            let digit = char::from_digit(u32::try_from(16 * i / count).unwrap_or(15), 16).unwrap_or('f');
            format!("{digit}0000000-0000-0000-0000-{digit}00000000000")
        })
        .collect();
    key_chain(bounds)
}

/// A GUID's 16 bytes in SQL Server's comparison order ([`SQL_SERVER_BYTE_ORDER`]), as one
/// number; `None` for anything but a GUID.
fn sql_server_value(guid: &str) -> Option<u128> {
    if !decode::is_guid(guid) {
        return None;
    }
    let hex: Vec<u8> = guid.bytes().filter(|c| *c != b'-').collect();
    let byte = |i: usize| u8::from_str_radix(std::str::from_utf8(&hex[2 * i..2 * i + 2]).ok()?, 16).ok();
    SQL_SERVER_BYTE_ORDER
        .iter()
        .try_fold(0u128, |acc, &i| Some(acc << 8 | u128::from(byte(i)?)))
}

/// Which byte of the text form SQL Server compares first, second, …: the last group (bytes
/// 10–15), bytes 8–9, then the first three groups each from its last byte. This is `SqlGuid`'s
/// order (`s_rgiGuidOrder` = 10…15, 8, 9, 6, 7, 4, 5, 0…3 in dotnet/runtime's SqlGuid.cs)
/// over `Guid.ToByteArray()`, whose first three groups are little-endian.
const SQL_SERVER_BYTE_ORDER: [usize; 16] = [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0];

/// The GUID whose [`sql_server_value`] is `value`.
fn from_sql_server_value(value: u128) -> String {
    let mut bytes = [0u8; 16];
    for (k, &i) in SQL_SERVER_BYTE_ORDER.iter().enumerate() {
        bytes[i] = (value >> (8 * (15 - k))) as u8;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `count` ranges (1 to 16) cut in equal steps between the table's `first` and `last` key in
/// SQL Server's order (see the module's comment); the fixed bounds of [`guid_ranges`] when
/// either is not a GUID or they are not in that order. Bounds increase strictly.
pub(crate) fn guid_ranges_between(first: &str, last: &str, count: usize) -> Vec<KeyRange> {
    let count = count.clamp(1, 16);
    let (Some(lo), Some(hi)) = (sql_server_value(first), sql_server_value(last)) else {
        return guid_ranges(count);
    };
    if hi <= lo {
        return guid_ranges(count);
    }
    let (step, rest) = ((hi - lo) / count as u128, (hi - lo) % count as u128);
    let mut bounds: Vec<u128> = Vec::new();
    for i in 1..count as u128 {
        let bound = lo + step * i + rest * i / count as u128;
        if bounds.last().is_none_or(|b| *b < bound) {
            bounds.push(bound);
        }
    }
    key_chain(bounds.into_iter().map(from_sql_server_value).collect())
}

/// Ranges sharing the (increasing) `bounds`, open at both ends: `make(None, b1)`,
/// `make(b1, b2)`, …, `make(bn, None)`. What a shared bound means (`gt` or `ge` on the low
/// side) is the range type's business.
pub(crate) fn chain<R>(bounds: Vec<String>, make: impl Fn(Option<String>, Option<String>) -> R) -> Vec<R> {
    let mut ranges = Vec::with_capacity(bounds.len() + 1);
    let mut low = None;
    for bound in bounds {
        ranges.push(make(low.take(), Some(bound.clone())));
        low = Some(bound);
    }
    ranges.push(make(low, None));
    ranges
}

/// [`chain`] of [`KeyRange`]s.
fn key_chain(bounds: Vec<String>) -> Vec<KeyRange> {
    chain(bounds, |after, upto| KeyRange { after, upto })
}

/// The records of every part, each id once (the first part that has it keeps it; ids compared
/// case-insensitively, as GUIDs are).
pub(crate) fn merge_unique<T>(parts: Vec<Vec<T>>, id: impl Fn(&T) -> &str) -> Vec<T> {
    let mut seen = HashSet::new();
    parts
        .into_iter()
        .flatten()
        .filter(|r| seen.insert(id(r).to_ascii_lowercase()))
        .collect()
}

impl Reader {
    /// Every record of `entity_set` as `ranges` ranges of `key` side by side (one chain when
    /// `ranges` is 1, or when the service refuses the comparison).
    pub(crate) async fn dataverse_records_in_ranges<T: Send + 'static>(
        &self,
        entity_set: &str,
        select: &str,
        key: &str,
        ranges: usize,
        decode: fn(&Value) -> Decoded<T>,
        id: fn(&T) -> &str,
    ) -> Read<Vec<T>> {
        if ranges <= 1 {
            return self.dataverse_records(entity_set, select, None, decode).await;
        }
        let bounds = match self.read_key_span(entity_set, key).await {
            Ok(Some((first, last))) => guid_ranges_between(&first, &last, ranges),
            // An empty table: one request says so.
            Ok(None) => guid_ranges(1),
            Err(e) => {
                tracing::debug!(entity_set, error = %e, "no first and last key; fixed bounds");
                guid_ranges(ranges)
            }
        };
        tracing::debug!(
            entity_set,
            ranges = bounds.len(),
            "reading a table in ranges of its key side by side"
        );
        let filters: Vec<Option<String>> = bounds.iter().map(|r| r.filter(key)).collect();
        let parts = futures::future::try_join_all(
            filters
                .iter()
                .map(|f| self.dataverse_records(entity_set, select, f.as_deref(), decode)),
        )
        .await;
        match parts {
            Ok(parts) => Ok(merge_unique(parts, id)),
            Err(SourceError::Http {
                status: 400, code, ..
            }) => {
                tracing::warn!(entity_set, %code, "Dataverse refused ranges of the key; reading the table in one chain");
                self.dataverse_records(entity_set, select, None, decode).await
            }
            Err(e) => Err(e),
        }
    }

    /// The span of `entity_set`'s keys as the service sorts them, two reads of
    /// [`TRIM_ROWS`] rows side by side (`$orderby` ascending and descending): the last row of
    /// each, so that a few keys far from the rest do not stretch the span; `None` for an empty
    /// table.
    async fn read_key_span(&self, entity_set: &str, key: &str) -> Read<Option<(String, String)>> {
        let end = |order: String| async move {
            let url = self.client.url(
                Service::Dataverse,
                entity_set,
                &[("$select", key), ("$orderby", order.as_str())],
            )?;
            let rows = self
                .client
                .dataverse_first_rows(&url, entity_set, TRIM_ROWS)
                .await?;
            Ok::<_, SourceError>(rows.last().and_then(|r| r[key].as_str().map(str::to_owned)))
        };
        let (first, last) = futures::try_join!(end(format!("{key} asc")), end(format!("{key} desc")))?;
        Ok(first.zip(last))
    }

    /// The first page of `entity_set` alone, and whether more follow.
    pub(crate) async fn dataverse_first_page<T: Send + 'static>(
        &self,
        entity_set: &str,
        select: &str,
        decode: fn(&Value) -> Decoded<T>,
        first_page: impl FnOnce(usize, bool),
    ) -> Read<(Vec<T>, bool)> {
        let url = self
            .client
            .url(Service::Dataverse, entity_set, &[("$select", select)])?;
        self.client
            .first_page_decoded(Service::Dataverse, url, entity_set, decode, first_page)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GUID's bytes in SQL Server's `uniqueidentifier` comparison order, computed the way
    /// `SqlGuid` does: its order of byte indices over the little-endian `ToByteArray()` form.
    fn sql_server_key(guid: &str) -> Vec<u8> {
        let hex: String = guid.chars().filter(|c| *c != '-').collect();
        let text = |i: usize| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        // Guid.ToByteArray(): the first three groups little-endian, the rest as written.
        let to_byte_array = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].map(text);
        let sql_guid_order = [10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3];
        sql_guid_order.iter().map(|&i| to_byte_array[i]).collect()
    }

    fn text_key(guid: &str) -> Vec<u8> {
        guid.to_ascii_lowercase().into_bytes()
    }

    /// Which ranges a key falls in, comparing as `order` does.
    fn ranges_of(key: &str, ranges: &[KeyRange], order: fn(&str) -> Vec<u8>) -> Vec<usize> {
        let k = order(key);
        ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.after.as_deref().is_none_or(|a| k > order(a))
                    && r.upto.as_deref().is_none_or(|u| k <= order(u))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn pseudo_random_guids(n: u64) -> Vec<String> {
        (0..n)
            .map(|i| {
                let a = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (i << 7);
                let b = a.rotate_left(29).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                from_sql_server_value(u128::from(a) << 64 | u128::from(b))
            })
            .collect()
    }

    #[test]
    fn every_key_is_in_exactly_one_range_in_either_order_and_the_split_is_even() {
        let keys = pseudo_random_guids(4_000);
        for count in [2, 3, 4, 16] {
            let ranges = guid_ranges(count);
            assert_eq!(ranges.len(), count);
            for order in [sql_server_key as fn(&str) -> Vec<u8>, text_key] {
                let mut sizes = vec![0usize; count];
                for k in &keys {
                    let hit = ranges_of(k, &ranges, order);
                    assert_eq!(hit.len(), 1, "{k} in {hit:?} of {ranges:?}");
                    sizes[hit[0]] += 1;
                }
                let even = keys.len() / count;
                assert!(
                    sizes.iter().all(|s| s.abs_diff(even) < even / 2 + 20),
                    "{count} ranges: {sizes:?}"
                );
            }
        }
    }

    #[test]
    fn the_bounds_increase_in_both_orders() {
        let bounds: Vec<String> = guid_ranges(16).iter().filter_map(|r| r.upto.clone()).collect();
        assert_eq!(bounds.len(), 15);
        assert!(
            bounds
                .windows(2)
                .all(|w| sql_server_key(&w[0]) < sql_server_key(&w[1]))
        );
        assert!(bounds.windows(2).all(|w| text_key(&w[0]) < text_key(&w[1])));
    }

    #[test]
    fn sequential_keys_are_cut_where_they_are() {
        // Keys like the simulator's and like sequential GUIDs: one shared prefix in SQL
        // Server's order, a counter at the end of it.
        let key = |i: u64| format!("4d4d0000-{:04x}-4000-a200-{:012x}", i >> 48, i & 0xffff_ffff_ffff);
        let keys: Vec<String> = (1..=10_000).map(key).collect();
        let ranges = guid_ranges_between(&keys[0], &keys[9_999], 4);
        assert_eq!(ranges.len(), 4);
        let mut sizes = [0usize; 4];
        for k in &keys {
            let hit = ranges_of(k, &ranges, sql_server_key);
            assert_eq!(hit.len(), 1, "{k} in {hit:?}");
            sizes[hit[0]] += 1;
        }
        assert!(sizes.iter().all(|s| s.abs_diff(2_500) <= 1), "{sizes:?}");
        // A key far from the rest (an application user's) is not lost: the span is read
        // `TRIM_ROWS` rows in from each end, and the open end ranges take what lies beyond.
        let outlier = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff";
        let trimmed = guid_ranges_between(&keys[63], &keys[9_999 - 63], 4);
        assert_eq!(ranges_of(outlier, &trimmed, sql_server_key), vec![3]);
        // Coverage does not depend on the order the service really uses (in another order
        // the bounds need not increase, so a key may fall in two ranges: merged by id).
        for k in &keys {
            assert!(!ranges_of(k, &ranges, text_key).is_empty(), "{k}");
        }
    }

    #[test]
    fn the_sql_server_value_round_trips() {
        for k in pseudo_random_guids(100) {
            let v = sql_server_value(&k).unwrap();
            assert_eq!(from_sql_server_value(v), k);
            assert_eq!(v.to_be_bytes().to_vec(), sql_server_key(&k));
        }
        assert_eq!(sql_server_value("not-a-guid"), None);
        assert_eq!(guid_ranges_between("x", "y", 3), guid_ranges(3));
        assert_eq!(
            guid_ranges_between(&pseudo_random_guids(2)[1], &pseudo_random_guids(2)[1], 3),
            guid_ranges(3)
        );
    }

    #[test]
    fn filters_are_open_at_both_ends() {
        let r = guid_ranges(2);
        assert_eq!(
            r[0].filter("mailboxid").as_deref(),
            Some("mailboxid le 80000000-0000-0000-0000-800000000000")
        );
        assert_eq!(
            r[1].filter("mailboxid").as_deref(),
            Some("mailboxid gt 80000000-0000-0000-0000-800000000000")
        );
        assert_eq!(guid_ranges(1)[0].filter("mailboxid"), None);
    }

    #[test]
    fn merging_keeps_each_id_once() {
        let parts = vec![vec!["A", "b"], vec!["a", "c"]];
        assert_eq!(merge_unique(parts, |s| s), vec!["A", "b", "c"]);
    }
}
