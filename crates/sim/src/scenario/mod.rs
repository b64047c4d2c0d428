//! Scenarios: what the simulated tenant contains. Written as TOML (docs/scenarios.md),
//! validated into the model in [`model`], or generated for load tests.

mod build;
pub(crate) mod catalogue;
mod error;
mod file;
mod generate;
pub(crate) mod model;

use std::path::Path;

pub use error::ScenarioError;
use model::*;

/// The bundled demo scenario (docs/contoso.md).
const CONTOSO: &str = include_str!("contoso.toml");

/// A validated scenario: tenants, the app registration, the Dataverse environment and
/// everything in it, Entra users and EWS servers.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(crate) origin: String,
    pub(crate) tenants: Vec<Tenant>,
    pub(crate) app: App,
    pub(crate) environment: Environment,
    pub(crate) users: Vec<User>,
    pub(crate) deleted_users: Vec<DeletedUser>,
    pub(crate) system_users: Vec<SystemUser>,
    pub(crate) queues: Vec<Queue>,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) mailboxes: Vec<Mailbox>,
    pub(crate) alerts: Vec<Alert>,
    pub(crate) ews_servers: Vec<EwsServer>,
}

impl Scenario {
    /// The bundled `contoso` scenario. It is compiled in and covered by tests, so failing to
    /// load it is a build defect, reported loudly.
    pub fn contoso() -> Scenario {
        match Self::parse("contoso.toml", CONTOSO) {
            Ok(s) => s,
            Err(e) => panic!("the bundled contoso scenario is invalid: {e}"),
        }
    }

    /// The text of the bundled `contoso` scenario, as a starting point for one's own.
    pub fn contoso_toml() -> &'static str {
        CONTOSO
    }

    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        Self::parse(&origin, &text)
    }

    /// Parses scenario text; `origin` names it in errors (usually the file name).
    pub fn parse(origin: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let reporter = error::Reporter { origin, text };
        let f: file::File = toml::from_str(text).map_err(|e| reporter.toml(e))?;
        build::build(&reporter, f)
    }

    /// `n` healthy mailboxes: users licensed for Exchange Online Plan 1 with their mailbox in
    /// Exchange Online, on the default Exchange Online profile. Every check passes.
    pub fn generated(mailboxes: usize) -> Scenario {
        generate::generated(mailboxes)
    }

    /// Adds Entra users with these sign-in names to the environment's tenant, each a copy of
    /// its first user without a mailbox (a directory larger than its mailboxes). Returns
    /// their ids.
    pub fn add_directory_users(&mut self, upns: &[&str]) -> Vec<String> {
        let tenant = self.environment.tenant_id.clone();
        let Some(template) = self.users.iter().find(|u| u.tenant_id == tenant).cloned() else {
            return Vec::new();
        };
        let first = self.users.len();
        upns.iter()
            .enumerate()
            .map(|(i, upn)| {
                let id = format!("dddddddd-0000-4000-8000-{:012x}", first + i);
                self.users.push(model::User {
                    id: id.clone(),
                    upn: (*upn).to_owned(),
                    mail: None,
                    proxy_addresses: Vec::new(),
                    mailbox: model::MailboxHome::None,
                    ..template.clone()
                });
                id
            })
            .collect()
    }

    /// The ids of the Entra users in the environment's tenant.
    pub fn directory_user_ids(&self) -> Vec<String> {
        let tenant = &self.environment.tenant_id;
        self.users
            .iter()
            .filter(|u| &u.tenant_id == tenant)
            .map(|u| u.id.clone())
            .collect()
    }

    pub fn mailbox_count(&self) -> usize {
        self.mailboxes.len()
    }

    /// The e-mail address of each mailbox that has one, in the scenario's order.
    pub fn mailbox_addresses(&self) -> impl Iterator<Item = &str> {
        self.mailboxes.iter().filter_map(|m| m.address.as_deref())
    }

    /// Where the scenario came from (file name, `contoso.toml`, `generated`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The Entra tenant of the Dataverse environment.
    pub fn environment_tenant_id(&self) -> &str {
        &self.environment.tenant_id
    }

    /// Tenant (id, domains) pairs, for tests that assert domain look-ups.
    pub fn tenants(&self) -> Vec<(String, Vec<String>)> {
        self.tenants
            .iter()
            .map(|t| (t.id.clone(), t.domains.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
