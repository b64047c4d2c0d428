//! `ssync-doctor triage [TEXT | -]`: from an alert to the command that diagnoses it.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use ssync_core::{CheckMeta, alerts, registered_checks};

use crate::error::CliError;
use crate::shell::quote;
use crate::triage::{self, Alert};

/// Reads the alert from the argument, or from standard input when there is none or it is `-`.
pub fn run(text: Option<String>) -> Result<ExitCode, CliError> {
    let text = match text.as_deref() {
        Some(t) if t != "-" => t.to_owned(),
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("Paste the alert text, then press Ctrl-D:");
            }
            let mut buf = String::new();
            std::io::stdin().read_to_string(&mut buf).map_err(|e| {
                CliError::Usage(format!("could not read the alert text from standard input: {e}"))
            })?;
            buf
        }
    };
    let Some(alert) = triage::parse(&text) else {
        return Err(CliError::Usage(
            "this text is not one of the server-side synchronization alerts of KB 3212785: it names neither \
             \"cannot be sent\", \"cannot be received for the mailbox\" nor \"Appointments, contacts, and \
             tasks can't be synchronized\", and carries no \"Email Server Error Code:\". Paste the whole alert \
             from the mailbox record (Alerts tab), or run `ssync-doctor run --all` to check every mailbox."
                .into(),
        ));
    };
    let metas: Vec<&'static CheckMeta> = registered_checks()?.iter().map(|r| r.meta()).collect();
    write!(std::io::stdout().lock(), "{}", advice(&alert, &metas))?;
    Ok(ExitCode::SUCCESS)
}

/// The checks that can explain this alert, all from their metadata: for an error code other
/// than the 401 that some checks claim (`CheckMeta::error_codes`), only those; otherwise all of
/// them. Checks whose alert markers the text carries come first, then the KB's order.
pub fn applicable<'a>(alert: &Alert, checks: &[&'a CheckMeta]) -> Vec<&'a CheckMeta> {
    let claimed: Vec<&CheckMeta> = if alert.is_401() {
        Vec::new()
    } else {
        checks
            .iter()
            .copied()
            .filter(|m| alerts::claim(m, &alert.text).error_code.is_some())
            .collect()
    };
    let mut selected = if claimed.is_empty() {
        checks.to_vec()
    } else {
        claimed
    };
    selected.sort_by_key(|m| (!carries_marker_of(alert, m), m.cause.unwrap_or(u8::MAX), m.id));
    selected
}

/// True when the alert carries one of the check's declared markers.
fn carries_marker_of(alert: &Alert, check: &CheckMeta) -> bool {
    !alerts::claim(check, &alert.text).markers.is_empty()
}

