//! Errors of [`LiveSource::connect`](crate::LiveSource::connect) and the plain advice for
//! sign-in failures.

use ssync_core::SourceError;

/// Why the live source could not start. Messages never contain a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Bad input: a URL, an id, an unreadable certificate (exit code 2).
    #[error("configuration error: {0}")]
    Config(String),
    /// Sign-in or authorisation failed (exit code 3).
    #[error("authentication failed{}: {advice}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Auth { code: Option<String>, advice: String },
    /// A service could not be reached (exit code 3).
    #[error("could not connect: {0}")]
    Unreachable(String),
}

impl ConnectError {
    /// The process exit code of the contract: 2 for bad input, 3 when the run could not start.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConnectError::Config(_) => 2,
            ConnectError::Auth { .. } | ConnectError::Unreachable(_) => 3,
        }
    }

    /// A data-read failure during `connect`, reworded for the operator.
    pub(crate) fn from_source(err: SourceError, service: &str) -> Self {
        match err {
            SourceError::Unreachable { detail, .. } => {
                ConnectError::Unreachable(format!("{service}: {detail}"))
            }
            SourceError::Permission { detail, .. } => ConnectError::Auth {
                code: None,
                advice: format!("{service} refused the signed-in application: {detail}"),
            },
            SourceError::Throttled { attempts, .. } => ConnectError::Unreachable(format!(
                "{service} kept throttling (HTTP 429) after {attempts} attempts; try again later"
            )),
            other => ConnectError::Unreachable(other.to_string()),
        }
    }
}

/// Plain advice for an AADSTS error code of the token endpoint.
pub(crate) fn aadsts_advice(code: u32, tenant: &str, client_id: &str) -> String {
    match code {
        7000215 => format!(
            "the client secret is wrong for application {client_id}. Create a new secret under Entra admin \
             centre > App registrations > (the app) > Certificates & secrets, and pass its value (not its \
             secret id) in AZURE_CLIENT_SECRET"
        ),
        7000222 => format!(
            "the client secret of application {client_id} has expired. Create a new secret under Certificates \
             & secrets and pass it in AZURE_CLIENT_SECRET"
        ),
        700016 => format!(
            "application {client_id} was not found in tenant {tenant}. Check --client-id and --tenant-id, and \
             that an administrator of this tenant has consented to the app (multi-tenant apps need admin \
             consent before they exist in a tenant)"
        ),
        90002 | 900023 => format!(
            "tenant {tenant} does not exist. Check --tenant-id (the directory GUID or a verified domain)"
        ),
        65001 => format!(
            "application {client_id} has no admin consent in tenant {tenant}. An administrator must grant \
             consent for its API permissions (Graph User.Read.All, MailboxSettings.Read) in Entra admin \
             centre > App registrations > API permissions"
        ),
        // AADSTS700023 "Client assertion audience claim does not match Realm issuer": the
        // assertion was made for another token endpoint, not a certificate problem.
        700023 => format!(
            "the client assertion's audience is not this token endpoint: the assertion of application \
             {client_id} was made for another tenant or cloud. Check --tenant-id and --cloud (or \
             --authority-host); the certificate itself was not the problem"
        ),
        700024 => "the client assertion is outside its validity period: check this machine's clock \
                   (and, for workload identity, that the federated token file is renewed)"
            .to_owned(),
        700027 => format!(
            "the certificate assertion was rejected: upload the certificate's public part to application \
             {client_id} under Certificates & secrets (the thumbprint must match the file you sign with)"
        ),
        // Workload identity federation: no federated credential of the app matches the
        // presented token (AADSTS70021 and its issuer/audience/subject variants).
        70021 | 700211 | 700212 | 700213 => format!(
            "no federated credential of application {client_id} matches the presented token: under \
             Certificates & secrets > Federated credentials the issuer, subject and audience \
             (api://AzureADTokenExchange) must equal those of the token in AZURE_FEDERATED_TOKEN_FILE"
        ),
        500011 => {
            "the resource (the environment or Graph URL) is not known in this tenant. Check --org-url: \
                   the environment must belong to the tenant given in --tenant-id"
                .to_owned()
        }
        7000218 | 7000216 => format!(
            "no credential was sent for application {client_id}: set AZURE_CLIENT_SECRET, \
             AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE"
        ),
        _ => format!("sign-in of application {client_id} in tenant {tenant} was refused"),
    }
}

/// Advice when Dataverse refuses a token the identity service issued.
pub(crate) fn missing_application_user(client_id: &str) -> String {
    format!(
        "the sign-in worked, but the environment refused application {client_id}: it is probably not an \
         application user of this environment. In the Power Platform admin centre open the environment > \
         Settings > Users + permissions > Application users, add the app and give it a security role that \
         can read mailboxes, e-mail server profiles, users, queues and traces"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(ConnectError::Config("x".into()).exit_code(), 2);
        assert_eq!(
            ConnectError::Auth {
                code: None,
                advice: "x".into()
            }
            .exit_code(),
            3
        );
        assert_eq!(ConnectError::Unreachable("x".into()).exit_code(), 3);
    }

    #[test]
    fn advice_names_the_fix() {
        assert!(aadsts_advice(7000215, "t", "c").contains("AZURE_CLIENT_SECRET"));
        assert!(aadsts_advice(700016, "t", "c").contains("--client-id"));
        assert!(aadsts_advice(90002, "t", "c").contains("--tenant-id"));
        assert!(aadsts_advice(65001, "t", "c").contains("consent"));
        let audience = aadsts_advice(700023, "t", "c");
        assert!(
            audience.contains("audience") && audience.contains("--cloud"),
            "{audience}"
        );
        assert!(aadsts_advice(700213, "t", "c").contains("Federated credentials"));
        let e = ConnectError::Auth {
            code: Some("AADSTS7000215".into()),
            advice: "a".into(),
        };
        assert_eq!(e.to_string(), "authentication failed (AADSTS7000215): a");
    }
}
