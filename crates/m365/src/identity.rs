//! Access tokens: one per audience (Dataverse, Graph), cached and renewed before they expire.
//! Client credentials with a secret, a certificate assertion or a federated assertion
//! (workload identity), the managed identity of the Azure resource, or the Azure CLI of a
//! signed-in administrator; with `--auth auto`, the first of these that signs in. Tokens live
//! in `SecretString`s and are never logged.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use crate::error::{ConnectError, aadsts_advice};
use crate::failure::{clean, error_parts};
use crate::settings::{Credential, Settings};
use crate::transport::{Service, Transport};

/// Whom a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Audience {
    Dataverse,
    Graph,
}

impl Audience {
    fn index(self) -> usize {
        self as usize
    }
}

struct Cached {
    token: SecretString,
    expires_at: Instant,
    lifetime: Duration,
}

impl Cached {
    /// Renew when less than a tenth of the lifetime (at most five minutes) is left, so that a
    /// request never leaves with a token about to expire.
    fn fresh(&self, now: Instant) -> bool {
        let margin = (self.lifetime / 10).min(Duration::from_secs(300));
        now + margin < self.expires_at
    }
}

pub(crate) struct Identity {
    transport: Arc<Transport>,
    token_url: Url,
    tenant: String,
    client_id: String,
    credential: Credential,
    /// In a chain, the index (in `credential.flattened()`) of the credential that signed in.
    chosen: OnceLock<usize>,
    /// The client for the local managed identity endpoints (no proxy).
    managed: reqwest::Client,
    /// Resource URLs without a trailing slash: `[dataverse, graph]`.
    resources: [String; 2],
    cache: [Mutex<Option<Cached>>; 2],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl Identity {
    pub(crate) fn new(
        transport: Arc<Transport>,
        settings: &Settings,
        authority: &Url,
    ) -> Result<Self, ConnectError> {
        let token_url = authority
            .join(&format!("{}/oauth2/v2.0/token", settings.tenant_id.trim()))
            .map_err(|e| ConnectError::Config(format!("cannot build the token URL: {e}")))?;
        let managed = crate::managed::client(transport.options().request_timeout)?;
        Ok(Self {
            transport,
            chosen: OnceLock::new(),
            managed,
            token_url,
            tenant: settings.tenant_id.trim().to_owned(),
            client_id: settings.client_id.trim().to_owned(),
            credential: settings.credential.clone(),
            resources: [trim_slash(&settings.org_url), trim_slash(&settings.graph_url)],
            cache: [Mutex::new(None), Mutex::new(None)],
        })
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// A valid token for `audience`, from the cache or freshly issued. Concurrent callers wait
    /// for one token request rather than each sending their own.
    pub(crate) async fn token(&self, audience: Audience) -> Result<SecretString, ConnectError> {
        let mut slot = self.cache[audience.index()].lock().await;
        if let Some(cached) = slot.as_ref().filter(|c| c.fresh(Instant::now())) {
            return Ok(cached.token.clone());
        }
        let resource = &self.resources[audience.index()];
        let (token, lifetime) = self.issue(resource).await?;
        tracing::debug!(
            ?audience,
            lifetime_s = lifetime.as_secs(),
            "obtained an access token"
        );
        *slot = Some(Cached {
            token: token.clone(),
            expires_at: Instant::now() + lifetime,
            lifetime,
        });
        Ok(token)
    }

    /// True when the token is the cached one and our clock says it is (nearly) expired.
    pub(crate) async fn is_expired(&self, audience: Audience, token: &SecretString) -> bool {
        let slot = self.cache[audience.index()].lock().await;
        slot.as_ref()
            .is_some_and(|c| c.token.expose_secret() == token.expose_secret() && !c.fresh(Instant::now()))
    }

    /// Drops `token` from the cache (after a 401 that says it expired) so the next call asks
    /// for a new one.
    pub(crate) async fn invalidate(&self, audience: Audience, token: &SecretString) {
        let mut slot = self.cache[audience.index()].lock().await;
        if slot
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == token.expose_secret())
        {
            *slot = None;
        }
    }

    /// Drops the cached token for `audience` if it was issued before `sent`: a request sent at
    /// `sent` carried it and was refused as expired (inside a Graph `$batch`, where the
    /// token that travelled is not at hand). A token issued since then is kept.
    pub(crate) async fn invalidate_issued_before(&self, audience: Audience, sent: Instant) {
        let mut slot = self.cache[audience.index()].lock().await;
        if slot.as_ref().is_some_and(|c| c.expires_at - c.lifetime <= sent) {
            *slot = None;
        }
    }

    /// The tokens held, for the test that proves they never leak.
    #[cfg(test)]
    pub(crate) async fn cached_tokens(&self) -> Vec<String> {
        let mut out = Vec::new();
        for slot in &self.cache {
            if let Some(c) = slot.lock().await.as_ref() {
                out.push(c.token.expose_secret().to_owned());
            }
        }
        out
    }

    /// A token for `resource` from the credential that signed in before, or, the first time,
    /// from the first credential of the chain that can. When none can, the error names each
    /// one tried and why it failed.
    async fn issue(&self, resource: &str) -> Result<(SecretString, Duration), ConnectError> {
        let all = self.credential.flattened();
        if let Some(&i) = self.chosen.get() {
            return self.issue_with(all[i], resource).await;
        }
        let mut tried = Vec::new();
        for (i, credential) in all.iter().enumerate() {
            match self.issue_with(credential, resource).await {
                Ok(issued) => {
                    let _ = self.chosen.set(i);
                    tracing::info!(credential = credential.name(), "signed in");
                    return Ok(issued);
                }
                Err(e) if all.len() == 1 => return Err(e),
                Err(e) => {
                    tracing::debug!(credential = credential.name(), error = %e, "credential did not sign in");
                    let refused = !unavailable(credential, &e);
                    tried.push(format!("{}: {e}", credential.name()));
                    // Like the Azure SDK's chain: a credential that is not there makes way for
                    // the next; one that is there and was refused ends the chain with its
                    // error, rather than signing in as someone else.
                    if refused {
                        return Err(chain_error(e, &tried));
                    }
                }
            }
        }
        let listed = numbered(&tried);
        if !self.credential.needs_client_id() {
            // Nothing was configured and nothing was found: that is missing input.
            return Err(ConnectError::Config(format!(
                "no credential is configured: set AZURE_CLIENT_SECRET (the client secret; never a flag) \
                 or AZURE_CLIENT_CERTIFICATE_PATH (PEM, or PFX with AZURE_CLIENT_CERTIFICATE_PASSWORD) or \
                 AZURE_FEDERATED_TOKEN_FILE with AZURE_CLIENT_ID, run where a managed identity is, or sign \
                 in with `az login` (--auth auto tried {listed})"
            )));
        }
        Err(ConnectError::Auth {
            code: None,
            advice: format!(
                "no credential could sign in (--auth auto tried {listed}). Pin one with --auth to see only \
                 its error; docs/setup.md lists what each needs"
            ),
        })
    }

    async fn issue_with(
        &self,
        credential: &Credential,
        resource: &str,
    ) -> Result<(SecretString, Duration), ConnectError> {
        match credential {
            Credential::AzureCli => crate::azcli::token(resource, &self.tenant).await,
            Credential::ManagedIdentity(mi) => {
                crate::managed::token(&self.managed, mi, &self.client_id, resource).await
            }
            Credential::Secret(secret) => {
                self.client_credentials(resource, ("client_secret", secret.clone()))
                    .await
            }
            Credential::Certificate { path, password } => {
                let assertion = crate::assertion::client_assertion(
                    path,
                    password.as_ref(),
                    &self.client_id,
                    self.token_url.as_str(),
                )?;
                self.client_credentials(resource, ("client_assertion", assertion))
                    .await
            }
            Credential::WorkloadIdentity { token_file } => {
                let assertion = federated_token(token_file)?;
                self.client_credentials(resource, ("client_assertion", assertion))
                    .await
            }
            Credential::Chain(_) => Err(ConnectError::Config(
                "a credential chain cannot hold another chain".into(),
            )),
        }
    }

    /// Client credentials grant (microsoft-apis.md §D.1): a secret, or a client assertion —
    /// signed with the app's certificate, or issued by a federated identity provider
    /// (v2-oauth2-client-creds-grant-flow, "access token request with a federated credential").
    async fn client_credentials(
        &self,
        resource: &str,
        proof: (&'static str, SecretString),
    ) -> Result<(SecretString, Duration), ConnectError> {
        let scope = format!("{resource}/.default");
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", self.client_id.clone()),
            ("scope", scope),
            ("grant_type", "client_credentials".into()),
        ];
        if proof.0 == "client_assertion" {
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
        }
        let secret_field = proof;
        let request = format!("POST {}", self.token_url.path());
        let reply = self
            .transport
            .send(Service::Identity, &request, |client| {
                let mut fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                fields.push((secret_field.0, secret_field.1.expose_secret()));
                client.post(self.token_url.clone()).form(&fields)
            })
            .await
            .map_err(|e| ConnectError::Unreachable(format!("the token endpoint: {e}")))?;
        if reply.status >= 500 {
            return Err(ConnectError::Unreachable(format!(
                "{}: the token endpoint answered HTTP {}",
                reply.describe(),
                reply.status
            )));
        }
        if !reply.is_success() {
            return Err(self.token_error(reply.status, &reply.body));
        }
        let json: Value = serde_json::from_slice(&reply.body).map_err(|_| {
            ConnectError::Unreachable(format!(
                "{}: the token endpoint answered something that is not JSON",
                reply.describe()
            ))
        })?;
        let token = json
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ConnectError::Unreachable(format!("{}: the answer holds no access_token", reply.describe()))
            })?;
        let lifetime = json.get("expires_in").and_then(seconds).unwrap_or(3599);
        Ok((
            SecretString::from(token.to_owned()),
            Duration::from_secs(lifetime),
        ))
    }

    fn token_error(&self, status: u16, body: &[u8]) -> ConnectError {
        let (error, description) = error_parts(body);
        let json = serde_json::from_slice::<Value>(body).ok();
        let code = json
            .as_ref()
            .and_then(|j| j.get("error_codes")?.as_array()?.first()?.as_u64())
            .or_else(|| aadsts_in(&description));
        let ids = json.as_ref().map(service_ids).unwrap_or_default();
        match code {
            Some(n) => ConnectError::Auth {
                code: Some(format!("AADSTS{n}")),
                advice: format!("{}{ids}", aadsts_advice(n as u32, &self.tenant, &self.client_id)),
            },
            None => ConnectError::Auth {
                code: (!error.is_empty()).then(|| error.clone()),
                advice: format!(
                    "the token endpoint answered HTTP {status}: {}{ids}",
                    if description.is_empty() {
                        error
                    } else {
                        description
                    }
                ),
            },
        }
    }
}

