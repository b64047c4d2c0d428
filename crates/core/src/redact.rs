//! Pseudonymising recorded [`Facts`] so that an evidence bundle can be shared: e-mail
//! addresses, mail domains, host names and people's names are replaced by stable pseudonyms
//! (`person-3@domain-1.example`, `host-2.example`, `Person 7`, `Profile 2`), consistently everywhere —
//! records, alert texts, raw answers — so that every check reaches the same status on the
//! redacted facts as on the original ones.
//!
//! What stays: ids and tenant GUIDs (not personal), option values, Exchange Online host
//! names (checks recognise them), loopback addresses, and the 32-hex-digit prefix Entra puts
//! on a deleted user's sign-in name.

use std::collections::{BTreeMap, BTreeSet};

use crate::hosts;
use crate::memory::Facts;

/// What redaction replaced: original → pseudonym. Keep it private; it undoes the redaction.
pub type Pseudonyms = BTreeMap<String, String>;

/// Returns the facts with personal data replaced, and the table of replacements.
pub fn redact(facts: &Facts) -> (Facts, Pseudonyms) {
    let Ok(text) = serde_json::to_string(facts) else {
        return (Facts::default(), Pseudonyms::new());
    };
    let table = pseudonyms(facts, &text);
    let redacted = replace_all(&text, &table);
    // Replacements never introduce quotes or backslashes, so the JSON stays well-formed.
    let facts = serde_json::from_str(&redacted).unwrap_or_default();
    (facts, table)
}

fn pseudonyms(facts: &Facts, text: &str) -> Pseudonyms {
    let mut table = Pseudonyms::new();
    let mut domains: BTreeMap<String, String> = BTreeMap::new();

    // Addresses, wherever they appear (records, alert texts, raw answers).
    let addresses: BTreeSet<String> = scan_addresses(text).into_iter().collect();
    for (i, addr) in addresses.iter().enumerate() {
        let (_, domain) = addr.rsplit_once('@').unwrap_or(("", addr));
        let pseudo_domain = domain_of(domain, &mut domains);
        table.insert(addr.clone(), format!("person-{}@{pseudo_domain}", i + 1));
    }
    // Domains known only as keys (OpenID discovery of a domain without any address).
    for domain in facts.domain_tenants.keys() {
        domain_of(domain, &mut domains);
    }

    // Host names of server locations and the environment (not Exchange Online, not loopback).
    let mut locations: Vec<&str> = Vec::new();
    for p in &facts.profiles {
        for (_, c) in p.connections() {
            locations.extend(c.server_location.as_deref());
        }
    }
    locations.extend(facts.mailboxes.iter().filter_map(|m| m.ews_url.as_deref()));
    locations.extend(facts.ews_probes.keys().map(String::as_str));
    locations.extend(facts.environment.as_ref().map(|e| e.url.as_str()));
    let host_set: BTreeSet<String> = locations
        .into_iter()
        .filter_map(hosts::host_of)
        .filter(|h| !hosts::is_exchange_online(h) && !is_loopback(h))
        .collect();
    for (i, host) in host_set.into_iter().enumerate() {
        table
            .entry(host)
            .or_insert_with(|| format!("host-{}.example", i + 1));
    }
    for (domain, pseudo) in domains {
        table.entry(domain).or_insert(pseudo);
    }

    // People's and records' display names.
    let mut names: BTreeSet<&str> = BTreeSet::new();
    names.extend(facts.mailboxes.iter().map(|m| m.name.as_str()));
    names.extend(facts.system_users.iter().map(|u| u.full_name.as_str()));
    names.extend(facts.queues.iter().map(|q| q.name.as_str()));
    names.extend(facts.entra_users.iter().filter_map(|u| u.display_name.as_deref()));
    names.extend(
        facts
            .deleted_users
            .iter()
            .filter_map(|u| u.display_name.as_deref()),
    );
    names.extend(facts.environment.as_ref().map(|e| e.name.as_str()));
    // A name that is itself an address (Dynamics names a mailbox after its address) already
    // has the address's pseudonym; a second, name-style one would win the replacement for
    // that spelling and leave the record without an address.
    let is_address = |n: &str| table.contains_key(&n.trim().to_lowercase());
    let names: Vec<&str> = names.into_iter().filter(|n| !is_address(n)).collect();
    for (i, name) in names.into_iter().filter(|n| n.chars().count() >= 3).enumerate() {
        table
            .entry(name.to_owned())
            .or_insert_with(|| format!("Person {}", i + 1));
    }
    // Profile names often carry a company or partner name ("Fabrikam cross-tenant OAuth").
    let profiles: BTreeSet<&str> = facts.profiles.iter().map(|p| p.name.as_str()).collect();
    for (i, name) in profiles
        .into_iter()
        .filter(|n| n.chars().count() >= 3)
        .enumerate()
    {
        table
            .entry(name.to_owned())
            .or_insert_with(|| format!("Profile {}", i + 1));
    }
    table
}

