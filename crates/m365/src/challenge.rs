//! A parser for `WWW-Authenticate` header values (RFC 7235 §4.1), which is harder than it
//! looks: one header may carry several challenges separated by commas, parameters are also
//! separated by commas, and quoted parameter values may themselves contain commas:
//!
//! ```text
//! WWW-Authenticate: Negotiate, NTLM
//! WWW-Authenticate: Bearer client_id="00000002-…", trusted_issuers="a@x,b@y", Basic realm="mail.contoso.com"
//! ```
//!
//! It is fed with what a remote server sends, so it never panics and never allocates more
//! than the input's size (it will be fuzzed).

use ssync_core::records::{AuthChallenge, comma_outside_quotes, is_ows, is_tchar};

/// A header value that does not parse as challenges: a scheme that is not an RFC 7235 token
/// (e.g. a stray quote swallowed the rest). Reported as a malformed answer, never guessed at,
/// because a guessed scheme list could turn into a false `fail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable WWW-Authenticate header: `{0}` is not an authentication scheme")]
pub struct Unreadable(pub String);

/// Every challenge in the given header values, in order.
pub fn parse_all<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<AuthChallenge>, Unreadable> {
    let mut out = Vec::new();
    for value in values {
        out.extend(parse(value)?);
    }
    Ok(out)
}

/// Every challenge in one header value, in order. Parameters are kept verbatim (joined by
/// `", "` when they were comma-separated).
pub fn parse(value: &str) -> Result<Vec<AuthChallenge>, Unreadable> {
    let mut out: Vec<AuthChallenge> = Vec::new();
    for item in split_top_level(value) {
        let item = item.trim_matches(is_ows);
        if item.is_empty() {
            continue;
        }
        let token_end = item.find(|c: char| is_ows(c) || c == '=').unwrap_or(item.len());
        let (token, rest) = item.split_at(token_end);
        let after = rest.trim_start_matches(is_ows);
        if token.is_empty() || after.starts_with('=') {
            // `name=value`: a further parameter of the challenge before it. A stray item
            // before any scheme is dropped.
            if let Some(current) = out.last_mut() {
                if !current.params.is_empty() {
                    current.params.push_str(", ");
                }
                current.params.push_str(item);
            }
        } else if continues_unquoted_list(out.last(), item) {
            // `trusted_issuers=a@x,b@y` sent without quotes: `b@y` is the list's next issuer
            // (no scheme has an `@`), read by `AuthChallenge::trusted_issuers`.
            if let Some(current) = out.last_mut() {
                current.params.push_str(", ");
                current.params.push_str(item);
            }
        } else if !token.chars().all(is_tchar) {
            let shown: String = token.chars().take(40).collect();
            return Err(Unreadable(shown));
        } else {
            out.push(AuthChallenge {
                scheme: token.to_owned(),
                params: after.to_owned(),
            });
        }
    }
    Ok(out)
}

/// True when `item` is one more entry of an unquoted issuer list (`<principal>@<realm>`,
/// no quote, no space) that follows the challenge's last parameter, itself unquoted.
fn continues_unquoted_list(current: Option<&AuthChallenge>, item: &str) -> bool {
    let Some(current) = current else {
        return false;
    };
    let last = current.params.trim_end_matches(is_ows);
    last.contains('=')
        && !last.ends_with('"')
        && item.contains('@')
        && !item.contains(|c: char| c == '"' || c == '=' || is_ows(c))
}

/// Splits on commas outside quoted strings (`"…"` with `\` escapes). An unterminated quote
/// runs to the end of the value.
fn split_top_level(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = value;
    while let Some(i) = comma_outside_quotes(rest) {
        parts.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemes(v: &[AuthChallenge]) -> Vec<&str> {
        v.iter().map(|c| c.scheme.as_str()).collect()
    }

    #[test]
    fn separate_headers_each_with_one_scheme() {
        let got = parse_all(["Negotiate", "NTLM", "Basic realm=\"mail.contoso.com\""]).unwrap();
        assert_eq!(schemes(&got), ["Negotiate", "NTLM", "Basic"]);
        assert_eq!(got[2].params, "realm=\"mail.contoso.com\"");
        assert_eq!(got[0].params, "");
    }

    #[test]
    fn several_schemes_in_one_header() {
        let got = parse("Negotiate, NTLM,Basic realm=\"x\"").unwrap();
        assert_eq!(schemes(&got), ["Negotiate", "NTLM", "Basic"]);
    }

    #[test]
    fn quoted_params_with_commas_stay_with_their_scheme() {
        let v = r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*,x@y", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", Basic realm="mail.contoso.com""#;
        let got = parse(v).unwrap();
        assert_eq!(schemes(&got), ["Bearer", "Basic"]);
        assert_eq!(
            got[0].params,
            r#"client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*,x@y", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize""#
        );
        assert_eq!(got[1].params, "realm=\"mail.contoso.com\"");
    }

    #[test]
    fn an_unquoted_issuer_list_stays_with_its_bearer_challenge() {
        let got = parse(
            "Bearer client_id=00000002-0000-0ff1-ce00-000000000000, trusted_issuers=a@x,b@y, Basic realm=\"m\"",
        )
        .unwrap();
        assert_eq!(schemes(&got), ["Bearer", "Basic"]);
        assert_eq!(got[0].trusted_issuers(), ["a@x", "b@y"], "{:?}", got[0].params);
        // After a quoted value an `@` item is not a continuation: the header stays unreadable
        // rather than guessed at.
        assert!(parse("Bearer trusted_issuers=\"a@x\", b@y").is_err());
    }

    #[test]
    fn token68_and_spaces_around_equals() {
        let got = parse("Negotiate oYGRMIGOoAMKAQ==, Basic realm = \"a,b\" , charset = \"UTF-8\"").unwrap();
        assert_eq!(schemes(&got), ["Negotiate", "Basic"]);
        assert_eq!(got[0].params, "oYGRMIGOoAMKAQ==");
        assert_eq!(got[1].params, "realm = \"a,b\", charset = \"UTF-8\"");
    }

    #[test]
    fn escaped_quotes_and_unterminated_strings() {
        let got = parse(r#"Basic realm="a\"b,c", NTLM"#).unwrap();
        assert_eq!(schemes(&got), ["Basic", "NTLM"]);
        let got = parse(r#"Basic realm="never closed, NTLM"#).unwrap();
        assert_eq!(schemes(&got), ["Basic"]);
    }

    #[test]
    fn junk_gives_no_panic_and_no_invented_scheme() {
        for junk in [
            "",
            ",,,",
            " , ",
            "=",
            "=x, =y",
            "\"",
            "\\",
            "a=\"",
            "é=ü, ß",
            "\t,\t",
        ] {
            let got = parse(junk).unwrap_or_default();
            assert!(
                got.iter()
                    .all(|c| !c.scheme.is_empty() && !c.scheme.contains('=')),
                "{junk:?}: {got:?}"
            );
        }
        assert!(parse("realm=\"x\"").unwrap().is_empty());
        assert!(
            parse("é=ü, ß").is_err(),
            "a non-token scheme is unreadable, not a scheme"
        );
    }

    #[test]
    fn a_stray_quote_makes_the_header_unreadable_instead_of_inventing_a_scheme() {
        // Found by fuzzing: the quote swallowed `Basic`, and `x",` became a "scheme", which
        // would have turned a malformed answer into a false `fail`.
        let err = parse(r#"Negotiate, x", Basic realm="mail.contoso.com""#).unwrap_err();
        assert!(err.to_string().contains("x\""), "{err}");
        assert!(parse_all(["NTLM", r#"x", Basic"#]).is_err());
    }
}
