//! `exchange-online-basic-auth` — Basic authentication against Exchange Online.
//!
//! Not one of the six causes of KB 3212785, but the KB's own banner: since 1 October 2022
//! Exchange Online refuses user name and password, so a profile that still sends them gets the
//! same 401. See `explain.md` for what the check decides and why; it is also the text of
//! `ssync-doctor explain exchange-online-basic-auth`.

use serde::Serialize;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Finds e-mail server profiles that reach Exchange Online with a user name and password.
    pub struct ExchangeOnlineBasicAuth;
    id: "exchange-online-basic-auth",
    title: "Profiles reach Exchange Online without user name and password",
    scope: Scope::Profile,
    severity: Severity::Error,
    summary: "An e-mail server profile connects to Exchange Online with a user name and password (Basic \
              authentication), which Exchange Online stopped accepting on 1 October 2022.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/use-basic-authentication-exchange-online",
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/exception-when-using-server-side-sync",
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online",
        "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online",
    ],
    reads: &[DataNeed::Profiles, DataNeed::Mailboxes],
}

/// The day Exchange Online began refusing Basic authentication.
const BASIC_RETIRED_ON: &str = "2022-10-01";

/// One direction of the profile as the check saw it; reported as evidence.
#[derive(Debug, Serialize)]
struct Direction {
    direction: &'static str,
    server_location: Option<String>,
    credential_retrieval: Option<&'static str>,
    auth_protocol: Option<&'static str>,
    /// The connection goes to Exchange Online (by its host, or by the profile's target).
    reaches_exchange_online: bool,
    /// The connection sends a user name and password; `None` when its credential setting is
    /// empty or unknown.
    uses_basic: Option<bool>,
}

impl Direction {
    fn of(target: Target, direction: &'static str, conn: &Connection) -> Self {
        let location = conn
            .server_location
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        // A location on an Exchange Online host goes there, whatever the profile's type: that
        // is how Microsoft tells customers to find affected profiles ("Use basic authentication
        // with Exchange Online"). A direction without a location goes where the profile's
        // target is (it discovers the endpoint).
        let reaches_exchange_online = match location {
            Some(loc) => hosts::is_exchange_online(loc),
            None => target.is_exchange_online(),
        };
        // The credential setting decides, not the protocol field: the profile form writes
        // Basic or Auto Detect there for token-based profiles too.
        let uses_basic = conn.sends_password();
        Self {
            direction,
            server_location: location.map(str::to_owned),
            credential_retrieval: conn.credential_retrieval.map(CredentialRetrieval::label),
            auth_protocol: conn.auth_protocol.map(AuthProtocol::label),
            reaches_exchange_online,
            uses_basic,
        }
    }

    /// "incoming (Server to Server Authentication)".
    fn describe(&self) -> String {
        let how = match (self.credential_retrieval, self.auth_protocol) {
            (Some(c), Some(p)) => format!("{c}, protocol {p}"),
            (Some(c), None) => c.to_owned(),
            (None, Some(p)) => format!("protocol {p}"),
            (None, None) => "no credential setting".to_owned(),
        };
        format!("{} ({how})", self.direction)
    }
}

#[async_trait]
impl Check for ExchangeOnlineBasicAuth {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let profile = subject.profile()?;
        let classification = profile.classify();
        let directions: Vec<Direction> = profile
            .connections()
            .into_iter()
            .map(|(name, conn)| Direction::of(classification.target, name, conn))
            .collect();
        let evidence = |o: Outcome| {
            o.with_evidence("server_type", profile.server_type.label())
                .with_evidence("server_type_value", profile.server_type.value())
                .with_evidence("profile_target", &classification)
                .with_evidence("connections", &directions)
        };
        let online: Vec<&Direction> = directions.iter().filter(|d| d.reaches_exchange_online).collect();
        if online.is_empty() {
            return Ok(evidence(Outcome::skip(format!(
                "Profile '{}' does not connect to Exchange Online: no server location names an Exchange \
                 Online host, and the profile connects to {}.",
                profile.name,
                classification.target.describe()
            ))));
        }
        let basic: Vec<&Direction> = online
            .iter()
            .copied()
            .filter(|d| d.uses_basic == Some(true))
            .collect();
        let undecided: Vec<&Direction> = online
            .iter()
            .copied()
            .filter(|d| d.uses_basic.is_none())
            .collect();
        if basic.is_empty() && !undecided.is_empty() {
            let how: Vec<String> = undecided.iter().map(|d| d.describe()).collect();
            return Ok(evidence(Outcome::skip(format!(
                "Profile '{}' connects to Exchange Online, but cannot be judged: {} has no credential setting \
                 that says whether a password is sent.",
                profile.name,
                how.join("; ")
            ))));
        }
        if basic.is_empty() {
            let how: Vec<String> = online.iter().map(|d| d.describe()).collect();
            return Ok(evidence(Outcome::pass(format!(
                "Profile '{}' connects to Exchange Online without a user name and password: {}.",
                profile.name,
                how.join("; ")
            ))));
        }
        let how: Vec<String> = basic
            .iter()
            .map(|d| match &d.server_location {
                Some(loc) => format!("{} to {loc}", d.describe()),
                None => d.describe(),
            })
            .collect();
        let mailboxes = lookup::profile_mailbox_addresses(ctx.data, &profile.id).await?;
        Ok(evidence(Outcome::fail(format!(
            "Profile '{}' connects to Exchange Online with a user name and password, which Exchange Online \
             has refused since 1 October 2022: {}.",
            profile.name,
            how.join("; ")
        )))
        .with_evidence("basic_auth_retired_on", BASIC_RETIRED_ON)
        .with_mailboxes(mailboxes))
    }
}

#[cfg(test)]
mod tests;
