//! Holding a check to its declaration: what it reads must be in its `reads`.
//!
//! `reads` is not documentation only. A live run prefetches in bulk by it, `list --permissions`
//! and `preflight` derive the permissions from it, and a check that reads something else still
//! works in unit tests but costs one request per mailbox in a large run, or fails on a tenant
//! that granted exactly what `list --permissions` said. [`undeclared_reads`] runs a check over
//! recorded facts and names what it read without declaring it; the runner's `reads` test
//! applies it to every registered check over the demo tenant.

use std::collections::BTreeMap;

use crate::check::{Check, CheckContext, CheckMeta, CheckOptions, DataNeed};
use crate::memory::MemorySource;
use crate::subject::Subject;

/// A kind of data a check read without declaring it, and the first subject it was read for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeclaredRead {
    pub check: &'static str,
    pub need: DataNeed,
    pub subject: String,
}

impl std::fmt::Display for UndeclaredRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "check `{}` read `{}` (for {}) but does not declare DataNeed::{:?} in `reads`",
            self.check,
            self.need.as_str(),
            self.subject,
            self.need
        )
    }
}

/// Runs `check` on every subject of its scope over `source` (whatever each run returns), in a
/// run that selected the checks of `selected`, and lists the kinds of data it read that its
/// metadata does not declare.
pub async fn undeclared_reads(
    check: &dyn Check,
    source: &MemorySource,
    subjects: &[Subject],
    options: CheckOptions,
    selected: &[&'static CheckMeta],
) -> Vec<UndeclaredRead> {
    let meta = check.meta();
    let ctx = CheckContext::with_options(source, options).with_selected(selected);
    let mut first_seen: BTreeMap<DataNeed, String> = BTreeMap::new();
    for subject in subjects.iter().filter(|s| s.scope() == meta.scope) {
        source.clear_reads();
        // An `Err` is a result like any other here: the read was made either way.
        let _ = check.run(&ctx, subject).await;
        for need in source.reads() {
            if !meta.reads.contains(&need) {
                first_seen
                    .entry(need)
                    .or_insert_with(|| format!("{} '{}'", subject.scope().as_str(), subject.name()));
            }
        }
    }
    first_seen
        .into_iter()
        .map(|(need, subject)| UndeclaredRead {
            check: meta.id,
            need,
            subject,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::lookup;
    use crate::prelude::*;

    struct ReadsOwner;
    static OWNER_META: CheckMeta = CheckMeta::new("acme-owner", "t").reads(&[DataNeed::Mailboxes]);
    impl Declared for ReadsOwner {
        fn meta(&self) -> &'static CheckMeta {
            &OWNER_META
        }
    }
    #[async_trait]
    impl Check for ReadsOwner {
        async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
            lookup::mailbox_owner(ctx.data, subject.mailbox()?).await?;
            Ok(Outcome::pass("ok"))
        }
    }

    fn source() -> MemorySource {
        MemorySource::builder()
            .environment(fixtures::environment())
            .profile(fixtures::exchange_online_profile("P1"))
            .mailbox(fixtures::mailbox("mb-1", "a@contoso.com"))
            .system_user(fixtures::system_user("user-mb-1", "a@contoso.com", "u-1"))
            .entra_user(fixtures::entra_user("u-1", "a@contoso.com"))
            .build()
    }

    #[tokio::test]
    async fn a_read_left_out_of_the_declaration_is_named_with_the_check() {
        let source = source();
        let subjects: Vec<Subject> = source
            .facts()
            .mailboxes
            .iter()
            .cloned()
            .map(Subject::Mailbox)
            .collect();
        let found = undeclared_reads(
            &ReadsOwner,
            &source,
            &subjects,
            CheckOptions::default(),
            &[&OWNER_META],
        )
        .await;
        let needs: Vec<DataNeed> = found.iter().map(|u| u.need).collect();
        assert_eq!(needs, [DataNeed::SystemUsers, DataNeed::EntraUsers]);
        let text = found[0].to_string();
        assert!(
            text.contains("acme-owner") && text.contains("system-users"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn subjects_of_another_scope_are_not_run() {
        let source = source();
        let profile = Subject::Profile(fixtures::exchange_online_profile("P1"));
        let found = undeclared_reads(
            &ReadsOwner,
            &source,
            &[profile],
            CheckOptions::default(),
            &[&OWNER_META],
        )
        .await;
        assert!(found.is_empty(), "{found:?}");
    }

    /// The shared look-ups read exactly what their `…_READS` constants say, so a check that
    /// uses one can declare it from the constant.
    #[tokio::test]
    async fn the_shared_look_ups_read_what_they_declare() {
        let source = source();
        let mut mailbox = fixtures::mailbox("mb-1", "a@fabrikam.com");
        mailbox.profile_id = Some("P1".into());
        let mut other = fixtures::environment();
        other.tenant_id = fixtures::OTHER_TENANT.into();
        let source_with_domain = MemorySource::builder()
            .environment(other)
            .domain_tenant("fabrikam.com", fixtures::TENANT)
            .build();

        let check = |reads: std::collections::BTreeSet<DataNeed>, declared: &[DataNeed], name: &str| {
            assert!(!reads.is_empty(), "{name} read nothing");
            for need in reads {
                assert!(
                    declared.contains(&need),
                    "{name} reads {need:?} without declaring it"
                );
            }
        };

        source.clear_reads();
        let _ = lookup::mailbox_owner(&source, &mailbox).await;
        check(source.reads(), lookup::MAILBOX_OWNER_READS, "mailbox_owner");

        source.clear_reads();
        let _ = lookup::mailbox_profile(&source, &mailbox).await;
        check(source.reads(), lookup::MAILBOX_PROFILE_READS, "mailbox_profile");

        source.clear_reads();
        let _ = lookup::profile_mailbox_addresses(&source, "P1").await;
        check(
            source.reads(),
            lookup::PROFILE_MAILBOX_ADDRESSES_READS,
            "profile_mailbox_addresses",
        );

        let _ = lookup::foreign_tenant(&source_with_domain, &mailbox).await;
        check(
            source_with_domain.reads(),
            lookup::FOREIGN_TENANT_READS,
            "foreign_tenant",
        );
    }
}
