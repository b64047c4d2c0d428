//! SMTP address helpers shared by the checks. Exchange compares addresses without regard to
//! case, so every comparison here is case-insensitive.

use crate::records::{DeletedUser, EntraUser};

/// Lower-cases and trims an address for comparison.
pub fn normalise(address: &str) -> String {
    address.trim().to_lowercase()
}

/// True when two addresses are the same mailbox address (case-insensitive).
pub fn same(a: &str, b: &str) -> bool {
    normalise(a) == normalise(b)
}

/// The domain part of an address, lower-cased; `None` when there is no `@` or nothing after it.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    (!domain.is_empty()).then(|| domain.to_lowercase())
}

/// The SMTP address in a proxy address entry, with whether it is the primary one
/// (`SMTP:` upper case). Non-SMTP entries (`X500:`, `SIP:`…) give `None`.
pub fn smtp_of_proxy(proxy: &str) -> Option<(&str, bool)> {
    let (kind, addr) = proxy.split_once(':')?;
    if kind.eq_ignore_ascii_case("smtp") {
        Some((addr, kind == "SMTP"))
    } else {
        None
    }
}

/// How an address relates to an Entra user's mailbox addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressMatch {
    /// The primary SMTP address (`mail`, or the `SMTP:` proxy address).
    Primary,
    /// A secondary SMTP proxy address (an alias).
    Secondary,
    /// Only the sign-in name (UPN), which need not be a mail address.
    UserPrincipalName,
    /// None of them.
    None,
}

/// The primary SMTP address of a user: the `SMTP:` proxy entry, else `mail`.
pub fn primary_smtp(user: &EntraUser) -> Option<&str> {
    user.proxy_addresses
        .iter()
        .filter_map(|p| smtp_of_proxy(p))
        .find(|(_, primary)| *primary)
        .map(|(a, _)| a)
        .or(user.mail.as_deref())
}

/// Classifies `address` against the user's addresses.
pub fn classify(address: &str, user: &EntraUser) -> AddressMatch {
    if primary_smtp(user).is_some_and(|p| same(p, address))
        || user.mail.as_deref().is_some_and(|m| same(m, address))
    {
        return AddressMatch::Primary;
    }
    let secondary = user
        .proxy_addresses
        .iter()
        .filter_map(|p| smtp_of_proxy(p))
        .any(|(a, primary)| !primary && same(a, address));
    if secondary {
        AddressMatch::Secondary
    } else if same(&user.user_principal_name, address) {
        AddressMatch::UserPrincipalName
    } else {
        AddressMatch::None
    }
}

/// True when a soft-deleted user matches `address`: by `mail`, by any SMTP proxy address, by
/// its UPN, or by a UPN that is the address prefixed with the 32 hex digits of the object id
/// (Entra renames a deleted user's UPN that way so the name can be reused).
pub fn deleted_user_matches(user: &DeletedUser, address: &str) -> bool {
    let wanted = normalise(address);
    if user.mail.as_deref().is_some_and(|m| normalise(m) == wanted) {
        return true;
    }
    if user
        .proxy_addresses
        .iter()
        .filter_map(|p| smtp_of_proxy(p))
        .any(|(a, _)| normalise(a) == wanted)
    {
        return true;
    }
    let upn = normalise(&user.user_principal_name);
    if upn == wanted {
        return true;
    }
    upn.len() == wanted.len() + 32
        && upn.ends_with(&wanted)
        && upn[..32].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(mail: &str, proxies: &[&str], upn: &str) -> EntraUser {
        EntraUser {
            id: "u1".into(),
            user_principal_name: upn.into(),
            display_name: None,
            mail: Some(mail.into()),
            proxy_addresses: proxies.iter().map(|s| s.to_string()).collect(),
            assigned_plans: vec![],
            assigned_licenses: vec![],
            account_enabled: Some(true),
            created_at: None,
            on_premises_sync: None,
        }
    }

    #[test]
    fn classify_distinguishes_primary_alias_upn_and_none() {
        let u = user(
            "frank@fabrikam.com",
            &[
                "SMTP:frank@fabrikam.com",
                "smtp:f.miller@fabrikam.com",
                "X500:/o=x",
            ],
            "frank.upn@fabrikam.onmicrosoft.com",
        );
        assert_eq!(classify("FRANK@fabrikam.com", &u), AddressMatch::Primary);
        assert_eq!(classify("f.miller@fabrikam.com", &u), AddressMatch::Secondary);
        assert_eq!(
            classify("frank.upn@fabrikam.onmicrosoft.com", &u),
            AddressMatch::UserPrincipalName
        );
        assert_eq!(classify("someone@fabrikam.com", &u), AddressMatch::None);
        assert_eq!(classify("/o=x", &u), AddressMatch::None);
    }

    #[test]
    fn deleted_user_matches_prefixed_upn_only_with_32_hex_digits() {
        let d = |upn: &str| DeletedUser {
            id: "d".into(),
            user_principal_name: upn.into(),
            display_name: None,
            mail: None,
            proxy_addresses: vec![],
            deleted_at: None,
        };
        assert!(deleted_user_matches(
            &d("0e3c4b5a6d7e8f901a2b3c4d5e6f7a8bpeggy@fabrikam.com"),
            "Peggy@fabrikam.com"
        ));
        assert!(deleted_user_matches(
            &d("peggy@fabrikam.com"),
            "peggy@fabrikam.com"
        ));
        assert!(!deleted_user_matches(
            &d("0e3c4b5a6d7e8f901a2b3c4d5e6f7a8zpeggy@fabrikam.com"),
            "peggy@fabrikam.com"
        ));
        assert!(!deleted_user_matches(
            &d("xpeggy@fabrikam.com"),
            "peggy@fabrikam.com"
        ));
    }

    #[test]
    fn domain_of_handles_missing_parts() {
        assert_eq!(domain_of("a@Contoso.COM").as_deref(), Some("contoso.com"));
        assert_eq!(domain_of("a@"), None);
        assert_eq!(domain_of("nobody"), None);
    }
}
