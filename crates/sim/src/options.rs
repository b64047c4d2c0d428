//! Dataverse option sets (values and labels from microsoft-apis.md §A). One table serves
//! both the scenario loader (names → numbers) and the Web API (FormattedValue annotations).

pub type Options = &'static [(i64, &'static str)];

pub const SERVER_TYPE: Options = &[
    (0, "Exchange Server"),
    (1, "Other (POP3/SMTP)"),
    (2, "Exchange Server (Hybrid)"),
    (3, "Exchange Online (Hybrid)"),
    (4, "IMAP/SMTP"),
];

pub const CREDENTIAL_RETRIEVAL: Options = &[
    (0, "Credentials Specified by a User or Queue"),
    (1, "Credentials Specified in Email Server Profile"),
    (2, "Server to Server Authentication"),
    (3, "Windows Integrated Authentication"),
    (4, "Without Credentials (Anonymous)"),
    (5, "Gmail OAuth"),
    (6, "Exchange Hybrid Modern Auth (HMA)"),
    (7, "OAuth with Microsoft Entra ID"),
];

pub const AUTH_PROTOCOL: Options = &[
    (0, "Auto Detect"),
    (1, "Negotiate"),
    (2, "NTLM"),
    (3, "Basic"),
    (4, "OAuth"),
];

pub const INCOMING_DELIVERY: Options = &[
    (0, "None"),
    (1, "Microsoft Dynamics 365 for Outlook"),
    (2, "Server-Side Synchronization or Email Router"),
    (3, "Forward Mailbox"),
];

pub const OUTGOING_DELIVERY: Options = &[
    (0, "None"),
    (1, "Microsoft Dynamics 365 for Outlook"),
    (2, "Server-Side Synchronization or Email Router"),
];

pub const ACT_DELIVERY: Options = &[
    (0, "Microsoft Dynamics 365 for Outlook"),
    (1, "Server-Side Synchronization"),
    (2, "None"),
];

/// `emailserverprofile.lastauthorizationstatus` (emailserverprofile table reference).
pub const AUTHORIZATION_STATUS: Options = &[(0, "Failure"), (1, "Success")];

pub const SYNC_STATUS: Options = &[(0, "Not Run"), (1, "Success"), (2, "Failure")];

pub const APPROVAL: Options = &[
    (0, "Empty"),
    (1, "Approved"),
    (2, "Pending Approval"),
    (3, "Rejected"),
];

pub const STATE: Options = &[(0, "Active"), (1, "Inactive")];

pub const STATUS: Options = &[(1, "Active"), (2, "Inactive")];

pub const AZURE_STATE: Options = &[
    (0, "Exists"),
    (1, "Soft deleted"),
    (2, "Not found or hard deleted"),
];

pub const DELETED_STATE: Options = &[(0, "Not deleted"), (1, "Soft deleted")];

pub const ACCESS_MODE: Options = &[
    (0, "Read-Write"),
    (1, "Administrative"),
    (2, "Read"),
    (3, "Support User"),
    (4, "Non-interactive"),
    (5, "Delegated Admin"),
];

pub const TRACE_LEVEL: Options = &[(1, "Information"), (2, "Warning"), (3, "Error")];

pub const CONNECTION_CHANNEL: Options = &[
    (0, "Server-Side Synchronization"),
    (1, "Microsoft Dynamics 365 Email Router"),
];

/// Short names scenario authors may write instead of the full label.
const ALIASES: &[(&str, &str)] = &[
    // An online organisation stores its Exchange Online profiles as 0 ("Exchange Server" in the
    // picklist); 3, "Exchange Online (Hybrid)", is Dynamics 365 on-premises reaching Exchange
    // Online and must be written by its own label or number.
    ("exchange online", "Exchange Server"),
    ("hybrid", "Exchange Server (Hybrid)"),
    ("on-premises", "Exchange Server"),
    ("s2s", "Server to Server Authentication"),
    ("in-profile", "Credentials Specified in Email Server Profile"),
    ("user-or-queue", "Credentials Specified by a User or Queue"),
    ("hma", "Exchange Hybrid Modern Auth (HMA)"),
    ("oauth-entra", "OAuth with Microsoft Entra ID"),
    ("azure active directory oauth", "OAuth with Microsoft Entra ID"),
    ("server-side sync", "Server-Side Synchronization or Email Router"),
];

pub fn label(options: Options, value: i64) -> Option<&'static str> {
    options.iter().find(|(v, _)| *v == value).map(|(_, l)| *l)
}

/// The value of a label or alias (case-insensitive), if the option set has it.
pub fn value(options: Options, name: &str) -> Option<i64> {
    let find = |n: &str| {
        options
            .iter()
            .find(|(_, l)| l.eq_ignore_ascii_case(n))
            .map(|(v, _)| *v)
    };
    find(name).or_else(|| {
        ALIASES
            .iter()
            .filter(|(a, _)| a.eq_ignore_ascii_case(name))
            .find_map(|(_, full)| find(full))
    })
}

/// The labels, for error messages.
pub fn names(options: Options) -> String {
    options
        .iter()
        .map(|(v, l)| format!("{v} \"{l}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(value(SERVER_TYPE, "exchange server (hybrid)"), Some(2));
        // The alias is what an online organisation stores; 3 is written by its own label.
        assert_eq!(value(SERVER_TYPE, "Exchange Online"), Some(0));
        assert_eq!(value(SERVER_TYPE, "Exchange Online (Hybrid)"), Some(3));
        assert_eq!(value(CREDENTIAL_RETRIEVAL, "s2s"), Some(2));
        assert_eq!(value(AUTH_PROTOCOL, "basic"), Some(3));
        assert_eq!(value(AUTH_PROTOCOL, "kerberos"), None);
        assert_eq!(label(TRACE_LEVEL, 3), Some("Error"));
    }
}
