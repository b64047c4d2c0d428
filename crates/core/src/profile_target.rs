//! Where an e-mail server profile connects, decided once for every check and every prefetch
//! decision.
//!
//! `servertype` alone cannot say it: the picklist (0 Exchange Server, 1 POP3/SMTP, 2 Exchange
//! Server (Hybrid), 3 Exchange Online (Hybrid), 4 IMAP/SMTP; Power Apps entity reference
//! `emailserverprofile`) has no plain "Exchange Online" value. Microsoft's profile form script
//! names 2 "Exchange on-premises reached from Dynamics 365 online" and 3 "Exchange Online
//! reached from Dynamics 365 on-premises", so an online organisation stores its Exchange Online
//! profile — the default "Microsoft Exchange Online" one included — as **0**, the same value as
//! a legacy on-premises "Exchange Server" profile. The target is therefore read from every
//! signal the profile carries; the rules, with their sources, are in `docs/profile-target.md`.
//!
//! Each signal narrows the set of possible targets. *Firm* signals (stored values whose meaning
//! Microsoft documents) must agree: if together they leave nothing, the profile is
//! [`Target::Unknown`]. *Soft* signals (the display text `emailservertypename`, which Dynamics
//! 365 writes and may localise or relabel) only narrow what the firm ones left open, and are
//! overruled when they contradict them. A target is decided only when one kind is left.

use serde::Serialize;

use crate::hosts;
use crate::records::{CredentialRetrieval, EmailServerProfile, ServerType};

/// Where a profile connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// Exchange Online. `cross_tenant`: the profile names its own tenant
    /// (`usedefaulttenantid` false) and signs in with OAuth with Microsoft Entra ID, so it
    /// reaches another tenant than the environment's; otherwise it is the environment's own
    /// tenant (server-to-server authentication reaches no other).
    ExchangeOnline { cross_tenant: bool },
    /// Exchange on-premises. `hybrid`: through Exchange hybrid (server type Exchange Server
    /// (Hybrid), or Exchange Hybrid Modern Auth); otherwise with credentials from the profile,
    /// the user or the queue (or Windows integrated authentication).
    OnPremises { hybrid: bool },
    /// Not Exchange: POP3/SMTP, IMAP/SMTP, Gmail.
    NotExchange,
    /// The signals disagree, or say too little. Checks that need the target skip with
    /// [`Classification::reason`].
    Unknown,
}

impl Target {
    pub fn is_exchange_online(self) -> bool {
        matches!(self, Target::ExchangeOnline { .. })
    }

    pub fn is_on_premises(self) -> bool {
        matches!(self, Target::OnPremises { .. })
    }

    /// Words for messages: "Exchange Online (another tenant, by OAuth)".
    pub fn describe(self) -> &'static str {
        match self {
            Target::ExchangeOnline { cross_tenant: false } => "Exchange Online (the environment's tenant)",
            Target::ExchangeOnline { cross_tenant: true } => "Exchange Online (another tenant, by OAuth)",
            Target::OnPremises { hybrid: true } => "Exchange on-premises (through Exchange hybrid)",
            Target::OnPremises { hybrid: false } => "Exchange on-premises (with credentials)",
            Target::NotExchange => "a mail server that is not Exchange (POP3/IMAP)",
            Target::Unknown => "an unknown target",
        }
    }
}

/// The three kinds of target a signal can point to, as a small set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    ExchangeOnline,
    OnPremises,
    NotExchange,
}

const EO: u8 = 1;
const ON_PREM: u8 = 2;
const NOT_EXCHANGE: u8 = 4;
const ANY: u8 = EO | ON_PREM | NOT_EXCHANGE;

fn kinds(set: u8) -> Vec<Kind> {
    [
        (EO, Kind::ExchangeOnline),
        (ON_PREM, Kind::OnPremises),
        (NOT_EXCHANGE, Kind::NotExchange),
    ]
    .into_iter()
    .filter(|(bit, _)| set & bit != 0)
    .map(|(_, k)| k)
    .collect()
}

