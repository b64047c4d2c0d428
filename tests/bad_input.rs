//! The bad-input table of `docs/errors.md`, one test per row: exit 2 before any request, with a
//! message that names the problem and the fix. And no input makes the binary panic.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use ssync_e2e::{command, run, run_with_env, stderr};

/// Nothing listens here, so a test that got past input checking would fail fast (exit 3),
/// never reach a real service, and never be mistaken for exit 2.
const NOWHERE: &str = "http://127.0.0.1:9";

fn connection(org_url: &str) -> Vec<&str> {
    vec![
        "run",
        "--org-url",
        org_url,
        "--tenant-id",
        "t",
        "--client-id",
        "c",
        "--authority-host",
        NOWHERE,
        "--graph-url",
        NOWHERE,
    ]
}

/// Asserts exit 2 and a message whose first line contains every `needle`; messages of our
/// own (not clap's usage errors) are exactly one line.
fn assert_bad_input(out: &Output, needles: &[&str], one_line: bool) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{err}");
    for needle in needles {
        assert!(first.contains(needle), "`{needle}` missing from: {first}");
    }
    if one_line {
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert!(out.stdout.is_empty(), "no report on bad input");
}

fn with_secret(args: &[&str]) -> Output {
    run_with_env(args, &[("AZURE_CLIENT_SECRET", "s")])
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ssync-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn missing_org_url() {
    let out = with_secret(&["run", "--tenant-id", "t", "--client-id", "c"]);
    assert_bad_input(&out, &["environment URL", "--org-url", "SSYNC_ORG_URL"], true);
}

#[test]
fn malformed_org_url() {
    let out = with_secret(&connection("notaurl"));
    assert_bad_input(&out, &["--org-url", "not a URL", "https://"], true);
}

#[test]
fn plain_http_to_a_remote_host() {
    let out = with_secret(&connection("http://contoso.crm.dynamics.com"));
    assert_bad_input(&out, &["uses http", "https://contoso.crm.dynamics.com"], true);
}

#[test]
fn missing_tenant_id() {
    let out = with_secret(&["run", "--org-url", NOWHERE, "--client-id", "c"]);
    assert_bad_input(&out, &["tenant id", "--tenant-id", "AZURE_TENANT_ID"], true);
}

#[test]
fn missing_client_id() {
    let out = with_secret(&["run", "--org-url", NOWHERE, "--tenant-id", "t"]);
    assert_bad_input(&out, &["client) id", "--client-id", "AZURE_CLIENT_ID"], true);
}

#[test]
fn missing_secret() {
    let out = run(&connection(NOWHERE));
    assert_bad_input(
        &out,
        &[
            "client secret",
            "AZURE_CLIENT_SECRET",
            "AZURE_CLIENT_CERTIFICATE_PATH",
        ],
        true,
    );
}

#[test]
fn certificate_path_pointing_nowhere() {
    let out = run_with_env(
        &connection(NOWHERE),
        &[("AZURE_CLIENT_CERTIFICATE_PATH", "/nonexistent/ssync/app.pem")],
    );
    assert_bad_input(
        &out,
        &[
            "/nonexistent/ssync/app.pem",
            "cannot be read",
            "AZURE_CLIENT_CERTIFICATE_PATH",
        ],
        true,
    );
}

#[test]
fn certificate_file_of_garbage() {
    let pem = temp_file("garbage.pem", "this is not a certificate\n");
    let out = run_with_env(
        &connection(NOWHERE),
        &[("AZURE_CLIENT_CERTIFICATE_PATH", pem.to_str().unwrap())],
    );
    assert_bad_input(
        &out,
        &["garbage.pem", "CERTIFICATE", "AZURE_CLIENT_CERTIFICATE_PATH"],
        true,
    );
}

#[test]
fn unknown_check_id() {
    let out = run(&["demo", "--check", "no-such-check"]);
    assert_bad_input(&out, &["`no-such-check`", "ssync-doctor list"], true);
    let mut args = connection(NOWHERE);
    args.extend(["--check", "no-such-check"]);
    assert_bad_input(&with_secret(&args), &["`no-such-check`"], true);
}

#[test]
fn check_and_skip_check_of_the_same_id() {
    let out = run(&[
        "demo",
        "--check",
        "recreated-user",
        "--skip-check",
        "recreated-user",
    ]);
    assert_bad_input(&out, &["--skip-check", "nothing would run"], true);
}

#[test]
fn all_with_mailbox() {
    let out = run(&["demo", "--all", "--mailbox", "alice@contoso.com"]);
    assert_bad_input(&out, &["--all", "--mailbox"], false);
}

#[test]
fn scenario_with_mailboxes() {
    let out = run(&["demo", "--scenario", "x.toml", "--mailboxes", "3"]);
    assert_bad_input(&out, &["--scenario", "--mailboxes"], false);
}

#[test]
fn quiet_with_verbose() {
    let out = run(&["-q", "-v", "list"]);
    assert_bad_input(&out, &["--quiet", "--verbose"], false);
}

#[test]
fn mailbox_count_out_of_range() {
    assert_bad_input(
        &run(&["demo", "--mailboxes", "0"]),
        &["--mailboxes", "at least 1"],
        true,
    );
    let started = Instant::now();
    let out = run(&["demo", "--mailboxes", "99999999"]);
    assert_bad_input(&out, &["--mailboxes", "at most"], true);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused, not attempted"
    );
}

#[test]
fn unknown_format() {
    let out = run(&["demo", "--format", "pdf"]);
    assert_bad_input(&out, &["'pdf'", "--format"], false);
    assert!(
        stderr(&out).contains("json"),
        "lists the formats: {}",
        stderr(&out)
    );
}