/// The pseudonym of a mail domain, numbered in order of first sight.
fn domain_of(domain: &str, domains: &mut BTreeMap<String, String>) -> String {
    let n = domains.len() + 1;
    domains
        .entry(domain.to_owned())
        .or_insert_with(|| format!("domain-{n}.example"))
        .clone()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// Every e-mail address in `text`, lower-cased. A deleted user's sign-in name
/// (`<32 hex digits><address>`) yields the address without the prefix.
pub fn scan_addresses(text: &str) -> Vec<String> {
    let is_local = |c: char| c.is_ascii_alphanumeric() || "._%+-'".contains(c);
    let is_domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
        let mut start = at;
        while start > 0 && is_local(chars[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < chars.len() && is_domain(chars[end]) {
            end += 1;
        }
        let local: String = chars[start..at]
            .iter()
            .collect::<String>()
            .trim_start_matches(['.', '\''])
            .to_owned();
        let domain: String = chars[at + 1..end]
            .iter()
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_owned();
        if local.is_empty() || !domain.contains('.') {
            continue;
        }
        let local = match local.get(32..) {
            Some(rest) if !rest.is_empty() && local[..32].bytes().all(|b| b.is_ascii_hexdigit()) => {
                rest.to_owned()
            }
            _ => local,
        };
        out.push(format!("{local}@{domain}").to_lowercase());
    }
    out
}

/// Replaces every key of `table` in `text`, longest first, ignoring ASCII case.
fn replace_all(text: &str, table: &Pseudonyms) -> String {
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    let mut out = text.to_owned();
    for key in keys {
        out = replace_ignore_case(&out, key, &table[key]);
    }
    out
}

fn replace_ignore_case(haystack: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return haystack.to_owned();
    }
    let lower_hay = haystack.to_ascii_lowercase();
    let lower_needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(haystack.len());
    let mut last = 0;
    for (pos, _) in lower_hay.match_indices(&lower_needle) {
        if pos < last {
            continue;
        }
        out.push_str(&haystack[last..pos]);
        out.push_str(with);
        last = pos + needle.len();
    }
    out.push_str(&haystack[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::*;
    use crate::{MemorySource, fixtures};

    #[test]
    fn scan_finds_addresses_and_strips_the_deleted_prefix() {
        let found = scan_addresses(
            "to Frank@Contoso.com; 0e3c4b5a6d7e8f901a2b3c4d5e6f7a8bsam@contoso.com and x@localhost, 'a.b@c.io'.",
        );
        assert_eq!(found, ["frank@contoso.com", "sam@contoso.com", "a.b@c.io"]);
    }

    #[test]
    fn a_name_that_is_an_address_keeps_the_address_pseudonym() {
        let mut mailbox = fixtures::mailbox("mb", "Heidi.Park@Contoso.com");
        mailbox.name = "Heidi.Park@Contoso.com".into();
        let facts = MemorySource::builder().mailbox(mailbox).build().facts().clone();
        let (redacted, table) = redact(&facts);
        let mb = &redacted.mailboxes[0];
        let pseudo = &table["heidi.park@contoso.com"];
        assert_eq!(mb.email_address.as_deref(), Some(pseudo.as_str()));
        assert_eq!(&mb.name, pseudo);
        assert!(!table.contains_key("Heidi.Park@Contoso.com"), "{table:?}");
    }

    #[tokio::test]
    async fn redaction_removes_addresses_names_and_hosts_but_keeps_the_relations() {
        use crate::DataSource;
        let mut mailbox = fixtures::mailbox("mb", "Frank.Miller@Contoso.com");
        mailbox.name = "Frank Miller".into();
        let mut user = fixtures::entra_user("u1", "frank.miller@contoso.com");
        user.display_name = Some("Frank Miller".into());
        user.proxy_addresses.push("smtp:fm@contoso.com".into());
        let facts = MemorySource::builder()
            .environment(fixtures::environment())
            .profile(fixtures::on_premises_profile(
                "p1",
                "https://mail.contoso.com/EWS/Exchange.asmx",
            ))
            .profile(fixtures::exchange_online_profile("p2"))
            .mailbox(mailbox)
            .entra_user(user)
            .domain_tenant("contoso.com", fixtures::TENANT)
            .deleted_user(DeletedUser {
                id: "d1".into(),
                user_principal_name: "0e3c4b5a6d7e8f901a2b3c4d5e6f7a8bfrank.miller@contoso.com".into(),
                display_name: Some("Frank Miller".into()),
                mail: None,
                proxy_addresses: vec![],
                deleted_at: None,
            })
            .build()
            .facts()
            .clone();
        let (redacted, table) = redact(&facts);
        let text = serde_json::to_string(&redacted).unwrap().to_lowercase();
        for secret in [
            "frank",
            "miller",
            "contoso",
            "mail.contoso.com",
            "exchange on-premises",
        ] {
            assert!(!text.contains(secret), "{secret} survived: {text}");
        }
        assert!(
            text.contains("outlook.office365.com"),
            "Exchange Online host must stay"
        );
        assert!(table.contains_key("frank.miller@contoso.com"));

        // Relations survive: the mailbox's address still resolves to the same user, the
        // deleted twin still matches it, and the domain still maps to the tenant.
        let source = MemorySource::from_facts(redacted);
        let mb = source.mailboxes().await.unwrap().remove(0);
        let addr = mb.email_address.unwrap();
        assert_eq!(
            source
                .entra_user_by_address(&addr)
                .await
                .unwrap()
                .map(|u| u.id)
                .as_deref(),
            Some("u1")
        );
        assert_eq!(source.deleted_users_matching(&addr).await.unwrap().len(), 1);
        let domain = crate::address::domain_of(&addr).unwrap();
        assert_eq!(
            source.domain_tenant(&domain).await.unwrap().as_deref(),
            Some(fixtures::TENANT)
        );
    }
}
