//! The reads that failed for good during a run. The results that needed them are `error`
//! findings with the reason; this list says, once per read, what could not be read, so an
//! operator sees at a glance that part of the report stands on missing data.

use serde::{Deserialize, Serialize};

use super::Report;

/// One kind of read that failed for good (after its retries), for at least one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRead {
    /// What was being read, in words ("the e-mail server profiles", "EWS probes").
    pub read: String,
    /// How many distinct subjects (keys, URLs) of that read failed; 1 for a collection.
    pub failures: usize,
    /// The first failure's reason: service, request path and what went wrong.
    pub reason: String,
}

/// One line per failed read, the same in every format: "could not read EWS probes
/// (2 failed): <reason>".
pub fn notes(report: &Report) -> Vec<String> {
    report
        .failed_reads
        .iter()
        .map(|f| {
            let count = if f.failures > 1 {
                format!(" ({} failed)", f.failures)
            } else {
                String::new()
            };
            format!("could not read {}{count}: {}", f.read, f.reason)
        })
        .collect()
}
