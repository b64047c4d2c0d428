//! The bundled contoso scenario holds the facts docs/contoso.md promises, seen through HTTP.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

const FABRIKAM: &str = "9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c";

async fn one(url: &str, token: &str) -> Value {
    let (s, b) = get(url, token, None).await;
    assert_eq!(s, StatusCode::OK, "{url}: {b}");
    b["value"][0].clone()
}

#[tokio::test]
async fn contoso_facts() {
    let sim = contoso().await;
    let dv = dataverse_token(&sim).await;
    let g = graph_token(&sim).await;

    // 29 mailboxes; 27 active and using server-side sync; 9 profiles.
    let (_, all) = get(&api(&sim, "mailboxes?$select=emailaddress,statecode,incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod"), &dv, None).await;
    let rows = all["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 29);
    let in_run = rows
        .iter()
        .filter(|r| r["statecode"] == 0)
        .filter(|r| {
            r["incomingemaildeliverymethod"] == 2
                || r["outgoingemaildeliverymethod"] == 2
                || r["actdeliverymethod"] == 1
        })
        .count();
    assert_eq!(in_run, 27);
    let (_, profiles) = get(&api(&sim, "emailserverprofiles?$select=name"), &dv, None).await;
    assert_eq!(profiles["value"].as_array().map(Vec::len), Some(9));

    // Sam: Dataverse holds the deleted object's id; the live user has a new one.
    let sam_mb = one(
        &api(
            &sim,
            "mailboxes?$select=_regardingobjectid_value&$filter=emailaddress eq 'sam@contoso.com'",
        ),
        &dv,
    )
    .await;
    let owner = sam_mb["_regardingobjectid_value"].as_str().unwrap_or_default();
    let (_, sam_su) = get(
        &api(
            &sim,
            &format!("systemusers({owner})?$select=azureactivedirectoryobjectid"),
        ),
        &dv,
        None,
    )
    .await;
    let held = sam_su["azureactivedirectoryobjectid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, live) = get(&graph(&sim, "users/sam@contoso.com?$select=id"), &g, None).await;
    assert_ne!(live["id"].as_str(), Some(held.as_str()));
    let (_, deleted) = get(
        &graph(
            &sim,
            "directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName",
        ),
        &g,
        None,
    )
    .await;
    let twin = &deleted["value"][0];
    assert_eq!(twin["id"].as_str(), Some(held.as_str()));
    assert!(
        twin["userPrincipalName"]
            .as_str()
            .is_some_and(|u| u.ends_with("sam@contoso.com") && u.len() == 32 + 15)
    );
    let mailbox_id = sam_mb["mailboxid"].as_str().unwrap_or_default();
    let alert = one(&api(&sim, &format!("tracelogs?$select=errordetails,level&$filter=_regardingobjectid_value eq {mailbox_id} and level eq 3")), &dv).await;
    assert!(
        alert["errordetails"]
            .as_str()
            .is_some_and(|d| d.contains("NoUserFoundWithGivenClaims"))
    );

    // On-premises or absent mailboxes answer 404 to mailboxSettings; queues are shared/room.
    for who in ["ivan", "quentin", "rita"] {
        let (s, _) = get(
            &graph(&sim, &format!("users/{who}@contoso.com/mailboxSettings")),
            &g,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
    }
    for (who, purpose) in [("support", "shared"), ("boardroom", "room")] {
        let (_, ms) = get(
            &graph(&sim, &format!("users/{who}@contoso.com/mailboxSettings")),
            &g,
            None,
        )
        .await;
        assert_eq!(ms["userPurpose"], purpose);
        let (_, u) = get(
            &graph(&sim, &format!("users/{who}@contoso.com?$select=assignedLicenses")),
            &g,
            None,
        )
        .await;
        assert_eq!(
            u["assignedLicenses"].as_array().map(Vec::len),
            Some(0),
            "{who} has no licence"
        );
        let mb = one(
            &api(
                &sim,
                &format!(
                    "mailboxes?$select=regardingobjecttypecode&$filter=emailaddress eq '{who}@contoso.com'"
                ),
            ),
            &dv,
        )
        .await;
        assert_eq!(mb["regardingobjecttypecode"], "queue");
    }

    // Oscar and Peter: Contoso system users, Fabrikam mailbox addresses.
    for who in ["oscar", "peter"] {
        let mb = one(
            &api(
                &sim,
                &format!(
                    "mailboxes?$select=_regardingobjectid_value&$filter=emailaddress eq '{who}@fabrikam.com'"
                ),
            ),
            &dv,
        )
        .await;
        let su_id = mb["_regardingobjectid_value"].as_str().unwrap_or_default();
        let (_, su) = get(
            &api(&sim, &format!("systemusers({su_id})?$select=domainname")),
            &dv,
            None,
        )
        .await;
        assert_eq!(su["domainname"], format!("{who}@contoso.com"));
    }
    let url = format!(
        "{}/fabrikam.com/v2.0/.well-known/openid-configuration",
        sim.authority_host
    );
    let v: Value = client()
        .get(url)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert!(v["issuer"].as_str().is_some_and(|i| i.contains(FABRIKAM)));
    let xt = one(&api(&sim, "emailserverprofiles?$select=exchangeonlinetenantid,usedefaulttenantid,incomingcredentialretrieval&$filter=name eq 'Fabrikam cross-tenant OAuth'"), &dv).await;
    assert_eq!(xt["exchangeonlinetenantid"], FABRIKAM);
    assert_eq!(xt["usedefaulttenantid"], false);
    assert_eq!(xt["incomingcredentialretrieval"], 7);
    // cross-tenant-app-credentials: the Northwind profile's expired secret, as its row records it
    // (emailserverprofile table reference: lastauthorizationstatus 0 Failure).
    let nw = one(&api(&sim, "emailserverprofiles?$select=oauthclientid,isoauthclientsecretset,lastauthorizationstatus,lastcrmmessage,lastteststarttime&$filter=name eq 'Northwind cross-tenant OAuth'"), &dv).await;
    assert_eq!(nw["isoauthclientsecretset"], true);
    assert_eq!(nw["lastauthorizationstatus"], 0);
    assert!(
        nw["lastcrmmessage"]
            .as_str()
            .is_some_and(|m| m.contains("AADSTS7000222"))
    );
    assert_eq!(nw["lastteststarttime"], "2026-11-30T07:45:00Z");
    let fk = one(&api(&sim, "emailserverprofiles?$select=isoauthclientsecretset,lastauthorizationstatus&$filter=name eq 'Fabrikam cross-tenant OAuth'"), &dv).await;
    assert_eq!(fk["isoauthclientsecretset"], true);
    assert_eq!(fk["lastauthorizationstatus"], Value::Null);

    // Licence traps: Foundation only, Suspended, Warning, disabledPlans.
    let plans = |b: &Value| -> Vec<(String, String)> {
        b["assignedPlans"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["servicePlanId"].as_str().unwrap_or("").to_owned(),
                    p["capabilityStatus"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let (_, kevin) = get(
        &graph(&sim, "users/kevin@contoso.com?$select=assignedPlans"),
        &g,
        None,
    )
    .await;
    assert!(plans(&kevin).contains(&("113feb6c-3fe4-4440-bddc-54d774bf0318".into(), "Enabled".into())));
    let (_, laura) = get(
        &graph(&sim, "users/laura@contoso.com?$select=assignedPlans"),
        &g,
        None,
    )
    .await;
    assert_eq!(
        plans(&laura),
        vec![(
            "9aaf7827-d63c-4b61-89c3-182f06f82e5c".to_owned(),
            "Suspended".to_owned()
        )]
    );
    let (_, mallory) = get(
        &graph(&sim, "users/mallory@contoso.com?$select=assignedPlans"),
        &g,
        None,
    )
    .await;
    assert_eq!(
        plans(&mallory),
        vec![(
            "efb87545-963c-4e0d-99df-69c6916d9eb0".to_owned(),
            "Warning".to_owned()
        )]
    );

    // Grace's Dataverse address is only a secondary alias; Frank's old address is nowhere.
    let (_, b) = get(
        &graph(
            &sim,
            "users?$select=mail&$filter=proxyAddresses/any(x:x eq 'smtp:g.hopper@contoso.com')",
        ),
        &g,
        None,
    )
    .await;
    assert_eq!(b["value"][0]["mail"], "grace@contoso.com");
    let (_, b) = get(
        &graph(
            &sim,
            "users?$select=mail&$filter=proxyAddresses/any(x:x eq 'smtp:frank.old@contoso.com')",
        ),
        &g,
        None,
    )
    .await;
    assert_eq!(b["value"].as_array().map(Vec::len), Some(0));

    // Profiles on scenario EWS servers point at the simulator.
    let p = one(&api(&sim, "emailserverprofiles?$select=incomingserverlocation&$filter=name eq 'Exchange On-Premises (NTLM only)'"), &dv).await;
    assert_eq!(p["incomingserverlocation"], sim.ews_server_url("mail-legacy"));
    sim.shutdown().await;
}
