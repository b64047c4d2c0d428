//! Dataverse reads: the organisation, e-mail server profiles, mailboxes, system users and
//! queues (Web API v9.2, `$select`ed, paged by `Prefer: odata.maxpagesize`).

use serde_json::Value;
use ssync_core::SourceError;
use ssync_core::records::*;

use super::decode::{self, Decoded};
use super::query::dataverse_in;
use super::{Read, Reader, bad_key, decode_all};
use crate::transport::Service;

/// Ids per `In` / `or` filter: keeps URLs far below Dataverse's 32 KB limit.
pub(crate) const IDS_PER_FILTER: usize = 50;

impl Reader {
    pub(crate) async fn dataverse_collection(
        &self,
        entity_set: &str,
        select: &str,
        filter: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Result<Vec<Value>, SourceError> {
        let mut q = vec![("$select", select)];
        if let Some(f) = filter {
            q.push(("$filter", f));
        }
        q.extend_from_slice(extra);
        let url = self.client.url(Service::Dataverse, entity_set, &q)?;
        self.client.collect(Service::Dataverse, url, entity_set).await
    }

    /// A Dataverse collection, decoded page by page.
    pub(crate) async fn dataverse_records<T: Send + 'static>(
        &self,
        entity_set: &str,
        select: &str,
        filter: Option<&str>,
        decode: fn(&Value) -> Decoded<T>,
    ) -> Read<Vec<T>> {
        let mut q = vec![("$select", select)];
        if let Some(f) = filter {
            q.push(("$filter", f));
        }
        let url = self.client.url(Service::Dataverse, entity_set, &q)?;
        self.client
            .collect_decoded(Service::Dataverse, url, entity_set, decode)
            .await
    }

    pub(crate) async fn read_environment(&self) -> Read<Environment> {
        let mut url = self.client.url(
            Service::Dataverse,
            "RetrieveCurrentOrganization(AccessType=@p)",
            &[],
        )?;
        url.set_query(Some("@p=Microsoft.Dynamics.CRM.EndpointAccessType'Default'"));
        let json = self
            .client
            .get_json(Service::Dataverse, &url, "the environment")
            .await?;
        decode::environment(&json, &self.org_url).map_err(|why| SourceError::Malformed {
            service: Service::Dataverse.name().to_owned(),
            detail: format!("RetrieveCurrentOrganization: {why}"),
        })
    }

    pub(crate) async fn read_profiles(&self) -> Read<Vec<EmailServerProfile>> {
        self.dataverse_records(
            "emailserverprofiles",
            decode::PROFILE_COLUMNS,
            None,
            decode::profile,
        )
        .await
    }

    /// The mailboxes of one profile.
    pub(crate) async fn read_mailboxes_on_profile(&self, profile_id: &str) -> Read<Vec<Mailbox>> {
        if !decode::is_guid(profile_id) {
            return Err(bad_key("profile id", profile_id));
        }
        let filter = format!("_emailserverprofile_value eq {profile_id}");
        self.dataverse_records(
            "mailboxes",
            decode::MAILBOX_COLUMNS,
            Some(&filter),
            decode::mailbox,
        )
        .await
    }

    /// Every mailbox, telling `first_page` how many the first page holds and whether more
    /// pages follow as soon as that page has arrived. When more follow and `ranges` is above
    /// one, the table is read as that many ranges of `mailboxid` (its primary key, Dataverse
    /// table reference *mailbox*) side by side (`key_ranges`), not as one chain; the ranges
    /// cover the first page's mailboxes again, so that page is only used when it is the last.
    pub(crate) async fn read_every_mailbox(
        &self,
        first_page: impl FnOnce(usize, bool),
        ranges: usize,
    ) -> Read<Vec<Mailbox>> {
        if ranges <= 1 {
            let url = self.client.url(
                Service::Dataverse,
                "mailboxes",
                &[("$select", decode::MAILBOX_COLUMNS)],
            )?;
            return self
                .client
                .collect_decoded_noting(Service::Dataverse, url, "mailboxes", decode::mailbox, first_page)
                .await;
        }
        let (first, more) = self
            .dataverse_first_page("mailboxes", decode::MAILBOX_COLUMNS, decode::mailbox, first_page)
            .await?;
        if !more {
            return Ok(first);
        }
        self.dataverse_records_in_ranges(
            "mailboxes",
            decode::MAILBOX_COLUMNS,
            "mailboxid",
            ranges,
            decode::mailbox,
            |m| &m.id,
        )
        .await
    }

