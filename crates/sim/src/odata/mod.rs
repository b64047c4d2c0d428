//! OData query options shared by the Dataverse and Graph simulations: one `$filter` parser
//! and evaluator, `$select`/`$orderby` parsing, query-string handling and paging tokens.

pub mod eval;
pub mod filter;

use std::cmp::Ordering;

use base64::Engine;
use serde_json::Value;

/// The query options of one request, decoded, in the order given.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        Query {
            pairs: raw
                .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The options that start with `$` and are not in `known`.
    pub fn unknown_options(&self, known: &[&str]) -> Vec<&str> {
        self.pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| k.starts_with('$') && !known.iter().any(|n| n.eq_ignore_ascii_case(k)))
            .collect()
    }

    /// The same options with `$skiptoken` replaced, encoded again (for `@odata.nextLink`).
    pub fn with_skiptoken(&self, token: &str) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self
            .pairs
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
        {
            ser.append_pair(k, v);
        }
        ser.append_pair("$skiptoken", token);
        ser.finish()
    }
}

/// `$select=a,b` → `["a","b"]`.
pub fn select_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `$orderby=a desc,b` → `[("a", true), ("b", false)]` (true = descending).
pub fn orderby_list(raw: &str) -> Result<Vec<(String, bool)>, String> {
    raw.split(',')
        .map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            match words.as_slice() {
                [p] => Ok(((*p).to_owned(), false)),
                [p, d] if d.eq_ignore_ascii_case("asc") => Ok(((*p).to_owned(), false)),
                [p, d] if d.eq_ignore_ascii_case("desc") => Ok(((*p).to_owned(), true)),
                _ => Err(format!("The $orderby clause '{part}' is not valid.")),
            }
        })
        .collect()
}

/// Orders two JSON values as the services do: nulls first, GUIDs as SQL Server does
/// ([`crate::ids::sql_server_order`]), other strings case-insensitively.
pub fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) if crate::ids::is_guid(x) && crate::ids::is_guid(y) => {
            crate::ids::sql_server_order(x).cmp(&crate::ids::sql_server_order(y))
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Paging position carried in `$skiptoken`: opaque to clients (base64), a row position to
/// us. `salt` binds it to one query so a token from another query is refused.
pub fn encode_skiptoken(position: usize, salt: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{position}:{salt:x}"))
}

pub fn decode_skiptoken(token: &str, salt: u64) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (pos, s) = text.split_once(':')?;
    (u64::from_str_radix(s, 16).ok()? == salt).then_some(())?;
    pos.parse().ok()
}

/// A stable hash of the query without its `$skiptoken`, the salt for [`encode_skiptoken`].
pub fn query_salt(path: &str, q: &Query) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    feed(path);
    for (k, v) in q
        .pairs
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
    {
        feed(k);
        feed(v);
    }
    h
}

/// Index per column: lower-cased value → row numbers (ascending).
pub type Indexes = std::collections::HashMap<&'static str, std::collections::HashMap<String, Vec<usize>>>;

/// The rows a filter can match, in storage order: read from an index when the filter pins
/// indexed columns to a few values (see [`eval::equality_keys`]), else all `len` rows.
pub fn candidates<'a>(
    expr: Option<&filter::Expr>,
    indexes: Option<&Indexes>,
    len: usize,
) -> Box<dyn Iterator<Item = usize> + 'a> {
    let pinned = expr.and_then(eval::equality_keys).and_then(|pins| {
        let mut rows = Vec::new();
        for (col, values) in pins {
            // Every pinned column must be indexed, or the union would miss rows.
            let ix = indexes?.get(col.as_str())?;
            rows.extend(values.iter().filter_map(|v| ix.get(v)).flatten().copied());
        }
        rows.sort_unstable();
        rows.dedup();
        Some(rows)
    });
    match pinned {
        Some(rows) => Box::new(rows.into_iter()),
        None => Box::new(0..len),
    }
}

/// One page of a filtered, optionally sorted collection.
pub struct Paged {
    /// Row numbers on this page.
    pub rows: Vec<usize>,
    /// Position to continue from (for the next `$skiptoken`), if more rows match.
    pub next: Option<usize>,
    /// Number of matches in all, when it had to be computed (sorting or `$count`).
    pub total: Option<usize>,
}

/// Pages through `candidates` (row numbers, in storage order) from position `start`.
/// Without sorting or counting, only the rows up to one match past the page are evaluated,
/// so following nextLinks through a large collection costs O(page) per request.
pub fn page(
    candidates: Box<dyn Iterator<Item = usize> + '_>,
    start: usize,
    limit: usize,
    matches: &dyn Fn(usize) -> bool,
    sort: Option<&dyn Fn(usize, usize) -> Ordering>,
    count: bool,
) -> Paged {
    if sort.is_none() && !count {
        let mut rows = Vec::new();
        for (pos, n) in candidates.enumerate().skip(start) {
            if !matches(n) {
                continue;
            }
            if rows.len() == limit {
                return Paged {
                    rows,
                    next: Some(pos),
                    total: None,
                };
            }
            rows.push(n);
        }
        return Paged {
            rows,
            next: None,
            total: None,
        };
    }
    let mut all: Vec<usize> = candidates.filter(|n| matches(*n)).collect();
    if let Some(sort) = sort {
        all.sort_by(|a, b| sort(*a, *b).then(a.cmp(b)));
    }
    let total = all.len();
    let end = start.saturating_add(limit).min(total);
    let rows = all
        .get(start.min(end)..end)
        .map(<[usize]>::to_vec)
        .unwrap_or_default();
    Paged {
        rows,
        next: (end < total).then_some(end),
        total: Some(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_are_bound_to_their_query() {
        let q = Query::parse(Some("$select=name&$filter=statecode%20eq%200"));
        let salt = query_salt("/mailboxes", &q);
        let t = encode_skiptoken(5000, salt);
        assert_eq!(decode_skiptoken(&t, salt), Some(5000));
        let other = query_salt("/mailboxes", &Query::parse(Some("$select=name")));
        assert_eq!(decode_skiptoken(&t, other), None);
        assert_eq!(decode_skiptoken("garbage!", salt), None);
        let next = q.with_skiptoken(&t);
        assert!(next.contains("%24skiptoken=") || next.contains("$skiptoken="));
        assert_eq!(query_salt("/mailboxes", &Query::parse(Some(&next))), salt);
    }

    #[test]
    fn orderby_parses_directions() {
        assert_eq!(
            orderby_list("a desc, b").unwrap(),
            vec![("a".into(), true), ("b".into(), false)]
        );
        assert!(orderby_list("a sideways").is_err());
    }
}
