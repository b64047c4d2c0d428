//! The engine returns results; the configuration (file, waivers) is applied to the report
//! afterwards by the command. This test fails when a file of `src/engine` names the
//! configuration module again.

use std::path::Path;

#[test]
fn the_engine_does_not_depend_on_the_configuration() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/engine") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") && (code.contains("crate::config") || code.contains("config::")) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, code));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the engine names the configuration:\n{}",
        found.join("\n")
    );
}
