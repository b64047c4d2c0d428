//! `ssync-doctor run`: the connection settings from flags and environment variables.

use std::path::PathBuf;

use secrecy::SecretString;
use ssync_core::cloud::Cloud;
use ssync_m365::{Credential, IMDS_BASE, ManagedIdentity, Settings};

use crate::cli::{AuthMode, ConnectionArgs};
use crate::error::CliError;

/// The environment variable the client secret comes from; never a flag (shell history and
/// process lists would keep it).
pub const SECRET_VAR: &str = "AZURE_CLIENT_SECRET";
/// The environment variable naming the app's certificate: a PEM file with the certificate and
/// its unencrypted key, or a PFX/PKCS#12 file.
pub const CERTIFICATE_VAR: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
/// The password of a PFX file.
pub const CERTIFICATE_PASSWORD_VAR: &str = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
/// The file holding a federated token (workload identity), as GitHub Actions, Azure DevOps
/// and AKS write it.
pub const FEDERATED_TOKEN_VAR: &str = "AZURE_FEDERATED_TOKEN_FILE";
/// App Service, Functions, Container Apps and Automation announce their managed identity
/// endpoint and its header in these.
pub const IDENTITY_ENDPOINT_VAR: &str = "IDENTITY_ENDPOINT";
pub const IDENTITY_HEADER_VAR: &str = "IDENTITY_HEADER";
/// Replaces the instance metadata service's address, as the Azure SDKs allow (tests, pods).
pub const IMDS_OVERRIDE_VAR: &str = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

/// Builds the settings, naming every missing piece at once and how to give it.
pub fn settings(args: &ConnectionArgs) -> Result<Settings, CliError> {
    settings_from(args, |name| std::env::var(name).ok())
}

/// [`settings`] with the environment passed in, so tests need not change the process's.
pub fn settings_from(
    args: &ConnectionArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, CliError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let org_url = given(&args.org_url);
    let tenant_id = given(&args.tenant_id);
    let client_id = given(&args.client_id);
    let available = Available::from_env(&env);

    let mut missing = Vec::new();
    if org_url.is_none() {
        missing
            .push("the environment URL: pass --org-url https://<org>.crm.dynamics.com or set SSYNC_ORG_URL");
    }
    if tenant_id.is_none() {
        missing.push("the tenant id: pass --tenant-id or set AZURE_TENANT_ID");
    }
    let nothing_configured = !available.any_configured();
    let credential = available.credential(args.auth);
    let credential = match credential {
        Ok(c) => Some(c),
        Err(why) => {
            missing.push(why);
            None
        }
    };
    if client_id.is_none() && credential.as_ref().is_none_or(Credential::needs_client_id) {
        missing.push("the application (client) id: pass --client-id or set AZURE_CLIENT_ID");
    }
    // Already failing: say also how to give a credential, when the environment names none.
    if !missing.is_empty() && args.auth == AuthMode::Auto && nothing_configured {
        if client_id.is_none() {
            missing.push("the application (client) id: pass --client-id or set AZURE_CLIENT_ID");
        }
        missing.push(CREDENTIAL_HOW);
    }
    let (Some(org_url), Some(tenant_id), Some(credential)) = (org_url, tenant_id, credential) else {
        return Err(CliError::Usage(format!(
            "cannot connect; missing {}",
            missing.join("; ")
        )));
    };
    if let Some(why) = missing.first() {
        return Err(CliError::Usage(format!("cannot connect; missing {why}")));
    }
    // The cloud: the flag (or SSYNC_CLOUD), else what the environment URL's domain says.
    let cloud = args
        .cloud
        .map(Cloud::from)
        .or_else(|| Cloud::of_environment(&org_url))
        .unwrap_or_default();
    let hosts = cloud.hosts();
    tracing::debug!(cloud = %cloud, auth = credential.name(), "connection settings");
    Ok(Settings {
        org_url: org_url.trim_end_matches('/').to_owned(),
        tenant_id,
        client_id: client_id.unwrap_or_default(),
        credential,
        authority_host: given(&args.authority_host)
            .unwrap_or_else(|| hosts.identity.to_owned())
            .trim_end_matches('/')
            .to_owned(),
        graph_url: given(&args.graph_url)
            .unwrap_or_else(|| hosts.graph.to_owned())
            .trim_end_matches('/')
            .to_owned(),
    })
}

