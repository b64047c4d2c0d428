//! Reading the parameters of a `WWW-Authenticate` challenge, and the `Bearer` challenge an
//! Exchange endpoint sends when it accepts OAuth tokens.
//!
//! Grammar (RFC 7235 §2.1): after the scheme come either a token68 or a comma-separated list of
//! `auth-param = token BWS "=" BWS ( token / quoted-string )`. Exchange's `Bearer` challenge
//! carries `client_id`, `trusted_issuers` (the token issuers the server trusts, comma separated
//! inside one quoted string), `token_types` and, with hybrid modern authentication enabled,
//! `authorization_uri`. Microsoft's examples:
//!
//! - Open Specification MS-XOAUTH §4.6 "Realm Autodiscovery Through HTTP 401 Challenge":
//!   `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0001-0000-c000-000000000000@*"`
//!   (<https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-xoauth/f622dee1-a9a7-436e-b44e-6ecf8f536f77>);
//! - "Using hybrid Modern Authentication with Outlook for iOS and Android" (Exchange docs), an
//!   on-premises endpoint with HMA on:
//!   `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@5de110f8-2e0f-4d45-891d-bcf2218e253d,00000004-0000-0ff1-ce00-000000000000@contoso.com", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.windows.net/common/oauth2/authorize"`
//!   (<https://learn.microsoft.com/exchange/clients/outlook-for-ios-and-android/use-hybrid-modern-auth>).
//!
//! An issuer is `<principal id>@<realm>`: the realm is the Entra tenant id the server trusts
//! tokens from, or `*` for every tenant (Exchange Online's own challenge). Servers are not
//! always strict, so the reader also takes unquoted values (`trusted_issuers=a@x,b@y`) and
//! never panics on what a remote server sends.

use super::{AuthChallenge, EwsProbe};

/// RFC 7230 `tchar`: what a scheme or parameter name may contain. Shared with the live
/// reader's header splitter (`ssync_m365::challenge`).
pub fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// RFC 7230 optional whitespace.
pub fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The byte position of the first comma outside a quoted string (`"…"` with `\` escapes; an
/// unterminated quote runs to the end), or `None`.
pub fn comma_outside_quotes(s: &str) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == ',' {
            return Some(i);
        }
    }
    None
}

/// A quoted-string's content after its opening quote, unescaped, and the text after the
/// closing quote. An unterminated string runs to the end.
fn read_quoted(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            value.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return (value, &s[i + 1..]);
        } else {
            value.push(c);
        }
    }
    (value, "")
}

/// The text after the next comma that is outside a quoted string.
fn after_next_comma(s: &str) -> &str {
    comma_outside_quotes(s).map_or("", |i| &s[i + 1..])
}

/// Every `name=value` of a challenge's parameters, names in lower case, quoted values
/// unescaped, in order. A token68 and items that are not parameters are left out; an item
/// that follows an unquoted value and is not itself a parameter continues that value (a
/// comma-separated list sent without quotes).
pub(super) fn parse_params(params: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut last_unquoted = false;
    let mut rest = params;
    loop {
        rest = rest.trim_start_matches(|c: char| is_ows(c) || c == ',');
        if rest.is_empty() {
            return out;
        }
        let name_end = rest.find(|c: char| !is_tchar(c)).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let after = rest[name_end..].trim_start_matches(is_ows);
        let value_part = after.strip_prefix('=').map(|v| v.trim_start_matches(is_ows));
        match value_part {
            // `token68` padding (`abc==`) or `name=` with nothing: not a parameter.
            Some(v) if !name.is_empty() && !v.is_empty() && !v.starts_with(['=', ',']) => {
                if let Some(q) = v.strip_prefix('"') {
                    let (value, tail) = read_quoted(q);
                    out.push((name.to_ascii_lowercase(), value));
                    last_unquoted = false;
                    rest = after_next_comma(tail);
                } else {
                    let end = v.find(',').unwrap_or(v.len());
                    out.push((
                        name.to_ascii_lowercase(),
                        v[..end].trim_end_matches(is_ows).to_owned(),
                    ));
                    last_unquoted = true;
                    rest = &v[end..];
                }
            }
            _ => {
                let end = rest.find(',').unwrap_or(rest.len());
                let item = rest[..end].trim_matches(is_ows);
                match out.last_mut() {
                    Some((_, value)) if last_unquoted && !item.contains(['"', '=']) && !item.is_empty() => {
                        value.push(',');
                        value.push_str(item);
                    }
                    _ => last_unquoted = false,
                }
                rest = after_next_comma(rest);
            }
        }
    }
}

/// The realm of a trusted issuer: the part after the last `@` of `<principal>@<realm>`, or the
/// first path segment of an issuer URL (`https://sts.windows.net/<tenant>/`). `None` when the
/// issuer has neither form.
pub fn issuer_realm(issuer: &str) -> Option<&str> {
    let issuer = issuer.trim();
    if let Some((_, realm)) = issuer.rsplit_once('@') {
        let realm = realm.trim();
        return (!realm.is_empty()).then_some(realm);
    }
    let path = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))?;
    let segment = path.split('/').nth(1)?.trim();
    (!segment.is_empty()).then_some(segment)
}

