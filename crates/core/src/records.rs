//! Typed records the data interface returns. Field names follow the Dataverse and Graph
//! attributes they come from (named in each doc comment); option values follow
//! `shared/reference/microsoft-apis.md`. Values the tool does not know are kept as
//! `Unknown(n)` rather than guessed.

use serde::{Deserialize, Serialize};

mod authorization;
mod challenge;
mod endpoints;
mod state;

pub use authorization::{AuthorizationStatus, ProfileAuthorization};
pub use challenge::{comma_outside_quotes, is_ows, is_tchar, issuer_realm};
pub use endpoints::EwsEndpoint;
pub use state::{EmailApproval, MailboxState, SyncStatus};

/// The Dataverse environment (`RetrieveCurrentOrganization` → `Detail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// `OrganizationId`.
    pub organization_id: String,
    /// `TenantId`: the Entra tenant the environment belongs to.
    pub tenant_id: String,
    /// The environment URL, e.g. `https://contoso.crm.dynamics.com`.
    pub url: String,
    /// `FriendlyName`.
    pub name: String,
}

/// `emailserverprofile.servertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServerType {
    /// 0 — "Exchange Server". An online organisation stores its Exchange Online profiles (the
    /// default "Microsoft Exchange Online" one included) with this value, and legacy
    /// on-premises profiles too: it does not say which (see [`crate::profile_target`]).
    ExchangeServer,
    /// 1 — Other (POP3/SMTP).
    Pop3Smtp,
    /// 2 — Exchange Server (Hybrid): Dynamics 365 online reaching Exchange on-premises.
    ExchangeServerHybrid,
    /// 3 — Exchange Online (Hybrid): Dynamics 365 **on-premises** reaching Exchange Online
    /// (the form script's `ExchangeOnlineOnCrmOnPrem`). Not how an online organisation stores
    /// its Exchange Online profile.
    // Bundles written before the rename call it `ExchangeOnline`.
    #[serde(alias = "ExchangeOnline")]
    ExchangeOnlineHybrid,
    /// 4 — IMAP/SMTP.
    ImapSmtp,
    Unknown(i32),
}

impl From<i32> for ServerType {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::ExchangeServer,
            1 => Self::Pop3Smtp,
            2 => Self::ExchangeServerHybrid,
            3 => Self::ExchangeOnlineHybrid,
            4 => Self::ImapSmtp,
            n => Self::Unknown(n),
        }
    }
}

impl ServerType {
    /// The option value in Dataverse.
    pub fn value(self) -> i32 {
        match self {
            Self::ExchangeServer => 0,
            Self::Pop3Smtp => 1,
            Self::ExchangeServerHybrid => 2,
            Self::ExchangeOnlineHybrid => 3,
            Self::ImapSmtp => 4,
            Self::Unknown(n) => n,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ExchangeServer => "Exchange Server",
            Self::Pop3Smtp => "Other (POP3/SMTP)",
            Self::ExchangeServerHybrid => "Exchange Server (Hybrid)",
            Self::ExchangeOnlineHybrid => "Exchange Online (Hybrid)",
            Self::ImapSmtp => "IMAP/SMTP",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// `incomingcredentialretrieval` / `outgoingcredentialretrieval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CredentialRetrieval {
    /// 0 — credentials specified by a user or queue (user name and password on the mailbox).
    UserOrQueue,
    /// 1 — credentials specified in the e-mail server profile.
    InProfile,
    /// 2 — server-to-server authentication (the Exchange Online default, same tenant).
    ServerToServer,
    /// 3 — Windows integrated authentication.
    WindowsIntegrated,
    /// 4 — without credentials (anonymous).
    Anonymous,
    /// 5 — Gmail OAuth.
    GmailOAuth,
    /// 6 — Exchange Hybrid Modern Auth.
    HybridModernAuth,
    /// 7 — OAuth with Microsoft Entra ID (cross-tenant profiles).
    EntraOAuth,
    Unknown(i32),
}

impl From<i32> for CredentialRetrieval {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::UserOrQueue,
            1 => Self::InProfile,
            2 => Self::ServerToServer,
            3 => Self::WindowsIntegrated,
            4 => Self::Anonymous,
            5 => Self::GmailOAuth,
            6 => Self::HybridModernAuth,
            7 => Self::EntraOAuth,
            n => Self::Unknown(n),
        }
    }
}

