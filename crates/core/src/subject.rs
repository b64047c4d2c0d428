//! What a check runs over.

use serde::{Deserialize, Serialize};

use crate::check::Scope;
use crate::data::SourceError;
use crate::records::{EmailServerProfile, Environment, Mailbox};

/// One subject of a check run, carrying the record itself so that the check need not read it
/// again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    Environment(Environment),
    Profile(EmailServerProfile),
    Mailbox(Mailbox),
}

impl Subject {
    pub fn scope(&self) -> Scope {
        match self {
            Subject::Environment(_) => Scope::Environment,
            Subject::Profile(_) => Scope::Profile,
            Subject::Mailbox(_) => Scope::Mailbox,
        }
    }

    /// The mailbox, for mailbox-scoped checks. A wrong scope is reported as an
    /// [`SourceError::Unsupported`] so that it shows up as an `error` result, not a panic.
    pub fn mailbox(&self) -> Result<&Mailbox, SourceError> {
        match self {
            Subject::Mailbox(m) => Ok(m),
            other => Err(SourceError::Unsupported(format!(
                "this check runs over mailboxes, but was given a {}",
                other.scope().as_str()
            ))),
        }
    }

    /// The profile, for profile-scoped checks.
    pub fn profile(&self) -> Result<&EmailServerProfile, SourceError> {
        match self {
            Subject::Profile(p) => Ok(p),
            other => Err(SourceError::Unsupported(format!(
                "this check runs over e-mail server profiles, but was given a {}",
                other.scope().as_str()
            ))),
        }
    }

    /// The environment, for environment-scoped checks.
    pub fn environment(&self) -> Result<&Environment, SourceError> {
        match self {
            Subject::Environment(e) => Ok(e),
            other => Err(SourceError::Unsupported(format!(
                "this check runs over the environment, but was given a {}",
                other.scope().as_str()
            ))),
        }
    }

    /// Record id (mailbox id, profile id, organization id).
    pub fn id(&self) -> &str {
        match self {
            Subject::Environment(e) => &e.organization_id,
            Subject::Profile(p) => &p.id,
            Subject::Mailbox(m) => &m.id,
        }
    }

    /// Display name of the record.
    pub fn name(&self) -> &str {
        match self {
            Subject::Environment(e) => &e.url,
            Subject::Profile(p) => &p.name,
            Subject::Mailbox(m) => &m.name,
        }
    }
}