impl AuthChallenge {
    /// The challenge's `name=value` parameters (names in lower case, values unquoted).
    pub fn auth_params(&self) -> Vec<(String, String)> {
        parse_params(&self.params)
    }

    /// The value of one parameter (name compared without case), the first if repeated.
    pub fn param(&self, name: &str) -> Option<String> {
        self.auth_params()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The issuers of `trusted_issuers`, trimmed, in order; empty when there is none.
    pub fn trusted_issuers(&self) -> Vec<String> {
        self.param("trusted_issuers")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first trusted issuer whose realm is `tenant_id` (without case) or `*` (every
    /// tenant).
    pub fn issuer_trusting(&self, tenant_id: &str) -> Option<String> {
        let tenant_id = tenant_id.trim();
        self.trusted_issuers().into_iter().find(|i| {
            issuer_realm(i)
                .is_some_and(|r| r == "*" || (!tenant_id.is_empty() && r.eq_ignore_ascii_case(tenant_id)))
        })
    }
}

impl EwsProbe {
    /// The challenges of one scheme (compared without case), in the order sent.
    pub fn challenges_of<'a>(&'a self, scheme: &'a str) -> impl Iterator<Item = &'a AuthChallenge> + 'a {
        self.challenges
            .iter()
            .filter(move |c| c.scheme.eq_ignore_ascii_case(scheme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "5de110f8-2e0f-4d45-891d-bcf2218e253d";

    fn bearer(params: &str) -> AuthChallenge {
        AuthChallenge {
            scheme: "Bearer".into(),
            params: params.into(),
        }
    }

    /// The on-premises HMA example of the Exchange "hybrid Modern Authentication with Outlook
    /// for iOS and Android" page.
    #[test]
    fn microsofts_hma_example_reads_into_its_parameters() {
        let c = bearer(
            r#"client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@5de110f8-2e0f-4d45-891d-bcf2218e253d,00000004-0000-0ff1-ce00-000000000000@contoso.com", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.windows.net/common/oauth2/authorize""#,
        );
        assert_eq!(
            c.param("client_id").as_deref(),
            Some("00000002-0000-0ff1-ce00-000000000000")
        );
        assert_eq!(
            c.param("AUTHORIZATION_URI").as_deref(),
            Some("https://login.windows.net/common/oauth2/authorize")
        );
        assert_eq!(
            c.param("token_types").as_deref(),
            Some("app_asserted_user_v1 service_asserted_app_v1")
        );
        assert_eq!(
            c.trusted_issuers(),
            [
                "00000001-0000-0000-c000-000000000000@5de110f8-2e0f-4d45-891d-bcf2218e253d",
                "00000004-0000-0ff1-ce00-000000000000@contoso.com"
            ]
        );
        assert!(c.issuer_trusting(TENANT).is_some());
        assert!(
            c.issuer_trusting(&TENANT.to_uppercase()).is_some(),
            "GUIDs compare without case"
        );
        assert!(
            c.issuer_trusting("9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c")
                .is_none()
        );
        assert!(c.issuer_trusting("").is_none());
    }

    /// MS-XOAUTH §4.6: `@*` trusts every tenant.
    #[test]
    fn a_wildcard_realm_trusts_every_tenant() {
        let c = bearer(
            r#"client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0001-0000-c000-000000000000@*""#,
        );
        assert_eq!(
            c.issuer_trusting(TENANT).as_deref(),
            Some("00000001-0001-0000-c000-000000000000@*")
        );
    }

    #[test]
    fn unquoted_values_and_spaces_around_equals_are_read() {
        let c = bearer(&format!(
            "client_id = 00000002-0000-0ff1-ce00-000000000000, trusted_issuers=00000001-0000-0000-c000-000000000000@{TENANT}"
        ));
        assert_eq!(
            c.param("client_id").as_deref(),
            Some("00000002-0000-0ff1-ce00-000000000000")
        );
        assert!(c.issuer_trusting(TENANT).is_some());
        // An unquoted list: the items after the first continue the value.
        let c = bearer(&format!(
            "trusted_issuers=a@9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c,b@{TENANT}, token_types=x"
        ));
        assert_eq!(c.trusted_issuers().len(), 2, "{:?}", c.auth_params());
        assert!(c.issuer_trusting(TENANT).is_some());
        assert_eq!(c.param("token_types").as_deref(), Some("x"));
    }

    #[test]
    fn escapes_and_commas_inside_quotes_stay_in_the_value() {
        let c = bearer(r#"realm="a\"b,c", error="invalid_token""#);
        assert_eq!(c.param("realm").as_deref(), Some("a\"b,c"));
        assert_eq!(c.param("error").as_deref(), Some("invalid_token"));
    }

    #[test]
    fn issuer_realms() {
        assert_eq!(issuer_realm("00000001-0000-0000-c000-000000000000@x"), Some("x"));
        assert_eq!(issuer_realm(" p@* "), Some("*"));
        assert_eq!(issuer_realm("https://sts.windows.net/abc/"), Some("abc"));
        assert_eq!(issuer_realm("https://sts.windows.net/*/"), Some("*"));
        assert_eq!(issuer_realm("p@"), None);
        assert_eq!(issuer_realm("no-realm"), None);
        assert_eq!(issuer_realm("https://"), None);
    }

    #[test]
    fn no_issuers_trust_nobody() {
        assert!(bearer("").trusted_issuers().is_empty());
        assert!(bearer("").issuer_trusting(TENANT).is_none());
        assert!(bearer(r#"trusted_issuers="""#).trusted_issuers().is_empty());
        assert!(bearer(r#"trusted_issuers=", ,""#).trusted_issuers().is_empty());
        assert!(
            bearer("trusted_issuers=no-realm")
                .issuer_trusting(TENANT)
                .is_none()
        );
    }

    #[test]
    fn token68_and_junk_give_no_parameters_and_no_panic() {
        assert!(bearer("oYGRMIGOoAMKAQ==").auth_params().is_empty());
        for junk in [
            "",
            ",",
            ",,=,,",
            "=",
            "==",
            "=x",
            "\"",
            "\\",
            "a=\"",
            "a=\"\\",
            "a=,b",
            "é=ü, ß",
            "a=\"x\"junk, b=y",
            "\t,\t",
            "a==b",
            "@@@",
            "a=\"unterminated, trusted_issuers=\"p@*",
        ] {
            let c = bearer(junk);
            let params = c.auth_params();
            assert!(params.iter().all(|(n, _)| !n.is_empty()), "{junk:?}: {params:?}");
            let _ = c.trusted_issuers();
            let _ = c.issuer_trusting(TENANT);
        }
        assert_eq!(bearer("a=,b=c").param("b").as_deref(), Some("c"));
        assert_eq!(bearer("a=\"x\"junk, b=y").param("b").as_deref(), Some("y"));
        // A quote opened and never closed swallows the rest: no issuer is invented from it.
        assert!(
            bearer("a=\"unterminated, trusted_issuers=\"p@*")
                .issuer_trusting(TENANT)
                .is_none()
        );
    }

    #[test]
    fn probe_challenges_of_a_scheme() {
        let probe = EwsProbe {
            url: "https://mail.contoso.com/EWS/Exchange.asmx".into(),
            status: 401,
            challenges: vec![
                AuthChallenge {
                    scheme: "Negotiate".into(),
                    params: String::new(),
                },
                bearer("trusted_issuers=\"p@*\""),
                AuthChallenge {
                    scheme: "BEARER".into(),
                    params: String::new(),
                },
            ],
        };
        assert_eq!(probe.challenges_of("bearer").count(), 2);
        assert_eq!(probe.challenges_of("Basic").count(), 0);
    }
}
