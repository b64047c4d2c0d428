//! Microsoft Graph reads: users by id, by address and all of them, mailbox settings, deleted
//! users.

use reqwest::Method;
use serde_json::Value;
use ssync_core::SourceError;
use ssync_core::records::*;

use super::decode;
use super::query::{self, graph_address_filter, is_plain};
use super::{Read, Reader, bad_key, decode_all};
use crate::failure::{from_reply, malformed};
use crate::transport::Service;

impl Reader {
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

    pub(crate) async fn read_user_by_id(&self, id: &str) -> Read<Option<EntraUser>> {
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

    /// The users that carry `addr` as sign-in name, primary address or alias.
    pub(crate) async fn read_users_by_address(&self, addr: &str) -> Read<Vec<EntraUser>> {
        // The address travels percent-encoded in the query; only control characters (which
        // no address has) are refused, and reported rather than answered "not found".
        let addr = addr.trim();
        if addr.is_empty() || addr.chars().any(char::is_control) {
            return Err(bad_key("address", addr));
        }
        let url = self.graph_url(&Self::address_path(addr))?;
        let items = self.client.collect(Service::Graph, url, "users").await?;
        decode_all(Service::Graph, "users", &items, decode::entra_user)
    }

    /// The first page of a Graph collection, `$select`ed, in pages as large as allowed.
    pub(crate) fn graph_pages_url(&self, path: &str, select: &str) -> Result<url::Url, SourceError> {
        let top = self.options().graph_page_size.to_string();
        self.client
            .url(Service::Graph, path, &[("$select", select), ("$top", &top)])
    }

    /// Every user of the directory, in pages.
    pub(crate) async fn read_every_user(&self) -> Read<Vec<EntraUser>> {
        let url = self.graph_pages_url("users", decode::USER_PROPERTIES)?;
        self.client
            .collect_decoded(Service::Graph, url, "users", decode::entra_user)
            .await
    }

    pub(crate) async fn read_location(&self, user_id: &str) -> Read<MailboxLocation> {
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

    pub(crate) async fn read_deleted_users(&self) -> Read<Vec<DeletedUser>> {
        let url = self.graph_pages_url(
            "directory/deletedItems/microsoft.graph.user",
            decode::DELETED_USER_PROPERTIES,
        )?;
        let items = self.client.collect(Service::Graph, url, "deleted users").await?;
        decode_all(Service::Graph, "deleted users", &items, decode::deleted_user)
    }
}

pub(crate) fn user_from(json: &Value, request: &str) -> Result<EntraUser, SourceError> {
    decode::entra_user(json).map_err(|why| SourceError::Malformed {
        service: Service::Graph.name().to_owned(),
        detail: format!("{request}: {why}"),
    })
}

/// A `mailboxSettings` answer inside a batch → where the mailbox lives.
pub(crate) fn location_from(answer: &super::client::BatchAnswer) -> Read<MailboxLocation> {
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