/// How much a signal is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weight {
    /// A stored value whose meaning Microsoft documents; firm signals must agree.
    Firm,
    /// Display text; narrows what firm signals leave open, overruled when it contradicts them.
    Soft,
}

/// One signal that spoke, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// The column it comes from, with the direction where there are two
    /// (`incomingcredentialretrieval`).
    pub column: String,
    /// The value, as read (option label or text).
    pub value: String,
    /// The targets it allows.
    pub allows: Vec<Kind>,
    pub weight: Weight,
    /// A soft signal that contradicted the firm ones and was not used.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub overruled: bool,
    #[serde(skip)]
    set: u8,
}

/// The decided target with the signals behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub target: Target,
    pub signals: Vec<Signal>,
    /// `useautodiscover`, recorded for the evidence: both kinds of Exchange use it (Exchange
    /// Online requires it unless a location is set; on-premises profiles may), so it decides
    /// nothing.
    pub use_autodiscover: bool,
    /// For [`Target::Unknown`]: why, in one sentence fragment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Classification {
    /// The skip message of a check that needs the target and cannot have it.
    pub fn unknown_reason(&self) -> String {
        self.reason
            .clone()
            .unwrap_or_else(|| "its target is not known".to_owned())
    }
}

/// What a credential setting allows. Server-to-server (2) and OAuth with Microsoft Entra ID (7)
/// exist only for Exchange Online; Exchange Hybrid Modern Auth (6) and Windows integrated
/// authentication (3, NTLM/Negotiate, which Exchange Online does not accept) only for
/// on-premises; Gmail OAuth (5) only for Gmail. Credentials from a user, queue or profile
/// (0 and 1) and anonymous (4) are used everywhere and say nothing.
///
/// Sources: Power Apps entity reference `emailserverprofile` (option values); Power Platform
/// admin "Connect to Exchange Online" and "server-side synchronization support matrix"
/// (S2S, OAuth); EWS "Authentication and EWS in Exchange" (NTLM on-premises only).
fn credential_allows(cred: CredentialRetrieval) -> u8 {
    match cred {
        CredentialRetrieval::ServerToServer | CredentialRetrieval::EntraOAuth => EO,
        CredentialRetrieval::HybridModernAuth | CredentialRetrieval::WindowsIntegrated => ON_PREM,
        CredentialRetrieval::GmailOAuth => NOT_EXCHANGE,
        CredentialRetrieval::UserOrQueue
        | CredentialRetrieval::InProfile
        | CredentialRetrieval::Anonymous
        | CredentialRetrieval::Unknown(_) => ANY,
    }
}

/// What `servertype` allows (form script `servertypes`: 0 ExchangeServer, 1 Pop3smtp,
/// 2 ExchangeOnpremOnCrmOnline, 3 ExchangeOnlineOnCrmOnPrem; 4 IMAP/SMTP per the picklist).
fn server_type_allows(t: ServerType) -> u8 {
    match t {
        // Exchange of one kind or the other: an online organisation stores its Exchange
        // Online profiles as 0, and legacy on-premises profiles are 0 too.
        ServerType::ExchangeServer => EO | ON_PREM,
        ServerType::ExchangeServerHybrid => ON_PREM,
        ServerType::ExchangeOnlineHybrid => EO,
        ServerType::Pop3Smtp | ServerType::ImapSmtp => NOT_EXCHANGE,
        ServerType::Unknown(_) => ANY,
    }
}

/// What the display text `emailservertypename` allows: "Exchange Online" (the default
/// profile's, Power Platform admin "Use basic authentication with Exchange Online") and
/// "Exchange Online (Hybrid)" → Exchange Online; "Exchange Server…" → on-premises; POP3, IMAP,
/// "Other" → not Exchange. Anything else (a translation, say) says nothing.
fn type_name_allows(name: &str) -> u8 {
    let n = name.trim().to_ascii_lowercase();
    if n.contains("exchange online") {
        EO
    } else if n.contains("exchange server") {
        ON_PREM
    } else if n.contains("pop3") || n.contains("imap") || n.starts_with("other") {
        NOT_EXCHANGE
    } else {
        ANY
    }
}

