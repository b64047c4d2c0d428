//! Scenario errors that name the file, the line and what is wrong.

use std::ops::Range;

/// A scenario that could not be read or is inconsistent.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    #[error("{origin}: cannot read: {reason}")]
    Read { origin: String, reason: String },
    #[error("{origin}:{line}:{col}: {message}")]
    At {
        origin: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Whole { origin: String, message: String },
}

impl ScenarioError {
    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ScenarioError::At { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Builds errors against one source text.
pub(crate) struct Reporter<'a> {
    pub origin: &'a str,
    pub text: &'a str,
}

impl Reporter<'_> {
    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ScenarioError::At {
            origin: self.origin.to_owned(),
            line,
            col,
            message: message.into(),
        }
    }

    pub fn whole(&self, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Whole {
            origin: self.origin.to_owned(),
            message: message.into(),
        }
    }

    pub fn toml(&self, e: toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_owned();
        match e.span() {
            Some(span) => self.at(span, message),
            None => self.whole(message),
        }
    }
}
