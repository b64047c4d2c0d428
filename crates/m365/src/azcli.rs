//! Tokens from the Azure CLI, for administrators who sign in interactively (`az login`)
//! rather than through an app registration. The CLI prints the token as JSON on standard
//! output; it never reaches a log or an error here.

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use serde_json::Value;

use crate::error::{ConnectError, aadsts_advice};
use crate::identity::{aadsts_in, seconds, shown};

/// How long to trust a CLI token whose expiry the CLI did not state.
const ASSUMED_LIFETIME: Duration = Duration::from_secs(300);

pub(crate) async fn token(resource: &str, tenant: &str) -> Result<(SecretString, Duration), ConnectError> {
    let output = tokio::process::Command::new(if cfg!(windows) { "az.cmd" } else { "az" })
        .args(["account", "get-access-token", "--resource", resource, "--tenant", tenant, "--output", "json"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            ConnectError::Config(format!(
                "the Azure CLI (az) could not be started ({e}); install it, or sign in with an app registration"
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = aadsts_in(&stderr);
        let advice = match code {
            Some(n) => aadsts_advice(n as u32, tenant, "the Azure CLI"),
            None => format!(
                "the Azure CLI could not get a token for {resource}: {}. Run `az login --tenant {tenant}` and try again",
                shown(&stderr)
            ),
        };
        return Err(ConnectError::Auth {
            code: code.map(|n| format!("AADSTS{n}")),
            advice,
        });
    }
    parse(&output.stdout)
}

/// Reads `{"accessToken": …, "expires_on": <epoch seconds>, …}`.
pub(crate) fn parse(stdout: &[u8]) -> Result<(SecretString, Duration), ConnectError> {
    let json: Value = serde_json::from_slice(stdout)
        .map_err(|_| ConnectError::Unreachable("the Azure CLI printed something that is not JSON".into()))?;
    let token = json
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ConnectError::Unreachable("the Azure CLI printed no accessToken".into()))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let lifetime = json
        .get("expires_on")
        .and_then(seconds)
        .map(|at| Duration::from_secs(at.saturating_sub(now)))
        .unwrap_or(ASSUMED_LIFETIME);
    Ok((SecretString::from(token.to_owned()), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn reads_the_cli_json() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let out = format!(
            r#"{{"accessToken":"tok","expiresOn":"x","expires_on":{},"tokenType":"Bearer"}}"#,
            now + 600
        );
        let (t, life) = parse(out.as_bytes()).unwrap();
        assert_eq!(t.expose_secret(), "tok");
        assert!(life > Duration::from_secs(590) && life <= Duration::from_secs(600));
        let (_, life) = parse(br#"{"accessToken":"tok","expiresOn":"2020-01-01 00:00:00"}"#).unwrap();
        assert_eq!(life, ASSUMED_LIFETIME);
        assert!(parse(b"not json").is_err());
        assert!(parse(br#"{"accessToken":""}"#).is_err());
    }
}
