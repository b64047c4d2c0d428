//! Reading the directory's users as several ranges of `userPrincipalName` side by side,
//! instead of one chain of `@odata.nextLink`s.
//!
//! The ranges are closed and share their bounds: `le b1`, `ge b1 and le b2`, …, `ge bn`.
//! Whatever order Graph compares names in, every name is `le` or `ge` each bound, so the
//! ranges cover every user by construction; a user whose name equals a bound comes twice and
//! is kept once (by id). Graph's user resource lists `ge` and `le` among the `$filter`
//! operators of `userPrincipalName` (learn.microsoft.com/graph/api/resources/user), while
//! the table of directory-object filters has disagreed between versions on whether `ge`
//! works by default (microsoftgraph/microsoft-graph-docs-contrib
//! includes/filter-directory-objects.md). A query that works by default also works as an
//! advanced query (concepts/aad-advanced-queries.md), so the ranges are always sent as one:
//! `$count=true` and `ConsistencyLevel: eventual`.

use ssync_core::SourceError;
use ssync_core::records::EntraUser;

use super::query::literal;
use super::{Read, Reader, decode};
use crate::transport::Service;

/// One range of `userPrincipalName`, bounds included; `None` is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UpnRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl UpnRange {
    /// The `$filter` that selects the range (`None` for the whole directory).
    pub(crate) fn filter(&self) -> Option<String> {
        let from = self
            .from
            .as_deref()
            .map(|f| format!("userPrincipalName ge {}", literal(f)));
        let to = self
            .to
            .as_deref()
            .map(|t| format!("userPrincipalName le {}", literal(t)));
        match (from, to) {
            (Some(f), Some(t)) => Some(format!("{f} and {t}")),
            (f, t) => f.or(t),
        }
    }
}

/// `count` ranges covering every name: bounds spread over the letters most sign-in names
/// start with. Balance only affects speed; coverage does not depend on it.
pub(crate) fn upn_ranges(count: usize) -> Vec<UpnRange> {
    let count = count.clamp(1, 26);
    let bounds: Vec<String> = (1..count)
        .map(|i| char::from(b'a' + u8::try_from(26 * i / count).unwrap_or(25)).to_string())
        .collect();
    chain(bounds)
}

/// The digits bounds are written in: digits before letters in every collation that compares
/// character by character, so bounds made of them are in the same order for Graph as here.
const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Characters after the common prefix that the interpolation looks at.
const PLACES: usize = 5;