impl CredentialRetrieval {
    pub fn value(self) -> i32 {
        match self {
            Self::UserOrQueue => 0,
            Self::InProfile => 1,
            Self::ServerToServer => 2,
            Self::WindowsIntegrated => 3,
            Self::Anonymous => 4,
            Self::GmailOAuth => 5,
            Self::HybridModernAuth => 6,
            Self::EntraOAuth => 7,
            Self::Unknown(n) => n,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::UserOrQueue => "Credentials Specified by a User or Queue",
            Self::InProfile => "Credentials Specified in Email Server Profile",
            Self::ServerToServer => "Server to Server Authentication",
            Self::WindowsIntegrated => "Windows Integrated Authentication",
            Self::Anonymous => "Without Credentials (Anonymous)",
            Self::GmailOAuth => "Gmail OAuth",
            Self::HybridModernAuth => "Exchange Hybrid Modern Auth (HMA)",
            Self::EntraOAuth => "OAuth with Microsoft Entra ID",
            Self::Unknown(_) => "unknown",
        }
    }

    /// True when the connection authenticates with a user name and password: credentials from
    /// the user or queue (0) or from the profile (1). Every other setting signs in with a token
    /// or the server's own identity, whatever `…authenticationprotocol` says: Microsoft's
    /// profile form writes Auto Detect or Basic there for token-based profiles too.
    pub fn uses_password(self) -> bool {
        matches!(self, Self::UserOrQueue | Self::InProfile)
    }
}

/// `incomingauthenticationprotocol` / `outgoingauthenticationprotocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthProtocol {
    /// 0 — Auto Detect.
    AutoDetect,
    /// 1 — Negotiate.
    Negotiate,
    /// 2 — NTLM.
    Ntlm,
    /// 3 — Basic.
    Basic,
    /// 4 — OAuth.
    OAuth,
    Unknown(i32),
}

impl From<i32> for AuthProtocol {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::AutoDetect,
            1 => Self::Negotiate,
            2 => Self::Ntlm,
            3 => Self::Basic,
            4 => Self::OAuth,
            n => Self::Unknown(n),
        }
    }
}

