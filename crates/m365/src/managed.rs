//! Tokens of the managed identity of the Azure resource the tool runs on.
//!
//! * Instance metadata service (VMs, VM scale sets, containers):
//!   `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=R`
//!   with `Metadata: true`; the answer holds `access_token`, `expires_in` and `expires_on` as
//!   strings (learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token).
//! * App Service, Functions, Container Apps and Azure Automation:
//!   `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=R` with
//!   `X-IDENTITY-HEADER: {IDENTITY_HEADER}`; the answer holds `access_token` and `expires_on`
//!   (epoch seconds as a string)
//!   (learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference).
//!
//! A user-assigned identity is chosen with `client_id`. Both endpoints are local to the
//! machine, so requests to them never go through a proxy.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::error::ConnectError;
use crate::identity::seconds;
use crate::settings::ManagedIdentity;

/// The IMDS API version of the VM page.
const IMDS_API_VERSION: &str = "2018-02-01";
/// The App Service API version that uses `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
const APP_SERVICE_API_VERSION: &str = "2019-08-01";

/// How long a caller waits for the endpoint to accept a connection. Off Azure the metadata
/// address does not answer at all; a chain must not stall there.
pub(crate) const PROBE_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A client for the local managed identity endpoints: no proxy, no redirects.
pub(crate) fn client(request_timeout: Duration) -> Result<reqwest::Client, ConnectError> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(PROBE_CONNECT_TIMEOUT)
        .timeout(request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::transport::USER_AGENT)
        .build()
        .map_err(|e| ConnectError::Config(format!("could not build the HTTP client: {e}")))
}

/// A token for `resource` (the resource URI, without `/.default`).
pub(crate) async fn token(
    client: &reqwest::Client,
    identity: &ManagedIdentity,
    client_id: &str,
    resource: &str,
) -> Result<(SecretString, Duration), ConnectError> {
    let mut url = identity.validate()?;
    let request = match identity {
        ManagedIdentity::Imds { .. } => {
            url.set_path("/metadata/identity/oauth2/token");
            url.query_pairs_mut()
                .append_pair("api-version", IMDS_API_VERSION)
                .append_pair("resource", resource);
            add_client_id(&mut url, client_id);
            client.get(url.clone()).header("Metadata", "true")
        }
        ManagedIdentity::AppService { header, .. } => {
            url.query_pairs_mut()
                .append_pair("api-version", APP_SERVICE_API_VERSION)
                .append_pair("resource", resource);
            add_client_id(&mut url, client_id);
            client
                .get(url.clone())
                .header("X-IDENTITY-HEADER", header.expose_secret())
        }
    };
    let endpoint = format!(
        "the managed identity endpoint {}",
        url.origin().ascii_serialization()
    );
    let response = request.send().await.map_err(|e| {
        ConnectError::Unreachable(format!(
            "{endpoint} did not answer ({}); this machine has no managed identity, or it is not enabled",
            if e.is_timeout() {
                "timed out"
            } else {
                "connection failed"
            }
        ))
    })?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|_| ConnectError::Unreachable(format!("{endpoint}: the answer broke off")))?;
    if !(200..300).contains(&status) {
        return Err(refusal(&endpoint, status, &body));
    }
    parse(&endpoint, &body, now())
}

fn add_client_id(url: &mut url::Url, client_id: &str) {
    if !client_id.trim().is_empty() {
        url.query_pairs_mut().append_pair("client_id", client_id.trim());
    }
}

/// The token and its lifetime from either endpoint's answer (`expires_in` when given, else
/// `expires_on` minus `now`).
pub(crate) fn parse(endpoint: &str, body: &[u8], now: u64) -> Result<(SecretString, Duration), ConnectError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|_| ConnectError::Unreachable(format!("{endpoint} answered something that is not JSON")))?;
    let token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ConnectError::Unreachable(format!("{endpoint}: the answer holds no access_token")))?;
    let lifetime = json
        .get("expires_in")
        .and_then(seconds)
        .or_else(|| {
            json.get("expires_on")
                .and_then(seconds)
                .map(|at| at.saturating_sub(now))
        })
        .unwrap_or(300);
    Ok((
        SecretString::from(token.to_owned()),
        Duration::from_secs(lifetime),
    ))
}

/// What the endpoint's error says, with the fix.
fn refusal(endpoint: &str, status: u16, body: &[u8]) -> ConnectError {
    let (error, description) = crate::failure::error_parts(body);
    let said = if description.is_empty() {
        error
    } else {
        description
    };
    let advice = match status {
        400 if said.to_ascii_lowercase().contains("identity") => format!(
            "{endpoint} answered HTTP 400: {said}. The identity is not assigned to this resource: enable \
             the system-assigned identity, or set AZURE_CLIENT_ID to the client id of an assigned \
             user-assigned identity"
        ),
        401 | 403 => format!(
            "{endpoint} refused the request (HTTP {status}): {said}. IDENTITY_HEADER must be the value \
             the platform set for this process"
        ),
        _ => format!("{endpoint} answered HTTP {status}: {said}"),
    };
    ConnectError::Auth { code: None, advice }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_answer_shapes() {
        // IMDS: every number is a string (how-to-use-vm-token, "Sample response").
        let imds = br#"{"access_token":"a","refresh_token":"","expires_in":"3599","expires_on":"1506484173","not_before":"1506480273","resource":"https://x/","token_type":"Bearer"}"#;
        let (t, life) = parse("e", imds, 0).unwrap();
        assert_eq!(t.expose_secret(), "a");
        assert_eq!(life, Duration::from_secs(3599));
        // App Service 2019-08-01: expires_on only (epoch seconds).
        let app = br#"{"access_token":"b","expires_on":"1586984735","resource":"https://x","token_type":"Bearer","client_id":"c"}"#;
        let (_, life) = parse("e", app, 1_586_984_735 - 600).unwrap();
        assert_eq!(life, Duration::from_secs(600));
        assert!(parse("e", b"{}", 0).is_err());
        assert!(parse("e", b"<html>", 0).is_err());
    }
}
