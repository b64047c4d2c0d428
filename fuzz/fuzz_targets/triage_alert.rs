//! `ssync-doctor triage` reads whatever an operator pastes. The parser must never panic, and
//! what it returns must hold together: a mailbox name is one non-empty line, an error code is
//! non-empty, and reading the same text twice gives the same answer.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

/// `ssync_runner::triage`, compiled from its file (see Cargo.toml for why).
#[path = "../../crates/runner/src/triage.rs"]
mod triage;

/// Former finding (docs/reliability.md; input in
/// fuzz/artifacts-kept/triage_alert/empty-mailbox-name.txt): a receiving alert whose mailbox
/// name is only dots gave `Some("")`; the parser now gives no name.
const MAILBOX_NEVER_EMPTY: bool = true;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = triage::parse(text);
    if let Some(alert) = &first {
        if let Some(m) = &alert.mailbox {
            assert!(!m.contains('\n'), "mailbox {m:?}");
            assert!(!MAILBOX_NEVER_EMPTY || !m.trim().is_empty(), "empty mailbox name");
        }
        if let Some(code) = &alert.error_code {
            assert!(!code.is_empty(), "empty error code");
        }
        if let Some(s) = &alert.email_subject {
            assert!(!s.is_empty(), "empty subject");
        }
        let _ = alert.is_401();
        if let Some(s) = alert.symptom {
            let _ = s.describe();
        }
    }
    assert_eq!(first, triage::parse(text), "parse is not deterministic");
});
