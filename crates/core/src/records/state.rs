//! What state a mailbox is in, as Dataverse records it on the mailbox row: the result of the
//! last test or synchronisation per direction, the last error, whether each direction is
//! enabled, and whether its e-mail address is approved.
//!
//! Columns and option values follow Microsoft's mailbox table reference,
//! <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox>
//! (`incomingemailstatus`, `outgoingemailstatus`, `actstatus`, `mailboxstatus`: 0 Not Run,
//! 1 Success, 2 Failure; `emailrouteraccessapproval`: 0 Empty, 1 Approved, 2 Pending Approval,
//! 3 Rejected; `enabledforincomingemail`, `enabledforoutgoingemail`, `enabledforact`: default
//! true; `lastsyncerror`, `lastsyncerrorcode`, `lastsyncerroroccurredon`,
//! `lastsuccessfulsynccompletedon`).

use serde::{Deserialize, Serialize};

/// The result of a test or synchronisation (`incomingemailstatus` and its siblings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncStatus {
    /// 0 — Not Run.
    NotRun,
    /// 1 — Success.
    Success,
    /// 2 — Failure.
    Failure,
    /// A value the reference does not list.
    Unknown(i32),
}

impl From<i32> for SyncStatus {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::NotRun,
            1 => Self::Success,
            2 => Self::Failure,
            n => Self::Unknown(n),
        }
    }
}

impl SyncStatus {
    /// "not run", "success", "failure" or "unknown (7)", for reports.
    pub fn label(self) -> String {
        match self {
            Self::NotRun => "not run".into(),
            Self::Success => "success".into(),
            Self::Failure => "failure".into(),
            Self::Unknown(n) => format!("unknown ({n})"),
        }
    }
}

/// `emailrouteraccessapproval` ("Email Address Status").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailApproval {
    /// 0 — Empty.
    Empty,
    /// 1 — Approved.
    Approved,
    /// 2 — Pending Approval.
    PendingApproval,
    /// 3 — Rejected.
    Rejected,
    /// A value the reference does not list.
    Unknown(i32),
}

impl From<i32> for EmailApproval {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Empty,
            1 => Self::Approved,
            2 => Self::PendingApproval,
            3 => Self::Rejected,
            n => Self::Unknown(n),
        }
    }
}

impl EmailApproval {
    /// "empty", "approved", "pending approval", "rejected" or "unknown (7)", for reports.
    pub fn label(self) -> String {
        match self {
            Self::Empty => "empty".into(),
            Self::Approved => "approved".into(),
            Self::PendingApproval => "pending approval".into(),
            Self::Rejected => "rejected".into(),
            Self::Unknown(n) => format!("unknown ({n})"),
        }
    }
}

/// A mailbox's synchronisation state. Every column may be empty on a real row (a mailbox that
/// was never tested has no statuses and no error), so each one is optional; the enabled flags
/// default to true as the reference says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct MailboxState {
    /// `incomingemailstatus`: the last test or synchronisation of incoming e-mail.
    pub incoming: Option<SyncStatus>,
    /// `outgoingemailstatus`.
    pub outgoing: Option<SyncStatus>,
    /// `actstatus`: appointments, contacts and tasks.
    pub act: Option<SyncStatus>,
    /// `mailboxstatus`: the overall status of the last synchronisation.
    pub mailbox: Option<SyncStatus>,
    /// `enabledforincomingemail`.
    pub enabled_for_incoming: bool,
    /// `enabledforoutgoingemail`.
    pub enabled_for_outgoing: bool,
    /// `enabledforact`.
    pub enabled_for_act: bool,
    /// `emailrouteraccessapproval`: whether the e-mail address is approved for
    /// synchronisation.
    pub email_address_approval: Option<EmailApproval>,
    /// `isemailaddressapprovedbyo365admin`: approved by a Microsoft 365 administrator.
    pub email_address_approved_by_o365_admin: Option<bool>,
    /// `lastsyncerror`: the text of the last synchronisation error.
    pub last_sync_error: Option<String>,
    /// `lastsyncerrorcode`.
    pub last_sync_error_code: Option<i32>,
    /// `lastsyncerroroccurredon` (RFC 3339, as Dataverse sends it).
    pub last_sync_error_on: Option<String>,
    /// `lastsuccessfulsynccompletedon` (RFC 3339, as Dataverse sends it).
    pub last_successful_sync_on: Option<String>,
}

impl Default for MailboxState {
    /// Nothing known, every direction enabled (the columns' default).
    fn default() -> Self {
        Self {
            incoming: None,
            outgoing: None,
            act: None,
            mailbox: None,
            enabled_for_incoming: true,
            enabled_for_outgoing: true,
            enabled_for_act: true,
            email_address_approval: None,
            email_address_approved_by_o365_admin: None,
            last_sync_error: None,
            last_sync_error_code: None,
            last_sync_error_on: None,
            last_successful_sync_on: None,
        }
    }
}

