//! Building OData query strings: literal quoting, `In` filters, percent-encoding.

/// An OData string literal: single quotes doubled.
pub(crate) fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `Microsoft.Dynamics.CRM.In(PropertyName='p',PropertyValues=['a','b'])`.
pub(crate) fn dataverse_in(property: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| literal(v)).collect();
    format!(
        "Microsoft.Dynamics.CRM.In(PropertyName={},PropertyValues=[{}])",
        literal(property),
        list.join(",")
    )
}

/// `(p eq a or p eq b)` for GUID-valued properties such as lookups (`_x_value`).
pub(crate) fn any_guid_eq(property: &str, ids: &[String]) -> String {
    let parts: Vec<String> = ids.iter().map(|id| format!("{property} eq {id}")).collect();
    format!("({})", parts.join(" or "))
}

/// The Graph filter that finds a user by any of its addresses.
pub(crate) fn graph_address_filter(address: &str) -> String {
    let a = literal(address);
    let smtp = literal(&format!("smtp:{address}"));
    format!("userPrincipalName eq {a} or mail eq {a} or proxyAddresses/any(x:x eq {smtp})")
}

/// A query string from pairs: keys as given (`$select`), values percent-encoded with `%20`
/// for spaces (not `+`, which not every OData parser reads as a space).
pub(crate) fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
            format!("{k}={}", v.replace('+', "%20"))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// True for values that are safe to put in a URL path segment or a filter without quoting
/// surprises: GUIDs and plain addresses/domains.
pub(crate) fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 320
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._@+'".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_filters() {
        assert_eq!(literal("o'brien@x.com"), "'o''brien@x.com'");
        assert_eq!(
            dataverse_in("emailaddress", &["a@x".into(), "b'@x".into()]),
            "Microsoft.Dynamics.CRM.In(PropertyName='emailaddress',PropertyValues=['a@x','b''@x'])"
        );
        assert_eq!(
            any_guid_eq("_r_value", &["1".into(), "2".into()]),
            "(_r_value eq 1 or _r_value eq 2)"
        );
        assert_eq!(
            graph_address_filter("a@x.com"),
            "userPrincipalName eq 'a@x.com' or mail eq 'a@x.com' or proxyAddresses/any(x:x eq 'smtp:a@x.com')"
        );
    }

    #[test]
    fn encoding_uses_percent_twenty_and_keeps_keys() {
        assert_eq!(
            encode(&[("$filter", "a eq 'b+c'"), ("$top", "5")]),
            "$filter=a%20eq%20%27b%2Bc%27&$top=5"
        );
    }

    #[test]
    fn plain_values() {
        assert!(is_plain("6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b"));
        assert!(is_plain("first.last+tag@contoso.com"));
        assert!(!is_plain("a/b"));
        assert!(!is_plain("a?b"));
        assert!(!is_plain(""));
    }
}
