//! The scenario file as written (TOML, see docs/scenarios.md). References to other records
//! and values that need checking are `Spanned`, so an error can name its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub environment: EnvironmentFile,
    pub app: AppFile,
    #[serde(default)]
    pub tenants: Vec<TenantFile>,
    #[serde(default)]
    pub service_plans: Vec<ServicePlanFile>,
    #[serde(default)]
    pub skus: Vec<SkuFile>,
    #[serde(default)]
    pub ews_servers: Vec<EwsServerFile>,
    #[serde(default)]
    pub profiles: Vec<ProfileFile>,
    #[serde(default)]
    pub users: Vec<UserFile>,
    #[serde(default)]
    pub deleted_users: Vec<DeletedUserFile>,
    #[serde(default)]
    pub system_users: Vec<SystemUserFile>,
    #[serde(default)]
    pub queues: Vec<QueueFile>,
    #[serde(default)]
    pub mailboxes: Vec<MailboxFile>,
    #[serde(default)]
    pub alerts: Vec<AlertFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentFile {
    pub name: String,
    pub tenant: S<String>,
    pub unique_name: Option<String>,
    pub url_name: Option<String>,
    pub organization_id: Option<S<String>>,
    pub environment_id: Option<S<String>>,
    pub default_profile: Option<S<String>>,
    /// `organization.requireapprovalforuseremail` ("Process emails only for approved users");
    /// default false.
    #[serde(default)]
    pub require_approval_for_user_email: bool,
    /// `organization.requireapprovalforqueueemail`; default false.
    #[serde(default)]
    pub require_approval_for_queue_email: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFile {
    pub client_id: S<String>,
    pub client_secret: String,
    pub tenant: S<String>,
    pub name: Option<String>,
    /// Whether the app exists as a Dataverse application user (default true). When false,
    /// Dataverse refuses its valid tokens with 403 0x80072560.
    #[serde(default = "yes")]
    pub application_user: bool,
    /// Graph application permissions not granted to the app (default none).
    #[serde(default)]
    pub withheld_graph_permissions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    pub key: S<String>,
    pub id: S<String>,
    pub name: String,
    pub domains: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePlanFile {
    pub name: S<String>,
    pub id: S<String>,
    pub service: String,
    #[serde(default = "default_applies_to")]
    pub applies_to: String,
}

fn default_applies_to() -> String {
    "User".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuFile {
    pub part_number: S<String>,
    pub id: S<String>,
    pub plans: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwsServerFile {
    pub name: S<String>,
    #[serde(default)]
    pub challenges: Vec<String>,
    /// The HTTP status of every answer: 401 (default) asks for credentials with the
    /// challenges; 403 refuses EWS before any sign-in.
    pub status: Option<S<i64>>,
    /// Tenant keys (or `*`) whose Entra ID tokens the server trusts: a `Bearer` challenge
    /// naming them in `trusted_issuers` is sent before `challenges`.
    #[serde(default)]
    pub bearer_trusts: Vec<S<String>>,
}

/// A Dataverse option written as its number or its label.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum OptVal {
    Num(i64),
    Name(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub key: S<String>,
    pub id: Option<S<String>>,
    pub name: String,
    pub server_type: S<OptVal>,
    pub server_type_name: Option<String>,
    /// Both directions unless `incoming_*`/`outgoing_*` say otherwise.
    pub credentials: Option<S<OptVal>>,
    pub incoming_credentials: Option<S<OptVal>>,
    pub outgoing_credentials: Option<S<OptVal>>,
    pub auth: Option<S<OptVal>>,
    pub incoming_auth: Option<S<OptVal>>,
    pub outgoing_auth: Option<S<OptVal>>,
    /// A URL, or `ews:<server>` for a scenario EWS server.
    pub location: Option<S<String>>,
    pub incoming_location: Option<S<String>>,
    pub outgoing_location: Option<S<String>>,
    #[serde(default)]
    pub use_autodiscover: bool,
    /// A tenant key (`exchange_online_tenant`) or a literal id (`exchange_online_tenant_id`).
    pub exchange_online_tenant: Option<S<String>>,
    pub exchange_online_tenant_id: Option<S<String>>,
    #[serde(default = "yes")]
    pub use_default_tenant_id: bool,
    pub oauth_client_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// `isoauthclientsecretset`; defaults to whether `oauth_client_id` is set.
    pub oauth_secret_set: Option<bool>,
    /// `lastauthorizationstatus` (0 Failure, 1 Success); default null.
    pub last_authorization: Option<S<OptVal>>,
    /// `lastcrmmessage`; default null.
    pub last_message: Option<String>,
    /// `lastteststarttime` (RFC 3339); default null.
    pub last_test_start: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(untagged)]
pub enum LicenseFile {
    Sku(String),
    Full {
        sku: String,
        #[serde(default)]
        disabled_plans: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    pub tenant: S<String>,
    pub upn: S<String>,
    pub id: Option<S<String>>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// Defaults to the UPN; write `mail = ""` for none.
    pub mail: Option<String>,
    /// Defaults to `["SMTP:<mail>"]`.
    pub proxy_addresses: Option<Vec<String>>,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    pub on_premises_sync: Option<bool>,
    /// `createdDateTime` (RFC 3339); defaults to a fixed date long ago.
    pub created: Option<String>,
    #[serde(default)]
    pub licenses: Vec<S<LicenseFile>>,
    /// `capabilityStatus` per plan name, for plans that are not `Enabled`.
    #[serde(default)]
    pub plan_status: BTreeMap<String, S<String>>,
    /// `online` (default), `on-premises` or `none`.
    pub mailbox: Option<S<String>>,
    /// `userPurpose` of an Exchange Online mailbox (default `user`).
    pub purpose: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletedUserFile {
    pub key: S<String>,
    pub tenant: S<String>,
    pub id: Option<S<String>>,
    pub upn: String,
    /// Show the UPN with the 32-hex-digit object-id prefix, as Entra does (default true).
    #[serde(default = "yes")]
    pub prefix_upn: bool,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub proxy_addresses: Option<Vec<String>>,
    pub deleted: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemUserFile {
    pub key: S<String>,
    pub id: Option<S<String>>,
    pub full_name: Option<String>,
    pub domain_name: Option<String>,
    pub internal_email: Option<String>,
    /// A user's UPN (`users`) or a deleted user's key (`deleted_users`).
    pub entra_user: Option<S<String>>,
    pub entra_object_id: Option<S<String>>,
    #[serde(default)]
    pub azure_state: Option<S<OptVal>>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueFile {
    pub key: S<String>,
    pub id: Option<S<String>>,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxFile {
    pub address: S<String>,
    pub id: Option<S<String>>,
    pub name: Option<String>,
    pub owner_user: Option<S<String>>,
    pub owner_queue: Option<S<String>>,
    /// Defaults to the environment's default profile.
    pub profile: Option<S<String>>,
    /// `server-side-sync` (default) or `none`; or set each method below.
    pub delivery: Option<S<String>>,
    pub incoming: Option<S<OptVal>>,
    pub outgoing: Option<S<OptVal>>,
    pub act: Option<S<OptVal>>,
    /// `[incoming, outgoing, act, mailbox]` statuses (0 Not Run, 1 Success, 2 Failure).
    pub statuses: Option<[i64; 4]>,
    #[serde(default = "yes")]
    pub active: bool,
    pub ews_url: Option<String>,
    pub approval: Option<S<OptVal>>,
    #[serde(default = "yes")]
    pub approved_by_admin: bool,
    /// `lastsyncerror`: the text of the last synchronisation error (default none).
    pub last_sync_error: Option<String>,
    /// `lastsyncerrorcode` (default none).
    pub last_sync_error_code: Option<i64>,
    /// `lastsyncerroroccurredon` (RFC 3339; default a day ago when a status is Failure).
    pub last_sync_error_on: Option<String>,
    /// `lastsuccessfulsynccompletedon` (RFC 3339; default ten days ago for a failing mailbox,
    /// now for a healthy one, none when nothing ever ran).
    pub last_successful_sync: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertFile {
    /// The mailbox's address.
    pub mailbox: S<String>,
    pub id: Option<S<String>>,
    pub level: S<OptVal>,
    pub text: String,
    pub error_details: Option<String>,
    pub detail_xml: Option<String>,
    pub code: Option<i64>,
    pub created: Option<String>,
    pub modified: Option<String>,
}
