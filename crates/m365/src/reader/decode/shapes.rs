//! Every record the live source decodes, decoded from a response built after Microsoft's
//! published reference or example (named in each test), not after the simulator. Where a page
//! says a column may be empty, the test feeds it `null` or leaves it out; option values are
//! the documented ones. A decoder that drifts from the documented shape fails here even when
//! the simulator drifts with it.

use serde_json::{Value, json};
use ssync_core::records::*;

use super::*;
use crate::failure::error_parts;

fn decoded<T>(r: Decoded<T>) -> T {
    match r {
        Ok(v) => v,
        Err(why) => panic!("does not decode: {why}"),
    }
}

// ------------------------------------------------------------------------------------------
// Dataverse

/// learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/retrievecurrentorganization
/// and .../reference/organizationdetail: `{"Detail": OrganizationDetail}`; the Guid fields come
/// as strings, `Endpoints` as an EndpointCollection, `State` as the enum's name.
#[test]
fn environment_from_webapi_reference_retrievecurrentorganization_and_organizationdetail() {
    let body = json!({
        "@odata.context": "https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse",
        "Detail": {
            "OrganizationId": "883278f5-07af-45eb-a0bc-3fea67caa544",
            "FriendlyName": "Contoso",
            "OrganizationVersion": "9.2.24081.00192",
            "EnvironmentId": "ca9a2a8b-0e46-4f4e-b6d4-7e4b7d1e8e0a",
            "DatacenterId": "7ec6a1f2-3d1b-4c52-8c4a-2a1f3e5b6c7d",
            "Geo": "NA",
            "TenantId": "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b",
            "UrlName": "contoso",
            "UniqueName": "unq883278f507af45eba0bc3fea67caa",
            "Endpoints": {
                "Count": 3,
                "IsReadOnly": false,
                "Keys": ["WebApplication", "OrganizationService", "OrganizationDataService"],
                "Values": [
                    "https://contoso.crm.dynamics.com/",
                    "https://contoso.api.crm.dynamics.com/XRMServices/2011/Organization.svc",
                    "https://contoso.api.crm.dynamics.com/XRMServices/2011/OrganizationData.svc"
                ]
            },
            "State": "Enabled"
        }
    });
    let env = decoded(environment(&body, "https://contoso.crm.dynamics.com"));
    assert_eq!(env.tenant_id, "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b");
    assert_eq!(env.organization_id, "883278f5-07af-45eb-a0bc-3fea67caa544");
    assert_eq!(env.name, "Contoso");
    // FriendlyName may be empty; the unique name stands in.
    let mut no_name = body.clone();
    no_name["Detail"]["FriendlyName"] = Value::Null;
    assert_eq!(
        decoded(environment(&no_name, "u")).name,
        "unq883278f507af45eba0bc3fea67caa"
    );
    // Without TenantId there is nothing to compare tenants with: an error, not a guess.
    let mut no_tenant = body;
    no_tenant["Detail"]["TenantId"] = Value::Null;
    assert!(environment(&no_tenant, "u").is_err());
}

