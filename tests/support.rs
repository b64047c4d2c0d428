//! Shared helpers of the end-to-end tests: find and run the built `ssync-doctor` binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::SystemTime;

#[path = "contoso.rs"]
pub mod contoso;
#[path = "insim.rs"]
pub mod insim;

/// The `ssync-doctor` binary of this build.
///
/// `cargo test --workspace` builds it (it is a binary of `ssync-runner`) and it is used as is.
/// When only this package is tested, cargo does not build it: then, if it is missing or older
/// than any source of the workspace, it is built here (once per test process), so a stale
/// binary is never tested. It is not rebuilt unconditionally: `cargo build -p ssync-runner`
/// unifies features differently from `cargo test --workspace` and would rebuild half the
/// tree in CI for nothing.
pub fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test binary path");
            let profile_dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target/<profile>/deps");
            let bin = profile_dir.join(format!("ssync-doctor{}", std::env::consts::EXE_SUFFIX));
            let built_at = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("workspace root");
            let stale = match built_at {
                None => true,
                Some(t) => newest_source(root).is_some_and(|newest| newest > t),
            };
            if stale {
                let mut build = Command::new(env!("CARGO"));
                build.args(["build", "--quiet", "-p", "ssync-runner", "--bin", "ssync-doctor"]);
                if profile_dir.file_name().is_some_and(|n| n == "release") {
                    build.arg("--release");
                }
                let status = build.status().expect("run cargo build");
                assert!(status.success(), "building ssync-doctor failed");
            }
            assert!(bin.exists(), "{} was not built", bin.display());
            bin
        })
        .clone()
}

/// The newest modification time of the files the binary is built from: everything under
/// `crates/` (sources, bundled scenario and Markdown included) and the root manifests.
fn newest_source(root: &Path) -> Option<SystemTime> {
    fn walk(dir: &Path, newest: &mut Option<SystemTime>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path
                    .file_name()
                    .is_some_and(|n| n != "target" && !n.to_string_lossy().starts_with('.'))
                {
                    walk(&path, newest);
                }
            } else if let Ok(t) = entry.metadata().and_then(|m| m.modified()) {
                *newest = (*newest).max(Some(t));
            }
        }
    }
    let mut newest = None;
    walk(&root.join("crates"), &mut newest);
    for file in ["Cargo.toml", "Cargo.lock"] {
        if let Ok(t) = std::fs::metadata(root.join(file)).and_then(|m| m.modified()) {
            newest = newest.max(Some(t));
        }
    }
    newest
}

/// A command for the binary with a clean environment apart from `PATH` and `NO_COLOR`.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1");
    cmd
}

/// Runs the binary with `args`, with a clean environment apart from `PATH`.
pub fn run(args: &[&str]) -> Output {
    command(args).output().expect("run ssync-doctor")
}

/// Runs the binary with `args` and extra environment variables.
pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run ssync-doctor")
}

/// Runs the binary with `input` on standard input.
pub fn run_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ssync-doctor");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for ssync-doctor")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A standalone simulated tenant (`ssync-doctor sim serve`), killed when dropped.
pub struct SimServer {
    child: Child,
    /// The `AZURE_CLIENT_SECRET=… ssync-doctor run …` line it printed.
    pub run_line: String,
}

impl SimServer {
    /// Starts `sim serve` with `args` and waits for its ready-to-paste line.
    pub fn start(args: &[&str]) -> SimServer {
        let mut full = vec!["sim", "serve"];
        full.extend_from_slice(args);
        let mut child = command(&full)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sim serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut run_line = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read sim serve output");
            if let Some(rest) = line.trim().strip_prefix("AZURE_CLIENT_SECRET=") {
                run_line = Some(format!("AZURE_CLIENT_SECRET={rest}"));
                break;
            }
        }
        let Some(run_line) = run_line else {
            let _ = child.kill();
            panic!("sim serve printed no `AZURE_CLIENT_SECRET=… ssync-doctor run …` line");
        };
        SimServer { child, run_line }
    }

    /// The secret and the `run` arguments of the printed line, split as a POSIX shell would
    /// (single quotes only, which is all the line uses).
    pub fn secret_and_args(&self) -> (String, Vec<String>) {
        let words = shell_words(&self.run_line);
        let secret = words[0]
            .strip_prefix("AZURE_CLIENT_SECRET=")
            .expect("secret first")
            .to_owned();
        assert_eq!(words[1], "ssync-doctor");
        (secret, words[2..].to_vec())
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Splits a line into words, honouring single quotes (`'…'`, with `'\''` for a quote).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// `demo --scenario FILE --format json --include-passing` (plus `extra`): the exit status and
/// the parsed report.
pub fn scenario_report(scenario: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    let mut args = vec![
        "demo",
        "--scenario",
        scenario,
        "--format",
        "json",
        "--include-passing",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    let report = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("a JSON report ({e}); stderr:\n{}", stderr(&out)));
    (out, report)
}

/// (check, subject) → (status, message) of every finding of a report; a mailbox subject is
/// named by its address, a profile or the environment by its name.
pub type Answers = std::collections::BTreeMap<(String, String), (String, String)>;

pub fn answers_by_subject(report: &serde_json::Value) -> Answers {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let subject = if f["subject"]["kind"] == "mailbox" {
                text(&f["mailboxes"][0])
            } else {
                text(&f["subject"]["name"])
            };
            (
                (text(&f["check"]), subject),
                (text(&f["status"]), text(&f["message"])),
            )
        })
        .collect()
}

/// What differs from `expected` (check, subject, status), one line each: a wrong status with
/// the finding's message, or a missing finding.
pub fn mismatches(found: &Answers, expected: &[(&str, &str, &str)]) -> Vec<String> {
    expected
        .iter()
        .filter_map(
            |(check, subject, want)| match found.get(&(check.to_string(), subject.to_string())) {
                Some((got, _)) if got == want => None,
                Some((got, message)) => Some(format!(
                    "{check} on {subject}: expected {want}, got {got}: {message}"
                )),
                None => Some(format!("{check} on {subject}: expected {want}, no finding")),
            },
        )
        .collect()
}
