//! How long a soft-deleted Entra user can still be restored, which is also how long it keeps
//! blocking the address unless someone deletes it permanently.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Entra keeps a deleted user restorable for this many days, then purges it.
pub const RESTORABLE_DAYS: i64 = 30;

/// When a user deleted at `deleted_at` (Graph `deletedDateTime`, RFC 3339) is purged
/// automatically; `None` when the date does not parse.
pub fn purged_after(deleted_at: &str) -> Option<String> {
    let deleted = OffsetDateTime::parse(deleted_at.trim(), &Rfc3339).ok()?;
    (deleted + Duration::days(RESTORABLE_DAYS)).format(&Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_thirty_days_across_a_month_end() {
        assert_eq!(
            purged_after("2026-11-20T08:15:00Z").as_deref(),
            Some("2026-12-20T08:15:00Z")
        );
        assert_eq!(
            purged_after("2026-01-31T00:00:00.123Z").as_deref(),
            Some("2026-03-02T00:00:00.123Z")
        );
    }

    #[test]
    fn unparsable_dates_give_none() {
        assert_eq!(purged_after("20 November 2026"), None);
        assert_eq!(purged_after(""), None);
    }
}
