//! `ssync-doctor list`.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Value, json};
use ssync_core::{Registration, registered_checks};

use crate::cli::ListFormat;
use crate::error::CliError;

pub fn run(format: ListFormat) -> Result<ExitCode, CliError> {
    let checks = registered_checks()?;
    let mut out = anstream::stdout().lock();
    match format {
        ListFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&list_json(&checks)).expect("plain JSON")
        )?,
        ListFormat::Text => {
            let width = checks.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
            for reg in &checks {
                let m = reg.meta();
                let cause = m.cause.map_or("-".to_owned(), |c| c.to_string());
                writeln!(
                    out,
                    "{:width$}  cause {cause:>1}  {:<11}  {:<7}  {}  [{}]",
                    m.id,
                    m.scope.as_str(),
                    m.severity.as_str(),
                    m.title,
                    reg.crate_name
                )?;
            }
            writeln!(
                out,
                "\n{} checks. `ssync-doctor explain ID` tells what one looks for.",
                checks.len()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON form of `list`: every metadata field (a field added to `CheckMeta` appears here
/// without an edit), the crate and the permissions needed.
pub fn list_json(checks: &[&Registration]) -> Value {
    let items: Vec<Value> = checks
        .iter()
        .map(|reg| {
            let m = reg.meta();
            let mut item = serde_json::to_value(m).expect("metadata is plain JSON");
            item["permissions"] = json!(m.reads.iter().map(|n| n.permission()).collect::<Vec<_>>());
            item["crate"] = json!(reg.crate_name);
            item
        })
        .collect();
    json!({ "schema": "ssync-doctor/checks/v1", "checks": items })
}
