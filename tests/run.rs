//! `ssync-doctor run` against a standalone simulated tenant (`sim serve`): the same findings
//! as `demo`, and the contract's exit codes.

use serde_json::Value;
use ssync_e2e::{SimServer, run, run_with_env, stderr, stdout};

/// (check, kind, name, status, mailboxes) of every finding: what must not depend on which
/// simulator instance (and so which ports) answered.
fn essentials(report: &Value) -> Vec<(String, String, String, String, Vec<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&f["check"]),
                s(&f["subject"]["kind"]),
                s(&f["subject"]["name"]),
                s(&f["status"]),
                f["mailboxes"]
                    .as_array()
                    .map(|m| m.iter().map(s).collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn run_against(sim: &SimServer, secret: &str, extra: &[&str]) -> std::process::Output {
    let (_, args) = sim.secret_and_args();
    let mut all: Vec<&str> = vec!["run"];
    all.extend(args.iter().skip(1).map(String::as_str));
    all.extend_from_slice(extra);
    run_with_env(&all, &[("AZURE_CLIENT_SECRET", secret)])
}

#[test]
fn run_against_a_standalone_simulator_gives_the_demo_findings() {
    let sim = SimServer::start(&[]);
    let (secret, args) = sim.secret_and_args();
    assert_eq!(args[0], "run");
    for flag in [
        "--org-url",
        "--tenant-id",
        "--client-id",
        "--authority-host",
        "--graph-url",
    ] {
        assert!(
            args.iter().any(|a| a == flag),
            "the printed line passes {flag}: {}",
            sim.run_line
        );
    }
    let live = run_against(&sim, &secret, &["--format", "json", "--include-passing"]);
    assert_eq!(live.status.code(), Some(1), "{}", stderr(&live));
    let live: Value = serde_json::from_str(&stdout(&live)).expect("JSON report");
    assert_eq!(live["environment"]["source"], "live");

    let demo = run(&["demo", "--format", "json", "--include-passing"]);
    let demo: Value = serde_json::from_str(&stdout(&demo)).expect("JSON report");
    assert_eq!(essentials(&live), essentials(&demo));
    assert_eq!(live["summary"], demo["summary"]);
    assert!(!stdout_contains_secret(&live, &secret));
}

fn stdout_contains_secret(report: &Value, secret: &str) -> bool {
    report.to_string().contains(secret)
}

#[test]
fn a_wrong_secret_exits_3_with_the_identity_services_advice() {
    let sim = SimServer::start(&["--mailboxes", "2"]);
    let out = run_against(&sim, "not-the-secret", &[]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("authentication failed"), "{err}");
    assert!(
        err.contains("AZURE_CLIENT_SECRET"),
        "the advice says where the secret goes: {err}"
    );
    assert!(
        !err.contains("not-the-secret"),
        "the secret is never printed: {err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn bad_selection_is_bad_input_before_any_request() {
    let sim = SimServer::start(&["--mailboxes", "2"]);
    let (secret, _) = sim.secret_and_args();
    let out = run_against(&sim, &secret, &["--check", "mailbox-adress-mismatch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`mailbox-adress-mismatch`") && err.contains("Did you mean `mailbox-address-mismatch`"),
        "{err}"
    );
    assert!(err.contains("recreated-user"), "lists the known ids: {err}");

    let out = run_against(&sim, &secret, &["--mailbox", "nobody@nowhere.example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`nobody@nowhere.example`"),
        "{}",
        stderr(&out)
    );

    let out = run_against(&sim, &secret, &["--exit-zero"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "healthy generated tenant: {}",
        stderr(&out)
    );
}

#[test]
fn an_unwritable_output_path_is_bad_input() {
    let out = run(&["demo", "--output", "/nonexistent-dir/ssync/report.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent-dir/ssync/report.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_goes_to_the_file_in_the_format_its_extension_names() {
    let dir = std::env::temp_dir().join(format!("ssync-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.json");
    let out = run(&["demo", "--mailboxes", "3", "--output", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("JSON by extension");
    assert_eq!(report["summary"]["mailboxes"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_connection_settings_exit_2_naming_each_and_how_to_set_it() {
    let out = run(&["run"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "--org-url",
        "SSYNC_ORG_URL",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
    ] {
        assert!(err.contains(needle), "{needle} not named: {err}");
    }

    let out = run_with_env(
        &["run", "--org-url", "https://contoso.crm.dynamics.com"],
        &[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("AZURE_CLIENT_SECRET") && !err.contains("SSYNC_ORG_URL"),
        "only the secret is missing: {err}"
    );
}

#[test]
fn plain_http_is_refused_for_a_remote_host() {
    let out = run_with_env(
        &[
            "run",
            "--org-url",
            "http://contoso.crm.dynamics.com",
            "--tenant-id",
            "t",
            "--client-id",
            "c",
        ],
        &[("AZURE_CLIENT_SECRET", "s3cret-value")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("https"), "{err}");
    assert!(!err.contains("s3cret-value"), "{err}");
}

#[test]
fn the_secret_is_not_a_flag() {
    let out = run(&["run", "--client-secret", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_scenario_file_is_bad_input_with_its_position() {
    let path = std::env::temp_dir().join(format!("ssync-e2e-bad-{}.toml", std::process::id()));
    std::fs::write(&path, "[environment]\nname = 3\n").unwrap();
    let out = run(&["demo", "--scenario", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:2:", path.display())),
        "file and line named: {err}"
    );
}

#[test]
fn the_most_verbose_logs_carry_no_secret() {
    let sim = SimServer::start(&["--mailboxes", "2"]);
    let (secret, _) = sim.secret_and_args();
    let out = run_against(&sim, &secret, &["-vvv", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.lines().count() > 5, "-vvv logs what the run does: {err}");
    assert!(!err.contains(&secret) && !stdout(&out).contains(&secret));
    assert!(
        !err.to_ascii_lowercase().contains("bearer "),
        "no authorization header is logged"
    );

    let quiet = run_against(&sim, &secret, &["-q", "--format", "json"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        stderr(&quiet).is_empty(),
        "-q: nothing but errors: {}",
        stderr(&quiet)
    );
}
