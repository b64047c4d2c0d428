//! Secrets: every command, in every report format, at the most verbose logging, with a known
//! secret in the environment — stdout, stderr, report files and evidence bundles never carry
//! the secret, the form field it travels in, or an access token (`Bearer …`,
//! `access_token`). The simulator issues opaque tokens and does not expose them, so tokens
//! are searched for by the shapes they would leak in: the Authorization header and the
//! token endpoint's answer.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use ssync_e2e::insim::InSim;
use ssync_e2e::{command, stderr, stdout};
use ssync_sim::{Knobs, Scenario};

const FORMATS: [&str; 6] = ["text", "json", "sarif", "junit", "markdown", "html"];
/// A secret the process has in its environment even where it does not use it.
const KNOWN: &str = "Kn0wn-Secr3t-Value~for.the.leak.test";

struct Leaks {
    secrets: Vec<String>,
}

impl Leaks {
    fn new(sim_secret: &str) -> Leaks {
        Leaks {
            secrets: vec![sim_secret.to_owned(), KNOWN.to_owned()],
        }
    }

    /// Panics when `text` (from `what`) carries a secret or a token.
    fn check(&self, what: &str, text: &str) {
        for s in &self.secrets {
            assert!(!text.contains(s.as_str()), "{what} carries a secret");
        }
        let lower = text.to_ascii_lowercase();
        for needle in ["bearer ", "access_token", "client_secret=", "client_assertion="] {
            assert!(!lower.contains(needle), "{what} carries `{needle}`");
        }
    }

    fn output(&self, what: &str, out: &Output) {
        assert!(!stderr(out).contains("panicked"), "{what}: {}", stderr(out));
        self.check(&format!("{what} stdout"), &stdout(out));
        self.check(&format!("{what} stderr"), &stderr(out));
    }

    fn file(&self, what: &str, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!text.is_empty(), "{what} was written");
        self.check(what, &text);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssync-secrets-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `-vvv`, `RUST_LOG=trace` and both secrets around.
fn traced(args: &[&str], sim: Option<&InSim>) -> Output {
    let mut all = vec!["-vvv"];
    all.extend_from_slice(args);
    let mut cmd = command(&all);
    cmd.env("RUST_LOG", "trace").env(
        "AZURE_CLIENT_SECRET",
        sim.map_or(KNOWN, |s| s.sim().client_secret.as_str()),
    );
    cmd.output().expect("run ssync-doctor")
}

/// The secret of the contoso scenario's test application (fixed by the scenario, so the
/// simulator `demo` and `sim serve` start has it too).
fn contoso_secret() -> String {
    InSim::start(Scenario::contoso(), Knobs::default())
        .sim()
        .client_secret
        .clone()
}

fn run_args(sim: &InSim, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["run".to_owned()];
    args.extend(sim.connection_args());
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[test]
fn run_and_collect_never_show_the_secret_or_a_token() {
    let sim = InSim::start(Scenario::contoso(), Knobs::default());
    let leaks = Leaks::new(&sim.sim().client_secret);
    let dir = temp_dir("run");
    for format in FORMATS {
        let file = dir.join(format!("report.{format}"));
        let args = run_args(
            &sim,
            &[
                "--format",
                format,
                "--include-passing",
                "-o",
                file.to_str().unwrap(),
            ],
        );
        let out = traced(&args.iter().map(String::as_str).collect::<Vec<_>>(), Some(&sim));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("TRACE") || stderr(&out).contains("DEBUG"),
            "the log is really verbose"
        );
        leaks.output(&format!("run --format {format}"), &out);
        leaks.file(&format!("run --format {format} report"), &file);
    }
    // Text to standard output as well.
    let args = run_args(&sim, &["--format", "text"]);
    let out = traced(&args.iter().map(String::as_str).collect::<Vec<_>>(), Some(&sim));
    leaks.output("run to stdout", &out);
    assert!(
        sim.stats().tokens_issued >= 2,
        "tokens were issued, so there was something to leak"
    );

    // An evidence bundle, and a run from it.
    let bundle = dir.join("bundle.json");
    let mut args = vec!["collect".to_owned()];
    args.extend(sim.connection_args());
    args.extend(["-o".to_owned(), bundle.to_str().unwrap().to_owned()]);
    let out = traced(&args.iter().map(String::as_str).collect::<Vec<_>>(), Some(&sim));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    leaks.output("collect", &out);
    leaks.file("the bundle", &bundle);
    let out = traced(
        &["run", "--from", bundle.to_str().unwrap(), "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    leaks.output("run --from", &out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_and_the_offline_commands_never_show_a_secret_or_a_token() {
    // `demo` signs in to its own simulator with the scenario's test secret: the same one an
    // in-process contoso simulator has.
    let sim_secret = contoso_secret();
    let leaks = Leaks::new(&sim_secret);
    let dir = temp_dir("demo");
    for format in FORMATS {
        let file = dir.join(format!("demo.{format}"));
        let out = traced(
            &[
                "demo",
                "--format",
                format,
                "--include-passing",
                "-o",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        leaks.output(&format!("demo --format {format}"), &out);
        leaks.file(&format!("demo --format {format} report"), &file);
    }
    let bundle = dir.join("demo-bundle.json");
    let out = traced(&["collect", "--demo", "-o", bundle.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    leaks.output("collect --demo", &out);
    leaks.file("the demo bundle", &bundle);
    for args in [
        &["list"][..],
        &["list", "--format", "json"],
        &["explain", "recreated-user"],
        &["explain", "no-such-check"],
        &[
            "triage",
            "Http server returned 401 Unauthorized for mailbox x@contoso.com",
        ],
        &["sim", "--help"],
    ] {
        let out = traced(args, None);
        leaks.output(&args.join(" "), &out);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sim serve` prints its simulator's test secret in the ready-to-paste `run` line, by design
/// (README, docs/errors.md): it is a value of the simulated tenant in this process only, and
/// the line is useless without it. That one line of standard output is the only place it may
/// appear; its log (standard error, at trace level) must not carry it.
#[test]
fn sim_serve_prints_its_test_secret_only_in_the_ready_to_paste_line() {
    let sim_secret = contoso_secret();
    let mut child = command(&["-vvv", "sim", "serve"])
        .env("RUST_LOG", "trace")
        .env("AZURE_CLIENT_SECRET", KNOWN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sim serve");
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.trim_start().starts_with("AZURE_CLIENT_SECRET=");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let _ = child.wait();
    let with_secret: Vec<&String> = lines.iter().filter(|l| l.contains(&sim_secret)).collect();
    assert_eq!(with_secret.len(), 1, "{lines:#?}");
    assert!(with_secret[0].trim_start().starts_with("AZURE_CLIENT_SECRET="));
    let leaks = Leaks::new(&sim_secret);
    leaks.check("sim serve stderr", &err);
    let rest: Vec<&String> = lines.iter().filter(|l| !l.contains(&sim_secret)).collect();
    for l in rest {
        leaks.check("sim serve stdout", l);
    }
}
