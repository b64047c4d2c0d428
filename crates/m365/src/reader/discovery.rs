//! OpenID discovery: which tenant a mail domain belongs to.

use serde_json::Value;
use ssync_core::SourceError;

use super::query::is_plain;
use super::{Read, Reader, decode};
use crate::failure::{from_reply, malformed};
use crate::transport::Service;

impl Reader {
    /// OpenID discovery for a domain on the authority host; no token is sent.
    pub(crate) async fn read_domain_tenant(&self, domain: &str) -> Read<Option<String>> {
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
}
