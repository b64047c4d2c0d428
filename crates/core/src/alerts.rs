//! Which checks explain an alert, and which documented cause it resembles.
//!
//! Both `ssync-doctor triage` (a pasted alert) and the `unexplained-sync-alert` check (the
//! alerts Dataverse keeps on a mailbox) decide "does this check explain this alert?" here,
//! from the check's metadata alone ([`CheckMeta::alert_markers`], [`CheckMeta::error_codes`],
//! [`CheckMeta::cause`]), so that the two never disagree.
//!
//! The [`CATALOGUE`] holds the alert texts Microsoft documents for server-side
//! synchronization, each with its support article, so that an alert no check explains can
//! still be pointed at the closest documented cause.

mod catalogue;

pub use catalogue::{CATALOGUE, DocumentedCause, closest_documented_cause};

use crate::check::CheckMeta;
use crate::records::Alert;

/// The text of an alert, folded for matching: lower case, straight quotes and apostrophes,
/// one space for every run of white space (a pasted alert wraps anywhere).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertText {
    folded: String,
}

impl AlertText {
    pub fn new(text: &str) -> Self {
        Self { folded: fold(text) }
    }

    /// Everything Dataverse keeps of a trace log: its text, error details and detail XML
    /// (which column carries a marker is not documented, so all of them count).
    pub fn of(alert: &Alert) -> Self {
        let parts = [
            Some(alert.text.as_str()),
            alert.error_details.as_deref(),
            alert.detail_xml.as_deref(),
        ];
        Self::new(&parts.into_iter().flatten().collect::<Vec<_>>().join("\n"))
    }

    /// True when `needle` occurs in the alert, compared the same folded way.
    pub fn mentions(&self, needle: &str) -> bool {
        let needle = fold(needle);
        !needle.is_empty() && self.folded.contains(&needle)
    }

    /// True when the alert carries the HTTP 401 of KB 3212785 ("Http server returned 401
    /// Unauthorized exception", or "(401) Unauthorized" as the profile test writes it).
    pub fn is_401(&self) -> bool {
        HTTP_401.iter().any(|s| self.mentions(s))
    }
}

/// How the KB 3212785 alert and the profile's Test Connection write the 401
/// (learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/
/// exception-when-using-server-side-sync and …/test-connection-fails-email-server).
const HTTP_401: [&str; 3] = ["401 unauthorized", "(401) unauthorized", "http status 401"];

fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// What of an alert a check's metadata claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    /// The check's alert markers the alert carries.
    pub markers: Vec<&'static str>,
    /// The first of the check's error codes the alert carries.
    pub error_code: Option<&'static str>,
    /// The alert is the HTTP 401 and the check looks for one of KB 3212785's causes of it.
    pub http_401: bool,
}

impl Claim {
    /// The check explains the alert: a marker, a claimed error code, or the 401 it is about.
    pub fn explains(&self) -> bool {
        !self.markers.is_empty() || self.error_code.is_some() || self.http_401
    }
}

/// What `check` claims of `alert`.
pub fn claim(check: &CheckMeta, alert: &AlertText) -> Claim {
    Claim {
        markers: check
            .alert_markers
            .iter()
            .copied()
            .filter(|m| alert.mentions(m))
            .collect(),
        error_code: check.error_codes.iter().copied().find(|c| alert.mentions(c)),
        http_401: check.cause.is_some() && alert.is_401(),
    }
}

/// The checks among `checks` that explain `alert` (see [`Claim::explains`]), in their order.
pub fn explained_by<'a>(checks: &[&'a CheckMeta], alert: &AlertText) -> Vec<&'a CheckMeta> {
    checks
        .iter()
        .copied()
        .filter(|c| claim(c, alert).explains())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    static RECREATED: CheckMeta = CheckMeta::new("recreated", "t")
        .cause(6)
        .alert_markers(&["NoUserFoundWithGivenClaims"]);
    static LICENCE: CheckMeta = CheckMeta::new("licence", "t")
        .cause(3)
        .error_codes(&["InvalidLicense"]);
    static NOTE: CheckMeta = CheckMeta::new("note", "t");

    #[test]
    fn folding_ignores_case_quotes_and_wrapping() {
        let a = AlertText::new("Appointments, contacts, and tasks can\u{2019}t be\n   synchronized");
        assert!(a.mentions("appointments, contacts, and tasks can't be synchronized"));
        assert!(!a.mentions("cannot be synchronized"));
        assert!(!a.mentions("   "), "an empty needle matches nothing");
    }

    #[test]
    fn markers_codes_and_the_401_explain_only_their_checks() {
        let checks = [&RECREATED, &LICENCE, &NOTE];
        let ids = |a: &AlertText| explained_by(&checks, a).iter().map(|m| m.id).collect::<Vec<_>>();

        let marker = AlertText::new("Error: nouserfoundwithgivenclaims");
        assert_eq!(ids(&marker), ["recreated"]);
        assert_eq!(claim(&RECREATED, &marker).markers, ["NoUserFoundWithGivenClaims"]);

        let code = AlertText::new("Email Server Error Code: ErrorInvalidLicense");
        assert_eq!(ids(&code), ["licence"]);
        assert_eq!(claim(&LICENCE, &code).error_code, Some("InvalidLicense"));

        let http =
            AlertText::new("Email Server Error Code: Http server returned 401 Unauthorized exception.");
        assert!(http.is_401());
        assert_eq!(
            ids(&http),
            ["recreated", "licence"],
            "the KB's cause checks explain a 401"
        );

        let other = AlertText::new("The mailbox location could not be determined while receiving email.");
        assert!(ids(&other).is_empty());
        assert!(!AlertText::new("tracecode 4010; unauthorized access").is_401());
    }

    #[test]
    fn a_trace_log_is_read_in_all_its_columns() {
        let alert = Alert {
            id: "a".into(),
            level: crate::records::AlertLevel::Error,
            text: "Email cannot be received.".into(),
            error_details: None,
            detail_xml: Some("<x>NoUserFoundWithGivenClaims</x>".into()),
            code: None,
            last_seen: None,
        };
        assert!(AlertText::of(&alert).mentions("NoUserFoundWithGivenClaims"));
        assert!(AlertText::of(&alert).mentions("email cannot be received."));
    }
}
