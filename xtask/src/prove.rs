//! `cargo xtask prove-new-check`: the proof that adding a check keeps the workspace green. In
//! a throwaway copy of the workspace it runs `cargo xtask new-check demo-probe`, then
//! `cargo test --workspace`, and counts the files changed outside the new crate (at most 3:
//! the runner's Cargo.toml, docs/checks.md, Cargo.lock).
//!
//! The copy takes the tracked and untracked (not ignored) files, so it proves the working tree
//! as it is. It builds into this workspace's target directory, so compiled dependencies are
//! reused and the disk does not hold a second copy; the workspace's own crates build again
//! there (and once more, here, on the next build). Hard links are no shortcut: cargo and build
//! scripts rewrite some outputs in place, which would change this workspace's files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The slug the proof scaffolds.
const SLUG: &str = "demo-probe";
/// Files outside the new crate that adding a check may change.
const MAX_CHANGED_OUTSIDE: usize = 3;

/// The copy's runner shares this workspace's build-script output directory, and its
/// `build.rs` wrote the list of bundled checks there with `demo-probe` in it. Cargo reruns the
/// script only when `crates/runner/Cargo.toml` is newer than that output, so the next build
/// here would link a crate that does not exist; a fresh modification time makes it rerun.
fn rerun_runner_build_script(root: &Path) {
    let manifest = root.join("crates/runner/Cargo.toml");
    let touched = fs::File::options()
        .append(true)
        .open(&manifest)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    if let Err(e) = touched {
        eprintln!(
            "warning: could not touch {} ({e}); run `touch {}` before the next build",
            manifest.display(),
            manifest.display()
        );
    }
}

pub fn run(root: &Path, keep: bool) -> Result<(), String> {
    let copy = std::env::temp_dir().join(format!("ssync-doctor-new-check-proof-{}", std::process::id()));
    if copy.exists() {
        fs::remove_dir_all(&copy).map_err(|e| format!("removing {}: {e}", copy.display()))?;
    }
    let result = prove_in(root, &copy);
    rerun_runner_build_script(root);
    if keep {
        println!("the copy is kept at {}", copy.display());
    } else if let Err(e) = fs::remove_dir_all(&copy) {
        eprintln!("warning: could not remove {}: {e}", copy.display());
    }
    let outside = result?;
    println!(
        "new-check then `cargo test --workspace` passed; {} file(s) changed outside crates/checks/{SLUG}:",
        outside.len()
    );
    for file in &outside {
        println!("  {file}");
    }
    if outside.len() > MAX_CHANGED_OUTSIDE {
        return Err(format!(
            "adding a check changed {} files outside its crate; at most {MAX_CHANGED_OUTSIDE} are allowed",
            outside.len()
        ));
    }
    Ok(())
}

/// Copies, scaffolds, tests; returns the files changed outside the new crate.
fn prove_in(root: &Path, copy: &Path) -> Result<Vec<String>, String> {
    for file in workspace_files(root)? {
        let from = root.join(&file);
        if !from.is_file() {
            continue; // deleted in the working tree but still in the index
        }
        let to = copy.join(&file);
        fs::create_dir_all(to.parent().expect("a file has a parent"))
            .and_then(|()| fs::copy(&from, &to).map(drop))
            .map_err(|e| format!("copying {}: {e}", file.display()))?;
    }
    // A baseline to count changes against.
    git(copy, &["init", "--quiet"])?;
    git(copy, &["add", "--all"])?;
    git(
        copy,
        &[
            "-c",
            "user.name=proof",
            "-c",
            "user.email=proof@invalid",
            "commit",
            "--quiet",
            "-m",
            "base",
        ],
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);

    cargo(copy, &target, &["xtask", "new-check", SLUG])?;
    cargo(copy, &target, &["test", "--workspace"])?;

    let status = output(copy, "git", &["status", "--porcelain", "--untracked-files=all"])?;
    let crate_dir = format!("crates/checks/{SLUG}/");
    Ok(status
        .lines()
        .filter_map(|l| l.get(3..))
        .filter(|path| !path.starts_with(&crate_dir))
        .map(str::to_owned)
        .collect())
}

/// Tracked and untracked-but-not-ignored files, relative to the root.
fn workspace_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let listed = output(
        root,
        "git",
        &["ls-files", "--cached", "--others", "--exclude-standard"],
    )?;
    Ok(listed.lines().map(PathBuf::from).collect())
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("==> cargo {} (in {})", args.join(" "), dir.display());
    let status = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed in the copy", args.join(" ")))
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    output(dir, "git", args).map(drop)
}

fn output(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{program}` printed non-UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    /// Minutes of building, so not in CI's `cargo test`; run it with
    /// `cargo test -p xtask -- --ignored` or `cargo xtask prove-new-check`.
    #[test]
    #[ignore = "builds a copy of the workspace; run `cargo xtask prove-new-check`"]
    fn a_new_check_keeps_the_workspace_green() {
        super::run(&crate::workspace_root(), false).unwrap();
    }
}
