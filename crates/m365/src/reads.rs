//! The requests behind each fact: one function per kind of read, used on demand by the data
//! interface and in bulk by `prepare`.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;
use ssync_core::records::*;
use ssync_core::{RawService, SourceError};

use crate::cache::{Fact, once};
use crate::decode::{self, Decoded};
use crate::failure::{from_reply, malformed};
use crate::query::{self, any_guid_eq, dataverse_in, graph_address_filter, is_plain};
use crate::source::{LiveSource, MailboxExtent, UserIndex, best_match, service_of};
use crate::transport::Service;

/// Ids per `In` / `or` filter: keeps URLs far below Dataverse's 32 KB limit.
pub(crate) const IDS_PER_FILTER: usize = 50;

pub(crate) fn decode_all<T>(
    service: Service,
    what: &str,
    items: &[Value],
    f: impl Fn(&Value) -> Decoded<T>,
) -> Result<Vec<T>, SourceError> {
    items
        .iter()
        .map(|v| {
            f(v).map_err(|why| SourceError::Malformed {
                service: service.name().to_owned(),
                detail: format!("{what}: {why}"),
            })
        })
        .collect()
}

fn bad_key(what: &str, value: &str) -> SourceError {
    SourceError::Unsupported(format!(
        "{what} {value:?} contains characters the tool does not send"
    ))
}

