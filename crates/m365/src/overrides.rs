//! `SSYNC_*` environment variables that shorten timeouts and retries. The defaults suit a
//! real tenant; a test (or an operator on a bad link who wants a quick answer) turns them
//! down without a flag on every command. `docs/errors.md` lists them.

use std::time::Duration;

use crate::error::ConnectError;
use crate::settings::Options;

/// Time to establish a connection, in seconds (decimals allowed).
pub const CONNECT_TIMEOUT_VAR: &str = "SSYNC_CONNECT_TIMEOUT";
/// Time for one request, body included, in seconds.
pub const REQUEST_TIMEOUT_VAR: &str = "SSYNC_REQUEST_TIMEOUT";
/// Time for the whole run, in seconds.
pub const RUN_TIMEOUT_VAR: &str = "SSYNC_RUN_TIMEOUT";
/// Retries after the first attempt (an integer, 0 = never retry).
pub const MAX_RETRIES_VAR: &str = "SSYNC_MAX_RETRIES";
/// Longest wait between retries that the tool chooses itself, in seconds (a service's
/// `Retry-After` is honoured in full).
pub const MAX_BACKOFF_VAR: &str = "SSYNC_MAX_BACKOFF";
/// Time for one EWS probe, in seconds.
pub const EWS_TIMEOUT_VAR: &str = "SSYNC_EWS_TIMEOUT";
/// The most ranges a long collection is read in side by side: Graph users, Dataverse
/// mailboxes and system users (1 to 64; 1 = one chain of pages each, as before ranges
/// existed: for a tenant that misbehaves with them, and for the benchmark's comparison).
pub const MAX_RANGES_VAR: &str = "SSYNC_MAX_RANGES";

impl Options {
    /// The defaults with the `SSYNC_*` overrides of the process environment applied.
    pub fn from_env() -> Result<Options, ConnectError> {
        Options::default().with_overrides(|name| std::env::var(name).ok())
    }

    /// Applies the overrides `env` returns; an unset or empty variable keeps the value. A
    /// value that is not a number is bad input (exit 2), named with the variable.
    pub fn with_overrides(mut self, env: impl Fn(&str) -> Option<String>) -> Result<Options, ConnectError> {
        let get = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let seconds = |name: &str| -> Result<Option<Duration>, ConnectError> {
            get(name)
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            ConnectError::Config(format!(
                                "{name}={v:?} is not a number of seconds; set it to e.g. 2.5 or unset it"
                            ))
                        })
                })
                .transpose()
        };
        if let Some(d) = seconds(CONNECT_TIMEOUT_VAR)? {
            self.connect_timeout = d;
        }
        if let Some(d) = seconds(REQUEST_TIMEOUT_VAR)? {
            self.request_timeout = d;
        }
        if let Some(d) = seconds(RUN_TIMEOUT_VAR)? {
            self.run_timeout = d;
        }
        if let Some(d) = seconds(EWS_TIMEOUT_VAR)? {
            self.ews_timeout = d;
        }
        if let Some(d) = seconds(MAX_BACKOFF_VAR)? {
            self.max_backoff = d;
            self.min_backoff = self.min_backoff.min(d);
        }
        if let Some(v) = get(MAX_RETRIES_VAR) {
            self.max_retries = v.parse::<u16>().map(usize::from).map_err(|_| {
                ConnectError::Config(format!(
                    "{MAX_RETRIES_VAR}={v:?} is not a retry count; set it to e.g. 2 or unset it"
                ))
            })?;
        }
        if let Some(v) = get(MAX_RANGES_VAR) {
            self.max_ranges = v
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .map(usize::from)
                .ok_or_else(|| {
                    ConnectError::Config(format!(
                        "{MAX_RANGES_VAR}={v:?} is not a number of ranges from 1 to 64; set it to e.g. 1 (one chain) or unset it"
                    ))
                })?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn overrides_replace_the_defaults() {
        let o = Options::default()
            .with_overrides(env(&[
                (REQUEST_TIMEOUT_VAR, "1.5"),
                (MAX_RETRIES_VAR, "0"),
                (MAX_BACKOFF_VAR, "0.2"),
                (CONNECT_TIMEOUT_VAR, " "),
                (MAX_RANGES_VAR, "1"),
            ]))
            .unwrap();
        assert_eq!(o.request_timeout, Duration::from_millis(1500));
        assert_eq!(o.max_retries, 0);
        assert_eq!(o.max_backoff, Duration::from_millis(200));
        assert!(o.min_backoff <= o.max_backoff);
        assert_eq!(o.connect_timeout, Options::default().connect_timeout);
        assert_eq!(o.max_ranges, 1);
    }

    #[test]
    fn garbage_is_bad_input_naming_the_variable() {
        for (var, value) in [
            (REQUEST_TIMEOUT_VAR, "soon"),
            (RUN_TIMEOUT_VAR, "-1"),
            (MAX_BACKOFF_VAR, "NaN"),
            (MAX_RETRIES_VAR, "-3"),
            (MAX_RETRIES_VAR, "1e9"),
            (MAX_RANGES_VAR, "0"),
            (MAX_RANGES_VAR, "65"),
            (MAX_RANGES_VAR, "many"),
        ] {
            let err = Options::default()
                .with_overrides(env(&[(var, value)]))
                .unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