/// PA-ENT emailserverprofile.md (the column list and the `emailserverprofile_servertype`,
/// `…credentialretrieval` and `…authenticationprotocol` choices): the default "Microsoft
/// Exchange Online" profile of an online organisation — servertype 0, server-to-server,
/// Auto Detect, autodiscover — with the columns a profile may leave empty set to null.
#[test]
fn profile_from_powerapps_entity_reference_emailserverprofile_md() {
    let body = json!({
        "@odata.etag": "W/\"4426913\"",
        "emailserverprofileid": "c3a4b6e0-7f4a-e811-a95a-000d3a1087a0",
        "name": "Microsoft Exchange Online",
        "servertype": 0,
        "emailservertypename": "Exchange Online",
        "incomingcredentialretrieval": 2,
        "outgoingcredentialretrieval": 2,
        "incomingauthenticationprotocol": 0,
        "outgoingauthenticationprotocol": 0,
        "incomingserverlocation": null,
        "outgoingserverlocation": null,
        "useautodiscover": true,
        "exchangeonlinetenantid": null,
        "usedefaulttenantid": true,
        "statecode": 0
    });
    let p = decoded(profile(&body));
    assert_eq!(p.server_type, ServerType::from(0));
    assert_eq!(p.server_type_name.as_deref(), Some("Exchange Online"));
    assert_eq!(
        p.incoming.credential_retrieval,
        Some(CredentialRetrieval::ServerToServer)
    );
    assert_eq!(p.incoming.auth_protocol, Some(AuthProtocol::AutoDetect));
    assert_eq!(p.incoming.server_location, None);
    assert!(p.use_autodiscover && p.use_default_tenant_id && p.active);
    assert!(p.server_locations().is_empty());
    // Every documented option value maps, and an undocumented one is kept as unknown.
    for (v, want) in [
        (3, CredentialRetrieval::WindowsIntegrated),
        (6, CredentialRetrieval::HybridModernAuth),
        (7, CredentialRetrieval::EntraOAuth),
        (9, CredentialRetrieval::Unknown(9)),
    ] {
        let mut b = body.clone();
        b["outgoingcredentialretrieval"] = json!(v);
        assert_eq!(decoded(profile(&b)).outgoing.credential_retrieval, Some(want));
    }
    // An on-premises profile: Exchange Server with credentials and an EWS URL; the type
    // name is read-only display text and may be absent.
    let onprem = json!({
        "emailserverprofileid": "d1b2c3d4-0000-4000-8000-000000000001",
        "name": "Exchange On-Premises",
        "servertype": 0,
        "incomingcredentialretrieval": 1,
        "outgoingcredentialretrieval": 1,
        "incomingauthenticationprotocol": 3,
        "outgoingauthenticationprotocol": 3,
        "incomingserverlocation": "https://mail.contoso.com/EWS/Exchange.asmx",
        "outgoingserverlocation": "https://mail.contoso.com/EWS/Exchange.asmx",
        "useautodiscover": false,
        "statecode": 1
    });
    let p = decoded(profile(&onprem));
    assert_eq!(p.server_type_name, None);
    assert_eq!(p.incoming.auth_protocol, Some(AuthProtocol::Basic));
    assert_eq!(
        p.server_locations(),
        ["https://mail.contoso.com/EWS/Exchange.asmx"]
    );
    assert!(!p.active);
}