#[test]
fn unknown_mailbox() {
    let out = run(&["demo", "--mailbox", "nobody@nowhere.example"]);
    assert_bad_input(&out, &["`nobody@nowhere.example`", "--mailbox"], true);
}

#[test]
fn malformed_scenario() {
    let file = temp_file("broken.toml", "[tenant\nname = 1\n");
    let out = run(&["demo", "--scenario", file.to_str().unwrap()]);
    assert_bad_input(&out, &["broken.toml:1:"], true);
}

#[test]
fn missing_scenario_file() {
    let out = run(&["demo", "--scenario", "/nonexistent/ssync/scenario.toml"]);
    assert_bad_input(&out, &["/nonexistent/ssync/scenario.toml", "cannot read"], true);
}

#[test]
fn malformed_bundle() {
    for (name, text) in [
        ("not-json.json", "{{{"),
        ("other.json", "{\"x\": 1}"),
        ("empty.json", ""),
        ("future.json", "{\"schema\": \"ssync-doctor/bundle/v999\"}"),
    ] {
        let file = temp_file(name, text);
        let out = run(&["run", "--from", file.to_str().unwrap()]);
        assert_bad_input(&out, &[name], true);
    }
    let file = temp_file("other2.json", "{\"x\": 1}");
    let out = run(&["run", "--from", file.to_str().unwrap()]);
    assert_bad_input(&out, &["evidence bundle", "collect"], true);
}

#[test]
fn missing_bundle() {
    let out = run(&["run", "--from", "/nonexistent/ssync/bundle.json"]);
    assert_bad_input(&out, &["/nonexistent/ssync/bundle.json", "cannot read"], true);
}

#[test]
fn unwritable_output_path() {
    let out = run(&["demo", "--output", "/nonexistent-dir/ssync/report.json"]);
    assert_bad_input(&out, &["/nonexistent-dir/ssync/report.json", "--output"], true);
}

#[test]
fn garbage_in_a_timeout_variable() {
    for var in [
        "SSYNC_MAX_RETRIES",
        "SSYNC_REQUEST_TIMEOUT",
        "SSYNC_CONNECT_TIMEOUT",
    ] {
        let out = run_with_env(&["demo"], &[(var, "soon")]);
        assert_bad_input(&out, &[var, "unset it"], true);
    }
}

#[test]
fn explain_unknown_check() {
    let out = run(&["explain", "no-such-check"]);
    assert_bad_input(&out, &["`no-such-check`", "ssync-doctor list"], true);
}

/// Runs with hostile arguments, standard input closed, and a time limit.
/// Runs in a scratch directory: `--output <hostile value>` may create a file of that name.
fn hostile(args: Vec<OsString>) {
    let scratch = std::env::temp_dir().join(format!("ssync-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let mut child = command(&[])
        .args(&args)
        .current_dir(&scratch)
        .env("AZURE_CLIENT_SECRET", "s")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Drain standard error as it comes: an echoed 100 kB argument would fill the pipe.
    let mut pipe = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut err = String::new();
        use std::io::Read;
        let _ = pipe.read_to_string(&mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = reader.join().expect("stderr reader");
    assert!(
        matches!(status.code(), Some(0..=3)),
        "{args:?} exited {status}: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn hostile_arguments_never_panic() {
    let long = "x".repeat(100_000);
    let long_url = format!("https://{}.example", "a".repeat(5_000));
    let control = "a\u{1}b\u{1b}[31mred\r\n\u{7f}\u{202e}";
    let invalid_utf8 = OsString::from_vec(vec![0x66, 0xff, 0xfe, 0x80]);
    let s = |v: &str| OsString::from(v);
    let mut cases: Vec<Vec<OsString>> = Vec::new();
    for value in [
        s(&long),
        s(control),
        s(""),
        s("-1"),
        s("--"),
        s("99999999999999999999999"),
        invalid_utf8.clone(),
    ] {
        for flag in [
            "--format",
            "--mailboxes",
            "--check",
            "--skip-check",
            "--mailbox",
            "--scenario",
            "--output",
        ] {
            cases.push(vec![s("demo"), s(flag), value.clone()]);
        }
        cases.push(vec![s("explain"), value.clone()]);
        cases.push(vec![s("triage"), value.clone()]);
        cases.push(vec![s("run"), s("--from"), value.clone()]);
        cases.push(vec![value.clone()]);
        let mut run: Vec<OsString> = connection(NOWHERE).into_iter().map(s).collect();
        run[2] = value.clone();
        cases.push(run.clone());
        let mut run: Vec<OsString> = connection(NOWHERE).into_iter().map(s).collect();
        run[4] = value.clone();
        run[6] = value.clone();
        cases.push(run);
    }
    for org in [
        long_url.as_str(),
        "https://[::1",
        "https://:0",
        "https://user:pw@x.example",
        "file:///etc/passwd",
    ] {
        cases.push(connection(org).into_iter().map(s).collect());
    }
    cases.push(vec![s("demo"), s("--mailboxes"), s("18446744073709551615")]);
    cases.push(vec![s("sim"), s("serve"), s("--mailboxes"), s("-5")]);
    cases.push(vec![s("list"), s("--format"), s("yaml")]);
    cases.push(vec![s("-vvvvvvvvvvvvvvvvvvvv"), s("list")]);
    let cwd_before = std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0);
    // A few at a time: each is a short process, mostly waiting.
    for chunk in cases.chunks(4) {
        std::thread::scope(|scope| {
            for case in chunk {
                scope.spawn(|| hostile(case.clone()));
            }
        });
    }
    let _ =
        std::fs::remove_dir_all(std::env::temp_dir().join(format!("ssync-hostile-{}", std::process::id())));
    assert_eq!(
        std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0),
        cwd_before,
        "nothing was written outside the scratch directory"
    );
}
