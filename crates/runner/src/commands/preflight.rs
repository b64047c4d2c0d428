//! `ssync-doctor preflight`: sign in, then make one cheap read per permission the selected
//! checks need, and say which are missing and how to grant them — before a long run fails
//! halfway. Exit 0 when everything needed is granted, 1 when something is missing, 2 or 3
//! as for `run` when the input is bad or the sign-in fails.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use ssync_core::{Check, DataNeed, DataSource, RawService, SourceError};
use ssync_m365::{LiveSource, Options, Settings};

use crate::cli::SelectionArgs;
use crate::error::CliError;

/// One permission and the read that proves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// How the operator recognises the permission.
    pub permission: &'static str,
    pub service: RawService,
    /// The read, relative to the service's API root; `{user}` is replaced by a user id.
    pub path: &'static str,
    /// How to grant it.
    pub grant: &'static str,
}

const DATAVERSE_ROLE: &str = "give the application user a security role with organisation-level Read on \
     this table (Power Platform admin centre > environment > Settings > Users + permissions > \
     Application users > the app > Manage roles); docs/setup.md has a least-privilege role";
const GRAPH_CONSENT: &str = "add this Microsoft Graph *application* permission to the app registration \
     (Entra admin centre > App registrations > the app > API permissions) and grant admin consent; \
     or `az ad app permission add` then `az ad app permission admin-consent` (docs/setup.md)";

/// The probes of every permission a data need depends on. Dataverse tables need Read
/// privileges of the application user's role (Dataverse security roles); Graph reads need
/// the application permissions of the Graph permissions reference: "List users" User.Read.All,
/// "Get mailboxSettings" MailboxSettings.Read, "List deletedItems" (users) User.Read.All.
pub fn probes(need: DataNeed) -> &'static [Probe] {
    const MAILBOXES: Probe = dataverse("Dataverse: read Mailbox", "mailboxes?$select=mailboxid&$top=1");
    const PROFILES: Probe = dataverse(
        "Dataverse: read Email Server Profile",
        "emailserverprofiles?$select=emailserverprofileid&$top=1",
    );
    const USERS: Probe = dataverse("Dataverse: read User", "systemusers?$select=systemuserid&$top=1");
    const QUEUES: Probe = dataverse("Dataverse: read Queue", "queues?$select=queueid&$top=1");
    const TRACES: Probe = dataverse("Dataverse: read Trace", "tracelogs?$select=tracelogid&$top=1");
    const GRAPH_USERS: Probe = graph("Graph: User.Read.All", "users?$select=id&$top=1");
    const GRAPH_SETTINGS: Probe = graph("Graph: MailboxSettings.Read", "users/{user}/mailboxSettings");
    const GRAPH_DELETED: Probe = graph(
        "Graph: User.Read.All (deleted users)",
        "directory/deletedItems/microsoft.graph.user?$select=id&$top=1",
    );
    match need {
        DataNeed::Mailboxes => &[MAILBOXES],
        DataNeed::Profiles => &[PROFILES],
        DataNeed::SystemUsers => &[USERS, QUEUES],
        DataNeed::Alerts => &[TRACES],
        DataNeed::EntraUsers => &[GRAPH_USERS],
        DataNeed::MailboxLocation => &[GRAPH_USERS, GRAPH_SETTINGS],
        DataNeed::DeletedUsers => &[GRAPH_DELETED],
        // Signing in reads the environment; OpenID discovery and the EWS probe need no
        // permission.
        DataNeed::Environment | DataNeed::DomainTenant | DataNeed::EwsChallenge => &[],
        // What a custom check's raw queries read is known to the check alone; `list
        // --permissions` names the need and the check's documentation the tables.
        DataNeed::RawDataverse | DataNeed::RawGraph => &[],
    }
}

const fn dataverse(permission: &'static str, path: &'static str) -> Probe {
    Probe {
        permission,
        service: RawService::Dataverse,
        path,
        grant: DATAVERSE_ROLE,
    }
}

const fn graph(permission: &'static str, path: &'static str) -> Probe {
    Probe {
        permission,
        service: RawService::Graph,
        path,
        grant: GRAPH_CONSENT,
    }
}

