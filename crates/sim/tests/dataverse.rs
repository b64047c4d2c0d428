//! Dataverse Web API behaviour against the documented shapes (microsoft-apis.md §A).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

fn addresses(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["emailaddress"].as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn filter(sim: &ssync_sim::Sim, token: &str, set: &str, f: &str) -> (StatusCode, Value) {
    let url = format!("{}?$select=emailaddress&$filter={}", api(sim, set), urlencode(f));
    get(&url, token, None).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn every_filter_form() {
    let sim = contoso().await;
    let t = dataverse_token(&sim).await;
    let (s, b) = filter(&sim, &t, "mailboxes", "emailaddress eq 'heidi.park@contoso.com'").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        addresses(&b),
        vec!["heidi.park@contoso.com"],
        "eq is case-insensitive"
    );
    let (_, b) = filter(&sim, &t, "mailboxes", "statecode ne 0").await;
    assert_eq!(addresses(&b), vec!["wendy@contoso.com"]);
    let (_, b) = filter(
        &sim,
        &t,
        "mailboxes",
        "incomingemaildeliverymethod lt 2 and outgoingemaildeliverymethod le 0",
    )
    .await;
    assert_eq!(addresses(&b), vec!["victor@contoso.com"]);
    let (_, b) = filter(&sim, &t, "mailboxes", "actdeliverymethod gt 1 or statecode ge 1").await;
    assert_eq!(addresses(&b), vec!["victor@contoso.com", "wendy@contoso.com"]);
    let (_, b) = filter(
        &sim,
        &t,
        "mailboxes",
        "not (statecode eq 0) or (contains(emailaddress,'fabrikam') and statecode eq 0)",
    )
    .await;
    assert_eq!(
        addresses(&b),
        vec!["oscar@fabrikam.com", "peter@fabrikam.com", "wendy@contoso.com"]
    );
    let (_, b) = filter(
        &sim,
        &t,
        "mailboxes",
        "Microsoft.Dynamics.CRM.In(PropertyName='emailaddress',PropertyValues=['alice@contoso.com','BOB@contoso.com','nobody@x.com'])",
    )
    .await;
    assert_eq!(addresses(&b), vec!["alice@contoso.com", "bob@contoso.com"]);
    let (_, b) = filter(
        &sim,
        &t,
        "mailboxes",
        "startswith(emailaddress,'g.') or endswith(emailaddress,'old@contoso.com')",
    )
    .await;
    assert_eq!(
        addresses(&b),
        vec!["frank.old@contoso.com", "g.hopper@contoso.com"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn lookups_expand_and_annotations() {
    let sim = contoso().await;
    let t = dataverse_token(&sim).await;
    let (_, profiles) = get(
        &format!(
            "{}?$select=name&$filter=servertype eq 2",
            api(&sim, "emailserverprofiles")
        ),
        &t,
        None,
    )
    .await;
    let hybrid = profiles["value"][0]["emailserverprofileid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(profiles["value"][0]["name"], "Exchange Hybrid");
    let url = format!(
        "{}?$select=emailaddress,_regardingobjectid_value,_emailserverprofile_value&$filter=_emailserverprofile_value eq {hybrid}&$orderby=emailaddress desc&$expand=emailserverprofile($select=name,servertype)",
        api(&sim, "mailboxes")
    );
    let (s, b) = get(&url, &t, Some("odata.include-annotations=\"*\"")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(addresses(&b).len(), 2);
    let first = &b["value"][0];
    assert_eq!(first["emailaddress"], "ivan@contoso.com", "ordered descending");
    assert_eq!(
        first["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
        "systemuser"
    );
    assert_eq!(
        first["_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"],
        "regardingobjectid"
    );
    assert_eq!(
        first["_emailserverprofile_value@OData.Community.Display.V1.FormattedValue"],
        "Exchange Hybrid"
    );
    assert_eq!(first["emailserverprofile"]["name"], "Exchange Hybrid");
    assert_eq!(
        first["emailserverprofile"]["servertype@OData.Community.Display.V1.FormattedValue"],
        "Exchange Server (Hybrid)"
    );
    assert!(
        first.get("incomingemaildeliverymethod").is_none(),
        "only selected columns"
    );
    assert!(first["mailboxid"].is_string(), "the key always comes back");
    // Without the Prefer header there are no annotations.
    let (_, plain) = get(&url, &t, None).await;
    assert!(
        plain["value"][0]
            .get("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname")
            .is_none()
    );
    // Queue mailboxes name the queue.
    let (_, b) = get(
        &format!(
            "{}?$select=_regardingobjectid_value&$filter=emailaddress eq 'support@contoso.com'",
            api(&sim, "mailboxes")
        ),
        &t,
        Some("odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\""),
    )
    .await;
    assert_eq!(
        b["value"][0]["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
        "queue"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn single_records_whoami_and_organizations() {
    let sim = contoso().await;
    let t = dataverse_token(&sim).await;
    let (_, list) = get(
        &format!(
            "{}?$select=fullname&$filter=fullname eq 'Alice'",
            api(&sim, "systemusers")
        ),
        &t,
        None,
    )
    .await;
    let id = list["value"][0]["systemuserid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (s, one) = get(
        &api(&sim, &format!("systemusers({id})?$select=fullname,domainname")),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["domainname"], "alice@contoso.com");
    assert!(one["@odata.context"].as_str().unwrap_or("").ends_with("/$entity"));
    let (s, missing) = get(
        &api(&sim, "systemusers(00000000-0000-0000-0000-000000000000)"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["code"], "0x80040217");
    let (s, who) = get(&api(&sim, "WhoAmI"), &t, None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, app_user) = get(
        &api(
            &sim,
            &format!("systemusers({})", who["UserId"].as_str().unwrap_or("")),
        ),
        &t,
        None,
    )
    .await;
    assert_eq!(app_user["applicationid"], sim.client_id);
    let (_, orgs) = get(
        &api(
            &sim,
            "organizations?$select=name,_defaultemailserverprofileid_value",
        ),
        &t,
        None,
    )
    .await;
    assert_eq!(orgs["value"][0]["name"], "Contoso");
    assert!(orgs["value"][0]["_defaultemailserverprofileid_value"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn unsupported_syntax_is_a_documented_400() {
    let sim = contoso().await;
    let t = dataverse_token(&sim).await;
    for q in [
        "mailboxes?$filter=emailaddress like 'x'",
        "mailboxes?$filter=nosuchcolumn eq 1",
        "mailboxes?$filter=statecode eq 'zero'",
        "mailboxes?$filter=emailaddress in ('a')",
        "mailboxes?$select=nosuchcolumn",
        "mailboxes?$skip=10",
        "mailboxes?$expand=nosuchnav",
        "mailboxes?$orderby=emailaddress sideways",
        "mailboxes?$filter=substringof('a',emailaddress)",
    ] {
        let (s, b) = get(&api(&sim, q), &t, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {b}");
        let code = b["error"]["code"].as_str().unwrap_or("");
        assert!(code.starts_with("0x"), "{q}: {b}");
        assert!(b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (s, b) = get(&api(&sim, "nosuchset"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "0x8006088a");
    sim.shutdown().await;
}

#[tokio::test]
async fn paging_with_maxpagesize_and_next_link() {
    let sim = ssync_sim::start(
        ssync_sim::Scenario::generated(12_345),
        ssync_sim::Knobs::default(),
    )
    .await
    .expect("start");
    let t = dataverse_token(&sim).await;
    // Default page is 5000; the nextLink is followed unchanged.
    let mut url = format!(
        "{}?$select=emailaddress&$filter=statecode eq 0",
        api(&sim, "mailboxes")
    );
    let mut pages = Vec::new();
    let mut seen = std::collections::HashSet::new();
    loop {
        let (s, b) = get(&url, &t, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let rows = b["value"].as_array().map(Vec::len).unwrap_or(0);
        for r in b["value"].as_array().into_iter().flatten() {
            assert!(
                seen.insert(r["mailboxid"].as_str().unwrap_or("").to_owned()),
                "no duplicates across pages"
            );
        }
        pages.push(rows);
        match b["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, vec![5000, 5000, 2345]);
    // A smaller preference, and the 5000 cap.
    let (_, b) = get(
        &api(&sim, "mailboxes?$select=name"),
        &t,
        Some("odata.maxpagesize=1000"),
    )
    .await;
    assert_eq!(b["value"].as_array().map(Vec::len), Some(1000));
    let (_, b) = get(
        &api(&sim, "mailboxes?$select=name"),
        &t,
        Some("odata.maxpagesize=20000"),
    )
    .await;
    assert_eq!(b["value"].as_array().map(Vec::len), Some(5000));
    // $top without maxpagesize limits the result and gives no nextLink.
    let (_, b) = get(&api(&sim, "mailboxes?$select=name&$top=7"), &t, None).await;
    assert_eq!(b["value"].as_array().map(Vec::len), Some(7));
    assert!(b.get("@odata.nextLink").is_none());
    // Ordered paging stays consistent.
    let (_, b) = get(
        &api(&sim, "mailboxes?$select=emailaddress&$orderby=emailaddress desc"),
        &t,
        Some("odata.maxpagesize=2"),
    )
    .await;
    assert_eq!(b["value"][0]["emailaddress"], "user012344@generated.example");
    let next = b["@odata.nextLink"].as_str().unwrap_or_default().to_owned();
    let (_, b2) = get(&next, &t, Some("odata.maxpagesize=2")).await;
    assert_eq!(b2["value"][0]["emailaddress"], "user012342@generated.example");
    // A tampered skiptoken is refused, not misread.
    let (s, _) = get(
        &format!("{}&$skiptoken=bogus", api(&sim, "mailboxes?$select=name")),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    sim.shutdown().await;
}

/// The alert read of a live run (`ssync-m365` reader/alerts.rs): error level, inside the window,
/// regarding a record, newest first with the id as tie-breaker. The simulator evaluates it as
/// Dataverse does, over a million traces made up on demand (`Knobs::noise_traces`).
#[tokio::test]
async fn bounded_alert_read_over_a_million_traces() {
    let sim = with_knobs(ssync_sim::Knobs {
        noise_traces: 1_000_000,
        ..Default::default()
    })
    .await;
    let t = dataverse_token(&sim).await;
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let since = since
        .replace_nanosecond(0)
        .unwrap_or(since)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let f = format!("level eq 3 and modifiedon gt {since} and _regardingobjectid_value ne null");
    let url = format!(
        "{}?$select=tracelogid,level,modifiedon,_regardingobjectid_value&$filter={}&$orderby={}",
        api(&sim, "tracelogs"),
        urlencode(&f),
        urlencode("modifiedon desc,tracelogid desc")
    );
    let mut url = url;
    let mut rows: Vec<Value> = Vec::new();
    loop {
        let (s, b) = get(&url, &t, Some("odata.maxpagesize=5000")).await;
        assert_eq!(s, StatusCode::OK, "{}", b["error"]);
        rows.extend(b["value"].as_array().cloned().unwrap_or_default());
        match b["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    // Three contoso error alerts two days old, then one error in four of the made-up traces,
    // one a minute from three days back to the window's start: 27 days of them.
    let noise_in_window = (27 * 24 * 60) / 4;
    assert!(
        rows.len().abs_diff(3 + noise_in_window) <= 2,
        "{} rows",
        rows.len()
    );
    assert!(rows.iter().all(|r| r["level"] == 3));
    assert!(
        rows.iter()
            .all(|r| r["modifiedon"].as_str() > Some(since.as_str()))
    );
    // Ties are broken by id in SQL Server's GUID order, as the simulator compares GUIDs.
    let keys: Vec<(String, [u8; 16])> = rows
        .iter()
        .map(|r| {
            (
                r["modifiedon"].as_str().unwrap_or("").to_owned(),
                ssync_sim::sql_server_order(r["tracelogid"].as_str().unwrap_or("")),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "newest first, ids breaking ties, no repeats"
    );

    // As strict as Dataverse: a level is a number, and a lookup is filtered as `_x_value`.
    for f in ["level eq '3'", "regardingobjectid ne null", "Level eq 3"] {
        let bad = format!("{}?$filter={}", api(&sim, "tracelogs"), urlencode(f));
        let (s, b) = get(&bad, &t, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{f}: {}", b["error"]);
    }
    // A filter on one mailbox is answered from the index, made-up traces included.
    let (_, mb) = get(
        &api(
            &sim,
            "mailboxes?$select=mailboxid&$filter=emailaddress eq 'sam@contoso.com'",
        ),
        &t,
        None,
    )
    .await;
    let sam = mb["value"][0]["mailboxid"].as_str().unwrap_or("").to_owned();
    let one = format!(
        "{}?$select=tracelogid,errordetails&$filter={}&$orderby={}",
        api(&sim, "tracelogs"),
        urlencode(&format!(
            "_regardingobjectid_value eq {sam} and level eq 3 and modifiedon gt {since}"
        )),
        urlencode("modifiedon desc,tracelogid desc")
    );
    let (s, b) = get(&one, &t, None).await;
    assert_eq!(s, StatusCode::OK, "{}", b["error"]);
    let sams = b["value"].as_array().cloned().unwrap_or_default();
    assert!(sams.len() > 100, "{}", sams.len());
    assert!(
        sams[0]["errordetails"]
            .as_str()
            .is_some_and(|d| d.contains("NoUserFoundWithGivenClaims")),
        "the real alert is the newest: {}",
        sams[0]
    );
    sim.shutdown().await;
}
