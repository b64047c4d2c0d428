//! Access tokens: one per audience (Dataverse, Graph), cached and renewed before they expire.
//! Client credentials with a secret or a certificate assertion, or the Azure CLI of a
//! signed-in administrator. Tokens live in `SecretString`s and are never logged.

use std::sync::Arc;
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
        Ok(Self {
            transport,
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
        let (token, lifetime) = match &self.credential {
            Credential::AzureCli => crate::azcli::token(resource, &self.tenant).await?,
            _ => self.client_credentials(resource).await?,
        };
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

    async fn client_credentials(&self, resource: &str) -> Result<(SecretString, Duration), ConnectError> {
        let scope = format!("{resource}/.default");
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", self.client_id.clone()),
            ("scope", scope),
            ("grant_type", "client_credentials".into()),
        ];
        let secret_field = match &self.credential {
            Credential::Secret(secret) => ("client_secret", secret.clone()),
            Credential::Certificate { path } => {
                let assertion =
                    crate::assertion::client_assertion(path, &self.client_id, self.token_url.as_str())?;
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                ("client_assertion", assertion)
            }
            Credential::AzureCli => {
                return Err(ConnectError::Config(
                    "the Azure CLI credential has no client credentials".into(),
                ));
            }
        };
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
        let code = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|j| j.get("error_codes")?.as_array()?.first()?.as_u64())
            .or_else(|| aadsts_in(&description));
        match code {
            Some(n) => ConnectError::Auth {
                code: Some(format!("AADSTS{n}")),
                advice: aadsts_advice(n as u32, &self.tenant, &self.client_id),
            },
            None => ConnectError::Auth {
                code: (!error.is_empty()).then(|| error.clone()),
                advice: format!(
                    "the token endpoint answered HTTP {status}: {}",
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
