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

use std::collections::HashSet;

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
    let mut ranges = Vec::with_capacity(count);
    let mut from = None;
    for b in bounds {
        ranges.push(UpnRange {
            from: from.clone(),
            to: Some(b.clone()),
        });
        from = Some(b);
    }
    ranges.push(UpnRange { from, to: None });
    ranges
}

/// The users of every range, each user once (the first range that has it keeps it).
pub(crate) fn merge_ranges(parts: Vec<Vec<EntraUser>>) -> Vec<EntraUser> {
    let mut seen = HashSet::new();
    parts
        .into_iter()
        .flatten()
        .filter(|u| seen.insert(u.id.to_ascii_lowercase()))
        .collect()
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
