//! Checking a parsed `$filter` against a service's properties, evaluating it against a
//! record, and finding equality keys a service can answer from an index.

use std::cmp::Ordering;

use serde_json::Value;

use super::filter::{CmpOp, Expr, Func, Lit, Operand};

/// The type of a filterable property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Bool,
    Guid,
    DateTime,
    /// A collection of strings (Graph `proxyAddresses`), usable only in `any`.
    TextList,
}

/// What a service accepts.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    pub crm_in: bool,
    pub in_operator: bool,
    pub lambda: bool,
    pub contains: bool,
    pub startswith: bool,
    pub endswith: bool,
    pub ne_and_not: bool,
    pub ordering: bool,
}

fn fits(kind: Kind, lit: &Lit) -> bool {
    matches!(
        (kind, lit),
        (_, Lit::Null)
            | (Kind::Text, Lit::Str(_))
            | (Kind::Number, Lit::Num(_))
            | (Kind::Bool, Lit::Bool(_))
            | (Kind::Guid, Lit::Guid(_) | Lit::Str(_))
            | (Kind::DateTime, Lit::DateTime(_) | Lit::Str(_))
    )
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Text => "Edm.String",
        Kind::Number => "Edm.Int32",
        Kind::Bool => "Edm.Boolean",
        Kind::Guid => "Edm.Guid",
        Kind::DateTime => "Edm.DateTimeOffset",
        Kind::TextList => "Collection(Edm.String)",
    }
}

/// Resolves an operand to its property kind (None for a literal).
type PropKind<'a> = dyn Fn(&Operand, Option<Kind>) -> Result<Option<Kind>, String> + 'a;

/// Checks that every property exists, every literal fits its property and every construct
/// is one the dialect supports. The error text is what the service's 400 says.
pub fn validate(e: &Expr, resolve: &dyn Fn(&str) -> Option<Kind>, d: &Dialect) -> Result<(), String> {
    let prop_kind = |o: &Operand, var_kind: Option<Kind>| -> Result<Option<Kind>, String> {
        match o {
            Operand::Prop(p) => match resolve(p) {
                Some(Kind::TextList) => Err(format!(
                    "The property '{p}' is a collection; use {p}/any(x:x eq '…') to filter on it."
                )),
                Some(k) => Ok(Some(k)),
                None => Err(format!("Could not find a property named '{p}'.")),
            },
            Operand::Var(_) => Ok(var_kind),
            Operand::Lit(_) => Ok(None),
        }
    };
    fn walk(
        e: &Expr,
        var_kind: Option<Kind>,
        resolve: &dyn Fn(&str) -> Option<Kind>,
        d: &Dialect,
        prop_kind: &PropKind<'_>,
    ) -> Result<(), String> {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => {
                walk(a, var_kind, resolve, d, prop_kind)?;
                walk(b, var_kind, resolve, d, prop_kind)
            }
            Expr::Not(a) => {
                if !d.ne_and_not {
                    return Err("The 'not' operator is not supported for this request.".into());
                }
                walk(a, var_kind, resolve, d, prop_kind)
            }
            Expr::Cmp { left, op, right } => {
                let (kind, lit) = match (left, right) {
                    (p, Operand::Lit(l)) if !matches!(p, Operand::Lit(_)) => (prop_kind(p, var_kind)?, l),
                    (Operand::Lit(l), p) if !matches!(p, Operand::Lit(_)) => (prop_kind(p, var_kind)?, l),
                    _ => return Err("A comparison needs one property and one literal value.".into()),
                };
                let kind = kind.unwrap_or(Kind::Text);
                if !fits(kind, lit) {
                    return Err(format!(
                        "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for operator kind '{op:?}'.",
                        kind_name(kind),
                        lit_type(lit)
                    ));
                }
                if *op == CmpOp::Ne && !d.ne_and_not {
                    return Err("The 'ne' operator is not supported for this request.".into());
                }
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) && (!d.ordering || kind == Kind::Bool) {
                    return Err(format!(
                        "The operator '{op:?}' is not supported for this property."
                    ));
                }
                Ok(())
            }
            Expr::In { left, values, crm } => {
                if *crm && !d.crm_in {
                    return Err("Microsoft.Dynamics.CRM.In is not supported here.".into());
                }
                if !*crm && !d.in_operator {
                    return Err("The 'in' operator is not supported; use Microsoft.Dynamics.CRM.In.".into());
                }
                let kind = prop_kind(left, var_kind)?.unwrap_or(Kind::Text);
                match values.iter().find(|v| !fits(kind, v)) {
                    Some(v) => Err(format!(
                        "The value {v:?} does not fit the property type {}.",
                        kind_name(kind)
                    )),
                    None => Ok(()),
                }
            }
            Expr::Func { func, target, .. } => {
                let allowed = match func {
                    Func::Contains => d.contains,
                    Func::StartsWith => d.startswith,
                    Func::EndsWith => d.endswith,
                };
                if !allowed {
                    return Err(format!(
                        "The function '{}' is not supported for this request.",
                        func_name(*func)
                    ));
                }
                match prop_kind(target, var_kind)? {
                    Some(Kind::Text) | None => Ok(()),
                    Some(k) => Err(format!(
                        "{} needs a string property, not {}.",
                        func_name(*func),
                        kind_name(k)
                    )),
                }
            }
            Expr::Any { collection, body, .. } => {
                if !d.lambda {
                    return Err("Lambda operators are not supported for this request.".into());
                }
                match resolve(collection) {
                    Some(Kind::TextList) => walk(body, Some(Kind::Text), resolve, d, prop_kind),
                    Some(_) => Err(format!("The property '{collection}' is not a collection.")),
                    None => Err(format!("Could not find a property named '{collection}'.")),
                }
            }
        }
    }
    walk(e, None, resolve, d, &prop_kind)
}

