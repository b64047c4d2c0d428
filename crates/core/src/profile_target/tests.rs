//! The classification table: every combination of signals that matters, with the target it
//! must give. A changed rule changes a row's answer and fails here.

use super::*;
use crate::records::{AuthProtocol, Connection, ProfileAuthorization};

const EXO: &str = "https://outlook.office365.com/EWS/Exchange.asmx";
const EXO_GCC_HIGH: &str = "https://outlook.office365.us/EWS/Exchange.asmx";
const ON_PREM: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const POP: &str = "pop.contoso.com";

use CredentialRetrieval as C;

/// One row: the profile's signals.
struct Row {
    name: &'static str,
    server_type: i32,
    type_name: Option<&'static str>,
    incoming: Option<C>,
    outgoing: Option<C>,
    incoming_location: Option<&'static str>,
    outgoing_location: Option<&'static str>,
    use_default_tenant_id: bool,
}

const BASE: Row = Row {
    name: "",
    server_type: 0,
    type_name: None,
    incoming: None,
    outgoing: None,
    incoming_location: None,
    outgoing_location: None,
    use_default_tenant_id: true,
};

fn profile(r: &Row) -> EmailServerProfile {
    let conn = |cred: Option<C>, loc: Option<&str>| Connection {
        credential_retrieval: cred,
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: loc.map(str::to_owned),
    };
    EmailServerProfile {
        id: "p".into(),
        name: r.name.into(),
        server_type: ServerType::from(r.server_type),
        server_type_name: r.type_name.map(str::to_owned),
        incoming: conn(r.incoming, r.incoming_location),
        outgoing: conn(r.outgoing, r.outgoing_location),
        use_autodiscover: true,
        exchange_online_tenant_id: None,
        use_default_tenant_id: r.use_default_tenant_id,
        active: true,
        authorization: ProfileAuthorization::default(),
    }
}

const EO_SAME: Target = Target::ExchangeOnline { cross_tenant: false };
const EO_OTHER: Target = Target::ExchangeOnline { cross_tenant: true };
const HYBRID: Target = Target::OnPremises { hybrid: true };
const CREDENTIALS: Target = Target::OnPremises { hybrid: false };

fn table() -> Vec<(Row, Target)> {
    vec![
        // Exchange Online as an online organisation stores it: 0, "Exchange Online", S2S.
        (
            Row {
                name: "default Microsoft Exchange Online profile (servertype 0)",
                type_name: Some("Exchange Online"),
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                incoming_location: Some(EXO),
                outgoing_location: Some(EXO),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "default profile without locations (autodiscover)",
                type_name: Some("Exchange Online"),
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "0 with only the display name",
                type_name: Some("Exchange Online"),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "0 with server-to-server and no display name",
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                ..BASE
            },
            EO_SAME,
        ),
        // Exchange Online stored as 3: Dynamics 365 on-premises reaching Exchange Online.
        (
            Row {
                name: "Exchange Online (Hybrid), 3, from Dynamics 365 on-premises",
                server_type: 3,
                type_name: Some("Exchange Online (Hybrid)"),
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                incoming_location: Some(EXO),
                outgoing_location: Some(EXO),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "3 with nothing else",
                server_type: 3,
                ..BASE
            },
            EO_SAME,
        ),
        // Another tenant.
        (
            Row {
                name: "cross-tenant OAuth profile",
                type_name: Some("Exchange Online"),
                incoming: Some(C::EntraOAuth),
                outgoing: Some(C::EntraOAuth),
                use_default_tenant_id: false,
                ..BASE
            },
            EO_OTHER,
        ),
        (
            Row {
                name: "OAuth but the default tenant",
                incoming: Some(C::EntraOAuth),
                outgoing: Some(C::EntraOAuth),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "own tenant id but server-to-server (reaches only its own tenant)",
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                use_default_tenant_id: false,
                ..BASE
            },
            EO_SAME,
        ),
        // Basic against Exchange Online: the host decides, whatever the type says.
        (
            Row {
                name: "legacy Exchange Server profile with user credentials at outlook.office365.com",
                type_name: Some("Exchange Server"),
                incoming: Some(C::UserOrQueue),
                outgoing: Some(C::UserOrQueue),
                incoming_location: Some(EXO),
                outgoing_location: Some(EXO),
                ..BASE
            },
            EO_SAME,
        ),
        (
            Row {
                name: "profile credentials at a US Government Exchange Online host",
                incoming: Some(C::InProfile),
                outgoing: Some(C::InProfile),
                incoming_location: Some(EXO_GCC_HIGH),
                outgoing_location: Some(EXO_GCC_HIGH),
                ..BASE
            },
            EO_SAME,
        ),
        // On-premises through hybrid.
        (
            Row {
                name: "Exchange Server (Hybrid) with HMA",
                server_type: 2,
                type_name: Some("Exchange Server (Hybrid)"),
                incoming: Some(C::HybridModernAuth),
                outgoing: Some(C::HybridModernAuth),
                incoming_location: Some(ON_PREM),
                outgoing_location: Some(ON_PREM),
                ..BASE
            },
            HYBRID,
        ),
        (
            Row {
                name: "2 with nothing else",
                server_type: 2,
                ..BASE
            },
            HYBRID,
        ),
        (
            Row {
                name: "HMA on a 0-typed profile",
                incoming: Some(C::HybridModernAuth),
                outgoing: Some(C::HybridModernAuth),
                ..BASE
            },
            HYBRID,
        ),
        (
            Row {
                name: "2 whose display text says Exchange Online (text overruled)",
                server_type: 2,
                type_name: Some("Exchange Online"),
                ..BASE
            },
            HYBRID,
        ),
        // On-premises with credentials.
        (
            Row {
                name: "legacy Exchange Server profile with profile credentials",
                type_name: Some("Exchange Server"),
                incoming: Some(C::InProfile),
                outgoing: Some(C::InProfile),
                incoming_location: Some(ON_PREM),
                outgoing_location: Some(ON_PREM),
                ..BASE
            },
            CREDENTIALS,
        ),
        (
            Row {
                name: "0 on-premises whose display text was relabelled Exchange Online (text overruled)",
                type_name: Some("Exchange Online"),
                incoming: Some(C::InProfile),
                outgoing: Some(C::InProfile),
                incoming_location: Some(ON_PREM),
                outgoing_location: Some(ON_PREM),
                ..BASE
            },
            CREDENTIALS,
        ),
        (
            Row {
                name: "0 Exchange Server with autodiscover and user credentials",
                type_name: Some("Exchange Server"),
                incoming: Some(C::UserOrQueue),
                outgoing: Some(C::UserOrQueue),
                ..BASE
            },
            CREDENTIALS,
        ),
        (
            Row {
                name: "Windows integrated authentication",
                incoming: Some(C::WindowsIntegrated),
                outgoing: Some(C::WindowsIntegrated),
                ..BASE
            },
            CREDENTIALS,
        ),
        // Not Exchange.
        (
            Row {
                name: "POP3/SMTP",
                server_type: 1,
                type_name: Some("Other (POP3/SMTP)"),
                incoming: Some(C::InProfile),
                outgoing: Some(C::InProfile),
                incoming_location: Some(POP),
                outgoing_location: Some(POP),
                ..BASE
            },
            Target::NotExchange,
        ),
        (
            Row {
                name: "IMAP/SMTP",
                server_type: 4,
                ..BASE
            },
            Target::NotExchange,
        ),
        (
            Row {
                name: "Gmail OAuth",
                server_type: 4,
                incoming: Some(C::GmailOAuth),
                outgoing: Some(C::GmailOAuth),
                ..BASE
            },
            Target::NotExchange,
        ),
        (
            Row {
                name: "Gmail OAuth on a 0-typed profile (Gmail is not Exchange)",
                incoming: Some(C::GmailOAuth),
                ..BASE
            },
            Target::Unknown,
        ),
        // Disagreements.
        (
            Row {
                name: "2 with server-to-server",
                server_type: 2,
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "server-to-server at an on-premises host",
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::ServerToServer),
                incoming_location: Some(ON_PREM),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "3 with HMA",
                server_type: 3,
                incoming: Some(C::HybridModernAuth),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "POP3 at an Exchange Online host",
                server_type: 1,
                incoming_location: Some(EXO),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "directions that disagree (S2S in, HMA out)",
                incoming: Some(C::ServerToServer),
                outgoing: Some(C::HybridModernAuth),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "2 at an Exchange Online host",
                server_type: 2,
                incoming_location: Some(EXO),
                ..BASE
            },
            Target::Unknown,
        ),
        // Too little to go on.
        (
            Row {
                name: "0 with user credentials and nothing else",
                incoming: Some(C::UserOrQueue),
                outgoing: Some(C::UserOrQueue),
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "an unknown server type and nothing else",
                server_type: 9,
                ..BASE
            },
            Target::Unknown,
        ),
        (
            Row {
                name: "0 with a display text in another language",
                type_name: Some("Serveur de messagerie"),
                ..BASE
            },
            Target::Unknown,
        ),
    ]
}

