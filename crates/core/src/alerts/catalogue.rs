//! The alert texts Microsoft documents for server-side synchronization, each with its
//! support article (reference: §E of the project's Microsoft API notes). Every signature is
//! quoted from the article it links to.

use serde::Serialize;

use super::AlertText;

/// A documented cause of a server-side synchronization alert.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct DocumentedCause {
    /// Stable kebab-case id; the `unexplained-sync-alert` check reports it as its reason.
    pub id: &'static str,
    /// What the article says goes wrong, as a sentence fragment.
    pub title: &'static str,
    /// Texts of the alert or its details (compared as [`AlertText::mentions`] does).
    pub signatures: &'static [&'static str],
    /// Microsoft's article.
    pub article: &'static str,
    /// The article's fix, in one sentence.
    pub fix: &'static str,
}

macro_rules! article {
    ($page:literal) => {
        concat!(
            "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/",
            $page
        )
    };
}

/// The catalogue, most specific first: [`closest_documented_cause`] takes the first entry
/// whose signature an alert carries, so the generic 401 comes last.
pub static CATALOGUE: &[DocumentedCause] = &[
    DocumentedCause {
        id: "invalid-license",
        title: "the user's Exchange Online mailbox has no Exchange Online licence (ErrorInvalidLicense)",
        signatures: &["ErrorInvalidLicense", "license is invalid for the mailbox"],
        article: article!("email-cannot-be-received-because-license-is-invalid-error"),
        fix: "Assign an Exchange Online licence to the user, or convert a mailbox used as a queue to a shared mailbox (which needs none).",
    },
    DocumentedCause {
        id: "mailbox-location-unknown",
        title: "the mailbox location could not be determined (autodiscover did not find the mailbox)",
        signatures: &[
            "mailbox location could not be determined",
            "could not be determined while receiving email",
        ],
        article: article!("error-when-testing-enabling-mailbox"),
        fix: "Fix autodiscover for the mailbox, or set the profile's Auto Discover Server Location to No and give the EWS URL (https://mail.example.com/EWS/Exchange.asmx).",
    },
    DocumentedCause {
        id: "impersonation-denied",
        title: "the profile's credentials are incorrect or lack the impersonation right on the mailbox",
        signatures: &[
            "ErrorImpersonateUserDenied",
            "does not have permission to impersonate the requested user",
            "are incorrect or have insufficient permissions",
        ],
        article: article!("the-account-does-not-have-permission-to-impersonate-the-requested-user-error"),
        fix: "Check the credentials in the e-mail server profile and give that account the ApplicationImpersonation right and access to each mailbox.",
    },
    DocumentedCause {
        id: "no-mailbox-for-address",
        title: "the SMTP address has no mailbox associated with it (ErrorNonExistentMailbox)",
        signatures: &["ErrorNonExistentMailbox", "has no mailbox associated with it"],
        article: article!("the-smtp-address-has-no-mailbox"),
        fix: "Give the profile's user name in UPN form (user@contoso.com, not DOMAIN\\user) and check that a mailbox exists for that address.",
    },
    DocumentedCause {
        id: "privilege-denied",
        title: "the mailbox's Dynamics 365 user lacks a privilege, or does not own the mailbox record (Crm.80048306)",
        signatures: &[
            "80048306",
            "Not enough privilege",
            "PrivilegeDenied",
            "doesn't have sufficient permissions on this mailbox",
        ],
        article: article!("error-when-you-test-enable-a-mailbox"),
        fix: "Make the mailbox's user the owner of its mailbox record and give that user a security role with the server-side synchronization privileges.",
    },
    DocumentedCause {
        id: "approval-required",
        title: "the mailbox's e-mail address is not approved (by a Microsoft 365 administrator where required)",
        signatures: &[
            "requires an approval by",
            "is not approved",
            "haven't been approved",
        ],
        article: article!("troubleshooting-monitoring-server-side-synchronization"),
        fix: "Approve the mailbox's e-mail address (Approve Email) as a user allowed to, then Test & Enable the mailbox.",
    },
    DocumentedCause {
        id: "ews-forbidden",
        title: "Exchange answered 403 Forbidden: EWS is disabled, or its application allow or block list shuts out Dynamics 365",
        signatures: &["Http server returned Forbidden exception", "HTTP status 403"],
        article: article!("http-server-returned-forbidden-exception"),
        fix: "Enable EWS for the mailbox and the organisation (Set-CASMailbox / Set-OrganizationConfig -EwsEnabled $true) and let CRM/* through EwsApplicationAccessPolicy.",
    },
    DocumentedCause {
        id: "unauthorized-401",
        title: "Exchange answered 401 Unauthorized (the six causes of KB 3212785)",
        signatures: &["401 Unauthorized", "(401) Unauthorized", "HTTP status 401"],
        article: article!("exception-when-using-server-side-sync"),
        fix: "Run every ssync-doctor check for this mailbox: each looks for one of the article's causes.",
    },
];

