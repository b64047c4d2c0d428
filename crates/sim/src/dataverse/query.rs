//! Reading a table the way the Web API does: `$select`, `$filter`, `$orderby`, `$expand`
//! of single-valued lookups, `$top`, `$count`, paging with `Prefer: odata.maxpagesize`
//! and `@odata.nextLink`, and annotations on request.

use serde_json::{Map, Value, json};

use super::schema::{ColKind, Entity, filter_kind};
use super::store::{Store, Table};
use crate::odata::eval::{self, Dialect};
use crate::odata::{self, Query, filter};
use crate::options;

pub const MAX_PAGE: usize = 5000;

const DIALECT: Dialect = Dialect {
    crm_in: true,
    in_operator: false,
    lambda: false,
    contains: true,
    startswith: true,
    endswith: true,
    ne_and_not: true,
    ordering: true,
};

/// A refusal in Dataverse's terms: HTTP status, hex code, message.
#[derive(Debug)]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn bad(message: impl Into<String>) -> QueryError {
    QueryError {
        status: 400,
        code: "0x80060888",
        message: message.into(),
    }
}

/// The parts of `Prefer` the Web API honours.
#[derive(Debug, Default)]
pub struct Prefer {
    pub max_page: Option<usize>,
    pub annotations: Vec<String>,
}

impl Prefer {
    pub fn parse(header: Option<&str>) -> Prefer {
        let mut p = Prefer::default();
        for item in split_outside_quotes(header.unwrap_or(""), ',') {
            let (k, v) = item
                .split_once('=')
                .map_or((item.trim(), ""), |(k, v)| (k.trim(), v.trim()));
            match k {
                "odata.maxpagesize" => p.max_page = v.parse().ok(),
                "odata.include-annotations" => {
                    p.annotations = v
                        .trim_matches('"')
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .collect();
                }
                _ => {}
            }
        }
        p
    }

    pub fn wants(&self, annotation: &str) -> bool {
        self.annotations.iter().any(|p| {
            p == "*"
                || p == annotation
                || p.strip_suffix('*')
                    .is_some_and(|prefix| annotation.starts_with(prefix))
        })
    }