/// PA-ENT mailbox.md (columns and their choices) and PA-WEBAPI query/select-columns.md
/// (lookups as `_x_value` with the `lookuplogicalname` annotation): a user mailbox, then a
/// queue mailbox, then one with every optional column empty.
#[test]
fn mailbox_from_powerapps_entity_reference_mailbox_md_and_webapi_select_columns_md() {
    let body = json!({
        "@odata.etag": "W/\"5381207\"",
        "mailboxid": "8f360273-4371-4d44-977c-147ef9b57005",
        "name": "Sam Smith",
        "emailaddress": "sam@contoso.com",
        "_regardingobjectid_value": "4f8213fe-e534-4a20-a35e-2b672ab8db16",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "regardingobjectid",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "_emailserverprofile_value": "c3a4b6e0-7f4a-e811-a95a-000d3a1087a0",
        "_emailserverprofile_value@Microsoft.Dynamics.CRM.lookuplogicalname": "emailserverprofile",
        "incomingemaildeliverymethod": 2,
        "outgoingemaildeliverymethod": 2,
        "actdeliverymethod": 1,
        "incomingemailstatus": 2,
        "outgoingemailstatus": 1,
        "actstatus": 0,
        "mailboxstatus": 2,
        "statecode": 0,
        "ewsurl": "https://outlook.office365.com/EWS/Exchange.asmx",
        "lastsuccessfulsynccompletedon": "2026-11-20T08:15:03Z"
    });
    let m = decoded(mailbox(&body));
    assert_eq!(
        m.regarding,
        Regarding::User("4f8213fe-e534-4a20-a35e-2b672ab8db16".into())
    );
    assert!(m.delivery.uses_server_side_sync());
    assert!(m.state.any_failure());
    assert_eq!(
        m.state.last_successful_sync_on.as_deref(),
        Some("2026-11-20T08:15:03Z")
    );
    assert_eq!(
        m.ews_url.as_deref(),
        Some("https://outlook.office365.com/EWS/Exchange.asmx")
    );

    let mut queue = body.clone();
    queue["_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"] =
        json!("regardingobjectid_queue");
    queue["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = json!("queue");
    assert!(matches!(decoded(mailbox(&queue)).regarding, Regarding::Queue(_)));

    // Empty columns come back as null (the Web API returns every selected column).
    let empty = json!({
        "mailboxid": "8f360273-4371-4d44-977c-147ef9b57006",
        "name": "Unconfigured",
        "emailaddress": null,
        "_regardingobjectid_value": null,
        "_emailserverprofile_value": null,
        "incomingemaildeliverymethod": 0,
        "outgoingemaildeliverymethod": 0,
        "actdeliverymethod": 2,
        "incomingemailstatus": null,
        "outgoingemailstatus": null,
        "actstatus": null,
        "mailboxstatus": null,
        "statecode": 0,
        "ewsurl": null,
        "lastsuccessfulsynccompletedon": null
    });
    let m = decoded(mailbox(&empty));
    assert_eq!(m.email_address, None);
    assert_eq!(m.regarding, Regarding::None);
    assert_eq!(m.profile_id, None);
    assert!(!m.delivery.uses_server_side_sync());
    assert!(!m.state.any_failure());
    assert_eq!((m.ews_url, m.state.last_successful_sync_on), (None, None));
}

/// PA-ENT systemuser.md: `azureactivedirectoryobjectid` (Uniqueidentifier, empty for users
/// never synchronised from Entra), `azurestate` 0 Exists / 1 Soft deleted / 2 Not found,
/// `isdisabled`; and PA-ENT queue.md.
#[test]
fn system_user_and_queue_from_powerapps_entity_reference_systemuser_md_and_queue_md() {
    let body = json!({
        "@odata.etag": "W/\"2143358\"",
        "systemuserid": "4f8213fe-e534-4a20-a35e-2b672ab8db16",
        "fullname": "Sam Smith",
        "domainname": "sam@contoso.com",
        "internalemailaddress": "sam@contoso.com",
        "azureactivedirectoryobjectid": "0e3c4b5a-6d7e-4f90-8a2b-3c4d5e6f7a8b",
        "azurestate": 1,
        "isdisabled": false
    });
    let u = decoded(system_user(&body));
    assert_eq!(u.azure_state, Some(AzureState::SoftDeleted));
    assert_eq!(
        u.entra_object_id.as_deref(),
        Some("0e3c4b5a-6d7e-4f90-8a2b-3c4d5e6f7a8b")
    );
    let empty = json!({
        "systemuserid": "4f8213fe-e534-4a20-a35e-2b672ab8db17",
        "fullname": "# Dynamics application user",
        "domainname": "",
        "internalemailaddress": null,
        "azureactivedirectoryobjectid": null,
        "azurestate": null,
        "isdisabled": true
    });
    let u = decoded(system_user(&empty));
    assert_eq!(
        (u.domain_name, u.internal_email, u.entra_object_id, u.azure_state),
        (None, None, None, None)
    );
    assert!(u.disabled);

    let q = decoded(queue(&json!({
        "queueid": "7d809d83-c42b-497d-a4f0-e1d0adba53e5",
        "name": "<support>",
        "emailaddress": null
    })));
    assert_eq!(q.email_address, None);
}

/// PA-ENT tracelog.md: `level` 1 Information / 2 Warning / 3 Error, `regardingobjectid` (a
/// mailbox or a profile, read as `_regardingobjectid_value`), `errordetails` and the XML
/// columns often empty, `modifiedon` for repeated alerts.
#[test]
fn alert_from_powerapps_entity_reference_tracelog_md() {
    let body = json!({
        "@odata.etag": "W/\"77124\"",
        "tracelogid": "16cce366-e9a5-4d01-aade-158b6c5bc793",
        "level": 3,
        "text": "Email cannot be received for the mailbox Sam Smith. Make sure that the credentials specified in the mailbox are correct and that they have sufficient permissions for accessing the mailbox.",
        "errordetails": "Email Server Error Code: Http server returned 401 Unauthorized exception.",
        "tracedetailxml": null,
        "traceparameterxml": null,
        "tracecode": 3,
        "createdon": "2026-11-20T08:15:03Z",
        "modifiedon": "2026-11-27T10:00:00Z",
        "_regardingobjectid_value": "8F360273-4371-4D44-977C-147EF9B57005"
    });
    let (regarding, a) = decoded(alert(&body));
    assert_eq!(regarding.as_deref(), Some("8f360273-4371-4d44-977c-147ef9b57005"));
    assert_eq!(a.level, AlertLevel::Error);
    assert_eq!(a.last_seen.as_deref(), Some("2026-11-27T10:00:00Z"));
    assert_eq!(a.detail_xml, None);
    // A trace regarding nothing, without details, never modified, of an unknown level.
    let bare = json!({
        "tracelogid": "16cce366-e9a5-4d01-aade-158b6c5bc794",
        "level": 4,
        "text": "",
        "errordetails": null,
        "createdon": "2026-11-20T08:15:03Z",
        "modifiedon": null,
        "_regardingobjectid_value": null
    });
    let (regarding, a) = decoded(alert(&bare));
    assert_eq!(regarding, None);
    assert_eq!(a.level, AlertLevel::Unknown(4));
    assert_eq!(a.last_seen.as_deref(), Some("2026-11-20T08:15:03Z"));
}

// ------------------------------------------------------------------------------------------
// Microsoft Graph

/// GRAPH api-reference/v1.0/api/user-list.md, example 1: the default properties only. No
/// proxy addresses, plans or licences are returned without `$select`; `mail` and
/// `preferredLanguage` may be null.
#[test]
fn user_list_example_from_graph_api_user_list_md() {
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
        "value": [
            {
                "businessPhones": [],
                "displayName": "Conf Room Adams",
                "givenName": null,
                "jobTitle": null,
                "mail": "Adams@contoso.com",
                "mobilePhone": null,
                "officeLocation": null,
                "preferredLanguage": null,
                "surname": null,
                "userPrincipalName": "Adams@contoso.com",
                "id": "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0"
            },
            {
                "businessPhones": ["425-555-0100"],
                "displayName": "MOD Administrator",
                "givenName": "MOD",
                "jobTitle": null,
                "mail": null,
                "mobilePhone": "425-555-0101",
                "officeLocation": null,
                "preferredLanguage": "en-US",
                "surname": "Administrator",
                "userPrincipalName": "admin@contoso.com",
                "id": "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e"
            }
        ]
    });
    let users: Vec<EntraUser> = body["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| decoded(entra_user(u)))
        .collect();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].mail.as_deref(), Some("Adams@contoso.com"));
    assert_eq!(users[1].mail, None);
    assert!(users.iter().all(|u| u.proxy_addresses.is_empty()
        && u.assigned_plans.is_empty()
        && u.assigned_licenses.is_empty()
        && u.created_at.is_none()
        && u.on_premises_sync.is_none()));
}

