//! `ssync-doctor triage [TEXT | -]`: from an alert to the command that diagnoses it.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use ssync_core::{CheckMeta, registered_checks};

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

/// The checks that can explain this alert: all of them for a 401 (or when no code was
/// pasted); only the licence check for `ErrorInvalidLicense`; the recreated-user check first
/// when the alert carries its marker.
pub fn applicable<'a>(alert: &Alert, checks: &[&'a CheckMeta]) -> Vec<&'a CheckMeta> {
    let mut selected: Vec<&CheckMeta> = match alert.error_code.as_deref() {
        Some(code) if !alert.is_401() && code.to_ascii_lowercase().contains("invalidlicense") => checks
            .iter()
            .copied()
            .filter(|m| m.id == "missing-exchange-online-license")
            .collect(),
        _ => checks.to_vec(),
    };
    selected.sort_by_key(|m| {
        (
            !(alert.recreated_user_marker && m.id == "recreated-user"),
            m.cause.unwrap_or(u8::MAX),
            m.id,
        )
    });
    selected
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
    if alert.recreated_user_marker {
        s += "The alert carries a marker of a deleted and recreated user (NoUserFoundWithGivenClaims / \
              \"User does not exist in tenant\"): `recreated-user` is the first suspect.\n";
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
    use crate::triage::parse;

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
    fn the_recreated_user_marker_puts_its_check_first() {
        let alert = parse(
            "Email Server Error Code: Http server returned 401 Unauthorized exception.\nNoUserFoundWithGivenClaims",
        )
        .unwrap();
        let order = applicable(&alert, &bundled());
        assert_eq!(order[0].id, "recreated-user");
        assert_eq!(order.len(), bundled().len());
        assert_eq!(order[1].cause, Some(1), "then in the KB's order");
    }

    #[test]
    fn an_invalid_licence_narrows_to_the_licence_check() {
        let alert = parse(
            "Email cannot be received for the mailbox judy@contoso.com. Make sure…\nEmail Server Error Code: \
             ErrorInvalidLicense",
        )
        .unwrap();
        let text = advice(&alert, &bundled());
        assert!(
            text.contains(
                "ssync-doctor run --mailbox judy@contoso.com --check missing-exchange-online-license\n"
            ),
            "{text}"
        );
    }
}
