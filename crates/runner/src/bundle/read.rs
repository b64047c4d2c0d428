//! Reading a bundle: the schema version first (so a bundle from another version gets a clear
//! answer, not a type error), then every field, naming the place of the first damage.

use std::path::Path;

use serde::Deserialize;

use super::{Bundle, NEWEST_VERSION, SCHEMA_PREFIX};

/// Why a bundle cannot be used. Every variant names the place when there is one; the file
/// name is added by [`read_file`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not JSON, or cut short.
    #[error("line {line}, column {column}: not a valid JSON document: {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but no `schema` string at the top: not a bundle of this tool.
    #[error(
        "not an ssync-doctor evidence bundle: no \"schema\" field with \"{SCHEMA_PREFIX}<N>\" at the top \
         (write one with `ssync-doctor collect`)"
    )]
    NotABundle,
    /// Another tool's or another kind of document (`schema` names something else).
    #[error("not an ssync-doctor evidence bundle: its schema is \"{0}\", expected \"{SCHEMA_PREFIX}<N>\"")]
    ForeignSchema(String),
    /// A newer schema version than this tool reads.
    #[error(
        "the bundle uses schema version {found}, written by a newer ssync-doctor; this version reads \
         versions up to {NEWEST_VERSION}. Upgrade ssync-doctor to analyse it"
    )]
    NewerVersion { found: u32 },
    /// A field with the wrong type or value, or a required field missing.
    #[error("line {line}, column {column}, at {path}: {message}")]
    Invalid {
        /// The JSON path of the damage, e.g. `facts.mailboxes[3].active`.
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// Just the schema, read before anything else.
#[derive(Deserialize)]
struct Header {
    schema: Option<serde_json::Value>,
}

/// Reads a bundle from its JSON text. Never panics, whatever the text.
pub fn read(text: &str) -> Result<Bundle, BundleError> {
    // serde would read a struct from an array too; a bundle is an object.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => BundleError::NotABundle,
            Err(e) => not_json(&e),
        });
    }
    let header: Header = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => BundleError::NotABundle,
        _ => not_json(&e),
    })?;
    let schema = match header.schema {
        Some(serde_json::Value::String(s)) => s,
        _ => return Err(BundleError::NotABundle),
    };
    let version = schema
        .strip_prefix(SCHEMA_PREFIX)
        .ok_or_else(|| BundleError::ForeignSchema(schema.clone()))?;
    match version.parse::<u32>() {
        Ok(v) if (1..=NEWEST_VERSION).contains(&v) => {}
        Ok(v) if v > NEWEST_VERSION => return Err(BundleError::NewerVersion { found: v }),
        _ => return Err(BundleError::ForeignSchema(schema.clone())),
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Bundle>(&mut de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => "the top level".to_owned(),
            p => p,
        };
        let inner = e.into_inner();
        BundleError::Invalid {
            path,
            line: inner.line(),
            column: inner.column(),
            message: message_of(&inner),
        }
    })
}

/// Reads the bundle in `path`, or standard input when `path` is `-` (`run --from -`); errors
/// name the file.
pub fn read_file(path: &Path) -> Result<Bundle, (String, BundleError)> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        let read = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text);
        ("standard input".to_owned(), read.map(|_| text))
    } else {
        (path.display().to_string(), std::fs::read_to_string(path))
    };
    let text = text.map_err(|e| (name.clone(), BundleError::Io(e.to_string())))?;
    read(&text).map_err(|e| (name, e))
}

fn not_json(e: &serde_json::Error) -> BundleError {
    BundleError::NotJson {
        line: e.line(),
        column: e.column(),
        message: message_of(e),
    }
}

/// serde_json's message without its own " at line L column C" suffix (the variants say it).
fn message_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}
