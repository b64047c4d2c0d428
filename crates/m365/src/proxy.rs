//! Which proxy a request goes through, for messages. reqwest itself honours the proxy
//! variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower case) and,
//! with its `system-proxy` feature, the Windows and macOS proxy settings; this module only
//! reads the variables the same way so that a connection error can say "through the proxy
//! http://proxy:3128 (HTTPS_PROXY)". A proxy's user name and password are never shown.

use url::Url;

#[derive(Debug, Clone, Default)]
pub(crate) struct Proxies {
    /// (variable, proxy URL as shown) for https and for http URLs.
    https: Option<(&'static str, String)>,
    http: Option<(&'static str, String)>,
    /// `NO_PROXY` entries, lower case, without a leading dot.
    no_proxy: Vec<String>,
}

impl Proxies {
    pub(crate) fn from_env() -> Self {
        Self::from(|name: &str| std::env::var(name).ok())
    }

    /// Reads the variables through `env` (tests pass their own).
    pub(crate) fn from(env: impl Fn(&str) -> Option<String>) -> Self {
        let var = |upper: &'static str| -> Option<(&'static str, String)> {
            let lower = upper.to_ascii_lowercase();
            env(upper)
                .map(|v| (upper, v))
                .or_else(|| env(&lower).map(|v| (upper, v)))
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(name, v)| (name, shown(&v)))
        };
        let all = var("ALL_PROXY");
        let no_proxy = env("NO_PROXY")
            .or_else(|| env("no_proxy"))
            .unwrap_or_default()
            .split(',')
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        Self {
            https: var("HTTPS_PROXY").or_else(|| all.clone()),
            http: var("HTTP_PROXY").or(all),
            no_proxy,
        }
    }

    /// "the proxy http://proxy:3128 (HTTPS_PROXY)" when a request to `url` goes through one.
    pub(crate) fn for_url(&self, url: &Url) -> Option<String> {
        let (name, proxy) = match url.scheme() {
            "https" => self.https.as_ref()?,
            _ => self.http.as_ref()?,
        };
        let host = url.host_str()?.trim_matches(['[', ']']).to_ascii_lowercase();
        let excluded = self
            .no_proxy
            .iter()
            .any(|e| e == "*" || host == *e || host.ends_with(&format!(".{e}")));
        (!excluded).then(|| format!("the proxy {proxy} ({name})"))
    }

    /// ` (host:port[, through the proxy …])`, appended to a connection error.
    pub(crate) fn route(&self, url: Option<&Url>) -> String {
        let Some(url) = url else {
            return String::new();
        };
        let host = match (url.host_str(), url.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => return String::new(),
        };
        match self.for_url(url) {
            Some(proxy) => format!(" (connecting to {host} through {proxy})"),
            None => format!(" (connecting to {host})"),
        }
    }
}

/// The proxy URL without user name and password.
fn shown(value: &str) -> String {
    match Url::parse(value.trim()) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.as_str().trim_end_matches('/').to_owned()
        }
        // reqwest also accepts `host:port`; show it as given, minus anything before an `@`.
        Err(_) => value.trim().rsplit('@').next().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Proxies::from(move |n| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
    }

    #[test]
    fn names_the_proxy_of_the_scheme_and_hides_its_password() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://user:s3cret@proxy.contoso.com:3128"),
            ("no_proxy", "localhost, .internal.contoso.com"),
        ]);
        let login = Url::parse("https://login.microsoftonline.com/t/oauth2/v2.0/token").unwrap();
        let route = p.route(Some(&login));
        assert_eq!(
            route,
            " (connecting to login.microsoftonline.com:443 through the proxy http://proxy.contoso.com:3128 (HTTPS_PROXY))"
        );
        assert!(!route.contains("s3cret") && !route.contains("user"));
        let inside = Url::parse("https://mail.internal.contoso.com/EWS/Exchange.asmx").unwrap();
        assert_eq!(p.for_url(&inside), None, "NO_PROXY excludes sub-domains");
        let plain = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(p.for_url(&plain), None, "HTTPS_PROXY is not used for http URLs");
        let all = proxies(&[("ALL_PROXY", "socks5://gw:1080")]);
        assert!(all.for_url(&plain).unwrap().contains("ALL_PROXY"));
        assert_eq!(
            proxies(&[]).route(Some(&login)),
            " (connecting to login.microsoftonline.com:443)"
        );
    }
}