/// The first documented cause whose signature `alert` carries.
pub fn closest_documented_cause(alert: &AlertText) -> Option<&'static DocumentedCause> {
    CATALOGUE
        .iter()
        .find(|c| c.signatures.iter().any(|s| alert.mentions(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TROUBLESHOOT: &str =
        "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/";

    /// The alert of each article, as the article prints it, finds that article.
    #[test]
    fn each_documented_alert_finds_its_article() {
        let cases = [
            (
                "Email can't be received because the license is invalid for the mailbox Judy.\nEmail Server Error Code: ErrorInvalidLicense",
                "invalid-license",
            ),
            (
                "The location of the mailbox Zoe could not be determined while receiving email. The owner of the associated email server profile Exchange has been notified.",
                "mailbox-location-unknown",
            ),
            (
                "The mailbox location could not be determined while sending the email message \"Your mailbox is now connected to Dynamics 365\".",
                "mailbox-location-unknown",
            ),
            (
                "The account does not have permission to impersonate the requested user",
                "impersonation-denied",
            ),
            (
                "Email can't be received because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for receiving email.",
                "impersonation-denied",
            ),
            (
                "Test Failed. The SMTP address has no mailbox associated with it.",
                "no-mailbox-for-address",
            ),
            (
                "Email Server Error Code: Crm.80048306.Not enough privilege to access the Microsoft Dynamics 365 object",
                "privilege-denied",
            ),
            (
                "Email can't be sent because the email address of the mailbox Xena requires an approval by a Microsoft 365 administrator.",
                "approval-required",
            ),
            (
                "cannot be sent because an error occurred while establishing a secure connection.\nEmail Server Error Code: Http server returned Forbidden exception.",
                "ews-forbidden",
            ),
            (
                "Email Server Error Code: Http server returned 401 Unauthorized exception.",
                "unauthorized-401",
            ),
        ];
        for (text, id) in cases {
            let found = closest_documented_cause(&AlertText::new(text)).map(|c| c.id);
            assert_eq!(found, Some(id), "{text}");
        }
        assert!(
            closest_documented_cause(&AlertText::new(
                "Appointments can't be synchronized because the Organizer field isn't present."
            ))
            .is_none()
        );
    }

    #[test]
    fn the_specific_cause_wins_over_the_401() {
        let both =
            AlertText::new("Http server returned 401 Unauthorized exception. ErrorImpersonateUserDenied");
        assert_eq!(
            closest_documented_cause(&both).map(|c| c.id),
            Some("impersonation-denied")
        );
    }

    #[test]
    fn the_catalogue_is_well_formed() {
        let mut ids: Vec<_> = CATALOGUE.iter().map(|c| c.id).collect();
        for c in CATALOGUE {
            assert!(crate::registry::is_valid_id(c.id), "{}", c.id);
            assert!(c.article.starts_with(TROUBLESHOOT), "{}", c.article);
            assert!(!c.signatures.is_empty() && !c.fix.is_empty() && !c.title.is_empty());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len(), "ids are unique");
    }
}
