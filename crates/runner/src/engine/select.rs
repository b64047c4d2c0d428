//! Which checks and which mailboxes a run covers (`CONTRACTS.md` §3, selection).

use std::collections::BTreeSet;

use ssync_core::records::Mailbox;
use ssync_core::{Check, DataSource, SourceError, address};

use super::EngineError;

/// Picks the checks to run: every check, or those named with `--check`, minus those named
/// with `--skip-check`. An id that names no check is bad input, reported with the known ids.
pub fn select_checks<'a>(
    all: &[&'a dyn Check],
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'a dyn Check>, EngineError> {
    let known: Vec<&str> = all.iter().map(|c| c.meta().id).collect();
    if let Some(bad) = only.iter().chain(skip).find(|id| !known.contains(&id.as_str())) {
        return Err(EngineError::UnknownCheck(unknown_check_message(bad, &known)));
    }
    let selected: Vec<&dyn Check> = all
        .iter()
        .copied()
        .filter(|c| only.is_empty() || only.iter().any(|id| id == c.meta().id))
        .filter(|c| !skip.iter().any(|id| id == c.meta().id))
        .collect();
    if selected.is_empty() {
        return Err(EngineError::NothingToRun(
            "every selected check is also skipped with --skip-check; nothing would run".into(),
        ));
    }
    Ok(selected)
}

/// The message for an id that names no registered check: the closest id, then every id.
/// `explain` and the selection flags say it the same way.
pub fn unknown_check_message(id: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(id, k), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" Did you mean `{k}`?"))
        .unwrap_or_default();
    format!(
        "unknown check id `{id}`.{closest} Known checks: {}. Run `ssync-doctor list` for details.",
        known.join(", ")
    )
}

/// True for a mailbox that `--all` covers: active, and server-side synchronization handles at
/// least one of incoming, outgoing or appointments/contacts/tasks.
pub fn in_default_run(m: &Mailbox) -> bool {
    m.active && m.delivery.uses_server_side_sync()
}

/// The mailboxes of the run, sorted by address then id.
///
/// With no `wanted` values: every mailbox [`in_default_run`]. Otherwise exactly the mailboxes
/// named, whatever their state (an operator who names a mailbox wants an answer about it; the
/// checks say `skip` where they do not apply). A value with an `@` is an e-mail address
/// (matched by the source, case-insensitively); without one it is the mailbox's name as the
/// alert shows it (matched case-insensitively), which lets `triage` print a runnable command.
/// A value that matches no mailbox is bad input, named in the error with the closest
/// addresses the environment has.
///
/// With `failing` (`--failing`), only the mailboxes among those whose last test or
/// synchronisation failed ([`ssync_core::records::MailboxState::any_failure`]).
pub async fn select_mailboxes(
    source: &dyn DataSource,
    wanted: &[String],
    failing: bool,
) -> Result<Vec<Mailbox>, EngineError> {
    let read_err = |e: SourceError| EngineError::Source {
        what: "the mailbox records".into(),
        error: Box::new(e),
    };
    let mut mailboxes = if wanted.is_empty() {
        let all = source.mailboxes().await.map_err(read_err)?;
        all.into_iter().filter(in_default_run).collect()
    } else {
        let (addresses, names): (Vec<String>, Vec<String>) = wanted
            .iter()
            .map(|w| w.trim().to_owned())
            .partition(|w| w.contains('@'));
        let mut found = if addresses.is_empty() {
            Vec::new()
        } else {
            source.find_mailboxes(&addresses).await.map_err(read_err)?
        };
        if !names.is_empty() {
            let all = source.mailboxes().await.map_err(read_err)?;
            found.extend(
                all.into_iter()
                    .filter(|m| names.iter().any(|n| n.eq_ignore_ascii_case(&m.name))),
            );
        }
        let missing: Vec<&str> = wanted
            .iter()
            .map(|w| w.trim())
            .filter(|w| !found.iter().any(|m| matches_value(m, w)))
            .collect();
        if !missing.is_empty() {
            // Suggestions cost one more read of every mailbox, only on this error path.
            let known = source.mailboxes().await.unwrap_or_default();
            return Err(EngineError::UnknownMailbox(unknown_mailbox_message(
                &missing, &known,
            )));
        }
        found
    };
    if failing {
        mailboxes.retain(|m| m.state.any_failure());
    }
    let mut seen = BTreeSet::new();
    mailboxes.retain(|m| seen.insert(m.id.clone()));
    mailboxes.sort_by(|a, b| {
        (a.display_address().to_ascii_lowercase(), &a.id)
            .cmp(&(b.display_address().to_ascii_lowercase(), &b.id))
    });
    Ok(mailboxes)
}

/// How many close addresses an unknown `--mailbox` value suggests.
const SUGGESTIONS: usize = 3;

/// "no mailbox record matches `x`. Did you mean `a`, `b`? `--mailbox` takes …": the closest
/// addresses by Jaro-Winkler similarity of the whole address, ignoring case.
fn unknown_mailbox_message(missing: &[&str], known: &[Mailbox]) -> String {
    let mut text = format!(
        "no mailbox record matches {}.",
        missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for wanted in missing {
        let wanted_lower = wanted.to_ascii_lowercase();
        let mut scored: Vec<(f64, &str)> = known
            .iter()
            .map(Mailbox::display_address)
            .map(|a| (strsim::jaro_winkler(&wanted_lower, &a.to_ascii_lowercase()), a))
            .filter(|(score, _)| *score > 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.dedup_by(|a, b| a.1.eq_ignore_ascii_case(b.1));
        if !scored.is_empty() {
            let names: Vec<String> = scored
                .iter()
                .take(SUGGESTIONS)
                .map(|(_, a)| format!("`{a}`"))
                .collect();
            text.push_str(&format!(" For `{wanted}`, did you mean {}?", names.join(", ")));
        }
    }
    text.push_str(
        " `--mailbox` takes the Email Address of the mailbox record in Dynamics 365 (or its name, \
         exactly as the alert shows it).",
    );
    text
}

fn matches_value(m: &Mailbox, wanted: &str) -> bool {
    if wanted.contains('@') {
        m.email_address
            .as_deref()
            .is_some_and(|a| address::same(a, wanted))
    } else {
        m.name.eq_ignore_ascii_case(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssync_core::fixtures;

    #[test]
    fn an_unknown_mailbox_suggests_the_closest_addresses_only() {
        let known = [
            fixtures::mailbox("1", "frank@contoso.com"),
            fixtures::mailbox("2", "Frank.Miller@contoso.com"),
            fixtures::mailbox("3", "zoe@fabrikam.com"),
        ];
        let text = unknown_mailbox_message(&["frank.miler@contoso.com"], &known);
        assert!(text.contains("did you mean `Frank.Miller@contoso.com`"), "{text}");
        assert!(!text.contains("zoe@"), "{text}");
        let text = unknown_mailbox_message(&["nobody@else.org"], &known);
        assert!(!text.contains("did you mean"), "{text}");
        assert!(text.contains("`nobody@else.org`"));
    }
}