/// GRAPH resources/user.md (properties returned on `$select`), resources/assignedplan.md and
/// resources/assignedlicense.md: the properties the live source selects. `onPremisesSyncEnabled`
/// is true (synchronised), false (once) or null (never); `assignedPlans` lists a plan once per
/// licence that brings it, with `capabilityStatus` one of Enabled, Warning, Suspended, Deleted,
/// LockedOut.
#[test]
fn user_with_select_from_graph_resources_user_md_assignedplan_md_assignedlicense_md() {
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,mail,proxyAddresses,assignedPlans,assignedLicenses,accountEnabled,createdDateTime,onPremisesSyncEnabled)/$entity",
        "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        "userPrincipalName": "AdeleV@contoso.com",
        "displayName": "Adele Vance",
        "mail": "AdeleV@contoso.com",
        "proxyAddresses": ["SMTP:AdeleV@contoso.com", "smtp:adele@contoso.onmicrosoft.com", "SIP:adelev@contoso.com"],
        "assignedPlans": [
            {
                "assignedDateTime": "2022-05-12T16:05:26Z",
                "capabilityStatus": "Deleted",
                "service": "exchange",
                "servicePlanId": "EFB87545-963C-4E0D-99DF-69C6916D9EB0"
            },
            {
                "assignedDateTime": "2022-05-12T16:05:26Z",
                "capabilityStatus": "Enabled",
                "service": "exchange",
                "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0"
            },
            {
                "assignedDateTime": "2022-05-12T16:05:26Z",
                "capabilityStatus": "Enabled",
                "service": "exchange",
                "servicePlanId": "113feb6c-3fe4-4440-bddc-54d774bf0318"
            }
        ],
        "assignedLicenses": [
            {"disabledPlans": ["efb87545-963c-4e0d-99df-69c6916d9eb0"], "skuId": "6FD2C87F-B296-42F0-B197-1E91E994B900"},
            {"disabledPlans": [], "skuId": "19ec0d23-8335-4cbd-94ac-6050e30712fa"}
        ],
        "accountEnabled": true,
        "createdDateTime": "2022-05-12T16:04:59Z",
        "onPremisesSyncEnabled": null
    });
    let u = decoded(entra_user(&body));
    assert_eq!(u.assigned_plans.len(), 3);
    assert_eq!(
        u.assigned_plans[0].service_plan_id,
        "efb87545-963c-4e0d-99df-69c6916d9eb0"
    );
    assert_eq!(u.assigned_plans[0].capability_status, CapabilityStatus::Deleted);
    assert_eq!(
        u.assigned_licenses[0].sku_id,
        "6fd2c87f-b296-42f0-b197-1e91e994b900"
    );
    assert_eq!(u.created_at.as_deref(), Some("2022-05-12T16:04:59Z"));
    assert_eq!(u.on_premises_sync, None);
    assert_eq!(u.proxy_addresses.len(), 3);
    for (v, want) in [(json!(true), Some(true)), (json!(false), Some(false))] {
        let mut b = body.clone();
        b["onPremisesSyncEnabled"] = v;
        assert_eq!(decoded(entra_user(&b)).on_premises_sync, want);
    }
}

