//! The EWS challenge probe: one unauthenticated POST of a minimal SOAP `GetFolder` to an EWS
//! URL, to read which authentication schemes the endpoint offers in its `WWW-Authenticate`
//! headers. No credentials of any kind are sent, and Exchange Online is never probed.

use ssync_core::SourceError;
use ssync_core::hosts::is_exchange_online;
use ssync_core::records::EwsProbe;
use url::Url;

use crate::challenge;
use crate::settings::check_scheme;
use crate::transport::{Service, Transport};

/// A `GetFolder` for the inbox of nobody in particular: enough for IIS to demand
/// authentication before any SOAP processing.
const PROBE_BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>
  <soap:Body><GetFolder xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
    <FolderShape><t:BaseShape>IdOnly</t:BaseShape></FolderShape>
    <FolderIds><t:DistinguishedFolderId Id="inbox"/></FolderIds>
  </GetFolder></soap:Body>
</soap:Envelope>"#;

/// Probes `location` once, with the EWS timeout of its own and no retry (see
/// `Options::ews_timeout`).
pub(crate) async fn probe(transport: &Transport, location: &str) -> Result<EwsProbe, SourceError> {
    let location = location.trim();
    if is_exchange_online(location) {
        return Err(SourceError::Unsupported(format!(
            "{location} is an Exchange Online endpoint; the tool never probes Exchange Online \
             (Basic authentication there was retired in October 2022)"
        )));
    }
    let url = Url::parse(location)
        .map_err(|e| SourceError::Unsupported(format!("the EWS location {location:?} is not a URL ({e})")))?;
    check_scheme(&url).map_err(|e| SourceError::Unsupported(format!("EWS probe refused: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SourceError::Unsupported(
            "the EWS location carries a user name or password; it is not probed".into(),
        ));
    }
    let request = format!("POST {}", url.path());
    let reply = transport
        .send(Service::Ews, &request, |client| {
            client
                .post(url.clone())
                .header("Content-Type", "text/xml; charset=utf-8")
                .body(PROBE_BODY)
        })
        .await
        .map_err(|e| match e {
            SourceError::Unreachable { detail, .. } => SourceError::Unreachable {
                service: format!(
                    "EWS endpoint {} (from this machine)",
                    url.host_str().unwrap_or("?")
                ),
                detail,
            },
            other => other,
        })?;
    // Read leniently: a realm with non-ASCII bytes ("Zürich", sent as Latin-1 or UTF-8) is
    // legal in a quoted string (RFC 7230 §3.2.6, obs-text), and dropping that header would
    // drop its `Basic` challenge, which the check would then report as a false `fail`.
    let values: Vec<String> = reply
        .headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let challenges =
        challenge::parse_all(values.iter().map(String::as_str)).map_err(|e| SourceError::Malformed {
            service: format!("EWS endpoint {}", url.host_str().unwrap_or("?")),
            detail: e.to_string(),
        })?;
    Ok(EwsProbe {
        url: location.to_owned(),
        status: reply.status,
        challenges,
    })
}
