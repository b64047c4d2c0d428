//! `ssync-doctor explain ID`.

use std::io::Write;
use std::process::ExitCode;

use ssync_core::{CheckMeta, registered_checks};

use crate::engine::select::unknown_check_message;
use crate::error::CliError;

pub fn run(id: &str) -> Result<ExitCode, CliError> {
    let checks = registered_checks()?;
    let Some(reg) = checks.iter().find(|r| r.meta().id == id) else {
        let known: Vec<&str> = checks.iter().map(|r| r.meta().id).collect();
        return Err(CliError::Usage(unknown_check_message(id, &known)));
    };
    write!(anstream::stdout().lock(), "{}", explain_text(reg.meta()))?;
    Ok(ExitCode::SUCCESS)
}

/// The full explanation of a check, as Markdown: the same text `docs/checks.md` carries.
pub fn explain_text(m: &CheckMeta) -> String {
    let mut s = format!("# {} — {}\n\n", m.id, m.title);
    let cause = m
        .cause
        .map_or("not one of the six (see its text)".to_owned(), |c| {
            format!("KB 3212785 cause {c}")
        });
    s += &format!(
        "- Cause: {cause}\n- Scope: {}\n- Severity: {}\n",
        m.scope.as_str(),
        m.severity.as_str()
    );
    s += &format!("- Fails when: {}\n\n", m.summary);
    s += "## What it looks for\n\n";
    s += m.explain.trim_end();
    s += "\n\n## How to fix it\n\n";
    s += m.remediation.trim_end();
    s += "\n\n## Data and permissions\n\n";
    for need in m.reads {
        s += &format!("- {}: {}\n", need.as_str(), need.permission());
    }
    if !m.alert_markers.is_empty() || !m.error_codes.is_empty() {
        s += "\n## In alerts\n\n";
        for marker in m.alert_markers {
            s += &format!("- `{marker}` in an alert makes this check the first suspect\n");
        }
        for code in m.error_codes {
            s += &format!("- the error code `{code}` points at this check alone\n");
        }
    }
    if !m.reasons.is_empty() {
        s += "\n## Reasons\n\nA result's `reason` evidence, which a waiver's `reason` can match and SARIF rule ids carry (`";
        s += m.id;
        s += "/<reason>`):\n\n";
        for reason in m.reasons {
            s += &format!("- `{reason}`\n");
        }
    }
    if !m.docs.is_empty() {
        s += "\n## Microsoft documentation\n\n";
        for d in m.docs {
            s += &format!("- <{d}>\n");
        }
    }
    s
}