#[test]
fn every_row_of_the_table_gets_its_target() {
    let mut wrong = Vec::new();
    for (row, want) in table() {
        let got = classify(&profile(&row));
        if got.target != want {
            wrong.push(format!(
                "{}: expected {want:?}, got {:?} ({:?})",
                row.name, got.target, got.reason
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_unknown_target_says_why() {
    let disagree = classify(&profile(&Row {
        server_type: 2,
        incoming: Some(C::ServerToServer),
        ..BASE
    }));
    let reason = disagree.unknown_reason();
    assert!(
        reason.contains("disagree") && reason.contains("servertype") && reason.contains("Server to Server"),
        "{reason}"
    );
    let silent = classify(&profile(&Row {
        incoming: Some(C::UserOrQueue),
        ..BASE
    }));
    let reason = silent.unknown_reason();
    assert!(
        reason.contains("Exchange Online or Exchange on-premises"),
        "{reason}"
    );
}

#[test]
fn an_overruled_display_text_is_marked_in_the_evidence() {
    let c = classify(&profile(&Row {
        type_name: Some("Exchange Online"),
        incoming: Some(C::InProfile),
        incoming_location: Some(ON_PREM),
        ..BASE
    }));
    let name = c
        .signals
        .iter()
        .find(|s| s.column == "emailservertypename")
        .expect("the display text is a signal");
    assert!(name.overruled);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["target"]["kind"], "on-premises");
    assert_eq!(json["signals"][0]["column"], "servertype");
}

#[test]
fn the_authentication_protocol_field_does_not_decide_whether_a_password_is_sent() {
    // The profile form writes Basic (3) for token-based profiles in online organisations.
    let s2s = Connection {
        credential_retrieval: Some(C::ServerToServer),
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: None,
    };
    assert_eq!(s2s.sends_password(), Some(false));
    let user = Connection {
        credential_retrieval: Some(C::UserOrQueue),
        auth_protocol: Some(AuthProtocol::AutoDetect),
        server_location: None,
    };
    assert_eq!(user.sends_password(), Some(true));
    let empty = Connection {
        credential_retrieval: None,
        auth_protocol: Some(AuthProtocol::Basic),
        server_location: None,
    };
    assert_eq!(empty.sends_password(), None);
}
