use super::*;

const KNOWN: &[&str] = &["mailbox-address-mismatch", "recreated-user"];

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, "ssync-doctor.toml", KNOWN)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle") + 1
}

#[test]
fn a_full_file_parses() {
    let text = r#"
[connection]
org_url = "https://contoso.crm.dynamics.com"
tenant_id = "t"

[checks]
disable = ["recreated-user"]

[[waiver]]
check = "mailbox-address-mismatch"
subject = "*@fabrikam.com"
rationale = "Fabrikam moves in March."
expires = "2027-03-31"
"#;
    let c = parse(text).unwrap();
    assert_eq!(
        c.connection.org_url.as_deref(),
        Some("https://contoso.crm.dynamics.com")
    );
    assert_eq!(c.connection.client_id, None);
    assert_eq!(c.disable, ["recreated-user"]);
    assert_eq!(c.waivers.len(), 1);
    assert_eq!(c.waivers[0].subject, "*@fabrikam.com");
    assert_eq!(
        c.waivers[0].origin,
        format!("ssync-doctor.toml:{}", line_of(text, "[[waiver]]"))
    );
    assert!(c.waivers[0].expires.is_some());
    assert_eq!(parse("").unwrap(), Config::default());
}

#[test]
fn the_alert_window_defaults_to_30_days_and_can_be_set() {
    assert_eq!(parse("").unwrap().alert_window_days, 30);
    let c = parse("[alerts]\nwindow_days = 90\n").unwrap();
    assert_eq!(c.alert_window_days, 90);
    let o = c.check_options();
    assert_eq!(o.alert_window, time::Duration::days(90));
}

#[test]
fn errors_name_the_file_and_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"a@b.c\"\n",
            "[[waiver]]",
            "rationale",
        ),
        (
            "[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"a@b.c\"\nrationale = \"  \"\n",
            "rationale",
            "rationale",
        ),
        (
            "[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"a@b.c\"\nrationale = \"r\"\nexpires = \"2027-02-30\"\n",
            "expires",
            "YYYY-MM-DD",
        ),
        (
            "\n[[waiver]]\ncheck = \"recreated-usr\"\nsubject = \"a\"\nrationale = \"r\"\n",
            "recreated-usr",
            "Did you mean `recreated-user`",
        ),
        (
            "[checks]\nenable = [\n  \"nope\",\n]\n",
            "\"nope\"",
            "unknown check id `nope`",
        ),
        (
            "[connection]\n\norg_ulr = \"x\"\n",
            "org_ulr",
            "unknown field `org_ulr`, expected one of `org_url`",
        ),
        ("[[waivers]]\ncheck = \"x\"\n", "[[waivers]]", "unknown field"),
        ("[connection]\norg_url = \n", "org_url", ""),
        (
            "[[waiver]]\ncheck = \"recreated-user\"\nsubject = \"\"\nrationale = \"r\"\n",
            "subject",
            "empty",
        ),
        ("[alerts]\nwindow_days = 0\n", "window_days", "from 1 to 3650"),
        ("[alerts]\n\nwindow_days = -5\n", "window_days", "out of range"),
        ("[alerts]\nwindow_days = 99999\n", "window_days", "out of range"),
        ("[alerts]\nwindow = 30\n", "window", "unknown field `window`"),
    ];
    for (text, at, says) in cases {
        let e = parse(text).expect_err(text);
        assert!(
            !e.to_string().contains("client_secret"),
            "secret keys are not offered: {e}"
        );
        assert_eq!(e.line(), Some(line_of(text, at)), "{text}\n{e}");
        let shown = e.to_string();
        assert!(shown.starts_with("ssync-doctor.toml:"), "{shown}");
        assert!(shown.contains(says), "{shown}");
    }
}

#[test]
fn a_secret_is_refused_without_being_echoed() {
    for text in [
        "[connection]\nclient_id = \"c\"\nclient_secret = \"hunter2-s3cret\"\n",
        "password = \"hunter2-s3cret\"\n",
        "[connection]\nsecret = { value = \"hunter2-s3cret\" }\n",
    ] {
        let e = parse(text).expect_err(text);
        let shown = e.to_string();
        assert!(shown.contains("AZURE_CLIENT_SECRET"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(e.line(), Some(text.lines().count()), "{shown}");
    }
}

#[test]
fn a_named_file_must_exist_and_the_working_directory_is_searched() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let e = Config::discover(Some(&missing), dir.path(), KNOWN).unwrap_err();
    assert!(e.to_string().contains("nope.toml"), "{e}");
    assert_eq!(crate::CliError::from(e).exit_code(), 2);
    assert_eq!(
        Config::discover(None, dir.path(), KNOWN).unwrap(),
        Config::default()
    );
    std::fs::write(
        dir.path().join(FILE_NAME),
        "[checks]\ndisable = [\"recreated-user\"]\n",
    )
    .unwrap();
    let c = Config::discover(None, dir.path(), KNOWN).unwrap();
    assert_eq!(c.disable, ["recreated-user"]);
    assert_eq!(c.path, Some(dir.path().join(FILE_NAME)));
}

#[test]
fn flags_and_environment_win_over_the_file() {
    let c = parse(
        "[connection]\norg_url = \"https://file.crm.dynamics.com\"\ntenant_id = \"file-t\"\ngraph_url = \"https://g\"\n\
         [checks]\nenable = [\"recreated-user\"]\ndisable = [\"mailbox-address-mismatch\"]\n",
    )
    .unwrap();
    let args = ConnectionArgs {
        org_url: Some("https://flag.crm.dynamics.com".into()),
        ..Default::default()
    };
    let merged = c.connection_args(args);
    assert_eq!(merged.org_url.as_deref(), Some("https://flag.crm.dynamics.com"));
    assert_eq!(merged.tenant_id.as_deref(), Some("file-t"));
    assert_eq!(merged.graph_url.as_deref(), Some("https://g"));
    assert_eq!(merged.authority_host, None, "the built-in default applies later");

    let sel = c.selection_args(SelectionArgs::default());
    assert_eq!(sel.checks, ["recreated-user"]);
    assert_eq!(sel.skip_checks, ["mailbox-address-mismatch"]);
    let sel = c.selection_args(SelectionArgs {
        checks: vec!["mailbox-address-mismatch".into()],
        ..SelectionArgs::default()
    });
    assert_eq!(sel.checks, ["mailbox-address-mismatch"]);
    assert!(sel.skip_checks.is_empty(), "--check wins over the file's disable");
}

#[test]
fn a_waiver_reason_must_be_one_the_check_declares() {
    let known = &["mailbox-email-not-approved"];
    let text = |reason: &str| {
        format!(
            "[[waiver]]\ncheck = \"mailbox-email-not-approved\"\nsubject = \"*@contoso.com\"\n\
             rationale = \"Approvals run through the service desk.\"\nreason = \"{reason}\"\n"
        )
    };
    let c = Config::parse(&text("approval-pending"), "ssync-doctor.toml", known).unwrap();
    assert_eq!(c.waivers[0].reason.as_deref(), Some("approval-pending"));
    let err = Config::parse(&text("aproval-pending"), "ssync-doctor.toml", known)
        .unwrap_err()
        .to_string();
    assert!(err.contains("gives no reason `aproval-pending`"), "{err}");
    assert!(err.contains("approval-pending"), "{err}");
    assert!(err.contains(":5"), "names the line: {err}");
}
