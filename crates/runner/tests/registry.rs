//! Every check crate of the workspace is linked into the runner, and each registers a check.
//! The expected set is read from `crates/checks/*/Cargo.toml`, so a new check needs no edit
//! here; a crate missing from the runner's Cargo.toml (or a registration that broke) fails.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The package names of the crates under `crates/checks`.
fn check_crates_in_the_workspace() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../checks");
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(&dir).expect("crates/checks is readable") {
        let manifest = entry.expect("directory entry").path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{} names no package", manifest.display()));
        names.insert(name.to_owned());
    }
    names
}

#[test]
fn runner_links_every_check_crate_of_the_workspace() {
    let linked: BTreeSet<String> = ssync_runner::registered()
        .expect("the registered checks are valid")
        .iter()
        .map(|r| r.crate_name.to_owned())
        .collect();
    let expected = check_crates_in_the_workspace();
    assert!(!expected.is_empty(), "crates/checks holds no check crate");
    let missing: Vec<_> = expected.difference(&linked).collect();
    assert!(
        missing.is_empty(),
        "check crates not linked into the runner (add each to crates/runner/Cargo.toml, as \
         `cargo xtask new-check` does, and make sure it calls `declare_check!`): {missing:?}"
    );
    let foreign: Vec<_> = linked.difference(&expected).collect();
    assert!(
        foreign.is_empty(),
        "the runner links checks from outside crates/checks: {foreign:?}"
    );
}