    /// The `Preference-Applied` header value, if any preference was applied.
    pub fn applied(&self, page: usize) -> Option<String> {
        let mut parts = Vec::new();
        if self.max_page.is_some() {
            parts.push(format!("odata.maxpagesize={page}"));
        }
        if !self.annotations.is_empty() {
            parts.push(format!(
                "odata.include-annotations=\"{}\"",
                self.annotations.join(",")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(","))
    }
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, ch) in s.char_indices() {
        match ch {
            '"' | '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out.into_iter().map(str::trim).filter(|x| !x.is_empty()).collect()
}

/// What to render of each row.
struct Shape {
    columns: Vec<usize>,
    expands: Vec<Expand>,
    select_text: Option<String>,
}

struct Expand {
    nav: String,
    column: usize,
    target: &'static str,
    columns: Vec<usize>,
}

fn select_columns(entity: &Entity, raw: Option<&str>) -> Result<Vec<usize>, QueryError> {
    let Some(raw) = raw else {
        return Ok((0..entity.columns.len()).collect());
    };
    let mut cols = Vec::new();
    for name in odata::select_list(raw) {
        let (i, _) = entity.column(&name).ok_or_else(|| {
            bad(format!(
                "Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{}'.",
                entity.logical
            ))
        })?;
        if !cols.contains(&i) {
            cols.push(i);
        }
    }
    // The primary key always comes back.
    if let Some((k, _)) = entity.column(entity.key)
        && !cols.contains(&k)
    {
        cols.insert(0, k);
    }
    Ok(cols)
}

fn shape(store: &Store, entity: &Entity, q: &Query) -> Result<Shape, QueryError> {
    let columns = select_columns(entity, q.get("$select"))?;
    let mut expands = Vec::new();
    if let Some(raw) = q.get("$expand") {
        for item in split_outside_quotes(raw, ',') {
            let (nav, inner) = match item.split_once('(') {
                Some((n, rest)) => (
                    n.trim(),
                    Some(
                        rest.strip_suffix(')')
                            .ok_or_else(|| bad("Unbalanced parentheses in $expand."))?,
                    ),
                ),
                None => (item, None),
            };
            let (column, target) = entity.navigation(nav).ok_or_else(|| {
                bad(format!(
                    "Could not find a single-valued navigation property named '{nav}' on type 'Microsoft.Dynamics.CRM.{}'. The simulator expands single-valued lookups only.",
                    entity.logical
                ))
            })?;
            let target_entity = store
                .table_by_logical(target)
                .map(|t| t.entity)
                .ok_or_else(|| bad("unknown target"))?;
            let mut select = None;
            for opt in inner.map(|i| split_outside_quotes(i, ';')).unwrap_or_default() {
                match opt.split_once('=') {
                    Some((k, v)) if k.trim() == "$select" => select = Some(v.to_owned()),
                    _ => {
                        return Err(bad(format!(
                            "Only $select is supported inside $expand, not '{opt}'."
                        )));
                    }
                }
            }
            let columns = select_columns(target_entity, select.as_deref())?;
            expands.push(Expand {
                nav: nav.to_owned(),
                column,
                target,
                columns,
            });
        }
    }
    Ok(Shape {
        columns,
        expands,
        select_text: q.get("$select").map(str::to_owned),
    })
}

fn render(
    store: &Store,
    table: &Table,
    row: &[Value],
    cols: &[usize],
    prefer: &Prefer,
    etag: usize,
) -> Map<String, Value> {
    let entity = table.entity;
    let mut out = Map::new();
    out.insert("@odata.etag".into(), json!(format!("W/\"{}\"", 1_000_000 + etag)));
    for &i in cols {
        let col = &entity.columns[i];
        let value = row[i].clone();
        if !value.is_null() {
            match col.kind {
                ColKind::Choice(opts) if prefer.wants("OData.Community.Display.V1.FormattedValue") => {
                    if let Some(label) = value.as_i64().and_then(|v| options::label(opts, v)) {
                        out.insert(
                            format!("{}@OData.Community.Display.V1.FormattedValue", col.name),
                            json!(label),
                        );
                    }
                }
                ColKind::Bool if prefer.wants("OData.Community.Display.V1.FormattedValue") => {
                    let label = if value.as_bool() == Some(true) {
                        "Yes"
                    } else {
                        "No"
                    };
                    out.insert(
                        format!("{}@OData.Community.Display.V1.FormattedValue", col.name),
                        json!(label),
                    );
                }
                ColKind::Lookup(l) => {
                    let target = lookup_target(table, row, l);
                    if let Some((logical, nav)) = target {
                        if prefer.wants("Microsoft.Dynamics.CRM.associatednavigationproperty") {
                            out.insert(
                                format!("{}@Microsoft.Dynamics.CRM.associatednavigationproperty", col.name),
                                json!(nav),
                            );
                        }
                        if prefer.wants("Microsoft.Dynamics.CRM.lookuplogicalname") {
                            out.insert(
                                format!("{}@Microsoft.Dynamics.CRM.lookuplogicalname", col.name),
                                json!(logical),
                            );
                        }
                        if prefer.wants("OData.Community.Display.V1.FormattedValue") {
                            let name = store.table_by_logical(logical).and_then(|t| {
                                value
                                    .as_str()
                                    .and_then(|id| t.by_id(id))
                                    .map(|r| t.get(r, t.entity.primary_name).clone())
                            });
                            if let Some(name) = name.filter(|n| !n.is_null()) {
                                out.insert(
                                    format!("{}@OData.Community.Display.V1.FormattedValue", col.name),
                                    name,
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out.insert(col.name.to_owned(), value);
    }
    out
}

fn lookup_target(
    table: &Table,
    row: &[Value],
    l: &super::schema::Lookup,
) -> Option<(&'static str, &'static str)> {
    match l.type_column {
        Some(tc) => {
            let kind = table.get(row, tc).as_str()?;
            l.targets.iter().find(|(t, _)| *t == kind).copied()
        }
        None => l.targets.first().copied(),
    }
}

fn render_with_expands(store: &Store, table: &Table, n: usize, shape: &Shape, prefer: &Prefer) -> Value {
    let row = table.row(n);
    let row = &row[..];
    let mut out = render(store, table, row, &shape.columns, prefer, n);
    for e in &shape.expands {
        let col = &table.entity.columns[e.column];
        let mut expanded = Value::Null;
        if let ColKind::Lookup(l) = col.kind
            && lookup_target(table, row, l).is_some_and(|(t, _)| t == e.target)
            && let Some(target) = store.table_by_logical(e.target)
            && let Some(id) = row[e.column].as_str()
            && let Some(tn) = target
                .indexes
                .get(target.entity.key)
                .and_then(|ix| ix.get(&id.to_lowercase()))
                .and_then(|v| v.first())
        {
            expanded = Value::Object(render(store, target, &target.rows[*tn], &e.columns, prefer, *tn));
        }
        out.insert(e.nav.clone(), expanded);
    }
    Value::Object(out)
}

/// The page of a collection query and where the next one starts.
pub struct Page {
    pub body: Value,
    pub page_size: usize,
}

pub fn collection(
    store: &Store,
    table: &Table,
    q: &Query,
    prefer: &Prefer,
    base: &str,
    path: &str,
) -> Result<Page, QueryError> {
    let entity = table.entity;
    if let Some(opt) = q
        .unknown_options(&[
            "$select",
            "$filter",
            "$orderby",
            "$expand",
            "$top",
            "$count",
            "$skiptoken",
        ])
        .first()
    {
        return Err(bad(format!("The query parameter {opt} is not supported")));
    }
    let shape = shape(store, entity, q)?;
    let expr = match q.get("$filter") {
        Some(f) => {
            let e = filter::parse(f).map_err(|e| bad(format!("{e} in '{f}'.")))?;
            eval::validate(
                &e,
                &|p| entity.column(p).map(|(_, c)| filter_kind(c.kind)),
                &DIALECT,
            )
            .map_err(|m| {
                bad(m.replace(
                    "'.",
                    &format!("' on type 'Microsoft.Dynamics.CRM.{}'.", entity.logical),
                ))
            })?;
            Some(e)
        }
        None => None,
    };
    let order = match q.get("$orderby") {
        Some(o) => {
            let list = odata::orderby_list(o).map_err(bad)?;
            for (p, _) in &list {
                if entity.column(p).is_none() {
                    return Err(bad(format!(
                        "Could not find a property named '{p}' on type 'Microsoft.Dynamics.CRM.{}'.",
                        entity.logical
                    )));
                }
            }
            list
        }
        None => Vec::new(),
    };
    let top = match q.get("$top") {
        Some(t) => Some(
            t.parse::<usize>()
                .map_err(|_| bad(format!("Invalid value '{t}' for $top.")))?,
        ),
        None => None,
    };
    let page_size = prefer.max_page.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    // `$top` is ignored when combined with maxpagesize (microsoft-apis.md §A.8).
    let top = if prefer.max_page.is_some() { None } else { top };
    let salt = odata::query_salt(path, q);
    let start = match q.get("$skiptoken") {
        Some(t) => odata::decode_skiptoken(t, salt)
            .ok_or_else(|| bad("The $skiptoken is not valid for this query."))?,
        None => 0,
    };

    // Candidate rows: from an index when the filter pins an indexed column, else all.
    let matches = |n: usize| -> bool {
        expr.as_ref()
            .is_none_or(|e| eval::matches(e, &|p| table.value(n, p)))
    };
    let all = odata::candidates(expr.as_ref(), Some(&table.indexes), table.len());
    let limit = top.map_or(page_size, |t| t.min(MAX_PAGE));
    let count_wanted = q.get("$count").is_some_and(|c| c.eq_ignore_ascii_case("true"));
    let sort_cols: Vec<(usize, bool)> = order
        .iter()
        .filter_map(|(p, d)| entity.column(p).map(|(i, _)| (i, *d)))
        .collect();
    let sort = |a: usize, b: usize| {
        for (i, desc) in &sort_cols {
            let o = odata::cmp_values(&table.cell(a, *i), &table.cell(b, *i));
            let o = if *desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    };
    let sort_ref: Option<&dyn Fn(usize, usize) -> std::cmp::Ordering> =
        if sort_cols.is_empty() { None } else { Some(&sort) };
    let odata::Paged {
        rows: picked,
        next,
        total,
    } = odata::page(all, start, limit, &matches, sort_ref, count_wanted);

    let value: Vec<Value> = picked
        .iter()
        .map(|n| render_with_expands(store, table, *n, &shape, prefer))
        .collect();
    let context = match &shape.select_text {
        Some(s) => format!("{base}/$metadata#{}({s})", entity.set),
        None => format!("{base}/$metadata#{}", entity.set),
    };
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context));
    if let Some(total) = total.filter(|_| count_wanted) {
        body.insert("@odata.count".into(), json!(total.min(MAX_PAGE)));
    }
    body.insert("value".into(), Value::Array(value));
    if let Some(next) = next.filter(|_| top.is_none()) {
        let token = odata::encode_skiptoken(next, salt);
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{base}/{}?{}", entity.set, q.with_skiptoken(&token))),
        );
    }
    Ok(Page {
        body: Value::Object(body),
        page_size,
    })
}

pub fn single(
    store: &Store,
    table: &Table,
    id: &str,
    q: &Query,
    prefer: &Prefer,
    base: &str,
) -> Result<Value, QueryError> {
    let entity = table.entity;
    if let Some(opt) = q.unknown_options(&["$select", "$expand"]).first() {
        return Err(bad(format!(
            "The query parameter {opt} is not supported for a single record"
        )));
    }
    if !crate::ids::is_guid(id) {
        return Err(bad(format!(
            "The key '{id}' is not a GUID; alternate keys are not supported by the simulator."
        )));
    }
    let shape = shape(store, entity, q)?;
    let n = table
        .indexes
        .get(entity.key)
        .and_then(|ix| ix.get(&id.to_lowercase()))
        .and_then(|v| v.first().copied())
        .ok_or_else(|| QueryError {
            status: 404,
            code: "0x80040217",
            message: format!("{} With Id = {id} Does Not Exist", entity.logical),
        })?;
    let mut v = render_with_expands(store, table, n, &shape, prefer);
    if let Value::Object(m) = &mut v {
        let context = match &shape.select_text {
            Some(s) => format!("{base}/$metadata#{}({s})/$entity", entity.set),
            None => format!("{base}/$metadata#{}/$entity", entity.set),
        };
        m.insert("@odata.context".into(), json!(context));
    }
    Ok(v)
}
