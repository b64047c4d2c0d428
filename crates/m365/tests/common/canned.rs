//! A tiny HTTP/1.1 server with scripted answers, for error shapes the simulator cannot be
//! asked for (a refused application user, a nextLink to another host, an oversized body).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server answers: status, extra headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub fn json(status: u16, body: &str) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_owned(),
    }
}

impl Answer {
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// One request as received: method, path with query, headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub type Handler = Arc<dyn Fn(&Seen, &str) -> Answer + Send + Sync>;

pub struct Canned {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

/// Serves `handler(request, base_url)` on 127.0.0.1 until the test ends.
pub async fn serve(handler: Handler) -> Canned {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let (base, log) = (url.clone(), seen.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (handler, base, log) = (handler.clone(), base.clone(), log.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_owned();
                let target = first.next().unwrap_or("").to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                let request = Seen {
                    method,
                    target,
                    headers,
                    body,
                };
                let answer = handler(&request, &base);
                log.lock().unwrap().push(request);
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (k, v) in &answer.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&answer.body);
                let _ = stream.write_all(out.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Canned { url, seen }
}

/// The answers every connect needs: a token for any scope and the environment.
pub fn basics(seen: &Seen, base: &str) -> Option<Answer> {
    if seen.target.ends_with("/oauth2/v2.0/token") {
        let token = if seen.body.contains("graph") {
            "graph-token"
        } else {
            "dv-token"
        };
        return Some(json(
            200,
            &format!(r#"{{"token_type":"Bearer","expires_in":3599,"access_token":"{token}"}}"#),
        ));
    }
    if seen.target.contains("RetrieveCurrentOrganization") {
        let _ = base;
        return Some(json(
            200,
            r#"{"Detail":{"OrganizationId":"00000000-0000-0000-0000-000000000001","TenantId":"00000000-0000-0000-0000-0000000000aa","FriendlyName":"Canned"}}"#,
        ));
    }
    None
}

/// Settings where identity, Dataverse and Graph are all the canned server, on distinct
/// loopback names so that origins differ where it matters (`localhost` for Graph).
pub fn settings(canned: &Canned) -> ssync_m365::Settings {
    ssync_m365::Settings {
        org_url: canned.url.clone(),
        tenant_id: "00000000-0000-0000-0000-0000000000aa".into(),
        client_id: "00000000-0000-0000-0000-0000000000cc".into(),
        credential: ssync_m365::Credential::Secret("canned-secret".to_owned().into()),
        authority_host: canned.url.clone(),
        graph_url: canned.url.clone(),
    }
}
