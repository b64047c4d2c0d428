//! `ssync-doctor demo --scenario FILE` and `sim serve` read a TOML scenario written by hand.
//! The reader must never panic, and its errors (which quote a line and a column) must
//! point inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssync_sim::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Scenario::parse("fuzz.toml", text) {
        Ok(s) => {
            let _ = (s.mailbox_count(), s.origin(), s.environment_tenant_id(), s.tenants());
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("fuzz.toml"), "{shown}");
            if let Some(line) = e.line() {
                assert!(line >= 1 && line <= text.split('\n').count(), "line {line}: {shown}");
            }
        }
    }
});
