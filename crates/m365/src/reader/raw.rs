//! The escape hatch: one GET of a relative path on Dataverse or Graph.

use serde_json::Value;
use ssync_core::{RawService, SourceError};

use super::{Read, Reader};
use crate::transport::Service;

impl Reader {
    /// One GET of `path`, relative to the service's API root; nothing else is sent.
    pub(crate) async fn raw_get(&self, raw: RawService, path: &str) -> Read<Value> {
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
            Service::Graph => &self.client.graph,
            _ => &self.client.dataverse,
        };
        let url = base
            .join(path)
            .map_err(|e| SourceError::Unsupported(format!("cannot build a URL from {path:?}: {e}")))?;
        if url.origin() != base.origin() {
            return Err(SourceError::Unsupported(format!("{path:?} leaves the service")));
        }
        self.client
            .get_json_annotated(service, &url, path.split('?').next().unwrap_or(path))
            .await
    }
}

pub(crate) fn service_of(raw: RawService) -> Service {
    match raw {
        RawService::Dataverse => Service::Dataverse,
        RawService::Graph => Service::Graph,
    }
}
