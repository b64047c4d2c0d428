//! `ssync-doctor list`.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Value, json};
use ssync_core::{Registration, registered_checks};

use crate::cli::ListFormat;
use crate::error::CliError;

pub fn run(format: ListFormat, permissions: bool, only: &[String]) -> Result<ExitCode, CliError> {
    let checks = registered_checks()?;
    let mut out = anstream::stdout().lock();
    if permissions {
        let known: Vec<&str> = checks.iter().map(|r| r.meta().id).collect();
        if let Some(bad) = only.iter().find(|id| !known.contains(&id.as_str())) {
            return Err(CliError::Usage(crate::engine::select::unknown_check_message(
                bad, &known,
            )));
        }
        let selected: Vec<&Registration> = checks
            .iter()
            .copied()
            .filter(|r| only.is_empty() || only.iter().any(|id| id == r.meta().id))
            .collect();
        let needed = permissions_needed(&selected);
        match format {
            ListFormat::Json => {
                let items: Vec<Value> = needed
                    .iter()
                    .map(|(p, ids)| json!({ "permission": p, "checks": ids }))
                    .collect();
                let doc = json!({ "schema": "ssync-doctor/permissions/v1", "permissions": items });
                writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
            }
            ListFormat::Text => {
                let width = needed.iter().map(|(p, _)| p.len()).max().unwrap_or(0).max(10);
                writeln!(out, "{:width$}  needed by", "permission")?;
                for (permission, ids) in &needed {
                    writeln!(out, "{permission:width$}  {}", ids.join(", "))?;
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    match format {
        ListFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&list_json(&checks)).expect("plain JSON")
        )?,
        ListFormat::Text => {
            let width = checks.iter().map(|r| r.meta().id.len()).max().unwrap_or(0).max(5);
            writeln!(
                out,
                "{:width$}  cause  {:<11}  {:<7}  title  [crate]",
                "check", "scope", "severity"
            )?;
            for reg in &checks {
                let m = reg.meta();
                let cause = m.cause.map_or("-".to_owned(), |c| c.to_string());
                writeln!(
                    out,
                    "{:width$}  {cause:>5}  {:<11}  {:<7}  {}  [{}]",
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

/// Each permission the checks need, in a stable order, with the ids of the checks that need
/// it.
fn permissions_needed(checks: &[&Registration]) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut needed: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for reg in checks {
        let m = reg.meta();
        for need in m.reads {
            let permission = need.permission();
            match needed.iter_mut().find(|(p, _)| *p == permission) {
                Some((_, ids)) if !ids.contains(&m.id) => ids.push(m.id),
                Some(_) => {}
                None => needed.push((permission, vec![m.id])),
            }
        }
    }
    needed.sort_by(|a, b| a.0.cmp(b.0));
    needed
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_name_graph_and_dataverse_with_the_checks_that_need_them() {
        let checks = registered_checks().unwrap();
        let needed = permissions_needed(&checks);
        let graph = needed
            .iter()
            .find(|(p, _)| p.contains("User.Read.All"))
            .expect("a Graph application permission");
        assert!(graph.1.contains(&"missing-exchange-online-license"), "{needed:?}");
        assert!(
            needed
                .iter()
                .any(|(p, _)| p.starts_with("Dataverse: read Mailbox"))
        );
        let licence: Vec<&Registration> = checks
            .iter()
            .copied()
            .filter(|r| r.meta().id == "ews-basic-auth-disabled")
            .collect();
        assert!(
            permissions_needed(&licence)
                .iter()
                .all(|(p, _)| !p.contains("User.Read.All")),
            "only what the selected checks need"
        );
    }
}
