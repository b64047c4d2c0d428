//! # ssync-core — the check API of ssync-doctor
//!
//! Everything a check (bundled or custom) needs, and nothing that talks to a network:
//!
//! * [`Check`] — the trait a check implements: static [`CheckMeta`] plus an async
//!   [`Check::run`] over one [`Subject`] that returns an [`Outcome`].
//! * [`DataSource`] — the data interface checks read through. Every method returns
//!   `Result<_, SourceError>`, so "could not read" is never confused with "read and found
//!   nothing". Live sources (Dataverse, Graph, EWS) live in `ssync-m365`; [`MemorySource`]
//!   here serves unit tests.
//! * [`declare_check!`] — a check's one declaration: metadata, texts, registration.
//! * [`register_check!`] / [`registered_checks`] — discovery through `inventory`.
//! * [`Finding`] — one row of the report, in the shape of the JSON report contract.
//!
//! A check crate declares its check once with [`declare_check!`], which takes
//! `explain.md` and `remediation.md` from the crate's root (see `docs/writing-a-check.md`).
//! Written out by hand, which is what the macro does, a minimal check is:
//!
//! ```
//! use ssync_core::prelude::*;
//!
//! pub struct AlwaysHasAddress;
//!
//! pub static META: CheckMeta = CheckMeta::new("acme-mailbox-has-address", "Every mailbox has an e-mail address")
//!     .severity(Severity::Warning)
//!     .summary("Flags mailbox records with an empty e-mail address.")
//!     .explain("A mailbox without an address cannot be synchronised.")
//!     .remediation("Fill in the Email Address field of the mailbox record.")
//!     .reads(&[DataNeed::Mailboxes]);
//!
//! impl Declared for AlwaysHasAddress {
//!     fn meta(&self) -> &'static CheckMeta { &META }
//! }
//!
//! ssync_core::register_check!(AlwaysHasAddress);
//!
//! #[async_trait]
//! impl Check for AlwaysHasAddress {
//!     async fn run(&self, _ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
//!         let mailbox = subject.mailbox()?;
//!         Ok(match &mailbox.email_address {
//!             Some(_) => Outcome::pass("The mailbox has an e-mail address."),
//!             None => Outcome::warn("The mailbox has no e-mail address."),
//!         })
//!     }
//! }
//! ```

pub mod address;
pub mod alerts;
pub mod audit;
pub mod check;
pub mod cloud;
pub mod data;
mod declare;
pub mod finding;
pub mod fixtures;
pub mod hosts;
pub mod lookup;
pub mod memory;
pub mod meta;
pub mod outcome;
pub mod profile_target;
pub mod recording;
pub mod records;
pub mod redact;
pub mod registry;
pub mod subject;

pub use alerts::{AlertText, explained_by};
pub use async_trait::async_trait;
pub use check::{Check, CheckContext, CheckOptions, DataNeed, Declared, Scope, Severity, evaluate};
pub use data::{DataSource, RawService, RunPlan, SourceError};
pub use finding::{Finding, SubjectRef, Summary};
pub use memory::{Facts, MemorySource, MemorySourceBuilder};
pub use meta::CheckMeta;
pub use outcome::{Outcome, Status};
pub use recording::RecordingSource;
pub use registry::{Registration, RegistryError, registered_checks};
/// Re-exported so checks can build evidence and read raw answers without their own dependency.
pub use serde_json;
pub use subject::Subject;

/// Re-exported so that [`register_check!`] works in crates that do not depend on `inventory`.
#[doc(hidden)]
pub use inventory;

/// Everything a check crate usually needs, in one `use`.
pub mod prelude {
    pub use crate::alerts::AlertText;
    pub use crate::lookup::{self, FoundBy, Owner};
    pub use crate::profile_target::{Classification, Target};
    pub use crate::records::*;
    pub use crate::{
        Check, CheckContext, CheckMeta, CheckOptions, DataNeed, DataSource, Declared, Outcome, Scope,
        Severity, SourceError, Status, Subject, async_trait,
    };
    pub use crate::{address, hosts};
    pub use serde_json::{self, Value, json};
}