impl LiveSource {
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
    ) -> Fact<Vec<T>> {
        let mut q = vec![("$select", select)];
        if let Some(f) = filter {
            q.push(("$filter", f));
        }
        let url = self.client.url(Service::Dataverse, entity_set, &q)?;
        self.client
            .collect_decoded(Service::Dataverse, url, entity_set, decode)
            .await
    }

    pub(crate) async fn read_environment(&self) -> Fact<Environment> {
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

    pub(crate) async fn read_profiles(&self) -> Fact<Vec<EmailServerProfile>> {
        self.dataverse_records(
            "emailserverprofiles",
            decode::PROFILE_COLUMNS,
            None,
            decode::profile,
        )
        .await
    }

    /// The mailboxes of one profile.
    pub(crate) async fn read_mailboxes_on_profile(&self, profile_id: &str) -> Fact<Vec<Mailbox>> {
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

    /// Every mailbox, telling [`LiveSource::mailbox_extent`] as soon as the first page shows
    /// that there are more than fit in one page and than a targeted run reads one by one.
    pub(crate) async fn read_every_mailbox(&self) -> Fact<Vec<Mailbox>> {
        let targeted_max = self.client.transport.options().targeted_max_mailboxes;
        let read = async {
            let url = self.client.url(
                Service::Dataverse,
                "mailboxes",
                &[("$select", decode::MAILBOX_COLUMNS)],
            )?;
            self.client
                .collect_decoded_noting(
                    Service::Dataverse,
                    url,
                    "mailboxes",
                    decode::mailbox,
                    |items, more| {
                        if more && items > targeted_max {
                            self.mailbox_extent.send_replace(MailboxExtent::Large);
                        }
                    },
                )
                .await
        }
        .await;
        // However the read ended, `anticipate` must stop waiting for it.
        self.mailbox_extent.send_if_modified(|e| {
            let reading = *e == MailboxExtent::Reading;
            if reading {
                *e = MailboxExtent::Read;
            }
            reading
        });
        read
    }

    /// Records whose `property` is one of `values`, with `In` filters of [`IDS_PER_FILTER`].
    pub(crate) async fn read_where_in<T>(
        &self,
        entity_set: &str,
        columns: &str,
        property: &str,
        values: &[String],
        decode: impl Fn(&Value) -> Decoded<T> + Copy,
    ) -> Fact<Vec<T>> {
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

    pub(crate) async fn read_mailboxes_by_address(&self, addresses: &[String]) -> Fact<Vec<Mailbox>> {
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
    pub(crate) async fn read_mailboxes_by_id(&self, ids: &[String]) -> Fact<Vec<Mailbox>> {
        self.read_where_in(
            "mailboxes",
            decode::MAILBOX_COLUMNS,
            "mailboxid",
            ids,
            decode::mailbox,
        )
        .await
    }

    pub(crate) async fn read_system_users(&self, ids: &[String]) -> Fact<Vec<SystemUser>> {
        self.read_where_in(
            "systemusers",
            decode::SYSTEM_USER_COLUMNS,
            "systemuserid",
            ids,
            decode::system_user,
        )
        .await
    }

    pub(crate) async fn read_queues(&self, ids: &[String]) -> Fact<Vec<Queue>> {
        self.read_where_in("queues", decode::QUEUE_COLUMNS, "queueid", ids, decode::queue)
            .await
    }

    pub(crate) async fn read_system_user(&self, id: &str) -> Fact<Option<SystemUser>> {
        if !decode::is_guid(id) {
            return Ok(None);
        }
        Ok(self.read_system_users(&[id.to_owned()]).await?.into_iter().next())
    }

    pub(crate) async fn read_queue(&self, id: &str) -> Fact<Option<Queue>> {
        if !decode::is_guid(id) {
            return Ok(None);
        }
        Ok(self.read_queues(&[id.to_owned()]).await?.into_iter().next())
    }

    pub(crate) async fn all_system_users(&self) -> Fact<Arc<HashMap<String, SystemUser>>> {
        once(&self.all_system_users, || {
            self.dataverse_index(
                "systemusers",
                decode::SYSTEM_USER_COLUMNS,
                decode::system_user,
                |u| &u.id,
            )
        })
        .await
    }

    pub(crate) async fn all_queues(&self) -> Fact<Arc<HashMap<String, Queue>>> {
        once(&self.all_queues, || {
            self.dataverse_index("queues", decode::QUEUE_COLUMNS, decode::queue, |q| &q.id)
        })
        .await
    }

    /// Every record of a Dataverse table, by lower-cased id.
    async fn dataverse_index<T: Send + 'static>(
        &self,
        entity_set: &str,
        columns: &str,
        decode: fn(&Value) -> Decoded<T>,
        id: fn(&T) -> &str,
    ) -> Fact<Arc<HashMap<String, T>>> {
        let records = self.dataverse_records(entity_set, columns, None, decode).await?;
        Ok(Arc::new(
            records
                .into_iter()
                .map(|r| (id(&r).to_ascii_lowercase(), r))
                .collect(),
        ))
    }

    /// The Graph path (under `/v1.0`) that reads one user by id.
    pub(crate) fn user_path(id: &str) -> String {
        format!(
            "/users/{id}?{}",
            query::encode(&[("$select", decode::USER_PROPERTIES)])
        )
    }

    /// The Graph path that finds users by address.
    pub(crate) fn address_path(addr: &str) -> String {
        format!(
            "/users?{}",
            query::encode(&[
                ("$filter", &graph_address_filter(addr)),
                ("$select", decode::USER_PROPERTIES)
            ])
        )
    }

    pub(crate) fn location_path(user_id: &str) -> String {
        format!("/users/{user_id}/mailboxSettings")
    }

    fn graph_url(&self, path_and_query: &str) -> Result<url::Url, SourceError> {
        self.client
            .graph
            .join(path_and_query.trim_start_matches('/'))
            .map_err(|e| SourceError::Unsupported(format!("cannot build a Graph URL: {e}")))
    }

    pub(crate) async fn read_user_by_id(&self, id: &str) -> Fact<Option<EntraUser>> {
        if !is_plain(id) {
            return Err(bad_key("user id", id));
        }
        let url = self.graph_url(&Self::user_path(id))?;
        let reply = self.client.send(Service::Graph, Method::GET, &url, None).await?;
        if reply.status == 404 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(from_reply(Service::Graph, "a user", &reply));
        }
        let json: Value = serde_json::from_slice(&reply.body)
            .map_err(|e| malformed(Service::Graph, &reply, format!("not JSON ({e})")))?;
        user_from(&json, &reply.describe()).map(Some)
    }

    pub(crate) async fn read_user_by_address(&self, addr: &str) -> Fact<Option<EntraUser>> {
        // The address travels percent-encoded in the query; only control characters (which
        // no address has) are refused, and reported rather than answered "not found".
        let addr = addr.trim();
        if addr.is_empty() || addr.chars().any(char::is_control) {
            return Err(bad_key("address", addr));
        }
        let url = self.graph_url(&Self::address_path(addr))?;
        let items = self.client.collect(Service::Graph, url, "users").await?;
        let users = decode_all(Service::Graph, "users", &items, decode::entra_user)?;
        Ok(best_match(addr, users.iter()))
    }

    /// The first page of a Graph collection, `$select`ed, in pages as large as allowed.
    fn graph_pages_url(&self, path: &str, select: &str) -> Result<url::Url, SourceError> {
        let top = self.client.transport.options().graph_page_size.to_string();
        self.client
            .url(Service::Graph, path, &[("$select", select), ("$top", &top)])
    }

    pub(crate) async fn all_users(&self) -> Fact<Arc<UserIndex>> {
        once(&self.all_users, || async {
            let url = self.graph_pages_url("users", decode::USER_PROPERTIES)?;
            let users = self
                .client
                .collect_decoded(Service::Graph, url, "users", decode::entra_user)
                .await?;
            Ok(Arc::new(UserIndex::new(users)))
        })
        .await
    }

    pub(crate) async fn read_location(&self, user_id: &str) -> Fact<MailboxLocation> {
        if !is_plain(user_id) {
            return Err(bad_key("user id", user_id));
        }
        let answers = self.client.graph_batch(&[Self::location_path(user_id)]).await?;
        let answer = answers.into_iter().next().ok_or_else(|| SourceError::Malformed {
            service: Service::Graph.name().to_owned(),
            detail: "an empty batch answer".into(),
        })?;
        location_from(&answer)
    }

    pub(crate) async fn read_deleted_users(&self) -> Fact<Vec<DeletedUser>> {
        let url = self.graph_pages_url(
            "directory/deletedItems/microsoft.graph.user",
            decode::DELETED_USER_PROPERTIES,
        )?;
        let items = self.client.collect(Service::Graph, url, "deleted users").await?;
        decode_all(Service::Graph, "deleted users", &items, decode::deleted_user)
    }

    /// OpenID discovery for a domain on the authority host; no token is sent.
    pub(crate) async fn read_domain_tenant(&self, domain: &str) -> Fact<Option<String>> {
        let domain = domain.trim().to_ascii_lowercase();
        if !is_plain(&domain) || domain.contains('@') || !domain.contains('.') {
            return Ok(None);
        }
        let url = self
            .authority
            .join(&format!("{domain}/v2.0/.well-known/openid-configuration"))
            .map_err(|e| SourceError::Unsupported(format!("cannot build the discovery URL: {e}")))?;
        let request = format!("GET {}", url.path());
        let reply = self
            .client
            .transport
            .send(Service::Identity, &request, |c| {
                c.get(url.clone()).header("Accept", "application/json")
            })
            .await?;
        if !reply.is_success() {
            let (code, message) = crate::failure::error_parts(&reply.body);
            let unknown = code == "invalid_tenant"
                || message.contains("AADSTS90002")
                || message.contains("AADSTS900023")
                || reply.status == 404;
            if unknown && (400..500).contains(&reply.status) {
                return Ok(None);
            }
            return Err(from_reply(Service::Identity, "OpenID discovery", &reply));
        }
        let json: Value = serde_json::from_slice(&reply.body)
            .map_err(|e| malformed(Service::Identity, &reply, format!("not JSON ({e})")))?;
        let issuer = json
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(Service::Identity, &reply, "no issuer"))?;
        decode::issuer_tenant(issuer).map(Some).ok_or_else(|| {
            malformed(
                Service::Identity,
                &reply,
                format!("no tenant id in the issuer {issuer:?}"),
            )
        })
    }

    /// Error-level alerts regarding the given mailboxes, grouped by mailbox id (lower case),
    /// newest first, at most [`ALERTS_PER_MAILBOX`] each.
    pub(crate) async fn read_alerts(&self, mailbox_ids: &[String]) -> Fact<HashMap<String, Vec<Alert>>> {
        let mut out: HashMap<String, Vec<Alert>> = HashMap::new();
        let ids: Vec<String> = mailbox_ids
            .iter()
            .filter(|i| decode::is_guid(i))
            .cloned()
            .collect();
        for chunk in ids.chunks(IDS_PER_FILTER) {
            let regarding = any_guid_eq("_regardingobjectid_value", chunk);
            let items = self
                .read_alert_rows(&regarding, ALERTS_PER_MAILBOX * chunk.len())
                .await?;
            group_alerts(&mut out, items);
        }
        Ok(out)
    }

    /// Every alert of the environment, grouped by the record it regards (bulk mode).
    /// Every alert, read once however many ask.
    pub(crate) async fn every_alert(&self) -> Fact<crate::source::AlertsByMailbox> {
        once(&self.all_alerts, || async {
            self.read_all_alerts().await.map(Arc::new)
        })
        .await
    }

    /// The newest [`MAX_ALERTS_READ`] error-level alerts inside the window that regard a
    /// record (a tracelog regards a mailbox or an e-mail server profile, §A.7).
    pub(crate) async fn read_all_alerts(&self) -> Fact<HashMap<String, Vec<Alert>>> {
        let items = self
            .read_alert_rows("_regardingobjectid_value ne null", MAX_ALERTS_READ)
            .await?;
        let mut out = HashMap::new();
        group_alerts(&mut out, items);
        Ok(out)
    }

    /// One bounded read of `tracelogs`: error level only, modified inside the alert window,
    /// regarding what `regarding` selects, the columns the checks use, newest first with the
    /// unique `tracelogid` breaking ties so that paging neither repeats nor skips a row, and
    /// no page past `limit` rows.
    async fn read_alert_rows(&self, regarding: &str, limit: usize) -> Fact<Vec<(Option<String>, Alert)>> {
        let filter = alert_filter(&self.alerts_since(), regarding);
        let url = self.client.url(
            Service::Dataverse,
            "tracelogs",
            &[
                ("$select", decode::ALERT_COLUMNS),
                ("$filter", &filter),
                ("$orderby", ALERT_ORDER),
            ],
        )?;
        self.client
            .collect_decoded_at_most(Service::Dataverse, url, "tracelogs", decode::alert, limit)
            .await
    }

    pub(crate) async fn read_alerts_of(&self, mailbox_id: &str) -> Fact<Vec<Alert>> {
        let mut all = self.read_alerts(&[mailbox_id.to_owned()]).await?;
        Ok(all.remove(&mailbox_id.to_ascii_lowercase()).unwrap_or_default())
    }
}