/// The credentials the environment configures.
struct Available {
    secret: Option<Credential>,
    certificate: Option<Credential>,
    workload: Option<Credential>,
    /// App Service's endpoint when announced, else the instance metadata service.
    managed: Credential,
    /// True when the managed identity endpoint was announced (`IDENTITY_ENDPOINT`).
    managed_announced: bool,
}

const SECRET_HOW: &str = "the client secret: set AZURE_CLIENT_SECRET (it is never accepted as a flag)";
const CERTIFICATE_HOW: &str = "the certificate: set AZURE_CLIENT_CERTIFICATE_PATH to a PEM file with the \
     app's certificate and private key, or to a PFX file (password in AZURE_CLIENT_CERTIFICATE_PASSWORD)";
const WORKLOAD_HOW: &str = "the federated token: set AZURE_FEDERATED_TOKEN_FILE to the file your platform \
     writes (GitHub Actions, Azure DevOps, AKS)";

const CREDENTIAL_HOW: &str = "a credential: set AZURE_CLIENT_SECRET (never a flag), \
     AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or use --auth managed-identity \
     or --auth azure-cli (docs/setup.md)";

impl Available {
    /// True when the environment names an app credential or a managed identity endpoint.
    fn any_configured(&self) -> bool {
        self.secret.is_some()
            || self.certificate.is_some()
            || self.workload.is_some()
            || self.managed_announced
    }

    fn from_env(env: &impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let endpoint = var(IDENTITY_ENDPOINT_VAR).zip(var(IDENTITY_HEADER_VAR));
        Self {
            secret: var(SECRET_VAR).map(|s| Credential::Secret(SecretString::from(s))),
            certificate: var(CERTIFICATE_VAR).map(|path| Credential::Certificate {
                path: PathBuf::from(path.trim()),
                password: env(CERTIFICATE_PASSWORD_VAR).map(SecretString::from),
            }),
            workload: var(FEDERATED_TOKEN_VAR).map(|path| Credential::WorkloadIdentity {
                token_file: PathBuf::from(path.trim()),
            }),
            managed_announced: endpoint.is_some(),
            managed: Credential::ManagedIdentity(match endpoint {
                Some((endpoint, header)) => ManagedIdentity::AppService {
                    endpoint: endpoint.trim().to_owned(),
                    header: SecretString::from(header),
                },
                None => ManagedIdentity::Imds {
                    base: var(IMDS_OVERRIDE_VAR)
                        .map(|b| b.trim().trim_end_matches('/').to_owned())
                        .unwrap_or_else(|| IMDS_BASE.to_owned()),
                },
            }),
        }
    }

