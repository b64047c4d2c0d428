//! `ssync-doctor.toml`: default connection settings, which checks run, and waivers
//! (`docs/configuration.md`).
//!
//! The file is `--config FILE` when given (it must exist), else `ssync-doctor.toml` in the
//! working directory when there is one, else nothing. Precedence for each setting: flag, then
//! environment variable, then this file, then the built-in default. Every problem in the file
//! is bad input (exit 2) naming the file and the line.

mod error;
mod file;
pub mod glob;
pub mod waiver;

use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::cli::{ConnectionArgs, SelectionArgs};
use crate::engine::select::unknown_check_message;

pub use error::ConfigError;
use error::Locator;
pub use waiver::{ExpiredWaiver, WaiverRule};

/// The name looked for in the working directory.
pub const FILE_NAME: &str = "ssync-doctor.toml";

/// Connection defaults from the file; each is used only when neither its flag nor its
/// environment variable gave a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionDefaults {
    pub org_url: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub authority_host: Option<String>,
    pub graph_url: Option<String>,
}

/// A loaded and validated configuration (empty when there is no file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file it came from.
    pub path: Option<PathBuf>,
    pub connection: ConnectionDefaults,
    /// `[checks] enable`: like `--check`.
    pub enable: Vec<String>,
    /// `[checks] disable`: like `--skip-check`.
    pub disable: Vec<String>,
    pub waivers: Vec<WaiverRule>,
    /// `[alerts] window_days`: how many days back an alert counts.
    pub alert_window_days: u32,
}

/// The longest alert window accepted: Dataverse deletes old traces long before ten years.
pub const MAX_ALERT_WINDOW_DAYS: i64 = 3650;

impl Default for Config {
    fn default() -> Self {
        Self {
            path: None,
            connection: ConnectionDefaults::default(),
            enable: Vec::new(),
            disable: Vec::new(),
            waivers: Vec::new(),
            alert_window_days: ssync_core::CheckOptions::DEFAULT_ALERT_WINDOW_DAYS,
        }
    }
}

/// What the configuration brings to a run beyond the selection: the file it came from (the
/// report names it) and its waivers.
#[derive(Debug, Clone, Default)]
pub struct RunRules {
    pub file: Option<PathBuf>,
    pub waivers: Vec<WaiverRule>,
}

impl RunRules {
    /// Applies the configuration to the engine's report, after the run: names the file and
    /// marks the results the waivers in force on `today` cover, listing those waivers and
    /// the expired ones. The engine itself knows nothing of the configuration file.
    pub fn apply(&self, report: &mut crate::report::Report, today: time::Date) {
        report.configuration.file = self.file.as_ref().map(|p| p.display().to_string());
        report.expired_waivers = waiver::apply(&mut report.findings, &self.waivers, today);
        report.configuration.waivers = waiver::in_force(&report.findings, &self.waivers, today);
    }
}

impl Config {
    /// The file and waivers, applied to the report after the run.
    pub fn run_rules(&self) -> RunRules {
        RunRules {
            file: self.path.clone(),
            waivers: self.waivers.clone(),
        }
    }