impl AuthProtocol {
    pub fn value(self) -> i32 {
        match self {
            Self::AutoDetect => 0,
            Self::Negotiate => 1,
            Self::Ntlm => 2,
            Self::Basic => 3,
            Self::OAuth => 4,
            Self::Unknown(n) => n,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AutoDetect => "Auto Detect",
            Self::Negotiate => "Negotiate",
            Self::Ntlm => "NTLM",
            Self::Basic => "Basic",
            Self::OAuth => "OAuth",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// One direction (incoming or outgoing) of a profile's connection settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// `…credentialretrieval`; `None` when the column is empty.
    pub credential_retrieval: Option<CredentialRetrieval>,
    /// `…authenticationprotocol`.
    pub auth_protocol: Option<AuthProtocol>,
    /// `…serverlocation`: the EWS URL for Exchange profiles.
    pub server_location: Option<String>,
}

impl Connection {
    /// Whether this direction sends a user name and password, decided by its credential setting
    /// (see [`CredentialRetrieval::uses_password`]); `None` when the setting is empty or unknown.
    pub fn sends_password(&self) -> Option<bool> {
        match self.credential_retrieval? {
            CredentialRetrieval::Unknown(_) => None,
            cred => Some(cred.uses_password()),
        }
    }
}

/// An e-mail server profile (`emailserverprofiles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailServerProfile {
    /// `emailserverprofileid`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `servertype`.
    pub server_type: ServerType,
    /// `emailservertypename` (display text, e.g. "Exchange Online").
    pub server_type_name: Option<String>,
    pub incoming: Connection,
    pub outgoing: Connection,
    /// `useautodiscover`.
    pub use_autodiscover: bool,
    /// `exchangeonlinetenantid`.
    pub exchange_online_tenant_id: Option<String>,
    /// `usedefaulttenantid` (default true).
    pub use_default_tenant_id: bool,
    /// `statecode == 0`.
    pub active: bool,
    /// `oauthclientid`, `isoauthclientsecretset` and the last authorisation test. Absent in
    /// bundles of earlier versions, which then read as "nothing known".
    #[serde(default)]
    pub authorization: ProfileAuthorization,
}

impl EmailServerProfile {
    /// Both directions, for checks that look at either.
    pub fn connections(&self) -> [(&'static str, &Connection); 2] {
        [("incoming", &self.incoming), ("outgoing", &self.outgoing)]
    }

    /// The distinct server locations of the profile (incoming, outgoing), in that order.
    pub fn server_locations(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (_, c) in self.connections() {
            if let Some(loc) = c.server_location.as_deref().filter(|l| !l.trim().is_empty())
                && !out.contains(&loc)
            {
                out.push(loc);
            }
        }
        out
    }
}

/// Delivery methods of a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryMethods {
    /// `incomingemaildeliverymethod`: 0 None, 1 Outlook, 2 Server-Side Synchronization, 3 Forward Mailbox.
    pub incoming: i32,
    /// `outgoingemaildeliverymethod`: 0 None, 1 Outlook, 2 Server-Side Synchronization.
    pub outgoing: i32,
    /// `actdeliverymethod`: 0 Outlook, 1 Server-Side Synchronization, 2 None.
    pub act: i32,
}

impl DeliveryMethods {
    pub const INCOMING_SSS: i32 = 2;
    pub const OUTGOING_SSS: i32 = 2;
    pub const ACT_SSS: i32 = 1;

    /// True when server-side synchronization handles at least one of incoming, outgoing or
    /// appointments/contacts/tasks.
    pub fn uses_server_side_sync(&self) -> bool {
        self.incoming == Self::INCOMING_SSS
            || self.outgoing == Self::OUTGOING_SSS
            || self.act == Self::ACT_SSS
    }
}

/// Whom a mailbox belongs to (`_regardingobjectid_value` with its lookup logical name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Regarding {
    /// A Dataverse user (`systemuser`).
    User(String),
    /// A queue (`queue`).
    Queue(String),
    /// Any other or an empty lookup.
    None,
}

/// A mailbox record (`mailboxes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// `mailboxid`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `emailaddress`.
    pub email_address: Option<String>,
    /// `_regardingobjectid_value`.
    pub regarding: Regarding,
    /// `_emailserverprofile_value`.
    pub profile_id: Option<String>,
    pub delivery: DeliveryMethods,
    /// The state of its synchronisation: statuses, last error, approval, enabled directions.
    /// Absent in bundles of earlier versions, which then read as "nothing known".
    #[serde(default)]
    pub state: MailboxState,
    /// `statecode == 0`.
    pub active: bool,
    /// `ewsurl`: the EWS URL autodiscover found for the mailbox, if any.
    pub ews_url: Option<String>,
}

impl Mailbox {
    /// True when the mailbox uses the profile `profile_id` (GUIDs compare without case).
    pub fn is_on_profile(&self, profile_id: &str) -> bool {
        self.profile_id
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(profile_id))
    }

    /// The address to report the mailbox under: its e-mail address, else its name.
    pub fn display_address(&self) -> &str {
        self.email_address.as_deref().unwrap_or(&self.name)
    }
}

