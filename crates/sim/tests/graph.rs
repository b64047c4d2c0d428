//! Microsoft Graph behaviour against the documented shapes (microsoft-apis.md §B).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn upns(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["userPrincipalName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn users_url(sim: &ssync_sim::Sim, query: &str) -> String {
    graph(sim, &format!("users?{}", query.replace(' ', "%20")))
}

#[tokio::test]
async fn select_semantics_follow_graph() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let (s, b) = get(
        &users_url(&sim, "$filter=userPrincipalName eq 'alice@contoso.com'"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let alice = &b["value"][0];
    for p in [
        "id",
        "displayName",
        "mail",
        "userPrincipalName",
        "businessPhones",
        "surname",
    ] {
        assert!(alice.get(p).is_some(), "default property {p}");
    }
    for p in [
        "accountEnabled",
        "assignedPlans",
        "assignedLicenses",
        "proxyAddresses",
    ] {
        assert!(alice.get(p).is_none(), "{p} is not a default property");
    }
    let (_, b) = get(
        &users_url(
            &sim,
            "$select=id,proxyAddresses,assignedPlans&$filter=mail eq 'grace@contoso.com'",
        ),
        &t,
        None,
    )
    .await;
    let grace = &b["value"][0];
    assert_eq!(
        grace.as_object().map(|o| o.len()),
        Some(3),
        "exactly the selected properties: {grace}"
    );
    assert_eq!(
        grace["proxyAddresses"],
        json!(["SMTP:grace@contoso.com", "smtp:g.hopper@contoso.com"])
    );
    let (s, b) = get(&users_url(&sim, "$select=nosuch"), &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b["error"]["innerError"]["request-id"].is_string(), "{b}");
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_forms() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let (_, b) = get(
        &users_url(
            &sim,
            "$filter=proxyAddresses/any(x:x eq 'smtp:g.hopper@contoso.com')",
        ),
        &t,
        None,
    )
    .await;
    assert_eq!(upns(&b), vec!["grace@contoso.com"]);
    let (_, b) = get(
        &users_url(&sim, "$filter=mail in ('bob@contoso.com','ALICE@contoso.com')"),
        &t,
        None,
    )
    .await;
    assert_eq!(upns(&b), vec!["alice@contoso.com", "bob@contoso.com"]);
    let (_, b) = get(
        &users_url(&sim, "$filter=startswith(userPrincipalName,'ni')"),
        &t,
        None,
    )
    .await;
    assert_eq!(upns(&b), vec!["nina@contoso.com"]);
    let (_, b) = get(
        &users_url(&sim, "$filter=userPrincipalName eq 'oscar@fabrikam.com'"),
        &t,
        None,
    )
    .await;
    assert_eq!(
        upns(&b),
        Vec::<String>::new(),
        "other tenants' users are not visible"
    );
    // Unsupported without advanced query headers; contains never.
    for bad in [
        "$filter=mail ne 'x'",
        "$filter=contains(mail,'a')",
        "$filter=nosuch eq 'a'",
        "$filter=mail eq",
        "$count=true",
    ] {
        let (s, b) = get(&users_url(&sim, bad), &t, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {b}");
        assert!(b["error"]["code"].is_string());
    }
    let r = client()
        .get(users_url(
            &sim,
            "$filter=mail ne 'alice@contoso.com'&$count=true&$top=999",
        ))
        .bearer_auth(&t)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["@odata.count"], 28, "29 Contoso users minus alice");
    sim.shutdown().await;
}

#[tokio::test]
async fn top_bounds_and_next_link() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    for top in ["0", "1000", "x"] {
        let (s, b) = get(&users_url(&sim, &format!("$top={top}")), &t, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("between 1 and 999"),
            "{b}"
        );
    }
    let mut url = users_url(&sim, "$top=5&$select=id");
    let mut total = 0;
    let mut pages = 0;
    loop {
        let (s, b) = get(&url, &t, None).await;
        assert_eq!(s, StatusCode::OK);
        total += b["value"].as_array().map(Vec::len).unwrap_or(0);
        pages += 1;
        match b["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_owned(),
            None => break,
        }
    }
    assert_eq!((total, pages), (29, 6));
    sim.shutdown().await;
}

