//! An OData `$filter` parser for the subset Dataverse and Graph clients use: comparison
//! operators, `and`/`or`/`not`, parentheses, `contains`/`startswith`/`endswith`,
//! `x in ('a','b')`, `Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=[…])` and
//! `coll/any(v:v eq '…')`. Anything else is a parse error, which the services answer with
//! their documented 400 — never a guess.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Guid(String),
    /// An unquoted date/time (`2026-01-01T00:00:00Z`); compared as text, which orders
    /// correctly for UTC RFC 3339 values.
    DateTime(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Prop(String),
    /// The range variable of a lambda.
    Var(String),
    Lit(Lit),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
    /// `x in (…)` (Graph) or `Microsoft.Dynamics.CRM.In(…)` (Dataverse).
    In {
        left: Operand,
        values: Vec<Lit>,
        crm: bool,
    },
    Func {
        func: Func,
        target: Operand,
        arg: Lit,
    },
    Any {
        collection: String,
        var: String,
        body: Box<Expr>,
    },
}

/// A syntax error with the character position it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Syntax error at position {}: {}", self.position, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Lit),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Slash,
    Equals,
}

fn lex(input: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |position, message: &str| ParseError {
        position,
        message: message.to_owned(),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => out.push((start, Tok::LParen)),
            ')' => out.push((start, Tok::RParen)),
            '[' => out.push((start, Tok::LBracket)),
            ']' => out.push((start, Tok::RBracket)),
            ',' => out.push((start, Tok::Comma)),
            ':' => out.push((start, Tok::Colon)),
            '/' => out.push((start, Tok::Slash)),
            '=' => out.push((start, Tok::Equals)),
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => break,
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push((start, Tok::Lit(Lit::Str(s))));
            }
            _ => {
                // A GUID, a date/time, a number or an identifier: take the whole word.
                let mut j = i;
                while j < chars.len() && (chars[j].is_alphanumeric() || "._-@+:".contains(chars[j])) {
                    // A colon only belongs to a date/time word (`…T10:00:00Z`); else it is
                    // the lambda separator.
                    if chars[j] == ':' && !chars[i..j].contains(&'T') {
                        break;
                    }
                    j += 1;
                }
                if j == i {
                    return Err(err(start, &format!("unexpected character '{c}'")));
                }
                let word: String = chars[i..j].iter().collect();
                let tok = classify(&word).ok_or_else(|| err(start, &format!("cannot read '{word}'")))?;
                out.push((start, tok));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    Ok(out)
}

fn classify(word: &str) -> Option<Tok> {
    if crate::ids::is_guid(word) {
        return Some(Tok::Lit(Lit::Guid(word.to_ascii_lowercase())));
    }
    let first = word.chars().next()?;
    if first.is_ascii_digit() || first == '-' {
        if word.len() >= 10 && word.as_bytes().get(4) == Some(&b'-') && word.as_bytes().get(7) == Some(&b'-')
        {
            return Some(Tok::Lit(Lit::DateTime(word.to_owned())));
        }
        return word.parse::<f64>().ok().map(|n| Tok::Lit(Lit::Num(n)));
    }
    Some(match word {
        "true" => Tok::Lit(Lit::Bool(true)),
        "false" => Tok::Lit(Lit::Bool(false)),
        "null" => Tok::Lit(Lit::Null),
        _ if word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '@') =>
        {
            Tok::Ident(word.to_owned())
        }
        _ => return None,
    })
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
    vars: Vec<String>,
}

pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let toks = lex(input)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: input.chars().count(),
        vars: Vec::new(),
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(p.error("unexpected text after the end of the expression"));
    }
    Ok(e)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(p, _)| *p)
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError {
            position: self.here(),
            message: message.to_owned(),
        }
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|(_, t)| t.clone());
        self.pos += 1;
        t
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn keyword(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(w)) if w == kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(e);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, ParseError> {
        let start = self.pos;
        match self.next() {
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::LParen) => self.call(&name),
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::Slash) => {
                self.pos += 1;
                if !self.keyword("any") {
                    self.pos = start;
                    return Err(self.error("only the 'any' lambda operator is supported after '/'"));
                }
                self.lambda(name)
            }
            Some(Tok::Ident(name)) => {
                let left = self.operand_of(name);
                self.comparison(left)
            }
            Some(Tok::Lit(l)) => self.comparison(Operand::Lit(l)),
            _ => {
                self.pos = start;
                Err(self.error("expected a property, a function or '('"))
            }
        }
    }

    fn operand_of(&self, name: String) -> Operand {
        if self.vars.contains(&name) {
            Operand::Var(name)
        } else {
            Operand::Prop(name)
        }
    }

    fn comparison(&mut self, left: Operand) -> Result<Expr, ParseError> {
        let op = match self.peek() {
            Some(Tok::Ident(w)) => match w.as_str() {
                "eq" => Some(CmpOp::Eq),
                "ne" => Some(CmpOp::Ne),
                "gt" => Some(CmpOp::Gt),
                "ge" => Some(CmpOp::Ge),
                "lt" => Some(CmpOp::Lt),
                "le" => Some(CmpOp::Le),
                "in" => None,
                _ => return Err(self.error(&format!("unknown operator '{w}'"))),
            },
            _ => return Err(self.error("expected a comparison operator (eq, ne, gt, ge, lt, le, in)")),
        };
        self.pos += 1;
        let Some(op) = op else {
            self.expect(Tok::LParen, "'(' after 'in'")?;
            let values = self.literal_list(Tok::RParen)?;
            return Ok(Expr::In {
                left,
                values,
                crm: false,
            });
        };
        let right = match self.next() {
            Some(Tok::Lit(l)) => Operand::Lit(l),
            Some(Tok::Ident(name)) => self.operand_of(name),
            _ => {
                self.pos -= 1;
                return Err(self.error("expected a value after the operator"));
            }
        };
        Ok(Expr::Cmp { left, op, right })
    }

    fn literal_list(&mut self, close: Tok) -> Result<Vec<Lit>, ParseError> {
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Lit(l)) => values.push(l),
                Some(t) if t == close && values.is_empty() => return Ok(values),
                _ => {
                    self.pos -= 1;
                    return Err(self.error("expected a literal value in the list"));
                }
            }
            match self.next() {
                Some(Tok::Comma) => {}
                Some(t) if t == close => return Ok(values),
                _ => {
                    self.pos -= 1;
                    return Err(self.error("expected ',' or the end of the list"));
                }
            }
        }
    }

    fn call(&mut self, name: &str) -> Result<Expr, ParseError> {
        self.pos += 1; // '('
        let func = match name {
            "contains" => Func::Contains,
            "startswith" => Func::StartsWith,
            "endswith" => Func::EndsWith,
            "Microsoft.Dynamics.CRM.In" => return self.crm_in(),
            _ => {
                self.pos -= 2;
                return Err(self.error(&format!("unknown function '{name}'")));
            }
        };
        let target = match self.next() {
            Some(Tok::Ident(p)) => self.operand_of(p),
            _ => {
                self.pos -= 1;
                return Err(self.error(&format!("{name} takes a property first")));
            }
        };
        self.expect(Tok::Comma, "','")?;
        let arg = match self.next() {
            Some(Tok::Lit(Lit::Str(s))) => Lit::Str(s),
            _ => {
                self.pos -= 1;
                return Err(self.error(&format!("{name} takes a string literal second")));
            }
        };
        self.expect(Tok::RParen, "')'")?;
        Ok(Expr::Func { func, target, arg })
    }

    fn crm_in(&mut self) -> Result<Expr, ParseError> {
        let mut property = None;
        let mut values = None;
        loop {
            let pname = match self.next() {
                Some(Tok::Ident(p)) => p,
                _ => {
                    self.pos -= 1;
                    return Err(self.error("expected PropertyName= or PropertyValues="));
                }
            };
            self.expect(Tok::Equals, "'='")?;
            match pname.as_str() {
                "PropertyName" => match self.next() {
                    Some(Tok::Lit(Lit::Str(s))) => property = Some(s),
                    _ => {
                        self.pos -= 1;
                        return Err(self.error("PropertyName takes a quoted property name"));
                    }
                },
                "PropertyValues" => {
                    self.expect(Tok::LBracket, "'['")?;
                    values = Some(self.literal_list(Tok::RBracket)?);
                }
                other => return Err(self.error(&format!("unknown parameter '{other}'"))),
            }
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::RParen) => break,
                _ => {
                    self.pos -= 1;
                    return Err(self.error("expected ',' or ')'"));
                }
            }
        }
        match (property, values) {
            (Some(p), Some(v)) => Ok(Expr::In {
                left: Operand::Prop(p),
                values: v,
                crm: true,
            }),
            _ => Err(self.error("Microsoft.Dynamics.CRM.In needs PropertyName and PropertyValues")),
        }
    }

    fn lambda(&mut self, collection: String) -> Result<Expr, ParseError> {
        self.expect(Tok::LParen, "'(' after any")?;
        let var = match self.next() {
            Some(Tok::Ident(v)) => v,
            _ => {
                self.pos -= 1;
                return Err(self.error("expected a range variable"));
            }
        };
        self.expect(Tok::Colon, "':'")?;
        self.vars.push(var.clone());
        let body = self.or();
        self.vars.pop();
        let body = body?;
        self.expect(Tok::RParen, "')'")?;
        Ok(Expr::Any {
            collection,
            var,
            body: Box::new(body),
        })
    }
}

