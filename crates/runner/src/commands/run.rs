//! `ssync-doctor run`: the connection settings from flags and environment variables.

use std::path::PathBuf;

use secrecy::SecretString;
use ssync_m365::{Credential, Settings};

use crate::cli::ConnectionArgs;
use crate::error::CliError;

/// The environment variable the client secret comes from; never a flag (shell history and
/// process lists would keep it).
pub const SECRET_VAR: &str = "AZURE_CLIENT_SECRET";
/// The environment variable naming a PEM file with the app's certificate and private key.
pub const CERTIFICATE_VAR: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
/// The identity service when neither `--authority-host`, its variable nor the configuration
/// file names one.
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";
/// Microsoft Graph when neither `--graph-url` nor the configuration file names one.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";

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
    let secret = env(SECRET_VAR).filter(|s| !s.is_empty());
    let certificate = env(CERTIFICATE_VAR).filter(|s| !s.trim().is_empty());

    let mut missing = Vec::new();
    if org_url.is_none() {
        missing
            .push("the environment URL: pass --org-url https://<org>.crm.dynamics.com or set SSYNC_ORG_URL");
    }
    if tenant_id.is_none() {
        missing.push("the tenant id: pass --tenant-id or set AZURE_TENANT_ID");
    }
    if client_id.is_none() {
        missing.push("the application (client) id: pass --client-id or set AZURE_CLIENT_ID");
    }
    let credential = match (secret, certificate) {
        (Some(secret), certificate) => {
            if certificate.is_some() {
                tracing::warn!("both {SECRET_VAR} and {CERTIFICATE_VAR} are set; signing in with the secret");
            }
            Some(Credential::Secret(SecretString::from(secret)))
        }
        (None, Some(path)) => Some(Credential::Certificate {
            path: PathBuf::from(path),
        }),
        (None, None) => {
            missing.push(
                "the client secret: set AZURE_CLIENT_SECRET (it is never accepted as a flag), or set \
                 AZURE_CLIENT_CERTIFICATE_PATH to a PEM file with the app's certificate and private key",
            );
            None
        }
    };
    let (Some(org_url), Some(tenant_id), Some(client_id), Some(credential)) =
        (org_url, tenant_id, client_id, credential)
    else {
        return Err(CliError::Usage(format!(
            "cannot connect; missing {}",
            missing.join("; ")
        )));
    };
    Ok(Settings {
        org_url: org_url.trim_end_matches('/').to_owned(),
        tenant_id,
        client_id,
        credential,
        authority_host: given(&args.authority_host)
            .unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.to_owned())
            .trim_end_matches('/')
            .to_owned(),
        graph_url: given(&args.graph_url)
            .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_owned())
            .trim_end_matches('/')
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ConnectionArgs {
        ConnectionArgs {
            org_url: Some("https://contoso.crm.dynamics.com/".into()),
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            authority_host: None,
            graph_url: None,
        }
    }

    #[test]
    fn everything_missing_is_named_with_how_to_set_it() {
        let empty = ConnectionArgs {
            org_url: None,
            tenant_id: Some("  ".into()),
            client_id: None,
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
        assert!(matches!(s.credential, Credential::Secret(_)));
        assert_eq!(s.org_url, "https://contoso.crm.dynamics.com");
        assert_eq!(s.authority_host, DEFAULT_AUTHORITY_HOST);
        assert_eq!(s.graph_url, DEFAULT_GRAPH_URL);
        assert!(!format!("{s:?}").contains("s3cr3t-value"));
        let err = settings_from(&args(), |_| None).unwrap_err().to_string();
        assert!(
            err.contains("AZURE_CLIENT_SECRET") && !err.contains("SSYNC_ORG_URL"),
            "{err}"
        );
    }

    #[test]
    fn a_certificate_path_is_enough() {
        let s = settings_from(&args(), |n| (n == CERTIFICATE_VAR).then(|| "/k.pem".into())).unwrap();
        assert!(
            matches!(s.credential, Credential::Certificate { ref path } if path == &PathBuf::from("/k.pem"))
        );
    }
}