    /// Records whose `property` is one of `values`, with `In` filters of [`IDS_PER_FILTER`].
    pub(crate) async fn read_where_in<T>(
        &self,
        entity_set: &str,
        columns: &str,
        property: &str,
        values: &[String],
        decode: impl Fn(&Value) -> Decoded<T> + Copy,
    ) -> Read<Vec<T>> {
        let mut out = Vec::new();
        for chunk in values.chunks(IDS_PER_FILTER) {
            let filter = dataverse_in(property, chunk);
            let items = self
                .dataverse_collection(entity_set, columns, Some(&filter), &[])
                .await?;
            out.extend(decode_all(Service::Dataverse, entity_set, &items, decode)?);
        }
        Ok(out)
    }

    pub(crate) async fn read_mailboxes_by_address(&self, addresses: &[String]) -> Read<Vec<Mailbox>> {
        let wanted: Vec<String> = addresses
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        let mut out = self
            .read_where_in(
                "mailboxes",
                decode::MAILBOX_COLUMNS,
                "emailaddress",
                &wanted,
                decode::mailbox,
            )
            .await?;
        // `In` compares as the database collation does; keep the contract's case-insensitive
        // equality exact.
        out.retain(|m| {
            m.email_address
                .as_deref()
                .is_some_and(|a| wanted.iter().any(|w| ssync_core::address::same(a, w)))
        });
        Ok(out)
    }

    /// Mailboxes by id (for a plan whose mailboxes were not read yet).
    pub(crate) async fn read_mailboxes_by_id(&self, ids: &[String]) -> Read<Vec<Mailbox>> {
        self.read_where_in(
            "mailboxes",
            decode::MAILBOX_COLUMNS,
            "mailboxid",
            ids,
            decode::mailbox,
        )
        .await
    }

    pub(crate) async fn read_system_users(&self, ids: &[String]) -> Read<Vec<SystemUser>> {
        self.read_where_in(
            "systemusers",
            decode::SYSTEM_USER_COLUMNS,
            "systemuserid",
            ids,
            decode::system_user,
        )
        .await
    }

    pub(crate) async fn read_queues(&self, ids: &[String]) -> Read<Vec<Queue>> {
        self.read_where_in("queues", decode::QUEUE_COLUMNS, "queueid", ids, decode::queue)
            .await
    }

    pub(crate) async fn read_system_user(&self, id: &str) -> Read<Option<SystemUser>> {
        if !decode::is_guid(id) {
            return Ok(None);
        }
        Ok(self.read_system_users(&[id.to_owned()]).await?.into_iter().next())
    }

    pub(crate) async fn read_queue(&self, id: &str) -> Read<Option<Queue>> {
        if !decode::is_guid(id) {
            return Ok(None);
        }
        Ok(self.read_queues(&[id.to_owned()]).await?.into_iter().next())
    }

    /// Every system user of the environment, in pages: as `ranges` ranges of `systemuserid`
    /// (its primary key, Dataverse table reference *systemuser*) side by side when that is
    /// above one (`key_ranges`).
    pub(crate) async fn read_every_system_user(&self, ranges: usize) -> Read<Vec<SystemUser>> {
        self.dataverse_records_in_ranges(
            "systemusers",
            decode::SYSTEM_USER_COLUMNS,
            "systemuserid",
            ranges,
            decode::system_user,
            |u| &u.id,
        )
        .await
    }

    /// Every queue of the environment, in pages.
    pub(crate) async fn read_every_queue(&self) -> Read<Vec<Queue>> {
        self.dataverse_records("queues", decode::QUEUE_COLUMNS, None, decode::queue)
            .await
    }
}