#[tokio::test]
async fn mailbox_settings_and_licences() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let (s, b) = get(
        &graph(&sim, "users/support@contoso.com/mailboxSettings"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["userPurpose"], "shared");
    for who in ["ivan", "quentin", "rita", "judy"] {
        let (s, b) = get(
            &graph(&sim, &format!("users/{who}@contoso.com/mailboxSettings")),
            &t,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(b["error"]["code"], "MailboxNotEnabledForRESTAPI");
    }
    let (_, nina) = get(
        &graph(
            &sim,
            "users/nina@contoso.com?$select=id,assignedLicenses,assignedPlans",
        ),
        &t,
        None,
    )
    .await;
    assert_eq!(
        nina["assignedLicenses"][0]["disabledPlans"],
        json!(["9aaf7827-d63c-4b61-89c3-182f06f82e5c"])
    );
    let id = nina["id"].as_str().unwrap_or_default();
    let (s, d) = get(&graph(&sim, &format!("users/{id}/licenseDetails")), &t, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["value"][0]["skuPartNumber"], "EXCHANGESTANDARD");
    assert_eq!(d["value"][0]["servicePlans"][0]["provisioningStatus"], "Disabled");
    let (_, kevin) = get(&graph(&sim, "users/kevin@contoso.com/licenseDetails"), &t, None).await;
    let plans = kevin["value"][0]["servicePlans"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        plans
            .iter()
            .any(|p| p["servicePlanName"] == "EXCHANGE_S_FOUNDATION" && p["appliesTo"] == "Company")
    );
    let (s, _) = get(&graph(&sim, "users/nobody@contoso.com"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    sim.shutdown().await;
}

#[tokio::test]
async fn organization_and_deleted_users() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let (_, org) = get(&graph(&sim, "organization"), &t, None).await;
    assert_eq!(org["value"][0]["id"], sim.tenant_id);
    let domains: Vec<&str> = org["value"][0]["verifiedDomains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(domains, vec!["contoso.com", "contoso.onmicrosoft.com"]);
    let (s, d) = get(
        &graph(
            &sim,
            "directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName,mail,deletedDateTime",
        ),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let sam = &d["value"][0];
    let upn = sam["userPrincipalName"].as_str().unwrap_or("");
    let prefix = sam["id"].as_str().unwrap_or("").replace('-', "");
    assert_eq!(upn, format!("{prefix}sam@contoso.com"), "32-hex-digit prefix");
    assert_eq!(prefix.len(), 32);
    assert!(sam["deletedDateTime"].is_string());
    let (s, _) = get(&graph(&sim, "directory/deletedItems"), &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the cast segment is required");
    sim.shutdown().await;
}

#[tokio::test]
async fn batch() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let post = |body: Value| {
        let url = graph(&sim, "$batch");
        let t = t.clone();
        async move {
            let r = client()
                .post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("request");
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, b) = post(json!({"requests": [
        {"id": "1", "method": "GET", "url": "/users/alice@contoso.com?$select=id"},
        {"id": "2", "method": "GET", "url": "/users/ivan@contoso.com/mailboxSettings"},
        {"id": "3", "method": "GET", "url": "users/bob@contoso.com/mailboxSettings", "dependsOn": ["2"]},
    ]}))
    .await;
    assert_eq!(s, StatusCode::OK);
    let by_id = |id: &str| {
        b["responses"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(by_id("1")["status"], 200);
    assert!(by_id("1")["body"]["id"].is_string());
    assert_eq!(by_id("2")["status"], 404);
    assert_eq!(by_id("2")["body"]["error"]["code"], "MailboxNotEnabledForRESTAPI");
    assert_eq!(by_id("3")["status"], 424, "failed dependency");
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/organization"}))
        .collect();
    assert_eq!(
        post(json!({"requests": too_many})).await.0,
        StatusCode::BAD_REQUEST
    );
    let dup = json!({"requests": [{"id": "1", "method": "GET", "url": "/organization"}, {"id": "1", "method": "GET", "url": "/organization"}]});
    assert_eq!(post(dup).await.0, StatusCode::BAD_REQUEST);
    // Each inner request counts.
    let stats = sim.stats();
    assert_eq!(
        stats.graph.routes.get("GET /v1.0/users/{id}/mailboxSettings"),
        Some(&1)
    );
    sim.shutdown().await;
}

/// Ranges of `userPrincipalName` (`ge`/`le`) and `/users/$count` are advanced queries: refused
/// without `ConsistencyLevel: eventual` (and `$count=true` for a filter), answered with them
/// (concepts/aad-advanced-queries.md; includes/filter-directory-objects.md).
#[tokio::test]
async fn upn_ranges_and_the_user_count_need_advanced_queries() {
    let sim = contoso().await;
    let t = graph_token(&sim).await;
    let range = "$filter=userPrincipalName ge 'm' and userPrincipalName le 'p'";
    let (s, b) = get(&users_url(&sim, range), &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["code"], "Request_UnsupportedQuery");
    let advanced = |url: String| {
        client()
            .get(url)
            .bearer_auth(&t)
            .header("ConsistencyLevel", "eventual")
    };
    // The header without `$count=true` is not an advanced query either.
    let r = advanced(users_url(&sim, range)).send().await.expect("request");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = advanced(users_url(&sim, &format!("{range}&$count=true")))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    let names = upns(&v);
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| n.as_str() >= "m" && n.as_str() <= "p"),
        "{names:?}"
    );

    let (s, b) = get(&graph(&sim, "users/$count"), &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["message"], "$count is not currently supported.");
    let r = advanced(graph(&sim, "users/$count"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let all = advanced(users_url(&sim, "$count=true&$top=999"))
        .send()
        .await
        .expect("request")
        .json::<Value>()
        .await
        .expect("json");
    let count: u64 = r.text().await.expect("text").trim().parse().expect("a number");
    assert_eq!(Some(count), all["@odata.count"].as_u64());
    sim.shutdown().await;
}