impl MailboxState {
    /// Incoming, outgoing, ACT and overall statuses set to `status` (fixtures, simulators).
    pub fn all(status: SyncStatus) -> Self {
        Self {
            incoming: Some(status),
            outgoing: Some(status),
            act: Some(status),
            mailbox: Some(status),
            ..Self::default()
        }
    }

    /// True when the last test or synchronisation of any direction, or overall, failed: what
    /// `--failing` selects.
    pub fn any_failure(&self) -> bool {
        [self.incoming, self.outgoing, self.act, self.mailbox].contains(&Some(SyncStatus::Failure))
    }

    /// True when no column of the state was read (a record from a source that does not know
    /// it): reports then show nothing rather than "unknown" everywhere.
    pub fn is_unknown(&self) -> bool {
        self == &Self::default()
    }

    /// The state as `(label, value)` pairs for reports, known columns only, in a fixed order:
    /// statuses, then the last error and success, then approval and disabled directions.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (label, status) in [
            ("incoming", self.incoming),
            ("outgoing", self.outgoing),
            ("appointments, contacts, tasks", self.act),
            ("overall", self.mailbox),
        ] {
            if let Some(s) = status {
                out.push((label, s.label()));
            }
        }
        if let Some(error) = self.last_sync_error.as_deref().filter(|e| !e.trim().is_empty()) {
            let code = self
                .last_sync_error_code
                .map(|c| format!(" (code {c})"))
                .unwrap_or_default();
            out.push(("last error", format!("{}{code}", error.trim())));
        } else if let Some(code) = self.last_sync_error_code {
            out.push(("last error", format!("code {code}")));
        }
        if let Some(on) = &self.last_sync_error_on {
            out.push(("last error on", on.clone()));
        }
        if let Some(on) = &self.last_successful_sync_on {
            out.push(("last success", on.clone()));
        }
        // Approved is the normal case; only an address that is not says something.
        if let Some(a) = self
            .email_address_approval
            .filter(|a| *a != EmailApproval::Approved)
        {
            out.push(("address approval", a.label()));
        }
        let disabled: Vec<&str> = [
            ("incoming", self.enabled_for_incoming),
            ("outgoing", self.enabled_for_outgoing),
            ("appointments, contacts, tasks", self.enabled_for_act),
        ]
        .iter()
        .filter(|(_, on)| !on)
        .map(|(d, _)| *d)
        .collect();
        if !disabled.is_empty() {
            out.push(("disabled", disabled.join(", ")));
        }
        out
    }

    /// One line for reports: "incoming failure · outgoing failure · … · last error: …".
    pub fn summary(&self) -> String {
        self.facts()
            .into_iter()
            .map(|(label, value)| match label {
                "incoming" | "outgoing" | "overall" => format!("{label} {value}"),
                "appointments, contacts, tasks" => format!("ACT {value}"),
                _ => format!("{label}: {value}"),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_follow_the_reference_and_keep_the_unknown() {
        assert_eq!(SyncStatus::from(0), SyncStatus::NotRun);
        assert_eq!(SyncStatus::from(1), SyncStatus::Success);
        assert_eq!(SyncStatus::from(2), SyncStatus::Failure);
        assert_eq!(SyncStatus::from(9), SyncStatus::Unknown(9));
        assert_eq!(EmailApproval::from(0), EmailApproval::Empty);
        assert_eq!(EmailApproval::from(1), EmailApproval::Approved);
        assert_eq!(EmailApproval::from(2), EmailApproval::PendingApproval);
        assert_eq!(EmailApproval::from(3), EmailApproval::Rejected);
        assert_eq!(EmailApproval::from(4), EmailApproval::Unknown(4));
    }

    #[test]
    fn a_failure_in_any_direction_is_a_failing_mailbox() {
        assert!(!MailboxState::default().any_failure());
        assert!(!MailboxState::all(SyncStatus::Success).any_failure());
        let state = MailboxState {
            act: Some(SyncStatus::Failure),
            ..MailboxState::all(SyncStatus::Success)
        };
        assert!(state.any_failure());
    }

    #[test]
    fn the_summary_names_what_is_known_and_nothing_else() {
        assert!(MailboxState::default().is_unknown());
        assert_eq!(MailboxState::default().summary(), "");
        let state = MailboxState {
            incoming: Some(SyncStatus::Failure),
            last_sync_error: Some("The user does not exist.".into()),
            last_sync_error_code: Some(-2147220970),
            enabled_for_act: false,
            email_address_approval: Some(EmailApproval::PendingApproval),
            ..MailboxState::default()
        };
        assert_eq!(
            state.summary(),
            "incoming failure · last error: The user does not exist. (code -2147220970) · \
             address approval: pending approval · disabled: appointments, contacts, tasks"
        );
    }

    #[test]
    fn a_record_without_state_reads_as_the_default() {
        let state: MailboxState = serde_json::from_str("{}").unwrap();
        assert_eq!(state, MailboxState::default());
        let json = serde_json::to_value(MailboxState::all(SyncStatus::Failure)).unwrap();
        assert_eq!(json["incoming"], "failure");
        assert_eq!(json["enabled_for_act"], true);
    }
}