/// GRAPH api/user-get-mailboxsettings.md, example 1 (v1.0): `userPurpose` comes as an object
/// `{"value": "user"}`; resources/mailboxsettings.md documents the enum string. Both decode;
/// example 4 (`GET …/mailboxSettings/userPurpose`) is the bare object.
#[test]
fn mailbox_settings_example_from_graph_api_user_get_mailboxsettings_md() {
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings",
        "automaticRepliesSetting": {
            "status": "Scheduled",
            "externalAudience": "All",
            "scheduledStartDateTime": {"dateTime": "2016-03-14T07:00:00.0000000", "timeZone": "UTC"},
            "scheduledEndDateTime": {"dateTime": "2016-03-28T07:00:00.0000000", "timeZone": "UTC"},
            "internalReplyMessage": "<html>\n<body>\n<p>I'm at our company's worldwide reunion.</p></body>\n</html>\n",
            "externalReplyMessage": "<html>\n<body>\n<p>I'm at the Contoso worldwide reunion.</p></body>\n</html>\n"
        },
        "timeZone": "UTC",
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": "Pacific Standard Time"}
        },
        "userPurpose": {"value": "user"},
        "dateFormat": "MM/dd/yyyy",
        "timeFormat": "hh:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly"
    });
    assert_eq!(
        mailbox_location(200, &body),
        Some(MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::User)
        })
    );
    let mut shared = body.clone();
    shared["userPurpose"] = json!("shared");
    assert_eq!(
        mailbox_location(200, &shared),
        Some(MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::Shared)
        })
    );
    // `unknownFutureValue` and values added later are kept, not mistaken for a user mailbox.
    shared["userPurpose"] = json!({"value": "unknownFutureValue"});
    assert_eq!(
        mailbox_location(200, &shared),
        Some(MailboxLocation::ExchangeOnline {
            purpose: Some(MailboxPurpose::Other("unknownfuturevalue".into()))
        })
    );
}

