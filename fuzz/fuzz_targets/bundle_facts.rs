//! The facts of an evidence bundle (`ssync-doctor run --from FILE`): a file from someone
//! else's machine, possibly damaged or edited by hand. The bundle's header is read by
//! `ssync_runner::bundle::read` (not fuzzed here, see docs/reliability.md); its body is a
//! `ssync_core::Facts`, which this target decodes, redacts, writes back and replays through
//! every bundled check. Nothing may panic: a check on strange facts answers, it never
//! crashes the run.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ssync_core::{CheckContext, Facts, MemorySource, Subject, evaluate, redact, registered_checks};

// The bundled checks register themselves only when linked.
use ssync_check_cross_tenant_exchange as _;
use ssync_check_ews_basic_auth_disabled as _;
use ssync_check_exchange_online_basic_auth as _;
use ssync_check_hybrid_profile_for_online_mailbox as _;
use ssync_check_mailbox_address_mismatch as _;
use ssync_check_missing_exchange_online_license as _;
use ssync_check_recreated_user as _;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(facts) = serde_json::from_slice::<Facts>(data) else {
        return;
    };
    // Written back and read again, the facts are the same (raw answers aside: JSON numbers
    // need not survive a round trip exactly).
    let text = serde_json::to_string(&facts).expect("facts serialise");
    let mut again: Facts = serde_json::from_str(&text).expect("written facts read back");
    let mut plain = facts.clone();
    again.raw.clear();
    plain.raw.clear();
    assert_eq!(plain, again);

    // Redaction of a bundle before it is shared.
    let (redacted, _table) = redact::redact(&facts);
    assert!(serde_json::to_string(&redacted).is_ok());

    // Every check on every subject, as `run --from` does.
    let checks = registered_checks().expect("the bundled checks are valid");
    assert_eq!(checks.len(), 7);
    let mut subjects: Vec<Subject> = Vec::new();
    subjects.extend(facts.environment.clone().map(Subject::Environment));
    subjects.extend(facts.profiles.iter().take(8).cloned().map(Subject::Profile));
    subjects.extend(facts.mailboxes.iter().take(16).cloned().map(Subject::Mailbox));
    let source = MemorySource::from_facts(facts);
    let ctx = CheckContext::new(&source);
    runtime().block_on(async {
        for reg in &checks {
            for subject in &subjects {
                let _ = evaluate(reg.check, &ctx, subject).await;
            }
        }
    });
});