/// What one probe found.
#[derive(Debug)]
enum Verdict {
    Granted,
    Missing(String),
    Untested(String),
}

pub async fn preflight(settings: Settings, selection: &SelectionArgs) -> Result<ExitCode, CliError> {
    let checks = super::diagnose::all_checks()?;
    let selected = crate::engine::select::select_checks(&checks, &selection.checks, &selection.skip_checks)?;
    let needs: BTreeSet<DataNeed> = selected
        .iter()
        .flat_map(|c: &&dyn Check| c.meta().reads.iter().copied())
        .collect();
    let mut to_run: Vec<Probe> = Vec::new();
    for need in &needs {
        for p in probes(*need) {
            if !to_run.contains(p) {
                to_run.push(*p);
            }
        }
    }
    let options = Options::from_env()?;
    let mut out = anstream::stdout().lock();
    let source = LiveSource::connect(settings, options).await?;
    writeln!(out, "ok       signed in; Dataverse: read Organization")?;
    let mut user_id: Option<String> = None;
    let mut missing = 0;
    let mut untested = 0;
    for probe in &to_run {
        let verdict = run_probe(&source, probe, &mut user_id).await;
        match &verdict {
            Verdict::Granted => writeln!(out, "ok       {}", probe.permission)?,
            Verdict::Missing(detail) => {
                missing += 1;
                writeln!(
                    out,
                    "MISSING  {}: {detail}\n         fix: {}",
                    probe.permission, probe.grant
                )?;
            }
            Verdict::Untested(detail) => {
                untested += 1;
                writeln!(out, "UNTESTED {}: {detail}", probe.permission)?;
            }
        }
    }
    let needs: Vec<&str> = needs.iter().map(|n| n.as_str()).collect();
    writeln!(
        out,
        "{} checks need {}; {} permissions tested, {missing} missing, {untested} could not be tested",
        selected.len(),
        needs.join(", "),
        to_run.len() + 1
    )?;
    Ok(ExitCode::from(match (missing, untested) {
        (0, 0) => 0,
        (0, _) => 3,
        _ => 1,
    }))
}

async fn run_probe(source: &LiveSource, probe: &Probe, user_id: &mut Option<String>) -> Verdict {
    // A user whose mailbox settings to read: the first one the users probe saw, else a
    // well-formed id no user has (Graph checks the permission before it looks the user up,
    // so a 404 still proves the permission).
    let path = probe.path.replace(
        "{user}",
        user_id
            .as_deref()
            .unwrap_or("00000000-0000-0000-0000-000000000000"),
    );
    match source.raw_get(probe.service, &path).await {
        Ok(value) => {
            if user_id.is_none() && probe.path.starts_with("users?") {
                *user_id = value
                    .get("value")
                    .and_then(|v| v.get(0))
                    .and_then(|u| u.get("id"))
                    .and_then(|id| id.as_str())
                    .map(str::to_owned);
            }
            Verdict::Granted
        }
        Err(SourceError::Permission { detail, .. }) => Verdict::Missing(detail),
        Err(SourceError::Http {
            status: 403,
            code,
            message,
            ..
        }) => Verdict::Missing(format!("{code} {message}")),
        Err(SourceError::Http { status: 404, .. }) if probe.path.contains("{user}") => Verdict::Granted,
        Err(other) => Verdict::Untested(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_that_needs_a_permission_has_a_probe() {
        for need in DataNeed::ALL {
            let p = probes(need);
            let free = matches!(
                need,
                DataNeed::Environment
                    | DataNeed::DomainTenant
                    | DataNeed::EwsChallenge
                    | DataNeed::RawDataverse
                    | DataNeed::RawGraph
            );
            assert_eq!(p.is_empty(), free, "{need:?}");
            for probe in p {
                assert!(!probe.path.starts_with('/'), "{}", probe.path);
            }
        }
        assert!(
            probes(DataNeed::MailboxLocation)
                .iter()
                .any(|p| p.permission.contains("MailboxSettings.Read"))
        );
    }
}
