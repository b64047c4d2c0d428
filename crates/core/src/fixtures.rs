//! Ready-made records with healthy defaults, for tests. Change the fields a test is about;
//! every record here describes a mailbox that would synchronise.

use crate::records::*;

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const OTHER_TENANT: &str = "22222222-2222-2222-2222-222222222222";

pub fn environment() -> Environment {
    Environment {
        organization_id: "00000000-0000-0000-0000-0000000000e1".into(),
        tenant_id: TENANT.into(),
        url: "https://contoso.crm.dynamics.com".into(),
        name: "Contoso".into(),
    }
}

/// The default "Microsoft Exchange Online" profile as an online organisation stores it: server
/// type 0 with the display name "Exchange Online", server-to-server, same tenant.
pub fn exchange_online_profile(id: &str) -> EmailServerProfile {
    let conn = Connection {
        credential_retrieval: Some(CredentialRetrieval::ServerToServer),
        auth_protocol: None,
        server_location: Some("https://outlook.office365.com/EWS/Exchange.asmx".into()),
    };
    EmailServerProfile {
        id: id.into(),
        name: "Microsoft Exchange Online".into(),
        server_type: ServerType::ExchangeServer,
        server_type_name: Some("Exchange Online".into()),
        incoming: conn.clone(),
        outgoing: conn,
        use_autodiscover: true,
        exchange_online_tenant_id: None,
        use_default_tenant_id: true,
        active: true,
        authorization: ProfileAuthorization::default(),
    }
}

/// A cross-tenant profile as Microsoft's "Connect to Exchange Online in another tenant with
/// OAuth" steps leave it: OAuth with Microsoft Entra ID, its own tenant, an application id and a
/// client secret, and a successful last authorisation test.
pub fn cross_tenant_profile(id: &str, tenant: &str) -> EmailServerProfile {
    let conn = Connection {
        credential_retrieval: Some(CredentialRetrieval::EntraOAuth),
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: Some("https://outlook.office365.com/EWS/Exchange.asmx".into()),
    };
    EmailServerProfile {
        name: "Fabrikam cross-tenant OAuth".into(),
        incoming: conn.clone(),
        outgoing: conn,
        exchange_online_tenant_id: Some(tenant.into()),
        use_default_tenant_id: false,
        authorization: ProfileAuthorization {
            client_id: Some("7b2c9d4e-1f3a-4b5c-8d6e-9f0a1b2c3d4e".into()),
            secret_set: Some(true),
            last_status: Some(AuthorizationStatus::Success),
            last_message: None,
            last_test_start: Some("2026-11-30T08:00:00Z".into()),
        },
        ..exchange_online_profile(id)
    }
}

/// An Exchange Server (Hybrid) profile with Exchange Hybrid Modern Auth.
pub fn hybrid_profile(id: &str) -> EmailServerProfile {
    let conn = Connection {
        credential_retrieval: Some(CredentialRetrieval::HybridModernAuth),
        auth_protocol: Some(AuthProtocol::OAuth),
        server_location: Some("https://mail.contoso.com/EWS/Exchange.asmx".into()),
    };
    EmailServerProfile {
        name: "Exchange Hybrid".into(),
        server_type: ServerType::ExchangeServerHybrid,
        server_type_name: Some("Exchange Server (Hybrid)".into()),
        incoming: conn.clone(),
        outgoing: conn,
        ..exchange_online_profile(id)
    }
}

/// An Exchange Server (on-premises) profile with credentials in the profile and Basic.
pub fn on_premises_profile(id: &str, ews_url: &str) -> EmailServerProfile {
    let conn = Connection {
        credential_retrieval: Some(CredentialRetrieval::InProfile),
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: Some(ews_url.into()),
    };
    EmailServerProfile {
        name: "Exchange On-Premises".into(),
        server_type: ServerType::ExchangeServer,
        server_type_name: Some("Exchange Server".into()),
        incoming: conn.clone(),
        outgoing: conn,
        use_autodiscover: false,
        ..exchange_online_profile(id)
    }
}

/// An active mailbox using server-side synchronization for everything, regarding user
/// `user-<id>`, on profile `profile-exo`.
pub fn mailbox(id: &str, address: &str) -> Mailbox {
    Mailbox {
        id: id.into(),
        name: address.split('@').next().unwrap_or(address).into(),
        email_address: Some(address.into()),
        regarding: Regarding::User(format!("user-{id}")),
        profile_id: Some("profile-exo".into()),
        delivery: DeliveryMethods {
            incoming: 2,
            outgoing: 2,
            act: 1,
        },
        state: MailboxState {
            email_address_approval: Some(EmailApproval::Approved),
            email_address_approved_by_o365_admin: Some(true),
            ..MailboxState::all(SyncStatus::Success)
        },
        active: true,
        ews_url: None,
    }
}

pub fn system_user(id: &str, upn: &str, entra_object_id: &str) -> SystemUser {
    SystemUser {
        id: id.into(),
        full_name: upn.split('@').next().unwrap_or(upn).into(),
        domain_name: Some(upn.into()),
        internal_email: Some(upn.into()),
        entra_object_id: Some(entra_object_id.into()),
        azure_state: Some(AzureState::Exists),
        disabled: false,
    }
}

/// Exchange Online (Plan 1), enabled.
pub const EXCHANGE_PLAN_1: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";

/// An enabled user whose primary address and UPN are `address`, licensed for Exchange Online
/// (Plan 1).
pub fn entra_user(id: &str, address: &str) -> EntraUser {
    EntraUser {
        id: id.into(),
        user_principal_name: address.into(),
        display_name: Some(address.split('@').next().unwrap_or(address).into()),
        mail: Some(address.into()),
        proxy_addresses: vec![format!("SMTP:{address}")],
        assigned_plans: vec![AssignedPlan {
            service_plan_id: EXCHANGE_PLAN_1.into(),
            service: "exchange".into(),
            capability_status: CapabilityStatus::Enabled,
            assigned_at: Some("2025-01-01T00:00:00Z".into()),
        }],
        assigned_licenses: vec![AssignedLicense {
            sku_id: "4b9405b0-7788-4568-add1-99614e613b69".into(),
            disabled_plans: vec![],
        }],
        account_enabled: Some(true),
        created_at: None,
        on_premises_sync: None,
    }
}

pub fn in_exchange_online(purpose: MailboxPurpose) -> MailboxLocation {
    MailboxLocation::ExchangeOnline {
        purpose: Some(purpose),
    }
}

pub fn not_in_exchange_online() -> MailboxLocation {
    MailboxLocation::NotInExchangeOnline {
        code: "MailboxNotEnabledForRESTAPI".into(),
    }
}
