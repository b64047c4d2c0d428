//! Shared helpers of the end-to-end tests: find and run the built `ssync-doctor` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `ssync-doctor` binary of this build. `cargo test --workspace` builds it (it is a
/// binary of `ssync-runner`); when a single package is tested, it is built here.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let bin = profile_dir.join(format!("ssync-doctor{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "ssync-runner", "--bin", "ssync-doctor"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building ssync-doctor failed");
    }
    bin
}

/// Runs the binary with `args`, with a clean environment apart from `PATH`.
pub fn run(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .output()
        .expect("run ssync-doctor")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
