//! Microsoft's clouds and the hosts each one uses: the one table the sign-in, the Graph reads
//! and the Exchange Online classification of profiles all read.
//!
//! Source: Microsoft Graph "National cloud deployments"
//! (learn.microsoft.com/graph/deployments) for the identity and Graph hosts;
//! microsoft-apis.md §C.3 for the Exchange Online and Dataverse hosts (those marked there as
//! plausible rather than verified are only used to *recognise* a host or infer a cloud, never
//! to send a request the operator did not ask for).

use std::fmt;
use std::str::FromStr;

/// One of Microsoft's clouds, as `--cloud` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cloud {
    /// The global service (also GCC "moderate" for identity, Graph and Exchange Online).
    #[default]
    Public,
    /// US Government Community Cloud (GCC): global identity, Graph and Exchange Online,
    /// Dataverse environments under `crm9.dynamics.com`.
    UsGov,
    /// US Government GCC High.
    UsGovHigh,
    /// US Government DoD.
    UsGovDod,
    /// Microsoft Azure operated by 21Vianet (China).
    China,
}

/// The hosts of one cloud. URLs carry no trailing slash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudHosts {
    /// The Microsoft identity platform: `{identity}/{tenant}/oauth2/v2.0/token`.
    pub identity: &'static str,
    /// Microsoft Graph; its token scope is `{graph}/.default`.
    pub graph: &'static str,
    /// Exchange Online hosts (EWS, SMTP) of this cloud; sub-domains count too.
    pub exchange_online: &'static [&'static str],
    /// Domains whose sub-domains are this cloud's Dataverse environments.
    pub dataverse_domains: &'static [&'static str],
}

impl Cloud {
    pub const ALL: [Cloud; 5] = [
        Cloud::Public,
        Cloud::UsGov,
        Cloud::UsGovHigh,
        Cloud::UsGovDod,
        Cloud::China,
    ];

    /// The name `--cloud` takes.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGov => "usgov",
            Cloud::UsGovHigh => "usgovhigh",
            Cloud::UsGovDod => "usgovdod",
            Cloud::China => "china",
        }
    }

    pub const fn hosts(self) -> CloudHosts {
        // GCC shares the global identity, Graph and Exchange Online hosts.
        const GLOBAL: CloudHosts = CloudHosts {
            identity: "https://login.microsoftonline.com",
            graph: "https://graph.microsoft.com",
            exchange_online: &[
                "outlook.office365.com",
                "outlook.office.com",
                "smtp.office365.com",
            ],
            dataverse_domains: &["dynamics.com"],
        };
        match self {
            Cloud::Public => GLOBAL,
            Cloud::UsGov => CloudHosts {
                dataverse_domains: &["crm9.dynamics.com"],
                ..GLOBAL
            },
            Cloud::UsGovHigh => CloudHosts {
                identity: "https://login.microsoftonline.us",
                graph: "https://graph.microsoft.us",
                exchange_online: &["outlook.office365.us"],
                dataverse_domains: &["crm.microsoftdynamics.us"],
            },
            Cloud::UsGovDod => CloudHosts {
                identity: "https://login.microsoftonline.us",
                graph: "https://dod-graph.microsoft.us",
                exchange_online: &["outlook-dod.office365.us", "webmail.apps.mil"],
                dataverse_domains: &["crm.appsplatform.us"],
            },
            Cloud::China => CloudHosts {
                identity: "https://login.chinacloudapi.cn",
                graph: "https://microsoftgraph.chinacloudapi.cn",
                exchange_online: &["partner.outlook.cn"],
                dataverse_domains: &["crm.dynamics.cn"],
            },
        }
    }

    /// The cloud an environment URL (or bare host) belongs to, from its domain; `None` when
    /// the domain is none of Microsoft's (a loopback simulator, a custom host).
    pub fn of_environment(org_url: &str) -> Option<Cloud> {
        let host = crate::hosts::host_of(org_url)?;
        // The most specific domain wins: `crm9.dynamics.com` (GCC) before `dynamics.com`.
        Cloud::ALL
            .iter()
            .flat_map(|c| c.hosts().dataverse_domains.iter().map(move |d| (*c, *d)))
            .filter(|(_, d)| is_within(&host, d))
            .max_by_key(|(_, d)| d.len())
            .map(|(c, _)| c)
    }
}

/// Exchange Online hosts of retired clouds, still recognised in profiles that name them
/// (Microsoft Cloud Deutschland, closed in 2021).
pub const RETIRED_EXCHANGE_ONLINE_HOSTS: &[&str] = &["outlook.office.de"];

/// Every Exchange Online host of every cloud, retired ones included.
pub fn exchange_online_hosts() -> impl Iterator<Item = &'static str> {
    Cloud::ALL
        .into_iter()
        .flat_map(|c| c.hosts().exchange_online.iter().copied())
        .chain(RETIRED_EXCHANGE_ONLINE_HOSTS.iter().copied())
}

/// True when `host` is `domain` or one of its sub-domains (both lower case).
pub(crate) fn is_within(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown cloud name; the message lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud {0:?}; use one of public, usgov, usgovhigh, usgovdod, china")]
pub struct UnknownCloud(pub String);

impl FromStr for Cloud {
    type Err = UnknownCloud;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Cloud::ALL
            .into_iter()
            .find(|c| c.name() == wanted)
            .ok_or_else(|| UnknownCloud(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Cloud::ALL {
            assert_eq!(c.name().parse::<Cloud>(), Ok(c));
        }
        assert_eq!("USGovHigh".parse::<Cloud>(), Ok(Cloud::UsGovHigh));
        assert!(
            "germany"
                .parse::<Cloud>()
                .unwrap_err()
                .to_string()
                .contains("usgovdod")
        );
    }

    #[test]
    fn graph_deployments_page_hosts() {
        // learn.microsoft.com/graph/deployments: "Microsoft Graph and Graph Explorer service
        // root endpoints" and "Microsoft Entra endpoints".
        assert_eq!(Cloud::UsGovHigh.hosts().graph, "https://graph.microsoft.us");
        assert_eq!(Cloud::UsGovDod.hosts().graph, "https://dod-graph.microsoft.us");
        assert_eq!(
            Cloud::UsGovHigh.hosts().identity,
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            Cloud::China.hosts().graph,
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(Cloud::China.hosts().identity, "https://login.chinacloudapi.cn");
    }

    #[test]
    fn the_environment_domain_tells_the_cloud() {
        let of = Cloud::of_environment;
        assert_eq!(of("https://contoso.crm.dynamics.com"), Some(Cloud::Public));
        assert_eq!(of("https://contoso.crm4.dynamics.com/"), Some(Cloud::Public));
        assert_eq!(of("https://contoso.crm9.dynamics.com"), Some(Cloud::UsGov));
        assert_eq!(
            of("https://contoso.crm.microsoftdynamics.us"),
            Some(Cloud::UsGovHigh)
        );
        assert_eq!(of("https://contoso.crm.appsplatform.us"), Some(Cloud::UsGovDod));
        assert_eq!(of("https://contoso.crm.dynamics.cn"), Some(Cloud::China));
        assert_eq!(of("http://127.0.0.1:41002"), None);
        assert_eq!(of("https://contoso.crm.dynamics.com.evil.example"), None);
        assert_eq!(of("https://notdynamics.com"), None);
    }
}
