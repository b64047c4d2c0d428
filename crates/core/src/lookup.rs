//! Look-ups several checks share: whose Entra user a mailbox is, and whether its address
//! belongs to another tenant. Keeping them here means every check finds the same user the
//! same way.

use serde::Serialize;

use crate::address;
use crate::check::DataNeed;
use crate::data::{DataSource, SourceError};
use crate::outcome::Outcome;
use crate::records::{EmailServerProfile, EntraUser, Mailbox, Regarding, SystemUser};

/// How the Entra user behind a mailbox was found; reported as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// The Dataverse user's `azureactivedirectoryobjectid`.
    ObjectId,
    /// The Dataverse user's sign-in name (`domainname`).
    SignInName,
    /// The queue mailbox's own address (queues have no Entra identity of their own).
    QueueAddress,
}

impl FoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::ObjectId => "Dataverse user's Entra object id",
            FoundBy::SignInName => "Dataverse user's sign-in name",
            FoundBy::QueueAddress => "queue mailbox address",
        }
    }
}

/// The Entra user a mailbox belongs to.
#[derive(Debug, Clone)]
pub struct Owner {
    pub user: EntraUser,
    pub found_by: FoundBy,
    /// The Dataverse user, for user mailboxes.
    pub system_user: Option<SystemUser>,
}

/// What [`mailbox_owner`] reads: a check calling it declares these (a test holds it to that).
pub const MAILBOX_OWNER_READS: &[DataNeed] = &[DataNeed::SystemUsers, DataNeed::EntraUsers];
/// What [`foreign_tenant`] reads.
pub const FOREIGN_TENANT_READS: &[DataNeed] = &[DataNeed::DomainTenant, DataNeed::Environment];
/// What [`mailbox_profile`] reads.
pub const MAILBOX_PROFILE_READS: &[DataNeed] = &[DataNeed::Profiles];
/// What [`profile_mailbox_addresses`] reads.
pub const PROFILE_MAILBOX_ADDRESSES_READS: &[DataNeed] = &[DataNeed::Mailboxes];

/// Finds the Entra user behind a mailbox without using the mailbox's own address (which is
/// what some checks test), except for queues, which have nothing else to go by:
/// a user mailbox through the Dataverse user's Entra object id, then its sign-in name.
pub async fn mailbox_owner(data: &dyn DataSource, mailbox: &Mailbox) -> Result<Option<Owner>, SourceError> {
    match &mailbox.regarding {
        Regarding::User(user_id) => {
            let Some(system_user) = data.system_user(user_id).await? else {
                return Ok(None);
            };
            if let Some(oid) = system_user.entra_object_id.as_deref().filter(|o| !o.is_empty())
                && let Some(user) = data.entra_user_by_id(oid).await?
            {
                return Ok(Some(Owner {
                    user,
                    found_by: FoundBy::ObjectId,
                    system_user: Some(system_user),
                }));
            }
            let Some(upn) = system_user.domain_name.as_deref().filter(|d| d.contains('@')) else {
                return Ok(None);
            };
            Ok(data.entra_user_by_address(upn).await?.map(|user| Owner {
                user,
                found_by: FoundBy::SignInName,
                system_user: Some(system_user.clone()),
            }))
        }
        Regarding::Queue(_) => match mailbox.email_address.as_deref() {
            Some(addr) => Ok(data.entra_user_by_address(addr).await?.map(|user| Owner {
                user,
                found_by: FoundBy::QueueAddress,
                system_user: None,
            })),
            None => Ok(None),
        },
        Regarding::None => Ok(None),
    }
}

/// A mailbox whose mail domain belongs to a tenant other than the environment's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignTenant {
    pub domain: String,
    pub domain_tenant: String,
    pub environment_tenant: String,
}

impl ForeignTenant {
    /// The `skip` a mailbox check reports for a mailbox of another tenant, pointing at
    /// `cross-tenant-exchange`; `consequence` says what cannot be done from here ("its licence
    /// is held in that tenant").
    pub fn skip(&self, mailbox: &Mailbox, consequence: &str) -> Outcome {
        Outcome::skip(format!(
            "Mailbox '{}' is in domain {}, which belongs to tenant {}, not the environment's tenant {}; \
             {consequence} (see `cross-tenant-exchange`).",
            mailbox.name, self.domain, self.domain_tenant, self.environment_tenant
        ))
        .with_evidence("foreign_tenant", self)
    }
}

/// `Some` when the mailbox's mail domain is known to belong to another tenant than the
/// environment. Graph only sees the environment's tenant, so checks that compare with Graph
/// data skip such mailboxes and leave them to `cross-tenant-exchange`. An unknown domain gives
/// `None`: there is no evidence that the mailbox lives elsewhere.
pub async fn foreign_tenant(
    data: &dyn DataSource,
    mailbox: &Mailbox,
) -> Result<Option<ForeignTenant>, SourceError> {
    let Some(domain) = mailbox.email_address.as_deref().and_then(address::domain_of) else {
        return Ok(None);
    };
    let Some(domain_tenant) = data.domain_tenant(&domain).await? else {
        return Ok(None);
    };
    let environment_tenant = data.environment().await?.tenant_id;
    Ok(
        (!domain_tenant.eq_ignore_ascii_case(&environment_tenant)).then_some(ForeignTenant {
            domain,
            domain_tenant,
            environment_tenant,
        }),
    )
}

/// The e-mail server profile of a mailbox, or the `skip` outcome that says why there is none
/// (no profile set, or the profile record not found).
///
/// ```ignore
/// let profile = match lookup::mailbox_profile(ctx.data, mailbox).await? {
///     Ok(profile) => profile,
///     Err(skip) => return Ok(skip),
/// };
/// ```
pub async fn mailbox_profile(
    data: &dyn DataSource,
    mailbox: &Mailbox,
) -> Result<Result<EmailServerProfile, Outcome>, SourceError> {
    let Some(profile_id) = mailbox.profile_id.as_deref() else {
        return Ok(Err(Outcome::skip(format!(
            "Mailbox '{}' has no e-mail server profile.",
            mailbox.name
        ))));
    };
    Ok(data.profile(profile_id).await?.ok_or_else(|| {
        Outcome::skip(format!(
            "The e-mail server profile {profile_id} of mailbox '{}' was not found.",
            mailbox.name
        ))
    }))
}

/// The addresses of every mailbox on a profile: a profile finding affects all of them.
pub async fn profile_mailbox_addresses(
    data: &dyn DataSource,
    profile_id: &str,
) -> Result<Vec<String>, SourceError> {
    Ok(data
        .mailboxes_on_profile(profile_id)
        .await?
        .iter()
        .map(|m| m.display_address().to_owned())
        .collect())
}