/// Alerts kept per mailbox: the newest. Checks look for a marker in a recent alert; a mailbox
/// that failed for weeks has many rows saying the same thing (repeats mostly update one row,
/// §A.7), so the newest fifty say all there is.
pub(crate) const ALERTS_PER_MAILBOX: usize = 50;

/// The most alerts one environment-wide read takes (20 pages of 5,000), newest first. The
/// tracelog table can hold millions of rows; this bounds the pages, memory and time.
pub(crate) const MAX_ALERTS_READ: usize = 100_000;

/// `tracelog.level` 3 = Error (PA-ENT tracelog.md, §A.7).
const ALERT_LEVEL_ERROR: i32 = 3;

/// Newest first; `tracelogid` is unique, so rows with the same `modifiedon` keep one order
/// from page to page.
pub(crate) const ALERT_ORDER: &str = "modifiedon desc,tracelogid desc";

/// The `$filter` of an alert read: error level, modified after `since` (Dataverse takes a
/// date-time literal unquoted), and `regarding`.
pub(crate) fn alert_filter(since: &str, regarding: &str) -> String {
    format!("level eq {ALERT_LEVEL_ERROR} and modifiedon gt {since} and {regarding}")
}

fn group_alerts(out: &mut HashMap<String, Vec<Alert>>, items: Vec<(Option<String>, Alert)>) {
    // The rows come newest first; keep that order and the newest few per mailbox.
    for (regarding, alert) in items {
        if let Some(r) = regarding {
            let list = out.entry(r).or_default();
            if list.len() < ALERTS_PER_MAILBOX {
                list.push(alert);
            }
        }
    }
    for list in out.values_mut() {
        decode::newest_first(list);
    }
}