/// `systemuser.azurestate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzureState {
    /// 0 — Exists.
    Exists,
    /// 1 — Soft deleted.
    SoftDeleted,
    /// 2 — Not found or hard deleted.
    NotFound,
    Unknown(i32),
}

impl From<i32> for AzureState {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Exists,
            1 => Self::SoftDeleted,
            2 => Self::NotFound,
            n => Self::Unknown(n),
        }
    }
}

impl AzureState {
    pub fn value(self) -> i32 {
        match self {
            Self::Exists => 0,
            Self::SoftDeleted => 1,
            Self::NotFound => 2,
            Self::Unknown(n) => n,
        }
    }
}

/// A Dataverse user (`systemusers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUser {
    /// `systemuserid`.
    pub id: String,
    /// `fullname`.
    pub full_name: String,
    /// `domainname`: the sign-in name (UPN) in Dynamics 365 online.
    pub domain_name: Option<String>,
    /// `internalemailaddress`: "Primary Email".
    pub internal_email: Option<String>,
    /// `azureactivedirectoryobjectid`: the Entra object id Dataverse holds for the user.
    pub entra_object_id: Option<String>,
    /// `azurestate`.
    pub azure_state: Option<AzureState>,
    /// `isdisabled`.
    pub disabled: bool,
}

/// A Dataverse queue (`queues`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// `queueid`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `emailaddress`.
    pub email_address: Option<String>,
}

/// `assignedPlan.capabilityStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapabilityStatus {
    Enabled,
    Warning,
    Suspended,
    Deleted,
    LockedOut,
    Other(String),
}

impl From<&str> for CapabilityStatus {
    fn from(s: &str) -> Self {
        match s {
            "Enabled" => Self::Enabled,
            "Warning" => Self::Warning,
            "Suspended" => Self::Suspended,
            "Deleted" => Self::Deleted,
            "LockedOut" => Self::LockedOut,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl CapabilityStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "Enabled",
            Self::Warning => "Warning",
            Self::Suspended => "Suspended",
            Self::Deleted => "Deleted",
            Self::LockedOut => "LockedOut",
            Self::Other(s) => s,
        }
    }
}

/// A Graph `assignedPlan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedPlan {
    /// `servicePlanId` (lower case).
    pub service_plan_id: String,
    /// `service`, e.g. `exchange`.
    pub service: String,
    /// `capabilityStatus`.
    pub capability_status: CapabilityStatus,
    /// `assignedDateTime`.
    pub assigned_at: Option<String>,
}

/// A Graph `assignedLicense`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedLicense {
    /// `skuId`.
    pub sku_id: String,
    /// `disabledPlans`: service plan ids switched off in this licence (lower case).
    pub disabled_plans: Vec<String>,
}

