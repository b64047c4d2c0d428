//! The live source's layers depend one way (see `src/reader/mod.rs`): the reader (HTTP and
//! decoding) and the fact store know nothing of each other, of the policy or of the source;
//! the policy drives the reader and fills the store but does not know the source that
//! composes them. This test reads the sources and fails on a `crate::` path that goes the
//! wrong way, naming the file and the path.

use std::path::{Path, PathBuf};

/// A layer: the files under `dir` (relative to `src`), and the crate modules they must not
/// name.
struct Layer {
    dir: &'static str,
    forbidden: &'static [&'static str],
}

const LAYERS: &[Layer] = &[
    Layer {
        dir: "reader",
        forbidden: &["facts", "policy", "source", "LiveSource"],
    },
    Layer {
        // The store holds facts; it does not know how they are read.
        dir: "facts",
        forbidden: &[
            "reader",
            "policy",
            "source",
            "LiveSource",
            "transport",
            "identity",
            "failure",
        ],
    },
    Layer {
        dir: "policy",
        forbidden: &["source", "LiveSource", "transport", "identity"],
    },
];

/// Modules at the root below the reader (transport, identity, the EWS probe …): they serve
/// every layer and name none.
const PLUMBING_FORBIDDEN: &[&str] = &["reader", "facts", "policy", "source", "LiveSource"];
/// Root files that are not plumbing: the composition, the crate root, and a test of the
/// whole source.
const NOT_PLUMBING: &[&str] = &["lib.rs", "source.rs", "leak_tests.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first segment of every path the text names after `crate::`, including each member
/// of a `crate::{a, b::c}` group.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(first_segment));
        } else {
            out.push(first_segment(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The text without its comment lines: a doc link names a type without depending on it.
fn code_of(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every (file, path) in `files` that names a forbidden module, or escapes its layer by
/// `super::super`.
fn violations(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let text = code_of(&std::fs::read_to_string(file).expect("a readable source file"));
        let name = file.strip_prefix(src()).unwrap_or(file).display().to_string();
        for path in crate_paths(&text) {
            if forbidden.contains(&path.as_str()) {
                found.push(format!("{name} names crate::{path}"));
            }
        }
        for word in forbidden.iter().filter(|w| w.starts_with(char::is_uppercase)) {
            if text.contains(word) {
                found.push(format!("{name} names {word}"));
            }
        }
        if text.contains("super::super") {
            found.push(format!("{name} reaches out of its layer with super::super"));
        }
    }
    found
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let mut found = Vec::new();
    for layer in LAYERS {
        let mut files = Vec::new();
        rust_files(&src().join(layer.dir), &mut files);
        assert!(!files.is_empty(), "no sources under src/{}", layer.dir);
        found.extend(violations(&files, layer.forbidden));
    }
    let plumbing: Vec<PathBuf> = std::fs::read_dir(src())
        .expect("src")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !NOT_PLUMBING.iter().any(|n| p.ends_with(n)))
        .collect();
    found.extend(violations(&plumbing, PLUMBING_FORBIDDEN));
    assert!(
        found.is_empty(),
        "imports against the direction reader/facts ← policy ← source:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_grouped_and_inline_paths() {
    let text = "use crate::{facts::Fact, reader::Reader};\nlet x = crate::policy::bulk::users(r, f);";
    assert_eq!(crate_paths(text), ["facts", "reader", "policy"]);
}