/// SA Exchange/ExchangeOnline/user-and-shared-mailboxes/rest-api-is-not-yet-supported-for-this-mailbox-error.md
/// and GRAPH concepts/errors.md: the 404 for a mailbox Exchange Online does not serve, in the
/// Graph error shape with `innerError`.
#[test]
fn mailbox_not_enabled_error_from_support_article_rest_api_is_not_yet_supported() {
    let body = json!({
        "error": {
            "code": "MailboxNotEnabledForRESTAPI",
            "message": "REST API is not yet supported for this mailbox.",
            "innerError": {
                "request-id": "b7f3d4a2-9f3e-4d5c-8a1b-2c3d4e5f6a7b",
                "date": "2026-11-27T10:00:00",
                "client-request-id": "b7f3d4a2-9f3e-4d5c-8a1b-2c3d4e5f6a7b"
            }
        }
    });
    assert_eq!(
        mailbox_location(404, &body),
        Some(MailboxLocation::NotInExchangeOnline {
            code: "MailboxNotEnabledForRESTAPI".into()
        })
    );
    // The same code with another status, or another 404, is not a location.
    assert_eq!(mailbox_location(403, &body), None);
    let not_found = json!({"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store."}});
    assert_eq!(mailbox_location(404, &not_found), None);
}

/// GRAPH api/directory-deleteditems-list.md (`…/deletedItems/microsoft.graph.user` with
/// `$select`, `deletedDateTime` in UTC) and microsoft-apis.md §F: a deleted user's UPN carries
/// its object id without dashes in front; `mail` may be null.
#[test]
fn deleted_user_from_graph_api_directory_deleteditems_list_md() {
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/microsoft.graph.user(id,userPrincipalName,displayName,mail,proxyAddresses,deletedDateTime)",
        "value": [
            {
                "id": "c31799b8-0683-4d70-9e91-e032c89d3035",
                "userPrincipalName": "c31799b806834d709e91e032c89d3035sam@contoso.com",
                "displayName": "Sam Smith",
                "mail": null,
                "proxyAddresses": ["SMTP:sam@contoso.com"],
                "deletedDateTime": "2021-10-26T16:56:36Z"
            }
        ]
    });
    let d = decoded(deleted_user(&body["value"][0]));
    assert_eq!(d.mail, None);
    assert_eq!(d.deleted_at.as_deref(), Some("2021-10-26T16:56:36Z"));
    assert!(ssync_core::address::deleted_user_matches(&d, "sam@contoso.com"));
    // Without `deletedDateTime` (a shortened answer) the record still decodes.
    let d = decoded(deleted_user(
        &json!({"id": "c31799b8-0683-4d70-9e91-e032c89d3036", "userPrincipalName": "x@contoso.com"}),
    ));
    assert_eq!(d.deleted_at, None);
    assert!(d.proxy_addresses.is_empty());
}