/// `count` ranges spread evenly between the directory's first and last `userPrincipalName`
/// (as Graph sorts them): their common prefix, then the next characters read as a number and
/// cut in equal steps. A directory whose names share a prefix (`user000001@…` …
/// `user100000@…`) is then cut where its names are, not by first letter. The number is read
/// in base 10 when both names continue with digits only (numbered accounts: cutting them in
/// base 36 left whole ranges between `…09` and `…1` empty, 4 to 11 pages a range where 9
/// would do), else in base 36 over digits and lower-case letters. The bounds use those
/// characters only and increase strictly, so the ranges still cover every name whatever the
/// collation (see the module's comment).
pub(crate) fn upn_ranges_between(first: &str, last: &str, count: usize) -> Vec<UpnRange> {
    let (first, last) = (first.to_lowercase(), last.to_lowercase());
    let prefix: String = first
        .chars()
        .zip(last.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    let rest = |name: &str| {
        name.as_bytes()[prefix.len()..]
            .iter()
            .take(PLACES)
            .copied()
            .collect::<Vec<u8>>()
    };
    let numbered = [rest(&first), rest(&last)]
        .iter()
        .all(|r| !r.is_empty() && r.iter().all(u8::is_ascii_digit));
    let alphabet: &[u8] = if numbered { &DIGITS[..10] } else { DIGITS };
    let base = alphabet.len() as u64;
    let value = |name: &str| -> u64 {
        let rest = rest(name);
        (0..PLACES).fold(0, |acc, i| {
            let digit = rest.get(i).map_or(0, |c| {
                // A character outside the alphabet counts as the nearest one below it.
                alphabet.iter().rposition(|d| d <= c).unwrap_or(0) as u64
            });
            acc * base + digit
        })
    };
    let (lo, hi) = (value(&first), value(&last));
    let mut bounds: Vec<String> = Vec::new();
    for i in 1..count.max(1) as u64 {
        let v = lo + (hi.saturating_sub(lo)) * i / count as u64;
        let mut digits = vec![0u8; PLACES];
        let mut rest = v;
        for place in (0..PLACES).rev() {
            digits[place] = alphabet[(rest % base) as usize];
            rest /= base;
        }
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        let bound = format!("{prefix}{}", String::from_utf8_lossy(&digits));
        if bounds.last().is_none_or(|b| *b < bound) {
            bounds.push(bound);
        }
    }
    chain(bounds)
}

/// Closed ranges sharing the (increasing) `bounds`, open at both ends.
fn chain(bounds: Vec<String>) -> Vec<UpnRange> {
    super::key_ranges::chain(bounds, |from, to| UpnRange { from, to })
}

/// The users of every range, each user once (the first range that has it keeps it).
pub(crate) fn merge_ranges(parts: Vec<Vec<EntraUser>>) -> Vec<EntraUser> {
    super::key_ranges::merge_unique(parts, |u| &u.id)
}

impl Reader {
    /// How many users the directory holds: `GET /users/$count`, which Graph answers only as
    /// an advanced query (`ConsistencyLevel: eventual`), as plain text.
    pub(crate) async fn read_user_count(&self) -> Read<u64> {
        let url = self.client.url(Service::Graph, "users/$count", &[])?;
        let text = self
            .client
            .get_text(Service::Graph, &url, "the user count")
            .await?;
        // Graph has been seen to start the number with a byte-order mark.
        text.trim_start_matches('\u{feff}')
            .trim()
            .parse()
            .map_err(|_| SourceError::Malformed {
                service: Service::Graph.name().to_owned(),
                detail: format!(
                    "GET /users/$count: not a number ({:?})",
                    text.chars().take(20).collect::<String>()
                ),
            })
    }

    /// The directory's first and last `userPrincipalName` as Graph sorts them: two requests
    /// side by side, `$orderby=userPrincipalName` (asc and desc) with `$top=1`. Graph's user
    /// resource lists `$orderby` among what `userPrincipalName` supports
    /// (learn.microsoft.com/graph/api/resources/user). `None` for an empty directory.
    pub(crate) async fn read_upn_extremes(&self) -> Read<Option<(String, String)>> {
        let end = |order: &'static str| async move {
            let q = [
                ("$select", "userPrincipalName"),
                ("$top", "1"),
                ("$orderby", order),
                ("$count", "true"),
            ];
            let url = self.client.url(Service::Graph, "users", &q)?;
            let page = self
                .client
                .get_json_annotated(Service::Graph, &url, "users")
                .await?;
            Ok::<_, SourceError>(page["value"][0]["userPrincipalName"].as_str().map(str::to_owned))
        };
        let (first, last) = futures::try_join!(end("userPrincipalName"), end("userPrincipalName desc"))?;
        Ok(first.zip(last))
    }

    /// The users of one range, in pages, as an advanced query.
    pub(crate) async fn read_users_in(&self, range: &UpnRange) -> Read<Vec<EntraUser>> {
        let top = self.options().graph_page_size.to_string();
        let mut q = vec![
            ("$select", decode::USER_PROPERTIES),
            ("$top", top.as_str()),
            ("$count", "true"),
        ];
        let filter = range.filter();
        if let Some(f) = filter.as_deref() {
            q.push(("$filter", f));
        }
        let url = self.client.url(Service::Graph, "users", &q)?;
        self.client
            .collect_decoded(Service::Graph, url, "users", decode::entra_user)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(ranges: &[UpnRange]) -> Vec<&str> {
        ranges.iter().filter_map(|r| r.to.as_deref()).collect()
    }

    #[test]
    fn names_sharing_a_prefix_are_cut_where_they_are() {
        let ranges = upn_ranges_between("user000001@generated.example", "USER100000@generated.example", 4);
        assert_eq!(ranges.len(), 4);
        let b = bounds(&ranges);
        assert!(b.iter().all(|b| b.starts_with("user")), "{b:?}");
        assert!(b.windows(2).all(|w| w[0] < w[1]), "increasing: {b:?}");
        assert!(b[0] > "user000001" && b[2] < "user100000", "{b:?}");
        assert!(b.iter().all(|b| b.bytes().all(|c| DIGITS.contains(&c))), "{b:?}");
    }

    #[test]
    fn numbered_names_are_cut_in_equal_parts() {
        let names: Vec<String> = (0..100_000)
            .map(|i| format!("user{i:06}@generated.example"))
            .collect();
        let ranges = upn_ranges_between(&names[0], &names[99_999], 12);
        assert_eq!(ranges.len(), 12);
        let within = |r: &UpnRange, n: &str| {
            r.from.as_deref().is_none_or(|f| n >= f) && r.to.as_deref().is_none_or(|t| n <= t)
        };
        let sizes: Vec<usize> = ranges
            .iter()
            .map(|r| names.iter().filter(|n| within(r, n)).count())
            .collect();
        assert!(
            names.iter().all(|n| ranges.iter().any(|r| within(r, n))),
            "every name covered"
        );
        // 999 users a page: no range over 9 pages (base 36 gave 4 to 11).
        assert!(sizes.iter().all(|s| (8_000..=8_991).contains(s)), "{sizes:?}");
    }

    #[test]
    fn names_over_the_alphabet_are_cut_by_letter_and_nothing_is_left_out() {
        let ranges = upn_ranges_between("aaron@contoso.com", "zoe@contoso.com", 12);
        assert_eq!(ranges.first().and_then(|r| r.from.clone()), None);
        assert_eq!(ranges.last().and_then(|r| r.to.clone()), None);
        for w in ranges.windows(2) {
            assert_eq!(w[0].to, w[1].from, "neighbours share their bound");
        }
        // One name, or two that differ only in case: one open-ended range pair at most.
        assert!(upn_ranges_between("a@x.com", "A@x.com", 8).len() <= 2);
    }

    #[test]
    fn ranges_are_open_at_both_ends_and_share_their_bounds() {
        let r = upn_ranges(3);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].from, None);
        assert_eq!(r[2].to, None);
        assert_eq!(r[0].to, r[1].from);
        assert_eq!(r[1].to, r[2].from);
        assert_eq!(
            r[1].filter().as_deref(),
            Some("userPrincipalName ge 'i' and userPrincipalName le 'r'")
        );
        assert_eq!(upn_ranges(1), [UpnRange { from: None, to: None }]);
        assert_eq!(upn_ranges(1)[0].filter(), None);
    }
}