/// A server location's host: an Exchange Online host of any cloud → Exchange Online; any other
/// host → not Exchange Online (an on-premises Exchange server, or a POP3/IMAP server).
fn location_allows(location: &str) -> u8 {
    if hosts::is_exchange_online(location) {
        EO
    } else {
        ON_PREM | NOT_EXCHANGE
    }
}

/// Decides where `profile` connects. See the module documentation.
pub fn classify(profile: &EmailServerProfile) -> Classification {
    let mut signals: Vec<Signal> = Vec::new();
    let mut push = |column: String, value: String, set: u8, weight: Weight| {
        if set != ANY {
            signals.push(Signal {
                column,
                value,
                allows: kinds(set),
                weight,
                overruled: false,
                set,
            });
        }
    };
    push(
        "servertype".into(),
        format!(
            "{} ({})",
            profile.server_type.value(),
            profile.server_type.label()
        ),
        server_type_allows(profile.server_type),
        Weight::Firm,
    );
    for (direction, conn) in profile.connections() {
        if let Some(cred) = conn.credential_retrieval {
            push(
                format!("{direction}credentialretrieval"),
                cred.label().into(),
                credential_allows(cred),
                Weight::Firm,
            );
        }
        if let Some(loc) = conn.server_location.as_deref().filter(|l| !l.trim().is_empty()) {
            push(
                format!("{direction}serverlocation"),
                loc.trim().into(),
                location_allows(loc),
                Weight::Firm,
            );
        }
    }
    if let Some(name) = profile.server_type_name.as_deref() {
        push(
            "emailservertypename".into(),
            name.trim().into(),
            type_name_allows(name),
            Weight::Soft,
        );
    }

    let firm = signals
        .iter()
        .filter(|s| s.weight == Weight::Firm)
        .fold(ANY, |acc, s| acc & s.set);
    let mut reason = None;
    let mut left = firm;
    if firm == 0 {
        let said: Vec<String> = signals
            .iter()
            .filter(|s| s.weight == Weight::Firm)
            .map(|s| format!("{} = {}", s.column, s.value))
            .collect();
        reason = Some(format!(
            "its settings disagree about where it connects ({})",
            said.join(", ")
        ));
    } else {
        for s in signals.iter_mut().filter(|s| s.weight == Weight::Soft) {
            if left & s.set == 0 {
                s.overruled = true;
            } else {
                left &= s.set;
            }
        }
    }
    let target = match left {
        EO => Target::ExchangeOnline {
            cross_tenant: !profile.use_default_tenant_id
                && profile
                    .connections()
                    .iter()
                    .any(|(_, c)| c.credential_retrieval == Some(CredentialRetrieval::EntraOAuth)),
        },
        ON_PREM => Target::OnPremises {
            hybrid: profile.server_type == ServerType::ExchangeServerHybrid
                || profile
                    .connections()
                    .iter()
                    .any(|(_, c)| c.credential_retrieval == Some(CredentialRetrieval::HybridModernAuth)),
        },
        NOT_EXCHANGE => Target::NotExchange,
        _ => {
            if reason.is_none() {
                let open: Vec<&str> = kinds(left)
                    .into_iter()
                    .map(|k| match k {
                        Kind::ExchangeOnline => "Exchange Online",
                        Kind::OnPremises => "Exchange on-premises",
                        Kind::NotExchange => "another mail server",
                    })
                    .collect();
                reason = Some(format!(
                    "its settings do not tell whether it connects to {} (no credential setting, server \
                     location or server type name that decides it)",
                    open.join(" or ")
                ));
            }
            Target::Unknown
        }
    };
    Classification {
        target,
        signals,
        use_autodiscover: profile.use_autodiscover,
        reason,
    }
}

impl EmailServerProfile {
    /// Where this profile connects; see [`classify`].
    pub fn classify(&self) -> Classification {
        classify(self)
    }

    /// Shorthand for `self.classify().target`.
    pub fn target(&self) -> Target {
        classify(self).target
    }
}

#[cfg(test)]
mod tests;