    /// The credential `--auth` asks for, or what is missing for it.
    fn credential(self, auth: AuthMode) -> Result<Credential, &'static str> {
        match auth {
            AuthMode::Secret => self.secret.ok_or(SECRET_HOW),
            AuthMode::Certificate => self.certificate.ok_or(CERTIFICATE_HOW),
            AuthMode::WorkloadIdentity => self.workload.ok_or(WORKLOAD_HOW),
            AuthMode::ManagedIdentity => Ok(self.managed),
            AuthMode::AzureCli => Ok(Credential::AzureCli),
            AuthMode::Auto => {
                if self.secret.is_some() && self.certificate.is_some() {
                    tracing::warn!(
                        "both {SECRET_VAR} and {CERTIFICATE_VAR} are set; the secret is tried first"
                    );
                }
                let configured = [self.secret, self.certificate, self.workload];
                let any_app = configured.iter().any(Option::is_some);
                let mut chain: Vec<Credential> = configured.into_iter().flatten().collect();
                chain.push(self.managed);
                chain.push(Credential::AzureCli);
                if !any_app && !self.managed_announced {
                    tracing::debug!(
                        "no credential in the environment; trying the managed identity, then the Azure CLI"
                    );
                }
                Ok(Credential::Chain(chain))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ConnectionArgs {
        ConnectionArgs {
            org_url: Some("https://contoso.crm.dynamics.com/".into()),
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            ..Default::default()
        }
    }

    fn names(c: &Credential) -> Vec<&'static str> {
        match c {
            Credential::Chain(all) => all.iter().map(Credential::name).collect(),
            one => vec![one.name()],
        }
    }

    #[test]
    fn everything_missing_is_named_with_how_to_set_it() {
        let empty = ConnectionArgs {
            org_url: None,
            tenant_id: Some("  ".into()),
            client_id: None,
            auth: AuthMode::Secret,
            ..args()
        };
        let err = settings_from(&empty, |_| None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        for needle in [
            "SSYNC_ORG_URL",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "--tenant-id",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
    }

    #[test]
    fn the_secret_comes_from_the_environment_and_never_shows() {
        let s = settings_from(&args(), |n| (n == SECRET_VAR).then(|| "s3cr3t-value".into())).unwrap();
        assert_eq!(names(&s.credential), ["secret", "managed-identity", "azure-cli"]);
        assert_eq!(s.org_url, "https://contoso.crm.dynamics.com");
        assert_eq!(s.authority_host, ssync_m365::DEFAULT_AUTHORITY_HOST);
        assert_eq!(s.graph_url, ssync_m365::DEFAULT_GRAPH_URL);
        assert!(!format!("{s:?}").contains("s3cr3t-value"));
        let pinned = ConnectionArgs {
            auth: AuthMode::Secret,
            ..args()
        };
        let err = settings_from(&pinned, |_| None).unwrap_err().to_string();
        assert!(
            err.contains("AZURE_CLIENT_SECRET") && !err.contains("SSYNC_ORG_URL"),
            "{err}"
        );
    }

    #[test]
    fn auto_is_the_azure_sdk_order_of_what_is_configured() {
        let env = |n: &str| match n {
            SECRET_VAR => Some("s".into()),
            CERTIFICATE_VAR => Some("/k.pfx".into()),
            CERTIFICATE_PASSWORD_VAR => Some("pw".into()),
            FEDERATED_TOKEN_VAR => Some("/token".into()),
            _ => None,
        };
        let s = settings_from(&args(), env).unwrap();
        assert_eq!(
            names(&s.credential),
            [
                "secret",
                "certificate",
                "workload-identity",
                "managed-identity",
                "azure-cli"
            ]
        );
        let only_cert = |n: &str| (n == CERTIFICATE_VAR).then(|| "/k.pem".into());
        let s = settings_from(&args(), only_cert).unwrap();
        let Credential::Chain(chain) = &s.credential else {
            panic!()
        };
        assert!(
            matches!(&chain[0], Credential::Certificate { path, password: None } if path == &PathBuf::from("/k.pem"))
        );
    }

    #[test]
    fn managed_identity_endpoint_comes_from_the_platform_and_needs_no_client_id() {
        let no_client = ConnectionArgs {
            client_id: None,
            auth: AuthMode::ManagedIdentity,
            ..args()
        };
        let s = settings_from(&no_client, |_| None).unwrap();
        assert!(
            matches!(&s.credential, Credential::ManagedIdentity(ManagedIdentity::Imds { base }) if base == IMDS_BASE)
        );
        assert_eq!(s.client_id, "");
        let app_service = |n: &str| match n {
            IDENTITY_ENDPOINT_VAR => Some("http://127.0.0.1:41000/msi/token".into()),
            IDENTITY_HEADER_VAR => Some("h".into()),
            _ => None,
        };
        let s = settings_from(&no_client, app_service).unwrap();
        assert!(matches!(
            &s.credential,
            Credential::ManagedIdentity(ManagedIdentity::AppService { .. })
        ));
        let cli = ConnectionArgs {
            client_id: None,
            auth: AuthMode::AzureCli,
            ..args()
        };
        assert!(matches!(
            settings_from(&cli, |_| None).unwrap().credential,
            Credential::AzureCli
        ));
    }

    #[test]
    fn the_cloud_sets_identity_and_graph_and_is_inferred_from_the_environment() {
        let gov = ConnectionArgs {
            org_url: Some("https://contoso.crm.microsoftdynamics.us".into()),
            ..args()
        };
        let s = settings_from(&gov, |n| (n == SECRET_VAR).then(|| "s".into())).unwrap();
        assert_eq!(s.authority_host, "https://login.microsoftonline.us");
        assert_eq!(s.graph_url, "https://graph.microsoft.us");
        let dod = ConnectionArgs {
            cloud: Some(crate::cli::CloudArg::Usgovdod),
            ..args()
        };
        let s = settings_from(&dod, |n| (n == SECRET_VAR).then(|| "s".into())).unwrap();
        assert_eq!(s.graph_url, "https://dod-graph.microsoft.us");
        let overridden = ConnectionArgs {
            cloud: Some(crate::cli::CloudArg::China),
            graph_url: Some("http://127.0.0.1:9/".into()),
            ..args()
        };
        let s = settings_from(&overridden, |n| (n == SECRET_VAR).then(|| "s".into())).unwrap();
        assert_eq!(s.authority_host, "https://login.chinacloudapi.cn");
        assert_eq!(
            s.graph_url, "http://127.0.0.1:9",
            "an explicit URL wins over the cloud"
        );
    }
}