/// True when the failure means the credential is not available here (no managed identity
/// endpoint, no Azure CLI, an unreachable token endpoint), so a chain moves on.
fn unavailable(credential: &Credential, error: &ConnectError) -> bool {
    matches!(credential, Credential::ManagedIdentity(_) | Credential::AzureCli)
        || matches!(error, ConnectError::Unreachable(_))
}

/// The error of the credential that ended a chain, naming those tried before it.
fn chain_error(last: ConnectError, tried: &[String]) -> ConnectError {
    if tried.len() <= 1 {
        return last;
    }
    let before = numbered(&tried[..tried.len() - 1]);
    match last {
        ConnectError::Auth { code, advice } => ConnectError::Auth {
            code,
            advice: format!("{advice} (--auth auto tried before: {before})"),
        },
        ConnectError::Config(m) => ConnectError::Config(format!("{m} (--auth auto tried before: {before})")),
        other => other,
    }
}

fn numbered(tried: &[String]) -> String {
    tried
        .iter()
        .enumerate()
        .map(|(n, t)| format!("{}. {t}", n + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

/// ` (trace id …, correlation id …)` of an identity platform error answer, for a support
/// case: Microsoft finds the sign-in by these. Empty when the answer has neither.
fn service_ids(json: &Value) -> String {
    let id = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .map(clean)
            .filter(|v| !v.is_empty())
    };
    let parts: Vec<String> = [
        ("trace id", id("trace_id")),
        ("correlation id", id("correlation_id")),
    ]
    .into_iter()
    .filter_map(|(name, v)| Some(format!("{name} {}", v?)))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The federated token another identity provider wrote to `path`, read anew for every
/// request (the platform replaces it before it expires). Never quoted in an error.
fn federated_token(path: &std::path::Path) -> Result<SecretString, ConnectError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConnectError::Config(format!(
            "the federated token file {} (AZURE_FEDERATED_TOKEN_FILE) cannot be read: {e}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(ConnectError::Config(format!(
            "the federated token file {} (AZURE_FEDERATED_TOKEN_FILE) is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(token.to_owned()))
}

/// The number in the first `AADSTS<digits>` of a text.
pub(crate) fn aadsts_in(text: &str) -> Option<u64> {
    let at = text.find("AADSTS")?;
    let digits: String = text[at + 6..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A number of seconds sent as a JSON number or string.
pub(crate) fn seconds(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

pub(crate) fn trim_slash(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// Cleans a text from a sign-in tool before it is shown.
pub(crate) fn shown(text: &str) -> String {
    clean(text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_aadsts_codes_in_descriptions() {
        assert_eq!(
            aadsts_in("AADSTS7000215: Invalid client secret provided."),
            Some(7000215)
        );
        assert_eq!(aadsts_in("x AADSTS90002: Tenant not found"), Some(90002));
        assert_eq!(aadsts_in("nothing"), None);
        assert_eq!(aadsts_in("AADSTS"), None);
    }

    #[test]
    fn identity_errors_carry_the_trace_and_correlation_ids() {
        let json: Value = serde_json::from_str(
            r#"{"error":"invalid_client","error_codes":[700023],"trace_id":"t-1","correlation_id":"c-2"}"#,
        )
        .unwrap();
        assert_eq!(service_ids(&json), " (trace id t-1, correlation id c-2)");
        assert_eq!(service_ids(&serde_json::json!({})), "");
    }

    #[test]
    fn tokens_are_renewed_before_expiry() {
        let now = Instant::now();
        let c = |left: u64, lifetime: u64| Cached {
            token: SecretString::from("t".to_owned()),
            expires_at: now + Duration::from_secs(left),
            lifetime: Duration::from_secs(lifetime),
        };
        assert!(c(3000, 3599).fresh(now));
        assert!(!c(200, 3599).fresh(now));
        assert!(c(2, 10).fresh(now));
        assert!(!c(0, 10).fresh(now));
    }
}
