//! The generated scenario: N healthy mailboxes, built straight into the model (no TOML) so
//! 100,000 mailboxes take well under a second.

use super::Scenario;
use super::catalogue::{self, EXO_PLAN1};
use super::model::*;
use crate::ids;

const TENANT: &str = "0b5e3c1a-7d2f-4e6b-9a8c-1d2e3f405162";

pub(crate) fn generated(n: usize) -> Scenario {
    let plans = catalogue::plans();
    let skus = catalogue::skus(&plans);
    let sku = skus
        .iter()
        .find(|s| s.plans.iter().any(|p| p.name == EXO_PLAN1))
        .cloned();
    let license: Vec<License> = sku
        .into_iter()
        .map(|sku| License {
            sku,
            disabled_plans: vec![],
        })
        .collect();
    let assigned: Vec<AssignedPlan> = license
        .iter()
        .flat_map(|l| {
            l.sku.plans.iter().map(|p| AssignedPlan {
                plan: p.clone(),
                status: "Enabled".into(),
            })
        })
        .collect();

    let profile = Profile {
        key: "exo".into(),
        id: ids::derive("generated:profile:exo"),
        name: "Microsoft Exchange Online".into(),
        // As an online organisation stores its default profile: 0, "Exchange Online".
        server_type: 0,
        server_type_name: "Exchange Online".into(),
        incoming: exo_connection(),
        outgoing: exo_connection(),
        use_autodiscover: true,
        exchange_online_tenant_id: None,
        use_default_tenant_id: true,
        oauth_client_id: None,
        active: true,
        oauth_secret_set: false,
        last_authorization: None,
        last_message: None,
        last_test_start: None,
    };
    let client_id = "5a1f0e2d-3c4b-4a59-8e7f-60718293a4b5".to_owned();
    let environment = Environment {
        tenant_id: TENANT.into(),
        organization_id: ids::derive("generated:organization"),
        environment_id: ids::derive("generated:environment"),
        name: "Generated".into(),
        unique_name: "unqgenerated".into(),
        url_name: "generated".into(),
        default_profile_id: Some(profile.id.clone()),
        business_unit_id: ids::derive("generated:businessunit"),
        require_approval_for_user_email: false,
        require_approval_for_queue_email: false,
    };

    let mut users = Vec::with_capacity(n);
    let mut system_users = Vec::with_capacity(n + 1);
    let mut mailboxes = Vec::with_capacity(n);
    for i in 0..n {
        let upn = format!("user{i:06}@generated.example");
        let entra_id = ids::format_guid(0x6e6e_0000_0000_0000 | i as u64, 0xa000_0000_0000_0000 | i as u64);
        let su_id = ids::format_guid(0x5353_0000_0000_0000 | i as u64, 0xa100_0000_0000_0000 | i as u64);
        let mb_id = ids::format_guid(0x4d4d_0000_0000_0000 | i as u64, 0xa200_0000_0000_0000 | i as u64);
        let name = format!("User {i:06}");
        users.push(User {
            tenant_id: TENANT.into(),
            id: entra_id.clone(),
            upn: upn.clone(),
            display_name: name.clone(),
            given_name: Some("User".into()),
            surname: Some(format!("{i:06}")),
            mail: Some(upn.clone()),
            proxy_addresses: vec![format!("SMTP:{upn}")],
            account_enabled: true,
            on_premises_sync: None,
            created: super::build::DEFAULT_USER_CREATED.to_owned(),
            licenses: license.clone(),
            plans: assigned.clone(),
            mailbox: MailboxHome::Online("user".into()),
        });
        system_users.push(SystemUser {
            key: format!("user{i}"),
            id: su_id.clone(),
            full_name: name.clone(),
            domain_name: Some(upn.clone()),
            internal_email: Some(upn.clone()),
            entra_object_id: Some(entra_id),
            azure_state: 0,
            disabled: false,
            application_id: None,
            default_mailbox: Some(mb_id.clone()),
        });
        mailboxes.push(Mailbox {
            key: upn.clone(),
            id: mb_id,
            name,
            address: Some(upn),
            owner: Owner::User(su_id),
            profile_id: Some(profile.id.clone()),
            incoming: 2,
            outgoing: 2,
            act: 1,
            statuses: [1, 1, 1, 1],
            active: true,
            ews_url: None,
            approval: 1,
            approved_by_admin: true,
            last_sync_error: None,
            last_sync_error_code: None,
            last_sync_error_on: None,
            last_successful_sync: None,
        });
    }
    system_users.push(SystemUser {
        key: "#app".into(),
        id: ids::derive("generated:systemuser:app"),
        full_name: "# ssync-doctor".into(),
        domain_name: None,
        internal_email: None,
        entra_object_id: None,
        azure_state: 0,
        disabled: false,
        application_id: Some(client_id.clone()),
        default_mailbox: None,
    });

    Scenario {
        origin: format!("generated({n})"),
        tenants: vec![Tenant {
            key: "generated".into(),
            id: TENANT.into(),
            name: "Generated".into(),
            domains: vec!["generated.example".into(), "generated.onmicrosoft.com".into()],
        }],
        app: App {
            client_id,
            client_secret: "sim-generated-test-secret-not-real".into(),
            name: "ssync-doctor".into(),
            tenant_id: TENANT.into(),
            application_user: true,
            withheld_graph_permissions: vec![],
        },
        environment,
        users,
        deleted_users: vec![],
        system_users,
        queues: vec![],
        profiles: vec![profile],
        mailboxes,
        alerts: vec![],
        ews_servers: vec![],
    }
}

fn exo_connection() -> Connection {
    Connection {
        credentials: Some(2),
        auth: Some(0), // Auto Detect, as the profile form writes beside server-to-server
        location: Some(Location::Url(
            "https://outlook.office365.com/EWS/Exchange.asmx".into(),
        )),
    }
}
