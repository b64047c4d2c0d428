//! What the live source connects to ([`Settings`]) and how politely it talks ([`Options`]).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::error::ConnectError;

/// Where the environment lives and how the application signs in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The environment URL, e.g. `https://contoso.crm.dynamics.com`; the Web API is
    /// `{org_url}/api/data/v9.2/`.
    pub org_url: String,
    /// The Entra tenant (GUID or verified domain).
    pub tenant_id: String,
    /// The application (client) id of the app registration.
    pub client_id: String,
    pub credential: Credential,
    /// Default `https://login.microsoftonline.com`.
    pub authority_host: String,
    /// Default `https://graph.microsoft.com`.
    pub graph_url: String,
}

/// How the application proves who it is. `Debug` never prints a secret (`SecretString`).
#[derive(Debug, Clone)]
pub enum Credential {
    /// A client secret (from `AZURE_CLIENT_SECRET`).
    Secret(SecretString),
    /// The certificate registered on the app with its private key: a PEM file (key
    /// unencrypted) or a PFX/PKCS#12 file opened with `password`. The client signs a JWT
    /// assertion with the key (PS256, `x5t#S256` = SHA-256 thumbprint).
    Certificate {
        path: PathBuf,
        password: Option<SecretString>,
    },
    /// Workload identity federation: the file (`AZURE_FEDERATED_TOKEN_FILE`) holds a token
    /// another identity provider issued (GitHub Actions, Azure DevOps, Kubernetes); it is
    /// sent as the client assertion. The file is read again for every token, as the platform
    /// renews it.
    WorkloadIdentity { token_file: PathBuf },
    /// The managed identity of the Azure resource the tool runs on.
    ManagedIdentity(ManagedIdentity),
    /// Tokens from the Azure CLI (`az account get-access-token`) of a signed-in administrator.
    AzureCli,
    /// `--auth auto`: these credentials in order; the first that obtains a token is kept for
    /// the rest of the run.
    Chain(Vec<Credential>),
}

impl Credential {
    /// How the operator names this credential (`--auth` value).
    pub fn name(&self) -> &'static str {
        match self {
            Credential::Secret(_) => "secret",
            Credential::Certificate { .. } => "certificate",
            Credential::WorkloadIdentity { .. } => "workload-identity",
            Credential::ManagedIdentity(_) => "managed-identity",
            Credential::AzureCli => "azure-cli",
            Credential::Chain(_) => "auto",
        }
    }

    /// The credentials tried in order (a chain flattened; anything else alone).
    pub(crate) fn flattened(&self) -> Vec<&Credential> {
        match self {
            Credential::Chain(all) => all.iter().flat_map(Credential::flattened).collect(),
            one => vec![one],
        }
    }

    /// True when the credential signs in as an app registration, whose client id is needed
    /// (for a chain: when it holds one).
    pub fn needs_client_id(&self) -> bool {
        match self {
            Credential::Secret(_) | Credential::Certificate { .. } | Credential::WorkloadIdentity { .. } => {
                true
            }
            Credential::ManagedIdentity(_) | Credential::AzureCli => false,
            Credential::Chain(all) => all.iter().any(Credential::needs_client_id),
        }
    }
}

/// Where the managed identity's tokens come from.
/// Sources: "How to use managed identities for Azure resources on an Azure VM to acquire an
/// access token" (learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token)
/// and App Service "REST endpoint reference"
/// (learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference).
#[derive(Debug, Clone)]
pub enum ManagedIdentity {
    /// The instance metadata service of VMs and containers:
    /// `GET {base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
    /// `Metadata: true`. `base` is `http://169.254.169.254` unless overridden.
    Imds { base: String },
    /// App Service, Functions, Container Apps and Automation: `GET {endpoint}?api-version=2019-08-01&resource=…`
    /// with `X-IDENTITY-HEADER: {header}` (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`).
    AppService { endpoint: String, header: SecretString },
}

/// The instance metadata service's fixed link-local address.
pub const IMDS_BASE: &str = "http://169.254.169.254";

/// The public cloud's identity host and Graph (`ssync_core::cloud`).
pub const DEFAULT_AUTHORITY_HOST: &str = ssync_core::cloud::Cloud::Public.hosts().identity;
pub const DEFAULT_GRAPH_URL: &str = ssync_core::cloud::Cloud::Public.hosts().graph;

/// Dataverse allows 52 concurrent requests per user before answering 429 (service
/// protection limits); going above that only buys throttling.
pub const DATAVERSE_MAX_CONCURRENCY: usize = 52;