/// The whole answer, as printed.
pub fn advice(alert: &Alert, checks: &[&CheckMeta]) -> String {
    let mut s = String::new();
    match alert.symptom {
        Some(sym) => s += &format!("Symptom:    {} (one of the KB 3212785 alerts)\n", sym.describe()),
        None => s += "Symptom:    not named (no symptom sentence in the text)\n",
    }
    if let Some(subject) = &alert.email_subject {
        s += &format!("E-mail:     \"{subject}\"\n");
    }
    s += &format!(
        "Mailbox:    {}\n",
        alert.mailbox.as_deref().unwrap_or("not named in the text")
    );
    s += &format!(
        "Error code: {}\n\n",
        alert.error_code.as_deref().unwrap_or("none in the text")
    );

    let selected = applicable(alert, checks);
    for m in selected.iter().filter(|m| carries_marker_of(alert, m)) {
        let found: Vec<String> = alerts::claim(m, &alert.text)
            .markers
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect();
        s += &format!(
            "The alert carries {}, a marker of `{}` ({}): it is the first suspect.\n",
            found.join(" and "),
            m.id,
            m.title
        );
    }
    // An alert no check claims may still be one Microsoft documents: say which, and where.
    if let Some(cause) = alert.documented {
        if alerts::explained_by(checks, &alert.text).is_empty() {
            s += &format!(
                "No check claims this alert; Microsoft documents it: {}.\n  Fix: {}\n  {}\n",
                cause.title, cause.fix, cause.article
            );
        }
    }
    if alert.is_401() {
        s +=
            "This is the HTTP 401 of KB 3212785; any of its causes can produce it, so every check applies:\n";
    } else if alert.error_code.is_some() {
        if selected.len() < checks.len() {
            s += "This error code points at one cause:\n";
        } else {
            s += "This error code is not the HTTP 401 KB 3212785 is about; the checks may still find a cause:\n";
        }
    } else {
        s += "No error code in the text; every check of the 401 applies:\n";
    }
    let width = selected.iter().map(|m| m.id.len()).max().unwrap_or(0);
    for m in &selected {
        let cause = m.cause.map_or("note   ".to_owned(), |c| format!("cause {c}"));
        s += &format!("  {:width$}  {cause}  {}\n", m.id, m.title);
    }

    let target = match &alert.mailbox {
        Some(name) => quote(name),
        None => "ADDRESS".to_owned(),
    };
    let mut command = format!("ssync-doctor run --mailbox {target}");
    if selected.len() < checks.len() {
        for m in &selected {
            command += &format!(" --check {}", m.id);
        }
    }
    s += &format!("\nRun them for this mailbox (connection from SSYNC_ORG_URL and AZURE_*):\n  {command}\n");
    if alert.mailbox.is_none() {
        s += "Replace ADDRESS with the mailbox's e-mail address, as in its mailbox record.\n";
    }
    s += "`ssync-doctor explain ID` tells what a check looks for and how to fix what it finds.\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::{parse, parse_with_markers};

    fn bundled() -> Vec<&'static CheckMeta> {
        crate::registered().unwrap().iter().map(|r| r.meta()).collect()
    }

    #[test]
    fn a_401_names_every_check_and_a_runnable_command() {
        let alert = parse(
            "Email cannot be received for the mailbox Frank Miller. Make sure that the credentials \
             specified in the mailbox are correct.\nEmail Server Error Code: Http server returned 401 \
             Unauthorized exception.",
        )
        .unwrap();
        let text = advice(&alert, &bundled());
        assert!(text.contains("incoming e-mail cannot be received"), "{text}");
        for m in bundled() {
            assert!(text.contains(m.id), "{} missing:\n{text}", m.id);
        }
        assert!(
            text.contains("  ssync-doctor run --mailbox 'Frank Miller'\n"),
            "{text}"
        );
        assert!(!text.contains("--check"), "{text}");
    }

    #[test]
    fn a_declared_marker_puts_its_check_first() {
        let checks = bundled();
        for marked in checks.iter().filter(|m| !m.alert_markers.is_empty()) {
            let marker = marked.alert_markers[0];
            let alert = parse(&format!(
                "Email Server Error Code: Http server returned 401 Unauthorized exception.\n{marker}"
            ))
            .unwrap();
            let order = applicable(&alert, &checks);
            assert_eq!(order[0].id, marked.id);
            assert_eq!(order.len(), checks.len());
            let rest: Vec<_> = order[1..].iter().map(|m| m.cause.unwrap_or(u8::MAX)).collect();
            assert!(rest.is_sorted(), "then in the KB's order: {rest:?}");
            assert!(advice(&alert, &checks).contains(&format!("a marker of `{}`", marked.id)));
        }
    }

    // Routing comes from metadata alone: a check the runner has never heard of is routed by
    // what it declares.
    static ACME: CheckMeta = CheckMeta::new("acme-quota", "Mailbox has quota left")
        .alert_markers(&["QuotaExceededMarker"])
        .error_codes(&["ErrorQuotaExceeded"]);
    static OTHER: CheckMeta = CheckMeta::new("acme-other", "Other").cause(1);

    #[test]
    fn routing_follows_declared_markers_and_codes() {
        let checks = [&OTHER, &ACME];
        let code = parse_with_markers(
            "Email cannot be received for the mailbox x.\nEmail Server Error Code: ErrorQuotaExceeded",
            &["QuotaExceededMarker"],
        )
        .unwrap();
        let ids: Vec<_> = applicable(&code, &checks).iter().map(|m| m.id).collect();
        assert_eq!(ids, ["acme-quota"]);
        let marker = parse_with_markers(
            "Email Server Error Code: 401 Unauthorized. QuotaExceededMarker",
            &["QuotaExceededMarker"],
        )
        .unwrap();
        let ids: Vec<_> = applicable(&marker, &checks).iter().map(|m| m.id).collect();
        assert_eq!(ids, ["acme-quota", "acme-other"]);
        let unclaimed = parse_with_markers("Email Server Error Code: ErrorSomethingElse", &[]).unwrap();
        assert_eq!(
            applicable(&unclaimed, &checks).len(),
            2,
            "an unclaimed code keeps every check"
        );
    }

    #[test]
    fn a_claimed_error_code_narrows_to_the_checks_that_claim_it() {
        let checks = bundled();
        for claimant in checks.iter().filter(|m| !m.error_codes.is_empty()) {
            let code = claimant.error_codes[0];
            let alert = parse(&format!(
                "Email cannot be received for the mailbox judy@contoso.com. Make sure…\nEmail Server Error Code: \
                 Error{code}"
            ))
            .unwrap();
            let text = advice(&alert, &checks);
            assert!(
                text.contains(&format!(
                    "ssync-doctor run --mailbox judy@contoso.com --check {}\n",
                    claimant.id
                )),
                "{text}"
            );
        }
    }

    /// An alert no bundled check claims is still read, and pointed at Microsoft's article.
    #[test]
    fn an_unclaimed_documented_alert_names_its_article() {
        let alert = parse(
            "The location of the mailbox Zoe could not be determined while receiving email. The owner of \
             the associated email server profile Microsoft Exchange Online has been notified.",
        )
        .expect("a documented alert text is recognised");
        let text = advice(&alert, &bundled());
        assert!(
            text.contains("Microsoft documents it: the mailbox location could not be determined")
                && text.contains("/error-when-testing-enabling-mailbox"),
            "{text}"
        );
        // A claimed alert gets no such paragraph: its check says more.
        let claimed = parse("Email Server Error Code: ErrorInvalidLicense").unwrap();
        assert!(!advice(&claimed, &bundled()).contains("Microsoft documents it"));
    }
}
