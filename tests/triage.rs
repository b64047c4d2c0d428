//! `ssync-doctor triage` through the built binary.

use ssync_e2e::{run, run_with_stdin, stderr, stdout};

const ALERT: &str = "Email cannot be received for the mailbox frank.old@contoso.com. Make sure that the \
credentials specified in the mailbox are correct and have sufficient permissions for receiving email. Then, \
enable the mailbox for email processing.\nEmail Server Error Code: Http server returned 401 Unauthorized exception.";

#[test]
fn an_alert_argument_names_symptom_checks_and_command() {
    let out = run(&["triage", ALERT]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("cannot be received"), "{text}");
    assert!(
        text.contains("Http server returned 401 Unauthorized exception"),
        "{text}"
    );
    for id in [
        "mailbox-address-mismatch",
        "hybrid-profile-for-online-mailbox",
        "missing-exchange-online-license",
        "cross-tenant-exchange",
        "ews-basic-auth-disabled",
        "recreated-user",
        "exchange-online-basic-auth",
    ] {
        assert!(text.contains(id), "{id} not named:\n{text}");
    }
    assert!(
        text.contains("ssync-doctor run --mailbox frank.old@contoso.com\n"),
        "{text}"
    );
}

#[test]
fn the_alert_can_come_on_standard_input() {
    let alert = "Appointments, contacts, and tasks can't be synchronized. Make sure that the credentials \
                 specified in the mailbox Sam Jones are correct and have sufficient permissions.\n\
                 NoUserFoundWithGivenClaims";
    let out = run_with_stdin(&["triage", "-"], alert);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("appointments, contacts and tasks"), "{text}");
    assert!(text.contains("--mailbox 'Sam Jones'"), "{text}");
    assert!(text.contains("a marker of `recreated-user`"), "{text}");
    assert!(text.contains("it is the first suspect"), "{text}");
}

#[test]
fn an_unrecognised_text_says_so_and_exits_2() {
    let out = run_with_stdin(&["triage"], "The printer on floor 3 is out of paper.");
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("not one of the server-side synchronization alerts"),
        "{}",
        stderr(&out)
    );
}

/// The alert of Microsoft's support article "Http server returned Forbidden exception"
/// (KB 4483440) points at `ews-access-blocked` alone; a mailbox over its quota, also a 403
/// (KB 4556585), does not.
#[test]
fn the_403_alert_points_at_ews_access_blocked_and_a_quota_403_does_not() {
    let forbidden = "The email message \"Your mailbox is now connected to Dynamics 365\" cannot be sent because \
        an error occurred while establishing a secure connection to the email server. Mailbox Fiona didn't \
        synchronize.\nEmail Server Error Code: Http server returned Forbidden exception.";
    let out = run(&["triage", forbidden]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("a marker of `ews-access-blocked`"), "{text}");
    assert!(text.contains("This error code points at one cause"), "{text}");
    assert!(text.contains("--check ews-access-blocked\n"), "{text}");
    assert!(!text.contains("recreated-user"), "{text}");

    let quota = "The email message Report cannot be sent. Make sure that the credentials specified in the \
        mailbox Cai are correct and have sufficient permissions for sending email.\nEmail Server Error Code: \
        ErrorQuotaExceeded. Exchange.server returned 403 error.";
    let out = run(&["triage", quota]);
    let text = stdout(&out);
    assert!(!text.contains("a marker of `ews-access-blocked`"), "{text}");
    assert!(!text.contains("--check ews-access-blocked\n"), "{text}");
}

/// cross-tenant-app-credentials: Microsoft Entra's errors for an application's credentials
/// (invalid secret, expired secret, application not in the tenant) point at it first.
#[test]
fn an_entra_credential_error_names_cross_tenant_app_credentials_first() {
    for code in ["AADSTS7000215", "AADSTS7000222", "AADSTS700016"] {
        let alert = format!(
            "Email cannot be received for the mailbox nora@northwindtraders.com. {code}: the application's \
             credentials were refused."
        );
        let out = run(&["triage", &alert]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains("a marker of `cross-tenant-app-credentials`"),
            "{code}:\n{text}"
        );
    }
}
