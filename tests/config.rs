//! `ssync-doctor.toml` end to end: the built binary, `demo` (the bundled contoso tenant) and a
//! configuration file in a temporary directory.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use ssync_e2e::{command, stderr, stdout};

/// A temporary directory holding `ssync-doctor.toml` with `text`.
struct ConfigDir {
    dir: PathBuf,
}

impl ConfigDir {
    fn new(name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ssync-config-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("ssync-doctor.toml"), text).expect("write config");
        std::fs::create_dir_all(dir.join("empty")).expect("empty working directory");
        Self { dir }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("ssync-doctor.toml")
    }

    /// A working directory without a configuration file.
    fn empty(&self) -> PathBuf {
        self.dir.join("empty")
    }

    /// Runs the binary with `--config <file>` from an empty working directory.
    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let file = self.file();
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--config", file.to_str().expect("utf-8 path")]);
        let mut cmd = command(&full);
        cmd.current_dir(self.empty());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run ssync-doctor")
    }

    /// Runs the binary from the directory holding the file, without `--config`.
    fn run_in_dir(&self, args: &[&str]) -> Output {
        command(args)
            .current_dir(&self.dir)
            .output()
            .expect("run ssync-doctor")
    }
}

impl Drop for ConfigDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("JSON report: {e}\n{}", stderr(o)))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle") + 1
}

const FRANK_WAIVER: &str = r#"
[[waiver]]
check = "mailbox-address-mismatch"
subject = "Frank.Old@contoso.com"
rationale = "Frank's mailbox is being renamed (CHG-1001)."
expires = "2099-12-31"
"#;

#[test]
fn a_waived_only_fail_keeps_its_status_and_exits_0() {
    let cfg = ConfigDir::new("applies", FRANK_WAIVER);
    let args = [
        "demo",
        "--mailbox",
        "frank.old@contoso.com",
        "--check",
        "mailbox-address-mismatch",
    ];
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let o = cfg.run(&with_json);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["summary"]["fail"], 1, "the status is kept");
    assert_eq!(report["summary"]["waived"], 1);
    let f = &report["findings"][0];
    assert_eq!(f["status"], "fail");
    assert_eq!(
        f["waiver"]["rationale"],
        "Frank's mailbox is being renamed (CHG-1001)."
    );
    assert_eq!(f["waiver"]["expires"], "2099-12-31");
    assert_eq!(f["waiver"]["matched"], "Frank.Old@contoso.com");
    assert_eq!(report["expired_waivers"], serde_json::json!([]));

    // Without the configuration the same run fails.
    let o = command(&args).current_dir(cfg.empty()).output().unwrap();
    assert_eq!(code(&o), 1);
}