fn func_name(f: Func) -> &'static str {
    match f {
        Func::Contains => "contains",
        Func::StartsWith => "startswith",
        Func::EndsWith => "endswith",
    }
}

fn lit_type(l: &Lit) -> &'static str {
    match l {
        Lit::Str(_) => "Edm.String",
        Lit::Num(_) => "Edm.Int32",
        Lit::Bool(_) => "Edm.Boolean",
        Lit::Null => "null",
        Lit::Guid(_) => "Edm.Guid",
        Lit::DateTime(_) => "Edm.DateTimeOffset",
    }
}

/// Orders a record's value against a literal: strings case-insensitively (both services
/// compare addresses and names that way), numbers numerically. `None` when either is null
/// or the types differ.
fn order(v: &Value, l: &Lit) -> Option<Ordering> {
    match (v, l) {
        (Value::String(s), Lit::Guid(t)) if crate::ids::is_guid(s) && crate::ids::is_guid(t) => {
            Some(crate::ids::sql_server_order(s).cmp(&crate::ids::sql_server_order(t)))
        }
        (Value::String(s), Lit::Str(t) | Lit::Guid(t) | Lit::DateTime(t)) => {
            Some(s.to_lowercase().cmp(&t.to_lowercase()))
        }
        (Value::Number(n), Lit::Num(m)) => n.as_f64().and_then(|n| n.partial_cmp(m)),
        (Value::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn compare(v: &Value, op: CmpOp, l: &Lit) -> bool {
    if matches!(l, Lit::Null) {
        return match op {
            CmpOp::Eq => v.is_null(),
            CmpOp::Ne => !v.is_null(),
            _ => false,
        };
    }
    match (op, order(v, l)) {
        (CmpOp::Eq, o) => o == Some(Ordering::Equal),
        (CmpOp::Ne, o) => o != Some(Ordering::Equal),
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (_, None) => false,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        o => o,
    }
}

/// True when the record (read through `get`) satisfies the filter.
pub fn matches(e: &Expr, get: &dyn Fn(&str) -> Value) -> bool {
    eval(e, get, None)
}

fn eval(e: &Expr, get: &dyn Fn(&str) -> Value, var: Option<&Value>) -> bool {
    let value = |o: &Operand| -> Value {
        match o {
            Operand::Prop(p) => get(p),
            Operand::Var(_) => var.cloned().unwrap_or(Value::Null),
            Operand::Lit(_) => Value::Null,
        }
    };
    match e {
        Expr::And(a, b) => eval(a, get, var) && eval(b, get, var),
        Expr::Or(a, b) => eval(a, get, var) || eval(b, get, var),
        Expr::Not(a) => !eval(a, get, var),
        Expr::Cmp { left, op, right } => match (left, right) {
            (Operand::Lit(l), p) => compare(&value(p), flip(*op), l),
            (p, Operand::Lit(l)) => compare(&value(p), *op, l),
            _ => false,
        },
        Expr::In { left, values, .. } => {
            let v = value(left);
            values.iter().any(|l| compare(&v, CmpOp::Eq, l))
        }
        Expr::Func { func, target, arg } => {
            let (Value::String(s), Lit::Str(a)) = (value(target), arg) else {
                return false;
            };
            let (s, a) = (s.to_lowercase(), a.to_lowercase());
            match func {
                Func::Contains => s.contains(&a),
                Func::StartsWith => s.starts_with(&a),
                Func::EndsWith => s.ends_with(&a),
            }
        }
        Expr::Any { collection, body, .. } => match get(collection) {
            Value::Array(items) => items.iter().any(|item| eval(body, get, Some(item))),
            _ => false,
        },
    }
}

fn key_of(l: &Lit) -> Option<String> {
    match l {
        Lit::Str(s) | Lit::Guid(s) | Lit::DateTime(s) => Some(s.to_lowercase()),
        Lit::Num(n) => Some(n.to_string()),
        Lit::Bool(b) => Some(b.to_string()),
        Lit::Null => None,
    }
}

/// When every match must have one of a few properties equal to one of a few values —
/// `p eq v`, `p in (…)`, `CRM.In`, `coll/any(x:x eq v)` (keyed `coll/any`), combined with
/// `or`, or one side of an `and` — returns those (property, lower-cased values) pins, so a
/// service can read candidates from indexes instead of scanning. The full filter is still
/// evaluated on each candidate.
pub fn equality_keys(e: &Expr) -> Option<Vec<(String, Vec<String>)>> {
    match e {
        Expr::Cmp {
            left: Operand::Prop(p),
            op: CmpOp::Eq,
            right: Operand::Lit(l),
        }
        | Expr::Cmp {
            left: Operand::Lit(l),
            op: CmpOp::Eq,
            right: Operand::Prop(p),
        } => Some(vec![(p.clone(), vec![key_of(l)?])]),
        Expr::In {
            left: Operand::Prop(p),
            values,
            ..
        } => Some(vec![(
            p.clone(),
            values.iter().map(key_of).collect::<Option<Vec<_>>>()?,
        )]),
        Expr::Any { collection, body, .. } => match body.as_ref() {
            Expr::Cmp {
                left: Operand::Var(_),
                op: CmpOp::Eq,
                right: Operand::Lit(l),
            } => Some(vec![(format!("{collection}/any"), vec![key_of(l)?])]),
            _ => None,
        },
        Expr::And(a, b) => equality_keys(a).or_else(|| equality_keys(b)),
        Expr::Or(a, b) => {
            let mut pins = equality_keys(a)?;
            pins.extend(equality_keys(b)?);
            Some(pins)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::filter::parse;
    use super::*;
    use serde_json::json;

    const ALL: Dialect = Dialect {
        crm_in: true,
        in_operator: true,
        lambda: true,
        contains: true,
        startswith: true,
        endswith: true,
        ne_and_not: true,
        ordering: true,
    };

    fn resolve(p: &str) -> Option<Kind> {
        Some(match p {
            "name" | "mail" => Kind::Text,
            "level" => Kind::Number,
            "active" => Kind::Bool,
            "id" => Kind::Guid,
            "modifiedon" => Kind::DateTime,
            "proxyAddresses" => Kind::TextList,
            _ => return None,
        })
    }

    fn record(p: &str) -> Value {
        match p {
            "name" => json!("Heidi.Park@Contoso.com"),
            "mail" => Value::Null,
            "level" => json!(3),
            "active" => json!(true),
            "id" => json!("6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b"),
            "modifiedon" => json!("2026-11-20T10:00:00Z"),
            "proxyAddresses" => json!(["SMTP:heidi.park@contoso.com", "smtp:hp@contoso.com"]),
            _ => Value::Null,
        }
    }

    fn check(f: &str) -> bool {
        let e = parse(f).unwrap();
        validate(&e, &resolve, &ALL).unwrap();
        matches(&e, &record)
    }

    #[test]
    fn guids_compare_in_sql_server_order_last_group_first() {
        // id = 6f1d2c3b-…-1c2d3e4f5a6b: its last group decides before its first.
        assert!(check("id gt ffffffff-ffff-ffff-ffff-000000000000"));
        assert!(check("id le 00000000-0000-0000-0000-200000000000"));
        assert!(!check("id le ffffffff-ffff-ffff-ffff-100000000000"));
        assert!(check("id le 6F1D2C3B-4A59-4E8F-9B0A-1C2D3E4F5A6B"));
    }

    #[test]
    fn every_form_evaluates() {
        assert!(check("name eq 'heidi.park@contoso.com'"));
        assert!(!check("name ne 'heidi.park@contoso.com'"));
        assert!(check("level gt 2 and level ge 3 and level lt 4 and level le 3"));
        assert!(!check("level gt 3"));
        assert!(!check("3 lt level") && check("3 le level"));
        assert!(check("active eq true and not (active eq false)"));
        assert!(check("mail eq null and name ne null"));
        assert!(check("id eq 6F1D2C3B-4A59-4E8F-9B0A-1C2D3E4F5A6B"));
        assert!(check("modifiedon gt 2026-11-01T00:00:00Z"));
        assert!(check(
            "contains(name,'park') and startswith(name,'heidi') and endswith(name,'.com')"
        ));
        assert!(check("name in ('x', 'HEIDI.PARK@contoso.com')"));
        assert!(check(
            "Microsoft.Dynamics.CRM.In(PropertyName='level',PropertyValues=[1,3])"
        ));
        assert!(check("proxyAddresses/any(x:x eq 'smtp:hp@contoso.com')"));
        assert!(check("proxyAddresses/any(x:startswith(x,'SMTP:heidi'))"));
        assert!(!check("proxyAddresses/any(x:x eq 'smtp:nobody@contoso.com')"));
        assert!(check("(level eq 1 or level eq 3) and active eq true"));
    }

    #[test]
    fn validation_refuses_what_it_cannot_answer() {
        let bad = |f: &str, d: &Dialect| validate(&parse(f).unwrap(), &resolve, d).unwrap_err();
        assert!(bad("nosuch eq 1", &ALL).contains("nosuch"));
        assert!(bad("level eq 'three'", &ALL).contains("incompatible"));
        assert!(bad("proxyAddresses eq 'x'", &ALL).contains("collection"));
        assert!(bad("active gt true", &ALL).contains("not supported"));
        let graph = Dialect {
            crm_in: false,
            contains: false,
            ne_and_not: false,
            ordering: false,
            ..ALL
        };
        assert!(bad("contains(name,'x')", &graph).contains("contains"));
        assert!(bad("name ne 'x'", &graph).contains("ne"));
        assert!(bad("level gt 1", &graph).contains("not supported"));
        let dataverse = Dialect {
            in_operator: false,
            lambda: false,
            ..ALL
        };
        assert!(bad("name in ('a')", &dataverse).contains("CRM.In"));
        assert!(bad("proxyAddresses/any(x:x eq 'a')", &dataverse).contains("Lambda"));
    }

    #[test]
    fn equality_keys_for_indexes() {
        let k = |f: &str| equality_keys(&parse(f).unwrap());
        let pin = |p: &str, v: &[&str]| {
            (
                p.to_owned(),
                v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(k("mail eq 'A@x.com'"), Some(vec![pin("mail", &["a@x.com"])]));
        assert_eq!(
            k("mail eq 'a' or mail eq 'b'"),
            Some(vec![pin("mail", &["a"]), pin("mail", &["b"])])
        );
        assert_eq!(
            k("level gt 1 and mail in ('a','b')"),
            Some(vec![pin("mail", &["a", "b"])])
        );
        assert_eq!(
            k("userPrincipalName eq 'a' or mail eq 'a' or proxyAddresses/any(x:x eq 'smtp:a')"),
            Some(vec![
                pin("userPrincipalName", &["a"]),
                pin("mail", &["a"]),
                pin("proxyAddresses/any", &["smtp:a"])
            ])
        );
        assert_eq!(k("mail eq 'a' or level gt 2"), None);
        assert_eq!(k("not (mail eq 'a')"), None);
    }
}
