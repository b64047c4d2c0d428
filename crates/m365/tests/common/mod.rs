//! Shared set-up for the tests against the simulated tenant.
#![allow(dead_code)]

pub mod canned;

use std::time::Duration;

use ssync_core::records::{CapabilityStatus, CredentialRetrieval, Mailbox, Regarding};
use ssync_core::{DataNeed, DataSource, RunPlan, SourceError, address, lookup};
use ssync_m365::{Credential, LiveSource, Options, Settings};
use ssync_sim::{Knobs, Scenario, Sim};

pub fn settings(sim: &Sim) -> Settings {
    Settings {
        org_url: sim.org_url.clone(),
        tenant_id: sim.tenant_id.clone(),
        client_id: sim.client_id.clone(),
        credential: Credential::Secret(sim.client_secret.clone().into()),
        authority_host: sim.authority_host.clone(),
        graph_url: sim.graph_url.clone(),
    }
}

/// Options for tests: short waits so that retries do not slow the suite.
pub fn quick() -> Options {
    Options {
        min_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(3),
        max_total_wait: Duration::from_secs(10),
        request_timeout: Duration::from_secs(20),
        ..Options::default()
    }
}

pub async fn sim(scenario: Scenario, knobs: Knobs) -> Sim {
    ssync_sim::start(scenario, knobs)
        .await
        .expect("the simulator starts")
}

pub async fn connect(sim: &Sim, options: Options) -> LiveSource {
    LiveSource::connect(settings(sim), options)
        .await
        .expect("connects to the simulator")
}

pub fn plan(mailboxes: &[Mailbox]) -> RunPlan {
    let mut profile_ids: Vec<String> = mailboxes.iter().filter_map(|m| m.profile_id.clone()).collect();
    profile_ids.sort();
    profile_ids.dedup();
    RunPlan {
        mailbox_ids: mailboxes.iter().map(|m| m.id.clone()).collect(),
        profile_ids,
        needs: DataNeed::ALL.to_vec(),
        alerts_since: None,
    }
}

/// Every read the five mailbox-scoped checks make for one mailbox, through the data
/// interface (owner, location, licence, tenant, deleted twin, alerts).
pub async fn checks_reads(data: &dyn DataSource, mailbox: &Mailbox) -> Result<(), SourceError> {
    data.environment().await?;
    let profile = match mailbox.profile_id.as_deref() {
        Some(p) => data.profile(p).await?,
        None => None,
    };
    let _ = lookup::foreign_tenant(data, mailbox).await?;
    let on_premises_profile = profile.as_ref().is_some_and(|p| p.target().is_on_premises());
    if let Some(owner) = lookup::mailbox_owner(data, mailbox).await? {
        // As the hybrid and licence checks do: where the mailbox lives, for on-premises
        // profiles and for users without an enabled Exchange plan (shared, room mailboxes).
        let has_plan = owner.user.assigned_plans.iter().any(|p| {
            p.service.eq_ignore_ascii_case("exchange") && p.capability_status == CapabilityStatus::Enabled
        });
        if on_premises_profile || !has_plan {
            let _ = data.mailbox_location(&owner.user.id).await;
        }
    }
    if let Regarding::Queue(q) = &mailbox.regarding {
        data.queue(q).await?;
    }
    if let Some(a) = mailbox.email_address.as_deref() {
        data.entra_user_by_address(a).await?;
        data.deleted_users_matching(a).await?;
        if let Some(d) = address::domain_of(a) {
            data.domain_tenant(&d).await?;
        }
    }
    data.mailbox_alerts(&mailbox.id).await?;
    Ok(())
}

/// The reads of the two profile-scoped checks: the mailboxes on the profile (listed in a
/// finding) and, for profiles that connect to Exchange on-premises, the EWS probe.
pub async fn profile_reads(data: &dyn DataSource, profile_id: &str) -> Result<(), SourceError> {
    let Some(p) = data.profile(profile_id).await? else {
        return Ok(());
    };
    data.mailboxes_on_profile(&p.id).await?;
    // As `ews-basic-auth-disabled` does: on-premises profiles, directions that sign in with
    // credentials (a password, or Windows integrated authentication).
    if p.target().is_on_premises() {
        let mut probed = Vec::new();
        for (_, conn) in p.connections() {
            let signs_in = conn.sends_password() == Some(true)
                || conn.credential_retrieval == Some(CredentialRetrieval::WindowsIntegrated);
            if let Some(loc) = conn.server_location.as_deref().filter(|_| signs_in)
                && !ssync_core::hosts::is_exchange_online(loc)
                && !probed.contains(&loc)
            {
                probed.push(loc);
                data.ews_probe(loc).await?;
            }
        }
    }
    Ok(())
}
