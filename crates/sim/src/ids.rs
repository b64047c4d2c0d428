//! GUIDs: validation and deterministic derivation, so scenarios without explicit ids get
//! the same ids on every run.

/// True for the 8-4-4-4-12 hexadecimal form.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A stable GUID derived from a name (two FNV-1a passes), formatted as a version-4-looking
/// GUID. Not random: the same name always gives the same id.
pub fn derive(name: &str) -> String {
    let a = fnv(name.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let b = fnv(name.as_bytes(), 0x8422_2325_cbf2_9ce4 ^ a);
    format_guid(a, b)
}

pub fn format_guid(a: u64, b: u64) -> String {
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(b >> 62) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Text-form byte positions in SQL Server's comparison order (see [`sql_server_order`]).
const SQL_SERVER_TEXT_ORDER: [usize; 16] = [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0];

/// A GUID's bytes in the order SQL Server compares `uniqueidentifier` values, as positions of
/// the text form: the last group first (bytes 10–15 are the most significant, Microsoft Learn,
/// *Comparing GUID and uniqueidentifier values*, ADO.NET), then bytes 8–9, then the first three
/// groups each read backwards (7, 6, 5, 4, 3, 2, 1, 0). The full order is `SqlGuid`'s
/// (`s_rgiGuidOrder` = 10…15, 8, 9, 6, 7, 4, 5, 0…3 in dotnet/runtime's SqlGuid.cs), applied to
/// `Guid.ToByteArray()`, which stores the first three groups little-endian. Dataverse keeps
/// its keys in SQL Server, and Microsoft does not say which order its `gt`, `le` and
/// `$orderby` use, so the simulator takes this one, the less obvious of the plausible two: a
/// client whose key ranges only work in text order is caught here (`ssync_m365`'s
/// `key_ranges` must work in either).
pub fn sql_server_order(guid: &str) -> [u8; 16] {
    let hex: Vec<u8> = guid
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| (c as char).to_digit(16).unwrap_or(0) as u8)
        .collect();
    let byte = |i: usize| {
        hex.get(2 * i)
            .zip(hex.get(2 * i + 1))
            .map_or(0, |(h, l)| h << 4 | l)
    };
    let mut out = [0u8; 16];
    for (slot, i) in out.iter_mut().zip(SQL_SERVER_TEXT_ORDER) {
        *slot = byte(i);
    }
    out
}

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche so short names spread over all bits.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A random token-sized string (URL-safe base64 of 32 random bytes).
pub fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_server_order_puts_the_last_group_first_and_reads_the_first_groups_backwards() {
        // Each pair: the first sorts before the second although its text is larger. The last
        // group decides first; then bytes 8-9; then the first three groups, each from its last
        // byte (SqlGuid compares the little-endian bytes of Guid.ToByteArray()).
        for (low, high) in [
            (
                "ffffffff-ffff-ffff-ffff-000000000000",
                "00000000-0000-0000-0000-000000000001",
            ),
            (
                "ffffffff-ffff-ffff-0000-000000000000",
                "00000000-0000-0000-0001-000000000000",
            ),
            (
                "ffffffff-ffff-0000-0000-000000000000",
                "00000000-0000-0001-0000-000000000000",
            ),
            (
                "ffffffff-ff00-0000-0000-000000000000",
                "00000000-0001-0000-0000-000000000000",
            ),
            (
                "ff000000-0000-0000-0000-000000000000",
                "00000001-0000-0000-0000-000000000000",
            ),
        ] {
            assert!(sql_server_order(low) < sql_server_order(high), "{low} < {high}");
        }
    }

    #[test]
    fn derived_ids_are_stable_guids() {
        let a = derive("mailbox:alice");
        assert!(is_guid(&a), "{a}");
        assert_eq!(a, derive("mailbox:alice"));
        assert_ne!(a, derive("mailbox:bob"));
        assert!(!is_guid("not-a-guid"));
        assert!(is_guid("6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b"));
    }
}
