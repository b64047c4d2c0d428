//! Graph reads sent together in `$batch`es of 20: users by id and by address, mailbox
//! settings, the first page of deleted users (the rest follow by `@odata.nextLink`).

use serde_json::Value;
use ssync_core::SourceError;
use ssync_core::records::*;

use super::client::BatchAnswer;
use super::graph::{location_from, user_from};
use super::{Read, Reader, decode, decode_all, query};
use crate::transport::Service;

/// What to read in one go. Ids and addresses must be plain (see [`query::is_plain`]).
#[derive(Debug, Default)]
pub(crate) struct BatchReads {
    /// Users' mailbox settings, by user id.
    pub locations: Vec<String>,
    pub user_ids: Vec<String>,
    pub addresses: Vec<String>,
    pub deleted_users: bool,
}

impl BatchReads {
    pub(crate) fn is_empty(&self) -> bool {
        self.locations.is_empty()
            && self.user_ids.is_empty()
            && self.addresses.is_empty()
            && !self.deleted_users
    }
}

/// What each read of a [`BatchReads`] found, keyed as asked.
#[derive(Debug, Default)]
pub(crate) struct BatchAnswers {
    pub locations: Vec<(String, Read<MailboxLocation>)>,
    pub users_by_id: Vec<(String, Read<Option<EntraUser>>)>,
    /// Every user that carries the address (the caller picks the best match).
    pub users_by_address: Vec<(String, Read<Vec<EntraUser>>)>,
    pub deleted_users: Option<Read<Vec<DeletedUser>>>,
}

impl Reader {
    /// Sends `reads` in as few `$batch`es as the 20-request limit allows. `Err` when a batch
    /// as a whole failed; each read's own failure is in its answer.
    pub(crate) async fn read_batch(&self, reads: &BatchReads) -> Read<BatchAnswers> {
        let top = self.options().graph_page_size.to_string();
        let mut paths: Vec<String> = Vec::new();
        paths.extend(reads.locations.iter().map(|id| Self::location_path(id)));
        paths.extend(reads.user_ids.iter().map(|id| Self::user_path(id)));
        paths.extend(reads.addresses.iter().map(|a| Self::address_path(a)));
        if reads.deleted_users {
            paths.push(format!(
                "/directory/deletedItems/microsoft.graph.user?{}",
                query::encode(&[("$select", decode::DELETED_USER_PROPERTIES), ("$top", &top)])
            ));
        }
        if paths.is_empty() {
            return Ok(BatchAnswers::default());
        }
        let mut answers = self.client.graph_batch(&paths).await?.into_iter();
        let mut out = BatchAnswers::default();
        for (id, answer) in reads.locations.iter().zip(answers.by_ref()) {
            out.locations.push((id.clone(), location_from(&answer)));
        }
        for (id, answer) in reads.user_ids.iter().zip(answers.by_ref()) {
            let user = match answer.status {
                404 => Ok(None),
                200..=299 => user_from(&answer.body, &answer.request).map(Some),
                _ => Err(batch_error(&answer, "a user")),
            };
            out.users_by_id.push((id.clone(), user));
        }
        for (a, answer) in reads.addresses.iter().zip(answers.by_ref()) {
            let users = match answer.status {
                200..=299 => collection(&answer)
                    .and_then(|items| decode_all(Service::Graph, "users", &items, decode::entra_user)),
                _ => Err(batch_error(&answer, "users")),
            };
            out.users_by_address.push((a.clone(), users));
        }
        if let Some(answer) = answers.next() {
            out.deleted_users = Some(self.deleted_from(&answer).await);
        }
        Ok(out)
    }

    /// The first page of deleted users from a batch, and the rest by following
    /// `@odata.nextLink`.
    async fn deleted_from(&self, answer: &BatchAnswer) -> Read<Vec<DeletedUser>> {
        if !(200..300).contains(&answer.status) {
            return Err(batch_error(answer, "deleted users"));
        }
        let mut items = collection(answer)?;
        if let Some(next) = answer.body.get("@odata.nextLink").and_then(Value::as_str) {
            let url = url::Url::parse(next).map_err(|e| SourceError::Malformed {
                service: Service::Graph.name().to_owned(),
                detail: format!("{}: unusable @odata.nextLink ({e})", answer.request),
            })?;
            if url.origin() != self.client.graph.origin() {
                return Err(SourceError::Malformed {
                    service: Service::Graph.name().to_owned(),
                    detail: format!("{}: @odata.nextLink points to another host", answer.request),
                });
            }
            items.extend(self.client.collect(Service::Graph, url, "deleted users").await?);
        }
        decode_all(Service::Graph, "deleted users", &items, decode::deleted_user)
    }
}

fn batch_error(answer: &BatchAnswer, what: &str) -> SourceError {
    let reply = crate::transport::Reply {
        status: answer.status,
        headers: Default::default(),
        body: serde_json::to_vec(&answer.body).unwrap_or_default(),
        request: answer.request.clone(),
    };
    crate::failure::from_reply(Service::Graph, what, &reply)
}

fn collection(answer: &BatchAnswer) -> Result<Vec<Value>, SourceError> {
    answer
        .body
        .get("value")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| SourceError::Malformed {
            service: Service::Graph.name().to_owned(),
            detail: format!("{}: no \"value\" array", answer.request),
        })
}
