//! `acme-profile-is-default`: an example of a team's own check. It lives outside the bundled
//! set, reads data through the core's data interface and, for the one fact the interface does
//! not offer, through the raw read-only escape hatch (`DataSource::raw_get`).

use ssync_core::RawService;
use ssync_core::prelude::*;

ssync_core::declare_check! {
    /// Flags mailboxes whose e-mail server profile is not the organisation's default.
    pub struct ProfileIsDefault;
    id: "acme-profile-is-default",
    title: "Mailbox uses the organisation's default e-mail server profile",
    scope: Scope::Mailbox,
    severity: Severity::Warning,
    summary: "The mailbox uses an e-mail server profile other than the organisation's default.",
    docs: &[
        "https://learn.microsoft.com/power-platform/admin/set-up-server-side-synchronization-of-email-appointments-contacts-and-tasks",
    ],
    // The raw read is declared like any other: `list --permissions` shows it.
    reads: &[DataNeed::Mailboxes, DataNeed::Profiles, DataNeed::RawDataverse],
}

/// The raw query for the organisation's default profile (Dataverse Web API, read-only).
pub const DEFAULT_PROFILE_QUERY: &str = "organizations?$select=_defaultemailserverprofileid_value";

/// The default profile id from the `organizations` answer; `Ok(None)` when none is set.
fn default_profile_id(answer: &serde_json::Value) -> Result<Option<String>, SourceError> {
    let Some(org) = answer["value"].as_array().and_then(|rows| rows.first()) else {
        return Err(SourceError::Malformed {
            service: "Dataverse".into(),
            detail: "the organizations query returned no row".into(),
        });
    };
    Ok(org["_defaultemailserverprofileid_value"]
        .as_str()
        .map(str::to_owned))
}

/// A profile's name for the report; its id when the profile cannot be found.
async fn profile_name(data: &dyn DataSource, id: &str) -> Result<String, SourceError> {
    Ok(data.profile(id).await?.map_or_else(|| id.to_owned(), |p| p.name))
}

#[async_trait]
impl Check for ProfileIsDefault {
    async fn run(&self, ctx: &CheckContext<'_>, subject: &Subject) -> Result<Outcome, SourceError> {
        let mailbox = subject.mailbox()?;
        let answer = ctx
            .data
            .raw_get(RawService::Dataverse, DEFAULT_PROFILE_QUERY)
            .await?;
        let Some(default_id) = default_profile_id(&answer)? else {
            return Ok(Outcome::skip(
                "The organisation has no default e-mail server profile.",
            ));
        };
        match mailbox.profile_id.as_deref() {
            Some(id) if id.eq_ignore_ascii_case(&default_id) => Ok(Outcome::pass(format!(
                "Mailbox '{}' uses the default profile.",
                mailbox.name
            ))),
            other => {
                let default_name = profile_name(ctx.data, &default_id).await?;
                let current = match other {
                    Some(id) => Some(profile_name(ctx.data, id).await?),
                    None => None,
                };
                Ok(Outcome::warn(format!(
                    "Mailbox '{}' uses profile '{}', not the default '{default_name}'.",
                    mailbox.name,
                    current.as_deref().unwrap_or("(none)")
                ))
                .with_evidence("profile", current)
                .with_evidence("default_profile", default_name))
            }
        }
    }
}

#[cfg(test)]
mod tests;