#[cfg(test)]
impl Expr {
    /// Visits every node, depth first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Not(a) => a.walk(f),
            Expr::Any { body, .. } => body.walk(f),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(p: &str) -> Operand {
        Operand::Prop(p.into())
    }

    #[test]
    fn comparisons_and_precedence() {
        let e = parse("statecode eq 0 and (a ne 'x' or not b gt 2)").unwrap();
        let Expr::And(l, r) = e else { panic!("{e:?}") };
        assert_eq!(
            *l,
            Expr::Cmp {
                left: prop("statecode"),
                op: CmpOp::Eq,
                right: Operand::Lit(Lit::Num(0.0))
            }
        );
        assert!(matches!(*r, Expr::Or(_, _)));
        // `and` binds tighter than `or`.
        assert!(matches!(
            parse("a eq 1 or b eq 2 and c eq 3").unwrap(),
            Expr::Or(_, _)
        ));
    }

    #[test]
    fn literals() {
        let e = parse("_regardingobjectid_value eq 6F1D2C3B-4A59-4E8F-9B0A-1C2D3E4F5A6B").unwrap();
        assert!(
            matches!(e, Expr::Cmp { right: Operand::Lit(Lit::Guid(ref g)), .. } if g.starts_with("6f1d"))
        );
        let e = parse("modifiedon ge 2026-01-01T10:00:00Z").unwrap();
        assert!(matches!(
            e,
            Expr::Cmp {
                right: Operand::Lit(Lit::DateTime(_)),
                ..
            }
        ));
        let e = parse("name eq 'O''Brien' and x eq null and y eq true and z eq -1.5").unwrap();
        let mut lits = Vec::new();
        e.walk(&mut |n| {
            if let Expr::Cmp {
                right: Operand::Lit(l),
                ..
            } = n
            {
                lits.push(l.clone());
            }
        });
        assert_eq!(
            lits,
            vec![
                Lit::Str("O'Brien".into()),
                Lit::Null,
                Lit::Bool(true),
                Lit::Num(-1.5)
            ]
        );
    }

    #[test]
    fn functions_in_and_lambda() {
        assert!(matches!(
            parse("contains(name,'bo')").unwrap(),
            Expr::Func {
                func: Func::Contains,
                ..
            }
        ));
        let e = parse(
            "Microsoft.Dynamics.CRM.In(PropertyName='emailaddress',PropertyValues=['a@x.com','b@x.com'])",
        )
        .unwrap();
        assert_eq!(
            e,
            Expr::In {
                left: prop("emailaddress"),
                values: vec![Lit::Str("a@x.com".into()), Lit::Str("b@x.com".into())],
                crm: true
            }
        );
        let e = parse("mail in ('a@x.com', 'b@x.com')").unwrap();
        assert!(matches!(e, Expr::In { crm: false, ref values, .. } if values.len() == 2));
        let e = parse("proxyAddresses/any(x:x eq 'smtp:a@x.com')").unwrap();
        let Expr::Any {
            collection,
            var,
            body,
        } = e
        else {
            panic!()
        };
        assert_eq!((collection.as_str(), var.as_str()), ("proxyAddresses", "x"));
        assert!(matches!(
            *body,
            Expr::Cmp {
                left: Operand::Var(_),
                ..
            }
        ));
    }

    #[test]
    fn errors_name_a_position() {
        for bad in [
            "name eq",
            "name eq 'x",
            "name like 'x'",
            "(a eq 1",
            "a eq 1 b",
            "substringof('x',name)",
            "proxyAddresses/all(x:x eq 'a')",
            "Microsoft.Dynamics.CRM.In(PropertyName='a')",
            "a eq 1 and",
            "",
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.position <= bad.len(), "{bad}: {e}");
        }
        assert_eq!(parse("name like 'x'").unwrap_err().position, 5);
    }
}
