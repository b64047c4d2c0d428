//! Configuration errors: each names the file and, where it can, the line.

use std::ops::Range;

use crate::error::CliError;

/// A configuration file that could not be used. Every variant is bad input (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration file: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}:{line}: {message}")]
    At {
        path: String,
        line: usize,
        message: String,
    },
}

impl ConfigError {
    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::At { line, .. } => Some(*line),
            ConfigError::Read { .. } => None,
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::Usage(e.to_string())
    }
}

/// Builds errors against one file's text, turning byte spans into line numbers.
pub(crate) struct Locator<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

impl Locator<'_> {
    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::At {
            path: self.path.to_owned(),
            line: self.line(span.start),
            message: message.into(),
        }
    }

    /// A TOML syntax or shape error; without a span it is reported on line 1.
    pub fn toml(&self, e: &toml::de::Error) -> ConfigError {
        // The secret keys are declared only to be refused: do not offer them as expected keys.
        let message = e
            .message()
            .trim()
            .replace(", `client_secret`, `secret`, `password`", "");
        self.at(e.span().unwrap_or(0..0), message)
    }
}