/// Timeouts, retries, concurrency and size limits. The defaults suit a real tenant; tests
/// shrink them.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time to establish a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Time for one request, body included.
    pub request_timeout: Duration,
    /// Time for the whole run, counted from `connect`; requests after it fail as unreachable.
    pub run_timeout: Duration,
    /// Retries after the first attempt, for 429, 503, other 5xx and connection errors.
    pub max_retries: usize,
    /// First backoff delay (doubled each retry, with jitter).
    pub min_backoff: Duration,
    /// Longest wait between retries the tool chooses itself. A service's `Retry-After` is
    /// honoured in full whatever this says (see `transport`).
    pub max_backoff: Duration,
    /// The most time one request may spend on its attempts and the waits between them,
    /// `Retry-After` waits apart (those are bounded by the run's time limit).
    pub max_total_wait: Duration,
    /// Time for one EWS probe, connection included. EWS endpoints are third-party servers,
    /// often behind firewalls that drop rather than refuse: a probe gets one attempt of at
    /// most this long, never the retries and the full timeout of Dataverse or Graph.
    pub ews_timeout: Duration,
    /// Concurrent requests to Dataverse (capped at 52).
    pub dataverse_concurrency: usize,
    /// Concurrent requests to Microsoft Graph.
    pub graph_concurrency: usize,
    /// Concurrent unauthenticated EWS probes.
    pub ews_concurrency: usize,
    /// `Prefer: odata.maxpagesize` for Dataverse (at most 5000).
    pub dataverse_page_size: u32,
    /// `$top` for Graph collections (at most 999).
    pub graph_page_size: u32,
    /// Largest response body read, in bytes.
    pub max_response_bytes: usize,
    /// Most pages followed for one collection; a guard against endless `@odata.nextLink`s.
    pub max_pages: usize,
    /// Runs covering at most this many mailboxes look users up one by one (in `$batch`es of
    /// 20); larger runs read every user and system user in pages. See the crate docs.
    pub targeted_max_mailboxes: usize,
    /// The most ranges a long collection is read in side by side: Graph users by
    /// `userPrincipalName` (`policy::bulk::ranges_for`), Dataverse mailboxes and system users
    /// by key (`reader::key_ranges`, at most 4); 1 reads each as one chain of pages.
    pub max_ranges: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            run_timeout: Duration::from_secs(30 * 60),
            max_retries: 5,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(300),
            ews_timeout: Duration::from_secs(10),
            dataverse_concurrency: DATAVERSE_MAX_CONCURRENCY,
            graph_concurrency: 16,
            ews_concurrency: 8,
            dataverse_page_size: 5000,
            graph_page_size: 999,
            max_response_bytes: 64 * 1024 * 1024,
            max_pages: 10_000,
            targeted_max_mailboxes: 100,
            max_ranges: 16,
        }
    }
}

impl Options {
    /// Clamps values to what the services accept.
    pub(crate) fn normalised(mut self) -> Self {
        self.dataverse_concurrency = self.dataverse_concurrency.clamp(1, DATAVERSE_MAX_CONCURRENCY);
        self.graph_concurrency = self.graph_concurrency.max(1);
        self.ews_concurrency = self.ews_concurrency.max(1);
        self.dataverse_page_size = self.dataverse_page_size.clamp(1, 5000);
        self.graph_page_size = self.graph_page_size.clamp(1, 999);
        self.max_pages = self.max_pages.max(1);
        self.max_ranges = self.max_ranges.clamp(1, 64);
        self
    }
}

impl Settings {
    /// Checks the URLs and ids before anything is sent: every URL must be `https`, except on a
    /// loopback host (the simulated tenant), and carry no user name, password, query or fragment.
    pub fn validate(&self) -> Result<(), ConnectError> {
        for (what, value) in [
            ("--org-url", &self.org_url),
            ("--authority-host", &self.authority_host),
            ("--graph-url", &self.graph_url),
        ] {
            base_url(what, value)?;
        }
        for (what, value) in [("--tenant-id", &self.tenant_id), ("--client-id", &self.client_id)] {
            let v = value.trim();
            // A managed identity (system-assigned) and the Azure CLI sign in without one.
            if v.is_empty() && what == "--client-id" && !self.credential.needs_client_id() {
                continue;
            }
            if v.is_empty() {
                return Err(ConnectError::Config(format!("{what} is empty")));
            }
            if !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            {
                return Err(ConnectError::Config(format!(
                    "{what} must be a GUID or a domain name, got {v:?}"
                )));
            }
        }
        for credential in self.credential.flattened() {
            credential_files_exist(credential)?;
            if let Credential::ManagedIdentity(mi) = credential {
                mi.validate()?;
            }
        }
        Ok(())
    }
}

