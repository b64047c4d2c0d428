//! The `WWW-Authenticate` values of an EWS endpoint come from a server the operator does not
//! control (often a proxy in front of Exchange). The parser must never panic, never invent a
//! scheme out of a parameter, and never produce much more text than it was given.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

/// `ssync_m365::challenge`, compiled from its file (see Cargo.toml for why).
#[path = "../../crates/m365/src/challenge.rs"]
mod challenge;

/// Former finding (docs/reliability.md; inputs in fuzz/artifacts-kept/www_authenticate/): a
/// stray `"` made a scheme such as `x",`. Schemes are now checked to be RFC 7235 tokens and
/// such a header is refused as unreadable.
const SCHEME_IS_A_TOKEN: bool = true;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Several header values, as a server sends them: split the input on line breaks.
    let values: Vec<&str> = text.split('\n').collect();
    // A header that does not parse is refused as a whole, never half-read.
    let Ok(all) = challenge::parse_all(values.iter().copied()) else {
        assert!(values.iter().any(|v| challenge::parse(v).is_err()));
        return;
    };
    let one_by_one: Vec<_> = values.iter().flat_map(|v| challenge::parse(v).unwrap_or_default()).collect();
    assert_eq!(all, one_by_one);
    let mut out = 0usize;
    for c in &all {
        assert!(!c.scheme.is_empty(), "empty scheme in {all:?}");
        assert!(!c.scheme.contains('='), "a parameter taken for a scheme: {c:?}");
        assert!(!c.scheme.contains([' ', '\t']), "scheme with a space: {c:?}");
        assert!(!SCHEME_IS_A_TOKEN || !c.scheme.contains([',', '"']), "scheme with a separator: {c:?}");
        out += c.scheme.len() + c.params.len();
        // The parameter reader of `ssync_core::records` (a `Bearer` challenge's issuers) reads
        // the same remote text: it must not panic, nor name a parameter with nothing.
        assert!(c.auth_params().iter().all(|(name, _)| !name.is_empty()), "{c:?}");
        let _ = c.trusted_issuers();
        let _ = c.issuer_trusting("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d");
    }
    // Parameters are re-joined with ", " where the input had "," and maybe no space.
    assert!(out <= 2 * text.len(), "{out} bytes of output from {} of input", text.len());
});
