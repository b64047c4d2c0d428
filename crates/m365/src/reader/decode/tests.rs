//! Decoding fixtures written from the shapes in `shared/reference/microsoft-apis.md`.

use serde_json::json;

use super::*;

#[test]
fn environment_from_retrieve_current_organization() {
    let v = json!({"@odata.context": "x", "Detail": {
        "OrganizationId": "0b0e6b1a-0000-0000-0000-000000000001", "TenantId": "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b",
        "FriendlyName": "Contoso", "UniqueName": "org123", "EnvironmentId": "e"}});
    let env = environment(&v, "https://contoso.crm.dynamics.com").unwrap();
    assert_eq!(env.tenant_id, "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b");
    assert_eq!(env.name, "Contoso");
    assert!(environment(&json!({"Detail": {"OrganizationId": "o"}}), "u").is_err());
}

#[test]
fn profile_option_values_and_defaults() {
    let v = json!({"emailserverprofileid": "p1", "name": "Exchange On-Premises", "servertype": 0,
        "emailservertypename": "Exchange Server", "incomingcredentialretrieval": 1, "outgoingcredentialretrieval": 1,
        "incomingauthenticationprotocol": 3, "outgoingauthenticationprotocol": 0,
        "incomingserverlocation": "https://mail.contoso.com/EWS/Exchange.asmx", "outgoingserverlocation": "",
        "useautodiscover": false, "exchangeonlinetenantid": null, "statecode": 0});
    let p = profile(&v).unwrap();
    assert_eq!(p.server_type, ServerType::ExchangeServer);
    assert_eq!(
        p.incoming.credential_retrieval,
        Some(CredentialRetrieval::InProfile)
    );
    assert_eq!(p.incoming.auth_protocol, Some(AuthProtocol::Basic));
    assert_eq!(p.outgoing.auth_protocol, Some(AuthProtocol::AutoDetect));
    assert_eq!(p.outgoing.server_location, None);
    assert!(p.use_default_tenant_id && p.active);
    assert_eq!(p.exchange_online_tenant_id, None);
    let odd =
        json!({"emailserverprofileid": "p2", "servertype": 9, "statecode": 1, "usedefaulttenantid": false});
    let p = profile(&odd).unwrap();
    assert_eq!(p.server_type, ServerType::Unknown(9));
    assert!(!p.active && !p.use_default_tenant_id);
    assert!(profile(&json!({"emailserverprofileid": "p3"})).is_err());
}

/// emailserverprofile table reference (learn.microsoft.com/power-apps/developer/data-platform/
/// reference/entities/emailserverprofile): `lastauthorizationstatus` 0 Failure, 1 Success.
#[test]
fn profile_oauth_columns_of_the_emailserverprofile_reference() {
    let v = json!({"emailserverprofileid": "p1", "servertype": 0, "incomingcredentialretrieval": 7,
        "usedefaulttenantid": false, "exchangeonlinetenantid": "9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c",
        "oauthclientid": "7b2c9d4e-1f3a-4b5c-8d6e-9f0a1b2c3d4e", "isoauthclientsecretset": false,
        "lastauthorizationstatus": 0, "lastcrmmessage": "AADSTS7000215: Invalid client secret provided.",
        "lastteststarttime": "2026-11-30T08:00:00Z"});
    let a = profile(&v).unwrap().authorization;
    assert_eq!(
        a.client_id.as_deref(),
        Some("7b2c9d4e-1f3a-4b5c-8d6e-9f0a1b2c3d4e")
    );
    assert_eq!(a.secret_set, Some(false));
    assert_eq!(a.last_status, Some(AuthorizationStatus::Failure));
    assert_eq!(
        a.last_message.as_deref(),
        Some("AADSTS7000215: Invalid client secret provided.")
    );
    assert_eq!(a.last_test_start.as_deref(), Some("2026-11-30T08:00:00Z"));

    let mut ok = v.clone();
    ok["lastauthorizationstatus"] = json!(1);
    ok["isoauthclientsecretset"] = json!(true);
    let a = profile(&ok).unwrap().authorization;
    assert_eq!(a.last_status, Some(AuthorizationStatus::Success));
    assert_eq!(a.secret_set, Some(true));

    // Null, empty or absent columns are "not known", never a value.
    let bare = json!({"emailserverprofileid": "p2", "servertype": 0, "oauthclientid": " ",
        "isoauthclientsecretset": null, "lastauthorizationstatus": null, "lastcrmmessage": ""});
    assert_eq!(
        profile(&bare).unwrap().authorization,
        ProfileAuthorization::default()
    );
    let odd = json!({"emailserverprofileid": "p3", "servertype": 0, "lastauthorizationstatus": 4});
    assert_eq!(
        profile(&odd).unwrap().authorization.last_status,
        Some(AuthorizationStatus::Unknown(4))
    );
    // The secret itself is never selected.
    assert!(
        !PROFILE_COLUMNS
            .split(',')
            .any(|c| c.trim() == "oauthclientsecret")
    );
    for c in [
        "oauthclientid",
        "isoauthclientsecretset",
        "lastauthorizationstatus",
        "lastcrmmessage",
        "lastteststarttime",
    ] {
        assert!(
            PROFILE_COLUMNS.split(',').any(|s| s.trim() == c),
            "{c} not selected"
        );
    }
}