#[test]
fn the_file_in_the_working_directory_is_used_without_config() {
    let cfg = ConfigDir::new("cwd", FRANK_WAIVER);
    let o = cfg.run_in_dir(&[
        "demo",
        "--mailbox",
        "frank.old@contoso.com",
        "--check",
        "mailbox-address-mismatch",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("[waived]"), "{}", stdout(&o));
}

#[test]
fn an_expired_waiver_stops_applying_and_is_reported() {
    let cfg = ConfigDir::new("expired", &FRANK_WAIVER.replace("2099-12-31", "2020-01-31"));
    let o = cfg.run(&["demo", "--mailbox", "frank.old@contoso.com", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("expired on 2020-01-31"), "{err}");
    assert!(
        err.contains("ssync-doctor.toml:2"),
        "the warning names where the waiver is: {err}"
    );
    let report = json(&o);
    assert_eq!(report["summary"]["waived"], 0);
    let fail = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "fail")
        .expect("the fail");
    assert!(fail.get("waiver").is_none());
    let expired = &report["expired_waivers"][0];
    assert_eq!(expired["check"], "mailbox-address-mismatch");
    assert_eq!(expired["expires"], "2020-01-31");
    assert_eq!(expired["would_match"], 1);

    let o = cfg.run(&["demo", "--mailbox", "frank.old@contoso.com", "--format", "html"]);
    assert!(stdout(&o).contains(r#"id="expired-waivers""#));
    let o = cfg.run(&["demo", "--mailbox", "frank.old@contoso.com"]);
    assert!(
        stdout(&o).contains("Note: expired waiver: mailbox-address-mismatch"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_glob_waives_every_matching_mailbox_and_a_profile_name_waives_a_profile() {
    let cfg = ConfigDir::new(
        "glob",
        r#"
[[waiver]]
check = "missing-exchange-online-license"
subject = "*@CONTOSO.com"
rationale = "Licences are on order."

[[waiver]]
check = "exchange-online-basic-auth"
subject = "legacy exchange online*"
rationale = "Profile retired next week."
"#,
    );
    let o = cfg.run(&[
        "demo",
        "--check",
        "missing-exchange-online-license",
        "--check",
        "exchange-online-basic-auth",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "every fail of both checks is waived: {}", stderr(&o));
    let report = json(&o);
    let problems: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" || f["status"] == "warn")
        .collect();
    assert_eq!(
        problems.len(),
        6,
        "4 licence fails, 1 licence warning, 1 profile fail"
    );
    assert!(problems.iter().all(|f| f.get("waiver").is_some()));
    assert_eq!(report["summary"]["waived"], 6);
    assert_eq!(report["summary"]["fail"], 5);
}

#[test]
fn every_format_marks_the_waived_result() {
    let cfg = ConfigDir::new("formats", FRANK_WAIVER);
    let base = [
        "demo",
        "--mailbox",
        "frank.old@contoso.com",
        "--check",
        "mailbox-address-mismatch",
    ];
    let rendered = |format: &str| {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        let o = cfg.run(&args);
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        stdout(&o)
    };
    let text = rendered("text");
    assert!(
        text.contains("FAIL   mailbox-address-mismatch (cause 1) [waived]"),
        "{text}"
    );
    assert!(
        text.contains("waived: Frank's mailbox is being renamed"),
        "{text}"
    );
    assert!(
        text.contains("OK: no failures over 1 mailbox, 1 waived."),
        "{text}"
    );
    let html = rendered("html");
    assert!(
        html.contains(r#"<span class="badge fail">fail</span> <span class="badge waived">waived</span>"#)
    );
    assert!(
        html.contains("waived: Frank&#x27;s mailbox is being renamed"),
        "escaped rationale"
    );
    let sarif: Value = serde_json::from_str(&rendered("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["suppressions"][0]["justification"],
        "Frank's mailbox is being renamed (CHG-1001)."
    );
    assert_eq!(result["suppressions"][0]["status"], "accepted");
    let junit = rendered("junit");
    assert!(junit.contains("<skipped message=\"waived fail: Frank"), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    let md = rendered("markdown");
    assert!(md.contains("**fail** _(waived)_"), "{md}");
    assert!(md.contains("## ✅"), "{md}");
}

#[test]
fn a_waiver_without_a_rationale_is_refused_with_its_line() {
    let text =
        "\n# the team's waivers\n[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"sam@contoso.com\"\n";
    let cfg = ConfigDir::new("no-rationale", text);
    let o = cfg.run(&["demo"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let at = format!("ssync-doctor.toml:{}:", line_of(text, "[[waiver]]"));
    assert!(err.contains(&at) && err.contains("rationale"), "{err}");
    assert!(stdout(&o).is_empty(), "nothing ran");
}

#[test]
fn unknown_keys_bad_dates_and_unknown_checks_name_their_line() {
    for (name, text, needle, says) in [
        (
            "unknown-key",
            "[connection]\norg_url = \"https://x.crm.dynamics.com\"\nregion = \"eu\"\n",
            "region",
            "unknown field `region`",
        ),
        (
            "bad-date",
            "[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"sam@contoso.com\"\nrationale = \"r\"\nexpires = \"31/12/2027\"\n",
            "expires",
            "YYYY-MM-DD",
        ),
        (
            "unknown-check",
            "[checks]\ndisable = [\"recreated-usr\"]\n",
            "recreated-usr",
            "Did you mean `recreated-user`",
        ),
        ("syntax", "[checks\n", "[checks", "ssync-doctor.toml:1:"),
    ] {
        let cfg = ConfigDir::new(name, text);
        let o = cfg.run(&["demo"]);
        assert_eq!(code(&o), 2, "{name}");
        let err = stderr(&o);
        let at = format!("ssync-doctor.toml:{}:", line_of(text, needle));
        assert!(err.contains(&at) && err.contains(says), "{name}: {err}");
    }
}

#[test]
fn a_secret_in_the_file_is_refused_and_never_echoed() {
    let text = "[connection]\nclient_id = \"c\"\nclient_secret = \"Zq8~not-a-real-secret\"\n";
    let cfg = ConfigDir::new("secret", text);
    let o = cfg.run(&["run"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("ssync-doctor.toml:3:") && err.contains("AZURE_CLIENT_SECRET"),
        "{err}"
    );
    assert!(!err.contains("not-a-real-secret") && !stdout(&o).contains("not-a-real-secret"));
}

#[test]
fn a_missing_config_file_is_bad_input() {
    let o = command(&["demo", "--config", "/nonexistent/ssync-doctor.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("/nonexistent/ssync-doctor.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn connection_settings_come_from_flag_then_environment_then_file() {
    let cfg = ConfigDir::new(
        "connection",
        "[connection]\norg_url = \"http://file.example.com\"\ntenant_id = \"t\"\nclient_id = \"c\"\n",
    );
    let secret = [("AZURE_CLIENT_SECRET", "x")];
    // http to a non-loopback host is refused before any request, naming the URL that won.
    let o = cfg.run_env(&["run"], &secret);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("file.example.com"), "{}", stderr(&o));
    let o = cfg.run_env(
        &["run"],
        &[secret[0], ("SSYNC_ORG_URL", "http://env.example.com")],
    );
    assert!(stderr(&o).contains("env.example.com"), "{}", stderr(&o));
    let o = cfg.run_env(
        &["run", "--org-url", "http://flag.example.com"],
        &[secret[0], ("SSYNC_ORG_URL", "http://env.example.com")],
    );
    assert!(stderr(&o).contains("flag.example.com"), "{}", stderr(&o));
    // Only the secret is missing when the file gives the rest (pinned: `auto` would go on to
    // the managed identity and the Azure CLI, and first refuse the file's http URL).
    let o = cfg.run(&["run", "--auth", "secret"]);
    let err = stderr(&o);
    assert!(
        err.contains("AZURE_CLIENT_SECRET") && !err.contains("SSYNC_ORG_URL"),
        "{err}"
    );
}

#[test]
fn checks_disabled_in_the_file_do_not_run_unless_named_with_check() {
    let cfg = ConfigDir::new("checks", "[checks]\ndisable = [\"recreated-user\"]\n");
    let o = cfg.run(&["demo", "--format", "json"]);
    let ids = |o: &Output| -> Vec<String> {
        json(o)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let ran = ids(&o);
    assert!(
        !ran.contains(&"recreated-user".to_owned()) && ran.len() >= 6,
        "{ran:?}"
    );
    let o = cfg.run(&["demo", "--check", "recreated-user", "--format", "json"]);
    assert_eq!(ids(&o), ["recreated-user"]);
}
