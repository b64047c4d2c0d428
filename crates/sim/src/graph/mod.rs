//! Microsoft Graph v1.0 (microsoft-apis.md §B).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;

use crate::errors;
use crate::scenario::Scenario;
use crate::server::Shared;

pub(crate) struct Store {}

impl Store {
    pub fn build(_scenario: &Scenario) -> Store {
        Store {}
    }
}

pub(crate) async fn handle(_shared: Arc<Shared>, req: Request) -> Response {
    errors::graph(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{}' does not exist.", req.uri().path()),
    )
}
