//! The validated scenario: every reference resolved, every id a GUID, every option a number.
//! The services build their indexes from this at start.

/// An Entra tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub key: String,
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
}

/// The app registration the tool signs in with (client credentials). `Debug` leaves the
/// secret out.
#[derive(Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    /// The tenant the app is registered in; tokens are only issued for it.
    pub tenant_id: String,
    /// Whether Dataverse knows the app as an application user.
    pub application_user: bool,
    /// Graph application permissions the app was not granted (e.g. `MailboxSettings.Read`):
    /// Graph refuses the reads that need them with 403.
    pub withheld_graph_permissions: Vec<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("name", &self.name)
            .field("tenant_id", &self.tenant_id)
            .field("application_user", &self.application_user)
            .field("withheld_graph_permissions", &self.withheld_graph_permissions)
            .finish()
    }
}

/// The Dataverse environment.
#[derive(Debug, Clone)]
pub struct Environment {
    pub tenant_id: String,
    pub organization_id: String,
    pub environment_id: String,
    pub name: String,
    pub unique_name: String,
    pub url_name: String,
    pub default_profile_id: Option<String>,
    pub business_unit_id: String,
    /// `requireapprovalforuseremail`, `requireapprovalforqueueemail` of the organization row.
    pub require_approval_for_user_email: bool,
    pub require_approval_for_queue_email: bool,
}

/// A service plan (`servicePlanId`, `servicePlanName`, `service`, `appliesTo`).
#[derive(Debug, Clone)]
pub struct ServicePlan {
    pub id: String,
    pub name: String,
    pub service: String,
    pub applies_to: String,
}

/// A licence SKU and the plans it carries.
#[derive(Debug, Clone)]
pub struct Sku {
    pub id: String,
    pub part_number: String,
    pub plans: Vec<ServicePlan>,
}

#[derive(Debug, Clone)]
pub struct License {
    pub sku: Sku,
    pub disabled_plans: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AssignedPlan {
    pub plan: ServicePlan,
    pub status: String,
}

/// Where an Entra user's mailbox lives, which decides what `mailboxSettings` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxHome {
    /// In Exchange Online, with this `userPurpose`.
    Online(String),
    OnPremises,
    None,
}

/// An Entra user.
#[derive(Debug, Clone)]
pub struct User {
    pub tenant_id: String,
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    pub account_enabled: bool,
    pub on_premises_sync: Option<bool>,
    /// `createdDateTime`.
    pub created: String,
    pub licenses: Vec<License>,
    pub plans: Vec<AssignedPlan>,
    pub mailbox: MailboxHome,
}

/// A soft-deleted Entra user (`directory/deletedItems`).
#[derive(Debug, Clone)]
pub struct DeletedUser {
    pub key: String,
    pub tenant_id: String,
    pub id: String,
    /// As Graph shows it (with the 32-hex-digit prefix unless the scenario turned it off).
    pub upn: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    pub deleted_at: String,
}

#[derive(Debug, Clone)]
pub struct SystemUser {
    pub key: String,
    pub id: String,
    pub full_name: String,
    pub domain_name: Option<String>,
    pub internal_email: Option<String>,
    pub entra_object_id: Option<String>,
    pub azure_state: i64,
    pub disabled: bool,
    pub application_id: Option<String>,
    pub default_mailbox: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Queue {
    pub key: String,
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub default_mailbox: Option<String>,
}

/// Server location: a literal URL or a scenario EWS server, resolved at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Url(String),
    Ews(String),
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub credentials: Option<i64>,
    pub auth: Option<i64>,
    pub location: Option<Location>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub key: String,
    pub id: String,
    pub name: String,
    pub server_type: i64,
    pub server_type_name: String,
    pub incoming: Connection,
    pub outgoing: Connection,
    pub use_autodiscover: bool,
    pub exchange_online_tenant_id: Option<String>,
    pub use_default_tenant_id: bool,
    pub oauth_client_id: Option<String>,
    pub active: bool,
    /// `isoauthclientsecretset`, `lastauthorizationstatus`, `lastcrmmessage`,
    /// `lastteststarttime`.
    pub oauth_secret_set: bool,
    pub last_authorization: Option<i64>,
    pub last_message: Option<String>,
    pub last_test_start: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    User(String),
    Queue(String),
}

#[derive(Debug, Clone)]
pub struct Mailbox {
    pub key: String,
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub owner: Owner,
    pub profile_id: Option<String>,
    pub incoming: i64,
    pub outgoing: i64,
    pub act: i64,
    pub statuses: [i64; 4],
    pub active: bool,
    pub ews_url: Option<String>,
    pub approval: i64,
    pub approved_by_admin: bool,
    /// `lastsyncerror`, `lastsyncerrorcode`, `lastsyncerroroccurredon`,
    /// `lastsuccessfulsynccompletedon`.
    pub last_sync_error: Option<String>,
    pub last_sync_error_code: Option<i64>,
    pub last_sync_error_on: Option<String>,
    pub last_successful_sync: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub id: String,
    pub mailbox_id: String,
    pub level: i64,
    pub text: String,
    pub error_details: Option<String>,
    pub detail_xml: Option<String>,
    pub code: Option<i64>,
    pub created: String,
    pub modified: String,
}

#[derive(Debug, Clone)]
pub struct EwsServer {
    pub name: String,
    /// The HTTP status of every answer (401, or 403 for EWS refused).
    pub status: u16,
    /// Each entry is one `WWW-Authenticate` header value, e.g. `Basic realm="mail.contoso.com"`,
    /// sent with a 401.
    pub challenges: Vec<String>,
}