/// An Entra ID user (Graph `users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraUser {
    /// `id`: the object id.
    pub id: String,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail`: the primary SMTP address.
    pub mail: Option<String>,
    /// `proxyAddresses`: `SMTP:` primary, `smtp:` secondary, other types kept as they are.
    pub proxy_addresses: Vec<String>,
    /// `assignedPlans`.
    pub assigned_plans: Vec<AssignedPlan>,
    /// `assignedLicenses`.
    pub assigned_licenses: Vec<AssignedLicense>,
    /// `accountEnabled`.
    pub account_enabled: Option<bool>,
    /// `createdDateTime` (RFC 3339): when the object was created; a user created after a
    /// soft-deleted twin was deleted is a recreation.
    #[serde(default)]
    pub created_at: Option<String>,
    /// `onPremisesSyncEnabled`: `true` synced from on-premises AD now, `false` synced once,
    /// `None` (null) never synced, i.e. a cloud-only user.
    #[serde(default)]
    pub on_premises_sync: Option<bool>,
}

/// What a mailbox is for (Graph `mailboxSettings.userPurpose`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailboxPurpose {
    User,
    Linked,
    Shared,
    Room,
    Equipment,
    Other(String),
}

impl From<&str> for MailboxPurpose {
    fn from(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "user" => Self::User,
            "linked" => Self::Linked,
            "shared" => Self::Shared,
            "room" => Self::Room,
            "equipment" => Self::Equipment,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl MailboxPurpose {
    pub fn as_str(&self) -> &str {
        match self {
            Self::User => "user",
            Self::Linked => "linked",
            Self::Shared => "shared",
            Self::Room => "room",
            Self::Equipment => "equipment",
            Self::Other(s) => s,
        }
    }

    /// Shared, room and equipment mailboxes need no Exchange Online licence.
    pub fn needs_license(&self) -> bool {
        !matches!(self, Self::Shared | Self::Room | Self::Equipment)
    }
}

/// Where a user's mailbox lives, as Graph sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "location", rename_all = "kebab-case")]
pub enum MailboxLocation {
    /// `mailboxSettings` answered: the mailbox is in Exchange Online.
    ExchangeOnline { purpose: Option<MailboxPurpose> },
    /// `mailboxSettings` answered 404 `MailboxNotEnabledForRESTAPI` (or
    /// `MailboxNotSupportedForRESTAPI`): the mailbox is on-premises, or there is none.
    NotInExchangeOnline { code: String },
}

/// A soft-deleted Entra user (Graph `directory/deletedItems/microsoft.graph.user`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedUser {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    /// `deletedDateTime` (RFC 3339).
    pub deleted_at: Option<String>,
}

/// One `WWW-Authenticate` challenge of an EWS endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthChallenge {
    /// The scheme as sent (`Basic`, `NTLM`, `Negotiate`, `Bearer`…).
    pub scheme: String,
    /// The parameters after the scheme, verbatim (`realm="mail.contoso.com"`).
    pub params: String,
}

/// What an EWS endpoint answered to one unauthenticated request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EwsProbe {
    /// The URL probed.
    pub url: String,
    /// The HTTP status (401 expected).
    pub status: u16,
    /// Every challenge, in the order sent.
    pub challenges: Vec<AuthChallenge>,
}

impl EwsProbe {
    /// True when a challenge of this scheme (case-insensitive) was offered.
    pub fn offers(&self, scheme: &str) -> bool {
        self.challenges
            .iter()
            .any(|c| c.scheme.eq_ignore_ascii_case(scheme))
    }

    pub fn schemes(&self) -> Vec<&str> {
        self.challenges.iter().map(|c| c.scheme.as_str()).collect()
    }
}

/// `tracelog.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertLevel {
    /// 1.
    Information,
    /// 2.
    Warning,
    /// 3.
    Error,
    Unknown(i32),
}

impl From<i32> for AlertLevel {
    fn from(v: i32) -> Self {
        match v {
            1 => Self::Information,
            2 => Self::Warning,
            3 => Self::Error,
            n => Self::Unknown(n),
        }
    }
}

impl AlertLevel {
    pub fn value(self) -> i32 {
        match self {
            Self::Information => 1,
            Self::Warning => 2,
            Self::Error => 3,
            Self::Unknown(n) => n,
        }
    }
}

/// An alert on a mailbox (`tracelogs` regarding the mailbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// `tracelogid`.
    pub id: String,
    /// `level`.
    pub level: AlertLevel,
    /// `text`.
    pub text: String,
    /// `errordetails`.
    pub error_details: Option<String>,
    /// `tracedetailxml` and `traceparameterxml`, concatenated where present. Which column
    /// carries a marker is not documented, so checks search all of them.
    pub detail_xml: Option<String>,
    /// `tracecode`.
    pub code: Option<i32>,
    /// `modifiedon` (repeated alerts update the same row), else `createdon`.
    pub last_seen: Option<String>,
}

impl Alert {
    /// True when `needle` appears (case-insensitive) in the text, details or detail XML.
    pub fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        [
            Some(self.text.as_str()),
            self.error_details.as_deref(),
            self.detail_xml.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|t| t.to_lowercase().contains(&needle))
    }
}