/// The files a credential reads must exist before anything is sent.
fn credential_files_exist(credential: &Credential) -> Result<(), ConnectError> {
    match credential {
        Credential::Certificate { path, .. } if !path.is_file() => Err(ConnectError::Config(format!(
            "the certificate file {} cannot be read; {}",
            path.display(),
            crate::assertion::CERTIFICATE_FIX
        ))),
        Credential::WorkloadIdentity { token_file } if !token_file.is_file() => {
            Err(ConnectError::Config(format!(
                "the federated token file {} (AZURE_FEDERATED_TOKEN_FILE) cannot be read; point it at \
                 the token file your platform writes (GitHub Actions, Azure DevOps and AKS set it)",
                token_file.display()
            )))
        }
        _ => Ok(()),
    }
}

impl ManagedIdentity {
    /// The endpoint URL. It is plain http by design, so the rule is narrower than for the
    /// services: only loopback hosts (App Service's local endpoint) and the link-local
    /// metadata address.
    pub(crate) fn validate(&self) -> Result<Url, ConnectError> {
        let (what, value) = match self {
            ManagedIdentity::Imds { base } => ("the instance metadata endpoint", base),
            ManagedIdentity::AppService { endpoint, .. } => ("IDENTITY_ENDPOINT", endpoint),
        };
        let url = Url::parse(value.trim())
            .map_err(|e| ConnectError::Config(format!("{what} {value:?} is not a URL ({e})")))?;
        let link_local = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_link_local());
        if url.scheme() == "https" || (url.scheme() == "http" && (is_loopback(&url) || link_local)) {
            Ok(url)
        } else {
            Err(ConnectError::Config(format!(
                "{what} {url} must be a local endpoint (loopback or 169.254.169.254); a managed identity \
                 token never travels to another host"
            )))
        }
    }
}

/// Parses a service base URL and applies the https-or-loopback rule.
pub(crate) fn base_url(what: &str, value: &str) -> Result<Url, ConnectError> {
    let url = Url::parse(value.trim()).map_err(|e| {
        ConnectError::Config(format!(
            "{what} {value:?} is not a URL ({e}); give the full address with https://, e.g. {}",
            example(what)
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConnectError::Config(format!(
            "{what} must not carry a user name or password"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConnectError::Config(format!(
            "{what} must not carry a query or fragment"
        )));
    }
    check_scheme(&url).map_err(|e| ConnectError::Config(format!("{what}: {e}")))?;
    Ok(url)
}

/// An example value for the flag `what`, for messages.
fn example(what: &str) -> &'static str {
    match what {
        "--authority-host" => DEFAULT_AUTHORITY_HOST,
        "--graph-url" => DEFAULT_GRAPH_URL,
        _ => "https://contoso.crm.dynamics.com",
    }
}

/// `https` anywhere; `http` only to loopback hosts (127.0.0.0/8, ::1, localhost).
pub(crate) fn check_scheme(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "{url} uses http; only https is accepted (http only for loopback hosts): write https://{}",
            url.host_str().unwrap_or("<host>")
        )),
        other => Err(format!(
            "{url} uses the scheme {other:?}; only https is accepted: write https://<host>"
        )),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(org: &str) -> Settings {
        Settings {
            org_url: org.into(),
            tenant_id: "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            credential: Credential::Secret("s3cr3t".into()),
            authority_host: DEFAULT_AUTHORITY_HOST.into(),
            graph_url: DEFAULT_GRAPH_URL.into(),
        }
    }

    #[test]
    fn https_everywhere_http_only_on_loopback() {
        assert!(settings("https://contoso.crm.dynamics.com").validate().is_ok());
        assert!(settings("http://127.0.0.1:41002").validate().is_ok());
        assert!(settings("http://127.9.9.9:41002").validate().is_ok());
        assert!(settings("http://[::1]:41002").validate().is_ok());
        assert!(settings("http://localhost:41002").validate().is_ok());
        for bad in [
            "http://contoso.crm.dynamics.com",
            "http://128.0.0.1",
            "http://localhost.evil.example",
            "ftp://contoso",
            "not a url",
            "https://user:pw@contoso.crm.dynamics.com",
            "https://contoso.crm.dynamics.com/?x=1",
        ] {
            let err = settings(bad).validate().unwrap_err();
            assert!(matches!(err, ConnectError::Config(_)), "{bad}: {err}");
            assert_eq!(err.exit_code(), 2);
        }
    }

    #[test]
    fn ids_must_be_plain() {
        let mut s = settings("https://contoso.crm.dynamics.com");
        s.tenant_id = "contoso.com/../x".into();
        assert!(matches!(s.validate(), Err(ConnectError::Config(_))));
        s.tenant_id = " ".into();
        assert!(matches!(s.validate(), Err(ConnectError::Config(_))));
    }

    #[test]
    fn options_are_clamped() {
        let o = Options {
            dataverse_concurrency: 500,
            graph_page_size: 5000,
            ..Options::default()
        }
        .normalised();
        assert_eq!(o.dataverse_concurrency, 52);
        assert_eq!(o.graph_page_size, 999);
    }
}