#[test]
fn mailbox_regarding_comes_from_the_lookup_annotation() {
    let v = json!({"mailboxid": "m1", "name": "Alice", "emailaddress": "alice@contoso.com",
        "_regardingobjectid_value": "u1",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "_regardingobjectid_value@OData.Community.Display.V1.FormattedValue": "Alice",
        "_emailserverprofile_value": "p1", "incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2,
        "actdeliverymethod": 1, "incomingemailstatus": 2, "statecode": 0, "ewsurl": null});
    let m = mailbox(&v).unwrap();
    assert_eq!(m.regarding, Regarding::User("u1".into()));
    assert_eq!(m.profile_id.as_deref(), Some("p1"));
    assert!(m.delivery.uses_server_side_sync() && m.active && m.state.any_failure());
    let mut q = v.clone();
    q["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = json!("queue");
    q["statecode"] = json!(1);
    let m = mailbox(&q).unwrap();
    assert_eq!(m.regarding, Regarding::Queue("u1".into()));
    assert!(!m.active);
    let mut bare = v.clone();
    bare.as_object_mut()
        .unwrap()
        .remove("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname");
    assert!(mailbox(&bare).unwrap_err().contains("lookuplogicalname"));
    let none = json!({"mailboxid": "m2", "_regardingobjectid_value": null});
    let m = mailbox(&none).unwrap();
    assert_eq!(m.regarding, Regarding::None);
    assert!(!m.delivery.uses_server_side_sync());
}

/// Shape from the mailbox table reference
/// (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox):
/// picklists as integers, booleans, `lastsyncerror` a string, the dates as Web API
/// `Edm.DateTimeOffset` strings; every one of them nullable.
#[test]
fn mailbox_state_follows_the_mailbox_table_reference_and_its_nulls() {
    let v = json!({"mailboxid": "m1", "_regardingobjectid_value": null,
        "incomingemailstatus": 2, "outgoingemailstatus": 1, "actstatus": 0, "mailboxstatus": 2,
        "enabledforincomingemail": true, "enabledforoutgoingemail": false, "enabledforact": true,
        "emailrouteraccessapproval": 2, "isemailaddressapprovedbyo365admin": false,
        "lastsyncerror": "Email cannot be received because the user does not exist.",
        "lastsyncerrorcode": -2147220970, "lastsyncerroroccurredon": "2026-11-28T08:15:00Z",
        "lastsuccessfulsynccompletedon": "2026-11-20T07:00:00Z"});
    let s = mailbox(&v).unwrap().state;
    assert_eq!(
        (s.incoming, s.outgoing, s.act, s.mailbox),
        (
            Some(SyncStatus::Failure),
            Some(SyncStatus::Success),
            Some(SyncStatus::NotRun),
            Some(SyncStatus::Failure)
        )
    );
    assert!(s.enabled_for_incoming && !s.enabled_for_outgoing && s.enabled_for_act);
    assert_eq!(s.email_address_approval, Some(EmailApproval::PendingApproval));
    assert_eq!(s.email_address_approved_by_o365_admin, Some(false));
    assert_eq!(s.last_sync_error_code, Some(-2147220970));
    assert_eq!(s.last_sync_error_on.as_deref(), Some("2026-11-28T08:15:00Z"));
    assert_eq!(s.last_successful_sync_on.as_deref(), Some("2026-11-20T07:00:00Z"));
    assert!(s.any_failure());

    let mut nulls = v.clone();
    for (key, value) in nulls.as_object_mut().unwrap() {
        if key != "mailboxid" {
            *value = Value::Null;
        }
    }
    let s = mailbox(&nulls).unwrap().state;
    assert_eq!(
        s,
        MailboxState::default(),
        "null columns are unknown, enabled by default"
    );
    assert!(!s.any_failure());
}

#[test]
fn system_user_and_queue() {
    let u = system_user(
        &json!({"systemuserid": "u1", "fullname": "Sam", "domainname": "sam@contoso.com",
        "azureactivedirectoryobjectid": "oid", "azurestate": 1, "isdisabled": false}),
    )
    .unwrap();
    assert_eq!(u.azure_state, Some(AzureState::SoftDeleted));
    assert_eq!(u.entra_object_id.as_deref(), Some("oid"));
    let q =
        queue(&json!({"queueid": "q1", "name": "Support", "emailaddress": "support@contoso.com"})).unwrap();
    assert_eq!(q.email_address.as_deref(), Some("support@contoso.com"));
}

#[test]
fn alerts_join_detail_columns_and_sort_newest_first() {
    let a = |id: &str, modified: Option<&str>, created: &str| {
        json!({"tracelogid": id, "level": 3, "text": "t", "errordetails": "NoUserFoundWithGivenClaims",
            "tracedetailxml": "<a/>", "traceparameterxml": "<b/>", "tracecode": 5,
            "modifiedon": modified, "createdon": created, "_regardingobjectid_value": "M1"})
    };
    let (regarding, first) = alert(&a("t1", None, "2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(regarding.as_deref(), Some("m1"));
    assert_eq!(first.level, AlertLevel::Error);
    assert_eq!(first.detail_xml.as_deref(), Some("<a/>\n<b/>"));
    assert!(first.mentions("nouserfoundwithgivenclaims"));
    let (_, second) = alert(&a("t2", Some("2026-02-01T00:00:00Z"), "2025-01-01T00:00:00Z")).unwrap();
    let mut all = vec![first, second];
    newest_first(&mut all);
    assert_eq!(all[0].id, "t2");
}

#[test]
fn entra_user_plans_and_licenses() {
    let v = json!({"id": "u1", "userPrincipalName": "kevin@contoso.com", "mail": "kevin@contoso.com",
        "proxyAddresses": ["SMTP:kevin@contoso.com", "smtp:k@contoso.com"], "accountEnabled": true,
        "assignedPlans": [{"assignedDateTime": "2022-01-01T00:00:00Z", "capabilityStatus": "Enabled",
            "service": "exchange", "servicePlanId": "113FEB6C-3FE4-4440-BDDC-54D774BF0318"}],
        "assignedLicenses": [{"skuId": "SKU", "disabledPlans": ["9AAF7827-D63C-4B61-89C3-182F06F82E5C"]}]});
    let u = entra_user(&v).unwrap();
    assert_eq!(
        u.assigned_plans[0].service_plan_id,
        "113feb6c-3fe4-4440-bddc-54d774bf0318"
    );
    assert_eq!(u.assigned_plans[0].capability_status, CapabilityStatus::Enabled);
    assert_eq!(
        u.assigned_licenses[0].disabled_plans,
        ["9aaf7827-d63c-4b61-89c3-182f06f82e5c"]
    );
    assert_eq!(u.proxy_addresses.len(), 2);
    let d = deleted_user(
        &json!({"id": "d1", "userPrincipalName": "0e3c4b5a6d7e8f901a2b3c4d5e6f7a8bsam@contoso.com",
        "deletedDateTime": "2026-01-01T00:00:00Z"}),
    )
    .unwrap();
    assert!(ssync_core::address::deleted_user_matches(&d, "sam@contoso.com"));
}

#[test]
fn mailbox_settings_answers() {
    assert_eq!(
        mailbox_location(200, &json!({"userPurpose": "shared", "timeZone": "UTC"})),
        Some(MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::Shared)
        })
    );
    assert_eq!(
        mailbox_location(200, &json!({})),
        Some(MailboxLocation::ExchangeOnline { purpose: None })
    );
    // The object form of beta examples, and an empty or null purpose.
    assert_eq!(
        mailbox_location(200, &json!({"userPurpose": {"value": "room"}})),
        Some(MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::Room)
        })
    );
    for empty in [json!(null), json!({"value": null}), json!(""), json!({})] {
        assert_eq!(
            mailbox_location(200, &json!({"userPurpose": empty})),
            Some(MailboxLocation::ExchangeOnline { purpose: None })
        );
    }
    let e = |code: &str| json!({"error": {"code": code, "message": "REST API is not yet supported for this mailbox."}});
    assert_eq!(
        mailbox_location(404, &e("MailboxNotEnabledForRESTAPI")),
        Some(MailboxLocation::NotInExchangeOnline {
            code: "MailboxNotEnabledForRESTAPI".into()
        })
    );
    assert!(mailbox_location(404, &e("MailboxNotSupportedForRESTAPI")).is_some());
    assert_eq!(mailbox_location(404, &e("Request_ResourceNotFound")), None);
    assert_eq!(mailbox_location(403, &e("ErrorAccessDenied")), None);
}

#[test]
fn tenant_from_issuer() {
    assert_eq!(
        issuer_tenant("https://login.microsoftonline.com/9E8D7C6B-5A49-4F3E-8D2C-1B0A9F8E7D6C/v2.0")
            .as_deref(),
        Some("9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c")
    );
    assert!(issuer_tenant("https://sts.windows.net/9e8d7c6b-5a49-4f3e-8d2c-1b0a9f8e7d6c/").is_some());
    assert_eq!(
        issuer_tenant("https://login.microsoftonline.com/{tenantid}/v2.0"),
        None
    );
    assert_eq!(issuer_tenant("not a url"), None);
}
