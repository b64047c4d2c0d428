//! Dataverse and Graph answers → the core's records. Every read of the live source turns a
//! JSON page (`{"value": [...], "@odata.nextLink": ...}`) into records through the decoders of
//! `ssync-m365`; a strange answer must give a `Malformed` error, never a panic.
//!
//! Those decoders are private to `ssync-m365` (`mod decode`), so the module's file is compiled
//! into this target as it is (see Cargo.toml). If it starts to use other items of its crate
//! this include breaks; the paging loop around it (`client::collect`) is not reached.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "../../crates/m365/src/reader/decode.rs"]
mod decode;

/// Decodes with `f`, then checks the record can be written out again (the report and the
/// evidence bundle serialise them).
fn check<T: serde::Serialize>(v: &Value, f: impl Fn(&Value) -> decode::Decoded<T>) -> Option<T> {
    let record = f(v).ok()?;
    assert!(serde_json::to_string(&record).is_ok());
    Some(record)
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks an HTTP status for the mailbox-settings decoder.
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let Ok(page) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let _ = check(&page, |v| decode::environment(v, "https://contoso.crm.dynamics.com"));
    let status = [200u16, 204, 400, 403, 404, 429, 500][usize::from(status) % 7];
    let _ = decode::mailbox_location(status, &page);
    if let Some(issuer) = page.get("issuer").and_then(Value::as_str) {
        if let Some(tenant) = decode::issuer_tenant(issuer) {
            assert!(decode::is_guid(&tenant));
        }
    }
    let items: Vec<&Value> = match page.get("value") {
        Some(Value::Array(values)) => values.iter().collect(),
        _ => vec![&page],
    };
    let mut alerts = Vec::new();
    for v in items {
        if let Some(p) = check(v, decode::profile) {
            assert!(!p.id.trim().is_empty());
        }
        if let Some(m) = check(v, decode::mailbox) {
            assert!(!m.id.trim().is_empty());
        }
        let _ = check(v, decode::system_user);
        let _ = check(v, decode::queue);
        if let Some(u) = check(v, decode::entra_user) {
            assert!(u.assigned_plans.iter().all(|p| p.service_plan_id == p.service_plan_id.to_ascii_lowercase()));
        }
        let _ = check(v, decode::deleted_user);
        if let Ok((_, alert)) = decode::alert(v) {
            alerts.push(alert);
        }
    }
    decode::newest_first(&mut alerts);
    assert!(alerts.windows(2).all(|w| w[0].last_seen >= w[1].last_seen));
});
