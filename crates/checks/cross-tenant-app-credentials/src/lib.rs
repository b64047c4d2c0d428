//! `cross-tenant-app-credentials`: a cross-tenant OAuth profile lacks its application id or
//! its client secret, or its last authorisation test failed. See `explain.md`.
//!
//! The columns are Microsoft's emailserverprofile table reference
//! (<https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/emailserverprofile>:
//! `oauthclientid`, `isoauthclientsecretset`, `lastauthorizationstatus` 0 Failure / 1 Success,
//! `lastcrmmessage`, `lastteststarttime`), decoded into `ProfileAuthorization` by the core. The
//! secret itself (`oauthclientsecret`) is not readable and is never asked for. Which profiles
//! are cross-tenant OAuth ones is the core's classification (`profile_target`).

use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Flags cross-tenant OAuth profiles whose application credentials are missing or refused.
    pub struct CrossTenantAppCredentials;
    id: "cross-tenant-app-credentials",
    title: "Cross-tenant OAuth profiles have working application credentials",
    scope: Scope::Profile,
    severity: Severity::Error,
    summary: "A cross-tenant OAuth e-mail server profile has no application id or no client secret, \
              or its last authorisation test failed, so it cannot sign in to the other tenant's \
              Exchange Online.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/connect-exchange-online-server-profile-oauth",
        "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/emailserverprofile",
        "https://learn.microsoft.com/azure/developer/java/sdk/troubleshooting-authentication-service-principal",
    ],
    reads: &[DataNeed::Profiles, DataNeed::Mailboxes],
    // Microsoft Entra sign-in errors of an application's credentials ("Troubleshoot service
    // principal authentication", third docs link): invalid secret, expired secret, application
    // not found in the tenant.
    alert_markers: &["AADSTS7000215", "AADSTS7000222", "AADSTS700016"],
    reasons: &["no-application-id", "client-secret-not-set", "last-authorization-failed"],
}

/// Longest `lastcrmmessage` carried as evidence, in characters.
const MESSAGE_LIMIT: usize = 1000;

/// What is wrong with the profile's credentials, in the order an administrator fixes them.
fn problems(auth: &ProfileAuthorization) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if auth.client_id.as_deref().is_none_or(|id| id.trim().is_empty()) {
        out.push(("no-application-id", "it has no application (client) id"));
    }
    // Absent is not known: only a recorded `false` says the secret is missing.
    if auth.secret_set == Some(false) {
        out.push(("client-secret-not-set", "no client secret is set"));
    }
    if auth.last_status == Some(AuthorizationStatus::Failure) {
        out.push(("last-authorization-failed", "its last authorisation test failed"));
    }
    out
}

fn message(auth: &ProfileAuthorization) -> Option<String> {
    let text = auth.last_message.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    Some(match text.char_indices().nth(MESSAGE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    })
}

#[async_trait]
impl Check for CrossTenantAppCredentials {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let profile = subject.profile()?;
        let classification = profile.classify();
        let auth = &profile.authorization;
        let last_message = message(auth);
        let target = |o: Outcome| {
            o.with_evidence("profile_id", &profile.id)
                .with_evidence("profile_target", &classification)
        };
        let evidence = |o: Outcome| {
            target(o)
                .with_evidence("exchange_online_tenant_id", &profile.exchange_online_tenant_id)
                .with_evidence("application_id", &auth.client_id)
                .with_evidence("secret_set", auth.secret_set)
                .with_evidence(
                    "last_authorization_status",
                    auth.last_status.map(AuthorizationStatus::label),
                )
                .with_evidence("last_message", &last_message)
                .with_evidence("last_test_start", &auth.last_test_start)
        };
        match classification.target {
            Target::ExchangeOnline { cross_tenant: true } => {}
            Target::Unknown => {
                return Ok(target(Outcome::skip(format!(
                    "Profile '{}' is not judged: {}.",
                    profile.name,
                    classification.unknown_reason()
                ))));
            }
            other => {
                return Ok(target(Outcome::skip(format!(
                    "Profile '{}' is not a cross-tenant OAuth profile: it connects to {}.",
                    profile.name,
                    other.describe()
                ))));
            }
        }
        if *auth == ProfileAuthorization::default() {
            return Ok(evidence(Outcome::error(format!(
                "Dataverse returned none of the OAuth columns of profile '{}' (oauthclientid, \
                 isoauthclientsecretset, lastauthorizationstatus): read profiles with a role that can \
                 see them, or collect the evidence again with this version.",
                profile.name
            ))));
        }
        let found = problems(auth);
        if found.is_empty() {
            let status = match auth.last_status {
                Some(AuthorizationStatus::Success) => "its last authorisation test succeeded".to_owned(),
                Some(other) => format!(
                    "its last authorisation status is {}, a value Microsoft's reference does not list",
                    other.label()
                ),
                None => "no authorisation test is recorded".to_owned(),
            };
            let secret = match auth.secret_set {
                Some(true) => "a client secret is set",
                _ => "Dataverse does not say whether a client secret is set",
            };
            return Ok(evidence(Outcome::pass(format!(
                "Profile '{}' has an application id and {secret}; {status}.",
                profile.name
            ))));
        }
        let said: Vec<&str> = found.iter().map(|(_, words)| *words).collect();
        let reasons: Vec<&str> = found.iter().map(|(reason, _)| *reason).collect();
        let recorded = last_message
            .as_deref()
            .map(|m| format!(" Dynamics 365 recorded: \"{m}\""))
            .unwrap_or_default();
        let mailboxes = lookup::profile_mailbox_addresses(ctx.data, &profile.id).await?;
        Ok(evidence(Outcome::fail(format!(
            "Cross-tenant OAuth profile '{}' cannot sign in to the Exchange Online tenant {}: {}.{recorded}",
            profile.name,
            profile
                .exchange_online_tenant_id
                .as_deref()
                .unwrap_or("(not set)"),
            said.join(", and ")
        )))
        .with_evidence("reason", reasons[0])
        .with_evidence("reasons", &reasons)
        .with_mailboxes(mailboxes))
    }
}

#[cfg(test)]
mod tests;