// ------------------------------------------------------------------------------------------
// Identity platform and error bodies

/// ENTRA identity-platform/v2-protocols-oidc.md: the discovery document's `issuer` is
/// `https://login.microsoftonline.com/{tenant}/v2.0`; the page's sample keeps the `{tenant}`
/// placeholder, which must not pass for a tenant id. v1 issuers are `https://sts.windows.net/{tenant}/`.
#[test]
fn oidc_discovery_issuer_from_entra_v2_protocols_oidc_md() {
    let sample = json!({
        "authorization_endpoint": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        "token_endpoint": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": "https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys",
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "subject_types_supported": ["pairwise"],
        "issuer": "https://login.microsoftonline.com/{tenant}/v2.0"
    });
    let issuer = sample["issuer"].as_str().unwrap_or_default();
    assert_eq!(issuer_tenant(issuer), None);
    let real = issuer.replace("{tenant}", "9188040d-6c67-4c5b-b112-36a304b66dad");
    assert_eq!(
        issuer_tenant(&real).as_deref(),
        Some("9188040d-6c67-4c5b-b112-36a304b66dad")
    );
    assert_eq!(
        issuer_tenant("https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/").as_deref(),
        Some("9188040d-6c67-4c5b-b112-36a304b66dad")
    );
}

/// The three error shapes the live source reads: Graph's (GRAPH concepts/errors.md),
/// Dataverse's hex codes (PA-WEBAPI compose-http-requests-handle-errors.md) and the identity
/// platform's (ENTRA identity-platform/v2-oauth2-client-creds-grant-flow.md, "Error response").
#[test]
fn error_bodies_from_graph_errors_md_dataverse_handle_errors_and_entra_client_creds_flow() {
    let graph = json!({
        "error": {
            "code": "badRequest",
            "message": "Uploaded fragment overlaps with existing data.",
            "innerError": {"code": "invalidRange", "request-id": "request-id", "date": "date-time"}
        }
    });
    assert_eq!(
        error_parts(graph.to_string().as_bytes()),
        (
            "badRequest".into(),
            "Uploaded fragment overlaps with existing data.".into()
        )
    );
    let dataverse = json!({
        "error": {"code": "0x80040217", "message": "mailbox With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist"}
    });
    assert_eq!(error_parts(dataverse.to_string().as_bytes()).0, "0x80040217");
    let identity = json!({
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-27 10:00:00Z",
        "error_codes": [7000215],
        "timestamp": "2026-11-27 10:00:00Z",
        "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
        "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
        "error_uri": "https://login.microsoftonline.com/error?code=7000215"
    });
    let (code, description) = error_parts(identity.to_string().as_bytes());
    assert_eq!(code, "invalid_client");
    assert!(description.starts_with("AADSTS7000215"), "{description}");
    assert!(
        !description.contains('\r') && !description.contains('\n'),
        "{description:?}"
    );
    // A proxy's HTML page is not an error body: no code, and only cleaned text.
    let (code, text) = error_parts(b"<html><body>502 Bad Gateway</body></html>");
    assert_eq!(code, "");
    assert!(text.contains("502"));
}

/// ENTRA identity-platform/v2-oauth2-client-creds-grant-flow.md, "Successful response":
/// `expires_in` is a number of seconds (3599 in the example); some clouds send it as a string.
#[test]
fn token_lifetime_from_entra_v2_oauth2_client_creds_grant_flow_md() {
    let body = json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik1uQ19WWmNBVGZNNXBP..."
    });
    assert_eq!(crate::identity::seconds(&body["expires_in"]), Some(3599));
    assert_eq!(crate::identity::seconds(&json!("3599")), Some(3599));
    assert_eq!(crate::identity::seconds(&json!(null)), None);
}