pub(crate) fn user_from(json: &Value, request: &str) -> Result<EntraUser, SourceError> {
    decode::entra_user(json).map_err(|why| SourceError::Malformed {
        service: Service::Graph.name().to_owned(),
        detail: format!("{request}: {why}"),
    })
}

/// A `mailboxSettings` answer inside a batch → where the mailbox lives.
pub(crate) fn location_from(answer: &crate::client::BatchAnswer) -> Fact<MailboxLocation> {
    if let Some(loc) = decode::mailbox_location(answer.status, &answer.body) {
        return Ok(loc);
    }
    let code = answer
        .body
        .get("error")
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let message = answer
        .body
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(crate::failure::clean)
        .unwrap_or_default();
    if answer.status == 403 || code == "ErrorAccessDenied" || code == "Authorization_RequestDenied" {
        return Err(SourceError::Permission {
            what: "mailbox settings from Microsoft Graph".into(),
            detail: format!("{}: {code}: {message}", answer.request),
        });
    }
    Err(SourceError::Http {
        service: Service::Graph.name().to_owned(),
        request: answer.request.clone(),
        status: answer.status,
        code,
        message,
    })
}

/// The escape hatch: one GET of a relative path on Dataverse or Graph.
pub(crate) async fn raw_get(source: &LiveSource, raw: RawService, path: &str) -> Result<Value, SourceError> {
    let path = path.trim().trim_start_matches('/');
    if path.is_empty()
        || path.contains("://")
        || path.starts_with("//")
        || path.split(['/', '?']).any(|s| s == "..")
    {
        return Err(SourceError::Unsupported(format!(
            "raw_get takes a path relative to the service's API root, got {path:?}"
        )));
    }
    let service = service_of(raw);
    let base = match service {
        Service::Graph => &source.client.graph,
        _ => &source.client.dataverse,
    };
    let url = base
        .join(path)
        .map_err(|e| SourceError::Unsupported(format!("cannot build a URL from {path:?}: {e}")))?;
    if url.origin() != base.origin() {
        return Err(SourceError::Unsupported(format!("{path:?} leaves the service")));
    }
    source
        .client
        .get_json_annotated(service, &url, path.split('?').next().unwrap_or(path))
        .await
}
