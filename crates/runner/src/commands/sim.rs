//! `demo` and `sim serve`: the simulated tenant, in this process.

use std::io::Write;
use std::process::ExitCode;

use secrecy::SecretString;
use ssync_m365::{Credential, Settings};
use ssync_sim::{Knobs, Scenario, Sim};

use crate::cli::{OutputArgs, ScenarioArgs, SelectionArgs};
use crate::commands::diagnose::connect_and_diagnose;
use crate::commands::run::SECRET_VAR;
use crate::config::RunRules;
use crate::error::CliError;
use crate::shell::quote;

/// The most mailboxes `--mailboxes` generates.
pub const MAX_GENERATED: usize = 1_000_000;

/// The scenario the options ask for: a file, a generated tenant, or the bundled `contoso`.
pub fn scenario(args: &ScenarioArgs) -> Result<(Scenario, String), CliError> {
    match (&args.scenario, args.mailboxes) {
        (Some(path), _) => {
            let scenario = Scenario::from_file(path).map_err(|e| CliError::Usage(e.to_string()))?;
            Ok((scenario, path.display().to_string()))
        }
        (None, Some(0)) => Err(CliError::Usage("--mailboxes needs at least 1 mailbox".into())),
        // A huge count would only exhaust memory building the tenant; 100,000 is measured
        // (docs/scenarios.md), ten times that is the ceiling.
        (None, Some(n)) if n > MAX_GENERATED => Err(CliError::Usage(format!(
            "--mailboxes {n} is more than a simulated tenant holds; pass at most {MAX_GENERATED}"
        ))),
        (None, Some(n)) => Ok((Scenario::generated(n), format!("{n} generated healthy mailboxes"))),
        (None, None) => Ok((Scenario::contoso(), "contoso (bundled)".into())),
    }
}

pub(crate) async fn start(args: &ScenarioArgs) -> Result<(Sim, String), CliError> {
    let (scenario, name) = scenario(args)?;
    let sim = ssync_sim::start(scenario, Knobs::default())
        .await
        .map_err(|e| CliError::Connection(format!("could not start the simulated tenant: {e}")))?;
    Ok((sim, name))
}

/// How `demo` signs in to the simulated tenant: its test application and secret.
pub fn sim_settings(sim: &Sim) -> Settings {
    Settings {
        org_url: sim.org_url.clone(),
        tenant_id: sim.tenant_id.clone(),
        client_id: sim.client_id.clone(),
        credential: Credential::Secret(SecretString::from(sim.client_secret.clone())),
        authority_host: sim.authority_host.clone(),
        graph_url: sim.graph_url.clone(),
    }
}

/// `demo`: the simulated tenant, then exactly what `run` does.
pub async fn demo(
    args: &ScenarioArgs,
    selection: &SelectionArgs,
    output: &OutputArgs,
    quiet: bool,
    rules: RunRules,
    check_options: ssync_core::CheckOptions,
) -> Result<ExitCode, CliError> {
    let (sim, name) = start(args).await?;
    tracing::info!(scenario = %name, org_url = %sim.org_url, "simulated tenant started");
    let result = connect_and_diagnose(
        sim_settings(&sim),
        "demo",
        selection,
        output,
        quiet,
        rules,
        check_options,
    )
    .await;
    // What the simulated tenant saw (requests per route and method), for `-vv` readers and the
    // read-only test. Counters only: no token or secret is in them.
    tracing::debug!(
        target: "ssync_sim::stats",
        "simulator stats: {}",
        serde_json::to_string(&sim.stats()).unwrap_or_default()
    );
    sim.shutdown().await;
    result
}

/// `sim serve`: the simulated tenant until Ctrl-C.
pub async fn serve(args: &ScenarioArgs) -> Result<ExitCode, CliError> {
    let (sim, name) = start(args).await?;
    {
        let mut out = std::io::stdout().lock();
        write!(out, "{}", banner(&sim, &name))?;
        out.flush()?;
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Connection(format!("cannot wait for Ctrl-C: {e}")))?;
    eprintln!("stopping the simulated tenant");
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// What `sim serve` prints: the URLs, the ids, and a line to paste. The secret printed is the
/// simulated tenant's own test application's, which exists only in this process.
pub fn banner(sim: &Sim, scenario: &str) -> String {
    let line = |secret: String, q: &dyn Fn(&str) -> String| {
        format!(
            "{secret} ssync-doctor run --org-url {} --tenant-id {} --client-id {} --authority-host {} --graph-url {}",
            q(&sim.org_url),
            q(&sim.tenant_id),
            q(&sim.client_id),
            q(&sim.authority_host),
            q(&sim.graph_url),
        )
    };
    let run_line = line(format!("{SECRET_VAR}={}", quote(&sim.client_secret)), &|v| {
        quote(v)
    });
    // The same line for PowerShell: `$env:` for the variable, single quotes doubled inside.
    let ps = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let powershell_line = line(format!("$env:{SECRET_VAR}={};", ps(&sim.client_secret)), &ps);
    format!(
        "Simulated tenant running: {scenario}. Press Ctrl-C to stop.\n\
         \n  identity (authority host)  {}\
         \n  Dataverse (org URL)        {}\
         \n  Microsoft Graph            {}\
         \n  tenant id                  {}\
         \n  client id                  {}\
         \n  managed identity endpoint  {} (IDENTITY_HEADER {})\n\
         \nDiagnose it with (the secret is this simulator's test application's):\n  {run_line}\n\
         \nIn PowerShell:\n  {powershell_line}\n",
        sim.authority_host,
        sim.org_url,
        sim.graph_url,
        sim.tenant_id,
        sim.client_id,
        sim.identity_endpoint(),
        ssync_sim::MANAGED_IDENTITY_HEADER,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_banner_has_a_posix_line_and_a_powershell_line() {
        let sim = ssync_sim::start(Scenario::contoso(), Knobs::default())
            .await
            .unwrap();
        let text = banner(&sim, "contoso");
        let posix = text
            .lines()
            .find(|l| l.trim_start().starts_with("AZURE_CLIENT_SECRET="))
            .unwrap();
        let ps = text
            .lines()
            .find(|l| l.trim_start().starts_with("$env:AZURE_CLIENT_SECRET="))
            .unwrap();
        assert!(
            ps.contains(&format!("$env:AZURE_CLIENT_SECRET='{}';", sim.client_secret)),
            "{ps}"
        );
        for flag in [
            "--org-url",
            "--tenant-id",
            "--client-id",
            "--authority-host",
            "--graph-url",
        ] {
            assert!(posix.contains(flag) && ps.contains(flag), "{flag}");
        }
        assert!(ps.contains(&format!("--org-url '{}'", sim.org_url)), "{ps}");
        sim.shutdown().await;
    }
}
