//! Property tests for address comparison (`ssync_core::address`) and the address scanner of
//! redaction (`ssync_core::redact::scan_addresses`). Four of the six causes hinge on matching
//! a mailbox address against Entra ID's addresses, so a wrong answer here becomes a wrong
//! diagnosis; the example tests in `address.rs` pin known cases, these look for the unknown
//! ones. Each property runs the default 256 cases (well under a second).

use proptest::prelude::*;
use ssync_core::address::{self, AddressMatch};
use ssync_core::records::{DeletedUser, EntraUser};
use ssync_core::redact::scan_addresses;

// ---------------------------------------------------------------------------------------
// Generators

/// A local part as Exchange issues them: starts with a letter or digit (the scanner drops
/// leading dots and apostrophes), at most 20 characters so it never looks like a deleted
/// user's `<32 hex digits><address>` sign-in name.
fn local_part() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._+-]{0,19}"
}

/// A mail domain of two to four labels, each starting and ending with a letter or digit.
fn domain() -> impl Strategy<Value = String> {
    let label = "[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?";
    prop::collection::vec(label, 2..=4).prop_map(|labels| labels.join("."))
}

fn smtp_address() -> impl Strategy<Value = String> {
    (local_part(), domain()).prop_map(|(l, d)| format!("{l}@{d}"))
}

