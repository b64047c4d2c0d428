//! JSON answers of Dataverse and Graph → the core's records. Option values are kept as
//! numbers and mapped by the core's `From<i32>`; anything the tool does not know stays
//! `Unknown(n)`. A record without its key is malformed; an absent optional column is `None`.

use serde_json::Value;
use ssync_core::records::*;

pub(crate) type Decoded<T> = Result<T, String>;

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn non_empty(v: &Value, name: &str) -> Option<String> {
    text(v, name).filter(|s| !s.trim().is_empty())
}

fn required(v: &Value, name: &str) -> Decoded<String> {
    non_empty(v, name).ok_or_else(|| format!("a record without {name}"))
}

fn int(v: &Value, name: &str) -> Option<i32> {
    match v.get(name)? {
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn boolean(v: &Value, name: &str) -> Option<bool> {
    match v.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn strings(v: &Value, name: &str) -> Vec<String> {
    v.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `RetrieveCurrentOrganization` → `{"Detail": {…}}`.
pub(crate) fn environment(v: &Value, url: &str) -> Decoded<Environment> {
    let d = v
        .get("Detail")
        .ok_or("no Detail in RetrieveCurrentOrganization")?;
    Ok(Environment {
        organization_id: required(d, "OrganizationId")?,
        tenant_id: required(d, "TenantId")?,
        url: url.to_owned(),
        name: text(d, "FriendlyName")
            .or_else(|| text(d, "UniqueName"))
            .unwrap_or_default(),
    })
}

pub(crate) const PROFILE_COLUMNS: &str = "emailserverprofileid,name,servertype,emailservertypename,\
incomingcredentialretrieval,outgoingcredentialretrieval,incomingauthenticationprotocol,\
outgoingauthenticationprotocol,incomingserverlocation,outgoingserverlocation,useautodiscover,\
exchangeonlinetenantid,usedefaulttenantid,statecode,oauthclientid,isoauthclientsecretset,\
lastauthorizationstatus,lastcrmmessage,lastteststarttime";

pub(crate) fn profile(v: &Value) -> Decoded<EmailServerProfile> {
    let connection = |dir: &str| Connection {
        credential_retrieval: int(v, &format!("{dir}credentialretrieval")).map(CredentialRetrieval::from),
        auth_protocol: int(v, &format!("{dir}authenticationprotocol")).map(AuthProtocol::from),
        server_location: non_empty(v, &format!("{dir}serverlocation")),
    };
    Ok(EmailServerProfile {
        id: required(v, "emailserverprofileid")?,
        name: text(v, "name").unwrap_or_default(),
        server_type: ServerType::from(int(v, "servertype").ok_or("a profile without servertype")?),
        server_type_name: non_empty(v, "emailservertypename"),
        incoming: connection("incoming"),
        outgoing: connection("outgoing"),
        use_autodiscover: boolean(v, "useautodiscover").unwrap_or(false),
        exchange_online_tenant_id: non_empty(v, "exchangeonlinetenantid"),
        use_default_tenant_id: boolean(v, "usedefaulttenantid").unwrap_or(true),
        active: int(v, "statecode").unwrap_or(0) == 0,
        authorization: profile_authorization(v),
    })
}

/// The profile's application credentials and last authorisation test. Columns and option
/// values: Microsoft's emailserverprofile table reference,
/// <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/emailserverprofile>
/// (`shared/reference/microsoft-apis.md` §A.3: `lastauthorizationstatus` 0 Failure, 1 Success).
/// `oauthclientsecret` is not readable and not asked for; every other column may be null.
fn profile_authorization(v: &Value) -> ProfileAuthorization {
    ProfileAuthorization {
        client_id: non_empty(v, "oauthclientid"),
        secret_set: boolean(v, "isoauthclientsecretset"),
        last_status: int(v, "lastauthorizationstatus").map(AuthorizationStatus::from),
        last_message: non_empty(v, "lastcrmmessage"),
        last_test_start: non_empty(v, "lastteststarttime"),
    }
}

pub(crate) const MAILBOX_COLUMNS: &str = "mailboxid,name,emailaddress,_regardingobjectid_value,\
_emailserverprofile_value,incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod,\
incomingemailstatus,outgoingemailstatus,actstatus,mailboxstatus,statecode,ewsurl,\
enabledforincomingemail,enabledforoutgoingemail,enabledforact,emailrouteraccessapproval,\
isemailaddressapprovedbyo365admin,lastsyncerror,lastsyncerrorcode,lastsyncerroroccurredon,\
lastsuccessfulsynccompletedon";

const LOOKUP_NAME: &str = "@Microsoft.Dynamics.CRM.lookuplogicalname";

pub(crate) fn mailbox(v: &Value) -> Decoded<Mailbox> {
    let id = required(v, "mailboxid")?;
    let regarding = match non_empty(v, "_regardingobjectid_value") {
        None => Regarding::None,
        Some(owner) => match text(v, &format!("_regardingobjectid_value{LOOKUP_NAME}")).as_deref() {
            Some("systemuser") => Regarding::User(owner),
            Some("queue") => Regarding::Queue(owner),
            Some(_) => Regarding::None,
            None => {
                return Err(format!(
                    "mailbox {id}: _regardingobjectid_value comes without its lookuplogicalname annotation"
                ));
            }
        },
    };
    Ok(Mailbox {
        name: text(v, "name").unwrap_or_default(),
        email_address: non_empty(v, "emailaddress"),
        regarding,
        profile_id: non_empty(v, "_emailserverprofile_value"),
        delivery: DeliveryMethods {
            incoming: int(v, "incomingemaildeliverymethod").unwrap_or(0),
            outgoing: int(v, "outgoingemaildeliverymethod").unwrap_or(0),
            act: int(v, "actdeliverymethod").unwrap_or(2),
        },
        state: mailbox_state(v),
        active: int(v, "statecode").unwrap_or(0) == 0,
        ews_url: non_empty(v, "ewsurl"),
        id,
    })
}

/// The mailbox's synchronisation state. Columns and option values: Microsoft's mailbox table
/// reference, <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox>
/// (`shared/reference/microsoft-apis.md` §A.2). Every column may be null; the enabled flags
/// default to true there, and so here.
fn mailbox_state(v: &Value) -> MailboxState {
    let status = |name: &str| int(v, name).map(SyncStatus::from);
    MailboxState {
        incoming: status("incomingemailstatus"),
        outgoing: status("outgoingemailstatus"),
        act: status("actstatus"),
        mailbox: status("mailboxstatus"),
        enabled_for_incoming: boolean(v, "enabledforincomingemail").unwrap_or(true),
        enabled_for_outgoing: boolean(v, "enabledforoutgoingemail").unwrap_or(true),
        enabled_for_act: boolean(v, "enabledforact").unwrap_or(true),
        email_address_approval: int(v, "emailrouteraccessapproval").map(EmailApproval::from),
        email_address_approved_by_o365_admin: boolean(v, "isemailaddressapprovedbyo365admin"),
        last_sync_error: non_empty(v, "lastsyncerror"),
        last_sync_error_code: int(v, "lastsyncerrorcode"),
        last_sync_error_on: non_empty(v, "lastsyncerroroccurredon"),
        last_successful_sync_on: non_empty(v, "lastsuccessfulsynccompletedon"),
    }
}

pub(crate) const SYSTEM_USER_COLUMNS: &str = "systemuserid,fullname,domainname,internalemailaddress,azureactivedirectoryobjectid,azurestate,isdisabled";

pub(crate) fn system_user(v: &Value) -> Decoded<SystemUser> {
    Ok(SystemUser {
        id: required(v, "systemuserid")?,
        full_name: text(v, "fullname").unwrap_or_default(),
        domain_name: non_empty(v, "domainname"),
        internal_email: non_empty(v, "internalemailaddress"),
        entra_object_id: non_empty(v, "azureactivedirectoryobjectid"),
        azure_state: int(v, "azurestate").map(AzureState::from),
        disabled: boolean(v, "isdisabled").unwrap_or(false),
    })
}

pub(crate) const QUEUE_COLUMNS: &str = "queueid,name,emailaddress";

pub(crate) fn queue(v: &Value) -> Decoded<Queue> {
    Ok(Queue {
        id: required(v, "queueid")?,
        name: text(v, "name").unwrap_or_default(),
        email_address: non_empty(v, "emailaddress"),
    })
}

pub(crate) const ALERT_COLUMNS: &str = "tracelogid,level,text,errordetails,tracedetailxml,traceparameterxml,\
tracecode,modifiedon,createdon,_regardingobjectid_value";

/// An alert with the mailbox it regards.
pub(crate) fn alert(v: &Value) -> Decoded<(Option<String>, Alert)> {
    let xml: Vec<String> = ["tracedetailxml", "traceparameterxml"]
        .iter()
        .filter_map(|c| non_empty(v, c))
        .collect();
    Ok((
        non_empty(v, "_regardingobjectid_value").map(|s| s.to_ascii_lowercase()),
        Alert {
            id: required(v, "tracelogid")?,
            level: AlertLevel::from(int(v, "level").unwrap_or(0)),
            text: text(v, "text").unwrap_or_default(),
            error_details: non_empty(v, "errordetails"),
            detail_xml: (!xml.is_empty()).then(|| xml.join("\n")),
            code: int(v, "tracecode"),
            last_seen: non_empty(v, "modifiedon").or_else(|| non_empty(v, "createdon")),
        },
    ))
}

/// Newest first, by `modifiedon`/`createdon` (ISO 8601 in UTC sorts as text).
pub(crate) fn newest_first(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
}

pub(crate) const USER_PROPERTIES: &str = "id,userPrincipalName,displayName,mail,proxyAddresses,assignedPlans,assignedLicenses,accountEnabled,\
createdDateTime,onPremisesSyncEnabled";

pub(crate) fn entra_user(v: &Value) -> Decoded<EntraUser> {
    let plans = v
        .get("assignedPlans")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| AssignedPlan {
                    service_plan_id: text(p, "servicePlanId").unwrap_or_default().to_ascii_lowercase(),
                    service: text(p, "service").unwrap_or_default(),
                    capability_status: CapabilityStatus::from(
                        text(p, "capabilityStatus").unwrap_or_default().as_str(),
                    ),
                    assigned_at: non_empty(p, "assignedDateTime"),
                })
                .collect()
        })
        .unwrap_or_default();
    let licenses = v
        .get("assignedLicenses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|l| AssignedLicense {
                    sku_id: text(l, "skuId").unwrap_or_default().to_ascii_lowercase(),
                    disabled_plans: strings(l, "disabledPlans")
                        .iter()
                        .map(|p| p.to_ascii_lowercase())
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(EntraUser {
        id: required(v, "id")?,
        user_principal_name: text(v, "userPrincipalName").unwrap_or_default(),
        display_name: non_empty(v, "displayName"),
        mail: non_empty(v, "mail"),
        proxy_addresses: strings(v, "proxyAddresses"),
        assigned_plans: plans,
        assigned_licenses: licenses,
        account_enabled: boolean(v, "accountEnabled"),
        created_at: non_empty(v, "createdDateTime"),
        // `null` means never synced: only a JSON `true`/`false` is a value.
        on_premises_sync: v.get("onPremisesSyncEnabled").and_then(Value::as_bool),
    })
}

pub(crate) const DELETED_USER_PROPERTIES: &str =
    "id,userPrincipalName,displayName,mail,proxyAddresses,deletedDateTime";

pub(crate) fn deleted_user(v: &Value) -> Decoded<DeletedUser> {
    Ok(DeletedUser {
        id: required(v, "id")?,
        user_principal_name: text(v, "userPrincipalName").unwrap_or_default(),
        display_name: non_empty(v, "displayName"),
        mail: non_empty(v, "mail"),
        proxy_addresses: strings(v, "proxyAddresses"),
        deleted_at: non_empty(v, "deletedDateTime"),
    })
}

/// The Graph codes that mean "no Exchange Online mailbox here".
pub(crate) const NOT_IN_EXCHANGE_ONLINE: [&str; 2] =
    ["MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI"];

/// `mailboxSettings.userPurpose`: v1.0 documents an enum string (`"shared"`), while beta
/// examples show an object (`{"value": "shared"}`); both are read.
fn user_purpose(body: &Value) -> Option<String> {
    match body.get("userPurpose")? {
        Value::Object(o) => non_empty(&Value::Object(o.clone()), "value"),
        _ => non_empty(body, "userPurpose"),
    }
}

/// `GET /users/{id}/mailboxSettings` → where the mailbox lives; `None` when the answer is an
/// error that says something else (the caller reports it).
pub(crate) fn mailbox_location(status: u16, body: &Value) -> Option<MailboxLocation> {
    if (200..300).contains(&status) {
        return Some(MailboxLocation::ExchangeOnline {
            purpose: user_purpose(body).map(|p| MailboxPurpose::from(p.as_str())),
        });
    }
    let code = body
        .get("error")
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)?;
    (status == 404 && NOT_IN_EXCHANGE_ONLINE.contains(&code)).then(|| MailboxLocation::NotInExchangeOnline {
        code: code.to_owned(),
    })
}

/// The tenant GUID in an OpenID `issuer` (`https://login.microsoftonline.com/{tenant}/v2.0`,
/// or `https://sts.windows.net/{tenant}/` for v1).
pub(crate) fn issuer_tenant(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    let first = url.path_segments()?.find(|s| !s.is_empty())?;
    is_guid(first).then(|| first.to_ascii_lowercase())
}

pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod shapes;
#[cfg(test)]
mod tests;
