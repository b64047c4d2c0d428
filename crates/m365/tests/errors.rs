//! How HTTP failures map onto the core's `SourceError` and `ConnectError`, against a server
//! with scripted answers.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::canned::{self, Answer, json};
use common::quick;
use ssync_core::records::MailboxLocation;
use ssync_core::{DataSource, RawService, SourceError};
use ssync_m365::{ConnectError, LiveSource, Options};

async fn source_with(
    handler: impl Fn(&canned::Seen, &str) -> Answer + Send + Sync + 'static,
) -> (LiveSource, canned::Canned) {
    let handler = Arc::new(move |s: &canned::Seen, base: &str| {
        canned::basics(s, base).unwrap_or_else(|| handler(s, base))
    });
    let server = canned::serve(handler).await;
    let source = LiveSource::connect(canned::settings(&server), quick())
        .await
        .expect("connects");
    (source, server)
}

#[tokio::test]
async fn dataverse_refusing_a_good_token_means_no_application_user() {
    let server = canned::serve(Arc::new(|s: &canned::Seen, base: &str| {
        if s.target.contains("RetrieveCurrentOrganization") {
            return json(403, r#"{"error":{"code":"0x80072560","message":"The user is not a member of the organization."}}"#);
        }
        canned::basics(s, base).unwrap_or_else(|| json(404, "{}"))
    }))
    .await;
    let err = LiveSource::connect(canned::settings(&server), quick())
        .await
        .unwrap_err();
    match &err {
        ConnectError::Auth { advice, .. } => assert!(advice.contains("application user"), "{advice}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.exit_code(), 3);
}

#[tokio::test]
async fn graph_permission_errors_name_the_request_and_its_id() {
    let (source, _server) = source_with(|_, _| {
        json(403, r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"rid-42"}}}"#)
    })
    .await;
    let err = source
        .entra_user_by_id("00000000-0000-0000-0000-000000000123")
        .await
        .unwrap_err();
    match &err {
        SourceError::Permission { detail, .. } => {
            assert!(
                detail.contains("GET /v1.0/users/00000000-0000-0000-0000-000000000123"),
                "{detail}"
            );
            assert!(
                detail.contains("rid-42") && detail.contains("Authorization_RequestDenied"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Cached: the same failure is not asked again.
    let before = source.stats().graph_requests;
    assert_eq!(
        source
            .entra_user_by_id("00000000-0000-0000-0000-000000000123")
            .await
            .unwrap_err(),
        err
    );
    assert_eq!(source.stats().graph_requests, before);
}

#[tokio::test]
async fn other_statuses_are_http_errors_and_bad_json_is_malformed() {
    let (source, _server) = source_with(|s, _| {
        if s.target.contains("broken") {
            return json(200, "{not json");
        }
        json(400, r#"{"error":{"code":"0x80060888","message":"Bad query"}}"#)
            .header("x-ms-service-request-id", "srv-1")
    })
    .await;
    match source
        .raw_get(RawService::Dataverse, "accounts")
        .await
        .unwrap_err()
    {
        SourceError::Http {
            status,
            code,
            request,
            ..
        } => {
            assert_eq!((status, code.as_str()), (400, "0x80060888"));
            assert!(
                request.starts_with("GET /api/data/v9.2/accounts") && request.contains("srv-1"),
                "{request}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        source.raw_get(RawService::Dataverse, "broken").await,
        Err(SourceError::Malformed { .. })
    ));
    assert!(matches!(
        source.raw_get(RawService::Graph, "https://evil.example/x").await,
        Err(SourceError::Unsupported(_))
    ));
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let (source, _server) = source_with(move |_, _| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            json(
                503,
                r#"{"error":{"code":"ServiceUnavailable","message":"try later"}}"#,
            )
        } else {
            json(200, r#"{"value":[]}"#)
        }
    })
    .await;
    assert!(source.raw_get(RawService::Graph, "users").await.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(source.stats().retries, 2);
}

#[tokio::test]
async fn retry_after_is_honoured_and_persistent_throttling_is_reported() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let (source, _server) = source_with(move |s, _| {
        if s.target.contains("always") {
            return json(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            )
            .header("Retry-After", "1");
        }
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            json(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            )
            .header("Retry-After", "1")
        } else {
            json(200, r#"{"value":[]}"#)
        }
    })
    .await;
    let started = Instant::now();
    assert!(source.raw_get(RawService::Graph, "users").await.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    let err = source.raw_get(RawService::Graph, "always").await.unwrap_err();
    assert!(
        matches!(err, SourceError::Throttled { attempts, .. } if attempts == 1 + quick().max_retries as u32),
        "{err:?}"
    );
    assert!(source.stats().throttled >= 2);
}

#[tokio::test]
async fn next_link_loops_and_foreign_hosts_are_malformed() {
    let (source, server) = source_with(|s, base| {
        if s.target.contains("emailserverprofiles") {
            // A page that links to itself.
            return json(200, &format!(r#"{{"value":[],"@odata.nextLink":"{base}/api/data/v9.2/emailserverprofiles?$skiptoken=1"}}"#));
        }
        if s.target.contains("deletedItems") {
            return json(200, r#"{"value":[],"@odata.nextLink":"https://evil.example/v1.0/users?$skiptoken=2"}"#);
        }
        json(404, "{}")
    })
    .await;
    let err = source.profiles().await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("repeats")),
        "{err:?}"
    );
    let err = source.deleted_users_matching("a@b.c").await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("another host")),
        "{err:?}"
    );
    assert!(
        !server
            .seen
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.target.contains("evil")),
        "the foreign link was not followed"
    );
}

#[tokio::test]
async fn page_cap_and_response_size_cap() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let handler = Arc::new(move |s: &canned::Seen, base: &str| {
        canned::basics(s, base).unwrap_or_else(|| {
            if s.target.contains("huge") {
                return json(200, &format!(r#"{{"value":["{}"]}}"#, "x".repeat(100_000)));
            }
            let i = c.fetch_add(1, Ordering::SeqCst);
            json(
                200,
                &format!(
                    r#"{{"value":[],"@odata.nextLink":"{base}/api/data/v9.2/emailserverprofiles?page={i}"}}"#
                ),
            )
        })
    });
    let server = canned::serve(handler).await;
    let options = Options {
        max_pages: 5,
        max_response_bytes: 50_000,
        ..quick()
    };
    let source = LiveSource::connect(canned::settings(&server), options)
        .await
        .unwrap();
    let err = source.profiles().await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("5 pages")),
        "{err:?}"
    );
    assert_eq!(n.load(Ordering::SeqCst), 5);
    let err = source.raw_get(RawService::Graph, "huge").await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("larger than")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_after_a_401() {
    let refused = Arc::new(AtomicUsize::new(0));
    let r = refused.clone();
    let (source, server) = source_with(move |s, _| {
        if r.fetch_add(1, Ordering::SeqCst) == 0 {
            return json(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#)
                .header("WWW-Authenticate", r#"Bearer error="invalid_token", error_description="The access token expired""#);
        }
        let _ = s;
        json(200, r#"{"value":[]}"#)
    })
    .await;
    assert!(source.raw_get(RawService::Graph, "users").await.is_ok());
    let tokens = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.target.ends_with("/token"))
        .count();
    assert_eq!(tokens, 3, "two at connect, one renewal");
}

#[tokio::test]
async fn mailbox_settings_404_means_not_in_exchange_online() {
    let (source, server) = source_with(|s, _| {
        if s.target.ends_with("/$batch") {
            let id = if s.body.contains("/users/on-prem/") { "MailboxNotEnabledForRESTAPI" } else { "" };
            if !id.is_empty() {
                return json(200, &format!(r#"{{"responses":[{{"id":"0","status":404,"headers":{{}},"body":{{"error":{{"code":"{id}","message":"REST API is not yet supported for this mailbox."}}}}}}]}}"#));
            }
            return json(200, r#"{"responses":[{"id":"0","status":200,"headers":{},"body":{"userPurpose":"room"}}]}"#);
        }
        json(404, "{}")
    })
    .await;
    assert_eq!(
        source.mailbox_location("on-prem").await.unwrap(),
        MailboxLocation::NotInExchangeOnline {
            code: "MailboxNotEnabledForRESTAPI".into()
        }
    );
    assert!(
        matches!(source.mailbox_location("cloud").await.unwrap(), MailboxLocation::ExchangeOnline { purpose: Some(p) } if p.as_str() == "room")
    );
    let batch = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.target.ends_with("/$batch"))
        .cloned()
        .unwrap();
    assert_eq!(batch.method, "POST");
    assert!(batch.body.contains(r#""method":"GET""#));
}

#[tokio::test]
async fn requests_carry_the_documented_headers_and_no_credentials_go_to_ews() {
    let (source, server) = source_with(|s, _| {
        if s.target.contains("EWS") {
            return Answer {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), "Negotiate, NTLM".into())],
                body: String::new(),
            };
        }
        json(200, r#"{"value":[]}"#)
    })
    .await;
    source.profiles().await.unwrap();
    source
        .raw_get(RawService::Dataverse, "queues?$select=name")
        .await
        .unwrap();
    let probe = source
        .ews_probe(&format!("{}/mail/EWS/Exchange.asmx", server.url))
        .await
        .unwrap();
    assert_eq!(probe.schemes(), ["Negotiate", "NTLM"]);
    let seen = server.seen.lock().unwrap().clone();
    let get =
        |name: &str, s: &canned::Seen| s.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let profiles = seen
        .iter()
        .find(|s| s.target.contains("emailserverprofiles"))
        .unwrap();
    assert_eq!(get("authorization", profiles).as_deref(), Some("Bearer dv-token"));
    assert_eq!(get("odata-version", profiles).as_deref(), Some("4.0"));
    let prefer = get("prefer", profiles).unwrap();
    // The source's own reads ask only for the annotation its decoders read (a `*` page is
    // about twice the size); the escape hatch gets everything, labels included.
    assert!(
        prefer.contains("odata.maxpagesize=5000")
            && prefer.contains("odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\""),
        "{prefer}"
    );
    let raw = seen.iter().find(|s| s.target.contains("queues")).unwrap();
    let raw_prefer = get("prefer", raw).unwrap();
    assert!(
        raw_prefer.contains("odata.include-annotations=\"*\""),
        "{raw_prefer}"
    );
    assert!(
        profiles.target.contains("$select=emailserverprofileid"),
        "{}",
        profiles.target
    );
    assert!(get("user-agent", profiles).unwrap().starts_with("ssync-doctor/"));
    let ews = seen.iter().find(|s| s.target.contains("EWS")).unwrap();
    assert_eq!(ews.method, "POST");
    assert_eq!(get("authorization", ews), None, "the probe sends no credentials");
    assert!(ews.body.contains("GetFolder"));
}

#[tokio::test]
async fn a_bad_record_on_a_later_page_fails_the_whole_collection() {
    // Collections are decoded page by page (no page's JSON outlives its decoding); a record
    // that cannot be decoded on page 2 must still fail the read, not shorten it.
    let (source, server) = source_with(|s, base| {
        if s.target.contains("emailserverprofiles") && !s.target.contains("page=2") {
            return json(
                200,
                &format!(
                    r#"{{"value":[{{"emailserverprofileid":"00000000-0000-0000-0000-0000000000p1","servertype":1}}],
                        "@odata.nextLink":"{base}/api/data/v9.2/emailserverprofiles?page=2"}}"#
                ),
            );
        }
        json(200, r#"{"value":[{"emailserverprofileid":"00000000-0000-0000-0000-0000000000p2"}]}"#)
    })
    .await;
    let err = source.profiles().await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Malformed { detail, .. }
            if detail.contains("emailserverprofiles") && detail.contains("servertype")),
        "{err:?}"
    );
    let pages = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.target.contains("emailserverprofiles"))
        .count();
    assert_eq!(pages, 2);
}

#[tokio::test]
async fn pages_decoded_while_the_next_is_fetched_keep_the_collection_order() {
    // Pages are decoded on blocking threads, up to two behind the fetch; the records must
    // still come back in the order the service gave them, across more pages than that.
    let (source, _server) = source_with(|s, base| {
        if !s.target.contains("emailserverprofiles") {
            return json(404, "{}");
        }
        let page: usize = s
            .target
            .split("page=")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let next = if page < 6 {
            format!(r#","@odata.nextLink":"{base}/api/data/v9.2/emailserverprofiles?page={}""#, page + 1)
        } else {
            String::new()
        };
        let records: Vec<String> = (0..3)
            .map(|i| {
                format!(
                    r#"{{"emailserverprofileid":"00000000-0000-0000-0000-00000000{page:02}{i:02}","name":"p{page}-{i}","servertype":0}}"#
                )
            })
            .collect();
        json(200, &format!(r#"{{"value":[{}]{next}}}"#, records.join(",")))
    })
    .await;
    let names: Vec<String> = source
        .profiles()
        .await
        .expect("six pages read")
        .into_iter()
        .map(|p| p.name)
        .collect();
    let expected: Vec<String> = (1..=6)
        .flat_map(|page| (0..3).map(move |i| format!("p{page}-{i}")))
        .collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn a_page_without_a_value_array_is_malformed() {
    let (source, _server) = source_with(|s, _| {
        if s.target.contains("emailserverprofiles") {
            return json(200, r#"{"items":[]}"#);
        }
        if s.target.contains("deletedItems") {
            return json(200, r#"{"value":{"not":"an array"}}"#);
        }
        json(404, "{}")
    })
    .await;
    for err in [
        source.profiles().await.unwrap_err(),
        source.deleted_users_matching("a@b.c").await.unwrap_err(),
    ] {
        assert!(
            matches!(&err, SourceError::Malformed { detail, .. } if detail.contains("no \"value\" array")),
            "{err:?}"
        );
    }
}