/// The same ASCII text with the case of each letter chosen at random.
fn recase(s: String) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), s.len()).prop_map(move |flips| {
        s.chars()
            .zip(flips)
            .map(|(c, up)| {
                if up {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

/// Text that stresses the scanner: many `@`, dots, hyphens, apostrophes, hex digits and
/// multi-byte characters next to each other.
fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('@'),
            Just('.'),
            Just('-'),
            Just('\''),
            Just(' '),
            Just('é'),
            Just('\u{1F600}'),
            Just('\u{0130}'),
            prop::char::range('0', '9'),
            prop::char::range('a', 'f'),
            any::<char>(),
        ],
        0..200,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// An Entra user with a primary `SMTP:` address, secondary `smtp:` aliases (all distinct
/// from each other), `mail` equal to the primary, a sign-in name in another domain and
/// proxy entries of other types mixed in.
fn user() -> impl Strategy<Value = EntraUser> {
    (
        prop::collection::btree_set(smtp_address().prop_map(|a| a.to_lowercase()), 1..6),
        local_part(),
        any::<bool>(),
        prop::collection::vec(
            prop_oneof![Just("X500:/o=ExchangeLabs/cn=x"), Just("SIP:someone@x.com")],
            0..3,
        ),
    )
        .prop_map(|(addresses, upn_local, mail_set, others)| {
            let mut addresses = addresses.into_iter();
            let primary = addresses.next().unwrap_or_default();
            let mut proxies: Vec<String> = vec![format!("SMTP:{primary}")];
            proxies.extend(addresses.map(|a| format!("smtp:{a}")));
            proxies.extend(others.into_iter().map(str::to_owned));
            EntraUser {
                id: "00000000-0000-0000-0000-000000000001".into(),
                user_principal_name: format!("{upn_local}@tenant.onmicrosoft.com"),
                display_name: None,
                mail: mail_set.then(|| primary.clone()),
                proxy_addresses: proxies,
                assigned_plans: vec![],
                assigned_licenses: vec![],
                account_enabled: Some(true),
                created_at: None,
                on_premises_sync: None,
            }
        })
}

fn deleted(upn: String) -> DeletedUser {
    DeletedUser {
        id: "d".into(),
        user_principal_name: upn,
        display_name: None,
        mail: None,
        proxy_addresses: vec![],
        deleted_at: None,
    }
}

// ---------------------------------------------------------------------------------------
// `same`

proptest! {
    #[test]
    fn same_is_reflexive_and_symmetric_for_any_text(a in any::<String>(), b in any::<String>()) {
        prop_assert!(address::same(&a, &a));
        prop_assert_eq!(address::same(&a, &b), address::same(&b, &a));
    }

    #[test]
    fn same_ignores_ascii_case_and_surrounding_whitespace(
        (a, b) in smtp_address().prop_flat_map(|a| (Just(a.clone()), recase(a))),
        pad in "[ \t]{0,3}",
    ) {
        prop_assert!(address::same(&a, &b));
        let padded = format!("{pad}{a}{pad}");
        prop_assert!(address::same(&padded, &b));
    }

    #[test]
    fn same_ignores_unicode_case_as_lower_casing_defines_it(a in any::<String>()) {
        prop_assert!(address::same(&a, &a.to_lowercase()));
    }

    #[test]
    fn same_tells_different_addresses_apart(a in smtp_address(), b in smtp_address()) {
        prop_assert_eq!(address::same(&a, &b), a.eq_ignore_ascii_case(&b));
    }
}

// ---------------------------------------------------------------------------------------
// `classify`

proptest! {
    #[test]
    fn every_smtp_proxy_address_of_a_user_is_primary_or_secondary(
        u in user(),
        upper in any::<bool>(),
    ) {
        for proxy in &u.proxy_addresses {
            let Some((addr, is_primary)) = address::smtp_of_proxy(proxy) else { continue };
            let asked = if upper { addr.to_uppercase() } else { addr.to_owned() };
            let got = address::classify(&asked, &u);
            let want = if is_primary { AddressMatch::Primary } else { AddressMatch::Secondary };
            prop_assert_eq!(got, want, "{} in {:?}", asked, u.proxy_addresses);
        }
    }

    #[test]
    fn an_address_the_user_does_not_have_is_none(u in user(), other in smtp_address()) {
        let known = u
            .proxy_addresses
            .iter()
            .filter_map(|p| address::smtp_of_proxy(p))
            .any(|(a, _)| a.eq_ignore_ascii_case(&other));
        prop_assume!(!known && !other.eq_ignore_ascii_case(&u.user_principal_name));
        prop_assert_eq!(address::classify(&other, &u), AddressMatch::None);
    }

    #[test]
    fn the_sign_in_name_alone_is_user_principal_name(u in user()) {
        let upn = u.user_principal_name.to_uppercase();
        prop_assert_eq!(address::classify(&upn, &u), AddressMatch::UserPrincipalName);
    }
}

// ---------------------------------------------------------------------------------------
// `domain_of` and `smtp_of_proxy`

proptest! {
    #[test]
    fn domain_of_is_the_lower_cased_domain(local in "[^@\\s]{0,20}", d in domain()) {
        let want = d.to_lowercase();
        prop_assert_eq!(address::domain_of(&format!("{local}@{d}")), Some(want));
    }

    #[test]
    fn domain_of_text_without_at_is_none(s in "[^@]*") {
        prop_assert_eq!(address::domain_of(&s), None);
    }

    #[test]
    fn domain_of_never_panics(s in any::<String>()) {
        if let Some(d) = address::domain_of(&s) {
            prop_assert!(!d.is_empty());
            prop_assert!(!d.contains('@'));
        }
    }

    #[test]
    fn smtp_of_proxy_round_trips_smtp_entries(addr in any::<String>()) {
        let (upper, lower, mixed) = (format!("SMTP:{addr}"), format!("smtp:{addr}"), format!("Smtp:{addr}"));
        prop_assert_eq!(address::smtp_of_proxy(&upper), Some((addr.as_str(), true)));
        prop_assert_eq!(address::smtp_of_proxy(&lower), Some((addr.as_str(), false)));
        // Only the all-capitals prefix marks the primary address.
        prop_assert_eq!(address::smtp_of_proxy(&mixed), Some((addr.as_str(), false)));
    }

    #[test]
    fn smtp_of_proxy_rejects_other_prefixes(kind in "[^:]{0,12}", addr in any::<String>()) {
        prop_assume!(!kind.eq_ignore_ascii_case("smtp"));
        let proxy = format!("{kind}:{addr}");
        prop_assert_eq!(address::smtp_of_proxy(&proxy), None);
    }

    #[test]
    fn smtp_of_proxy_without_a_colon_is_none(s in "[^:]*") {
        prop_assert_eq!(address::smtp_of_proxy(&s), None);
    }
}

// ---------------------------------------------------------------------------------------
// `deleted_user_matches`

proptest! {
    #[test]
    fn deleted_user_matches_a_hex_prefixed_sign_in_name(
        prefix in "[0-9a-fA-F]{32}",
        addr in smtp_address(),
        asked in any::<bool>(),
    ) {
        let upn = format!("{prefix}{addr}");
        let asked = if asked { addr.to_uppercase() } else { addr.clone() };
        prop_assert!(address::deleted_user_matches(&deleted(upn), &asked));
    }

    #[test]
    fn deleted_user_rejects_a_32_char_prefix_with_a_non_hex_char(
        hex in "[0-9a-f]{31}",
        bad in any::<char>().prop_filter("not a hex digit", |c| !c.is_ascii_hexdigit()),
        at in 0usize..32,
        addr in smtp_address(),
    ) {
        let mut prefix: Vec<char> = hex.chars().collect();
        prefix.insert(at, bad);
        let prefix: String = prefix.into_iter().collect();
        let upn = format!("{prefix}{addr}");
        prop_assert!(!address::deleted_user_matches(&deleted(upn), &addr));
    }

    #[test]
    fn deleted_user_matching_never_panics(upn in any::<String>(), addr in any::<String>()) {
        let _ = address::deleted_user_matches(&deleted(upn), &addr);
    }
}

// ---------------------------------------------------------------------------------------
// `redact::scan_addresses`

/// What may stand between two addresses in an alert, a record or a raw answer.
fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            " ", ", ", "; ", "\n", " <", "> ", "(", ")", "\"", ": ", "\t", "[", "]", "/",
        ][..],
    )
}

proptest! {
    #[test]
    fn scan_finds_every_address_in_a_text(
        parts in prop::collection::vec((separator(), smtp_address(), "[ a-zA-Z:,]{0,12}"), 1..8),
    ) {
        let mut text = String::new();
        for (sep, addr, filler) in &parts {
            text.push_str(&format!("{filler}{sep}{addr}{sep}"));
        }
        let found = scan_addresses(&text);
        for (_, addr, _) in &parts {
            let want = addr.to_lowercase();
            // The scanner keeps trailing dots of a local part but drops them from a domain;
            // the generator's domains end with a letter or digit, so the address is whole.
            prop_assert!(found.contains(&want), "{} not found in {:?}: {:?}", want, text, found);
        }
        prop_assert_eq!(found.len(), parts.len(), "{:?}", found);
    }

    #[test]
    fn scan_strips_a_deleted_users_hex_prefix(prefix in "[0-9a-f]{32}", addr in smtp_address()) {
        let found = scan_addresses(&format!("upn {prefix}{addr} deleted"));
        prop_assert_eq!(found, vec![addr.to_lowercase()]);
    }

    #[test]
    fn scan_never_panics_on_arbitrary_text(s in any::<String>()) {
        for a in scan_addresses(&s) {
            prop_assert!(a.contains('@'));
        }
    }

    #[test]
    fn scan_never_panics_on_hostile_text(s in hostile_text()) {
        for a in scan_addresses(&s) {
            let (local, domain) = a.split_once('@').unwrap_or_default();
            prop_assert!(!local.is_empty(), "{:?} from {:?}", a, s);
            prop_assert!(domain.contains('.'), "{:?} from {:?}", a, s);
        }
    }
}