    /// Finds and loads the configuration: `explicit` (which must exist), else
    /// [`FILE_NAME`] in `dir`, else an empty configuration. `known_checks` are the ids of the
    /// linked checks; any other id in the file is an error.
    pub fn discover(explicit: Option<&Path>, dir: &Path, known_checks: &[&str]) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = dir.join(FILE_NAME);
                if !p.is_file() {
                    return Ok(Self::default());
                }
                p
            }
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let mut config = Self::parse(&text, &shown, known_checks)?;
        config.path = Some(path);
        Ok(config)
    }

    /// Parses and validates the text of a configuration file; `path` names it in errors.
    pub fn parse(text: &str, path: &str, known_checks: &[&str]) -> Result<Self, ConfigError> {
        let loc = Locator { path, text };
        let raw: file::File = toml::from_str(text).map_err(|e| loc.toml(&e))?;
        let c = &raw.connection;
        for keys in [
            [&raw.client_secret, &raw.secret, &raw.password],
            [&c.client_secret, &c.secret, &c.password],
        ] {
            if let Some((key, span)) = file::first_secret(keys) {
                return Err(loc.at(
                    span,
                    format!(
                        "`{key}` is not accepted in the configuration file: a secret in a file is read by \
                         anyone who can read the file. Set AZURE_CLIENT_SECRET in the environment (or \
                         AZURE_CLIENT_CERTIFICATE_PATH for a certificate) instead."
                    ),
                ));
            }
        }
        let check_id = |id: &Spanned<String>| -> Result<String, ConfigError> {
            let value = id.get_ref().trim();
            if known_checks.contains(&value) {
                Ok(value.to_owned())
            } else {
                Err(loc.at(id.span(), unknown_check_message(value, known_checks)))
            }
        };
        let text_value = |v: &Option<Spanned<String>>| {
            v.as_ref()
                .map(|s| s.get_ref().trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let connection = ConnectionDefaults {
            org_url: text_value(&c.org_url),
            tenant_id: text_value(&c.tenant_id),
            client_id: text_value(&c.client_id),
            authority_host: text_value(&c.authority_host),
            graph_url: text_value(&c.graph_url),
        };
        let enable = raw.checks.enable.iter().map(check_id).collect::<Result<_, _>>()?;
        let disable = raw
            .checks
            .disable
            .iter()
            .map(check_id)
            .collect::<Result<_, _>>()?;
        let mut waivers = Vec::new();
        for spanned in &raw.waivers {
            let w = spanned.get_ref();
            let line = loc.line(spanned.span().start);
            let check = check_id(&w.check)?;
            let subject = w.subject.get_ref().trim().to_owned();
            if subject.is_empty() {
                return Err(loc.at(w.subject.span(), "the waiver's `subject` is empty; name a mailbox address, a profile name or a glob such as \"*@fabrikam.com\""));
            }
            let rationale = match &w.rationale {
                Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_owned(),
                Some(r) => {
                    return Err(loc.at(
                        r.span(),
                        "the waiver's `rationale` is empty; say why the result is accepted",
                    ));
                }
                None => {
                    return Err(loc.at(
                        spanned.span(),
                        format!("the waiver of `{check}` for `{subject}` has no `rationale`; say why the result is accepted"),
                    ));
                }
            };
            let expires = match &w.expires {
                None => None,
                Some(d) => Some(waiver::parse_date(d.get_ref()).ok_or_else(|| {
                    loc.at(
                        d.span(),
                        format!(
                            "`expires = \"{}\"` is not a date; write YYYY-MM-DD, e.g. 2027-03-31",
                            d.get_ref()
                        ),
                    )
                })?),
            };
            let reason = match &w.reason {
                None => None,
                Some(r) => Some(waiver::check_reason(&check, r.get_ref()).map_err(|m| loc.at(r.span(), m))?),
            };
            waivers.push(WaiverRule {
                check,
                subject,
                rationale,
                expires,
                origin: format!("{path}:{line}"),
                reason,
            });
        }
        let alert_window_days = match &raw.alerts.window_days {
            None => ssync_core::CheckOptions::DEFAULT_ALERT_WINDOW_DAYS,
            Some(days) => match u32::try_from(*days.get_ref()) {
                Ok(d) if (1..=MAX_ALERT_WINDOW_DAYS).contains(&i64::from(d)) => d,
                _ => {
                    return Err(loc.at(
                        days.span(),
                        format!(
                            "`window_days = {}` is out of range; write a whole number of days from 1 to \
                             {MAX_ALERT_WINDOW_DAYS}, e.g. 30",
                            days.get_ref()
                        ),
                    ));
                }
            },
        };
        Ok(Self {
            path: None,
            connection,
            enable,
            disable,
            waivers,
            alert_window_days,
        })
    }

    /// What checks judge against for a run starting now.
    pub fn check_options(&self) -> ssync_core::CheckOptions {
        ssync_core::CheckOptions::new(time::OffsetDateTime::now_utc(), self.alert_window_days)
    }

    /// The connection flags with the file's values filling what neither a flag nor an
    /// environment variable gave (clap has already merged those two, flag first).
    pub fn connection_args(&self, mut args: ConnectionArgs) -> ConnectionArgs {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        let d = &self.connection;
        for (arg, default) in [
            (&mut args.org_url, &d.org_url),
            (&mut args.tenant_id, &d.tenant_id),
            (&mut args.client_id, &d.client_id),
            (&mut args.authority_host, &d.authority_host),
            (&mut args.graph_url, &d.graph_url),
        ] {
            if !given(arg) {
                arg.clone_from(default);
            }
        }
        args
    }

    /// The selection flags with the file's `[checks]`: `--check` replaces `enable`;
    /// `disable` adds to `--skip-check`, except for a check named with `--check` (the flag
    /// wins).
    pub fn selection_args(&self, mut args: SelectionArgs) -> SelectionArgs {
        if args.checks.is_empty() {
            args.checks = self.enable.clone();
        }
        for id in &self.disable {
            if !args.checks.contains(id) && !args.skip_checks.contains(id) {
                args.skip_checks.push(id.clone());
            }
        }
        args
    }
}

#[cfg(test)]
mod tests;
