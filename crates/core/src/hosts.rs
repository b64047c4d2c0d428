//! Recognising Exchange Online endpoints. Shared by the checks that must never probe them and
//! by those that look for Basic authentication against them. The hosts come from the cloud
//! table ([`crate::cloud`]).

/// The lower-cased host of a URL or bare host name (`https://host:443/path` → `host`).
pub fn host_of(location: &str) -> Option<String> {
    let rest = location.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// True when the location's host is an Exchange Online host or one of its sub-domains.
pub fn is_exchange_online(location: &str) -> bool {
    host_of(location).is_some_and(|host| {
        crate::cloud::exchange_online_hosts().any(|eo| crate::cloud::is_within(&host, eo))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_exchange_online_hosts_and_nothing_else() {
        assert!(is_exchange_online(
            "https://outlook.office365.com/EWS/Exchange.asmx"
        ));
        assert!(is_exchange_online(
            "HTTPS://Outlook.Office365.com:443/ews/exchange.asmx"
        ));
        assert!(is_exchange_online("smtp.office365.com"));
        assert!(!is_exchange_online("https://mail.contoso.com/EWS/Exchange.asmx"));
        assert!(!is_exchange_online(
            "https://outlook.office365.com.evil.example/EWS"
        ));
        assert!(!is_exchange_online("https://notoutlook.office365.com/EWS"));
        assert!(!is_exchange_online(""));
        for eo in [
            "https://outlook.office365.us/EWS/Exchange.asmx",
            "partner.outlook.cn",
            "webmail.apps.mil",
        ] {
            assert!(is_exchange_online(eo), "{eo}");
        }
    }

    #[test]
    fn host_of_strips_scheme_port_path_and_userinfo() {
        assert_eq!(
            host_of("https://u@Mail.Contoso.com:8443/EWS").as_deref(),
            Some("mail.contoso.com")
        );
        assert_eq!(host_of("http://[::1]:80/x").as_deref(), Some("::1"));
        assert_eq!(host_of("mail.contoso.com").as_deref(), Some("mail.contoso.com"));
    }
}
