use super::*;

const MINIMAL: &str = r#"
[environment]
name = "Tiny"
tenant = "t"
default_profile = "exo"

[app]
client_id = "11111111-2222-4333-8444-555555555555"
client_secret = "s"
tenant = "t"

[[tenants]]
key = "t"
id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
name = "Tiny"
domains = ["tiny.example"]

[[profiles]]
key = "exo"
name = "Microsoft Exchange Online"
server_type = 3
credentials = "s2s"

[[users]]
tenant = "t"
upn = "a@tiny.example"
licenses = ["EXCHANGESTANDARD"]

[[system_users]]
key = "a"
entra_user = "a@tiny.example"

[[mailboxes]]
address = "a@tiny.example"
owner_user = "a"
"#;

fn error(text: &str) -> ScenarioError {
    Scenario::parse("tiny.toml", text).expect_err("should fail")
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap_or(0)].matches('\n').count() + 1
}

#[test]
fn minimal_scenario_loads() {
    let s = Scenario::parse("tiny.toml", MINIMAL).expect("valid");
    assert_eq!(s.mailbox_count(), 1);
    assert_eq!(s.users[0].plans[0].status, "Enabled");
    assert_eq!(s.profiles[0].incoming.credentials, Some(2));
    assert_eq!(
        s.system_users[0].entra_object_id.as_deref(),
        Some(s.users[0].id.as_str())
    );
}

#[test]
fn dangling_reference_names_its_line() {
    let text = MINIMAL.replace("owner_user = \"a\"", "owner_user = \"zed\"");
    let e = error(&text);
    assert_eq!(e.line(), Some(line_of(&text, "owner_user = \"zed\"")));
    let shown = e.to_string();
    assert!(shown.starts_with("tiny.toml:"), "{shown}");
    assert!(
        shown.contains("no system user `zed`") && shown.contains("known: a"),
        "{shown}"
    );
}

#[test]
fn toml_syntax_errors_name_their_line() {
    let text = MINIMAL.replace("name = \"Tiny\"\ntenant", "name = \"Tiny\ntenant");
    let e = error(&text);
    assert!(e.line().is_some(), "{e}");
}

#[test]
fn unknown_fields_bad_ids_and_bad_options_are_refused() {
    let text = MINIMAL.replace("credentials = \"s2s\"", "credentails = \"s2s\"");
    let e = error(&text);
    assert_eq!(e.line(), Some(line_of(&text, "credentails")), "{e}");
    assert!(e.to_string().contains("credentails"), "{e}");

    let text = MINIMAL.replace("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "not-a-guid");
    assert!(error(&text).to_string().contains("not a GUID"));

    let text = MINIMAL.replace("credentials = \"s2s\"", "credentials = \"carrier pigeon\"");
    let e = error(&text);
    assert!(
        e.to_string()
            .contains("unknown credential retrieval `carrier pigeon`"),
        "{e}"
    );
    assert_eq!(e.line(), Some(line_of(&text, "carrier pigeon")));

    let text = MINIMAL.replace("upn = \"a@tiny.example\"", "upn = \"a@elsewhere.example\"");
    assert!(error(&text).to_string().contains("not in a domain of tenant"));

    let text = MINIMAL.replace("licenses = [\"EXCHANGESTANDARD\"]", "licenses = [\"NOSUCHSKU\"]");
    let e = error(&text);
    assert!(
        e.to_string().contains("NOSUCHSKU") && e.line() == Some(line_of(&text, "NOSUCHSKU")),
        "{e}"
    );

    let text = format!("{MINIMAL}\n[[mailboxes]]\naddress = \"A@tiny.example\"\nowner_user = \"a\"\n");
    assert!(error(&text).to_string().contains("duplicate mailbox address"));

    let text = MINIMAL.replace("owner_user = \"a\"", "");
    assert!(
        error(&text)
            .to_string()
            .contains("exactly one of owner_user or owner_queue")
    );
}

#[test]
fn from_file_names_the_file() {
    let e = Scenario::from_file(std::path::Path::new("/nonexistent/scenario.toml")).expect_err("missing");
    assert!(
        e.to_string()
            .starts_with("/nonexistent/scenario.toml: cannot read"),
        "{e}"
    );
}

#[test]
fn contoso_matches_its_description() {
    let s = Scenario::contoso();
    assert_eq!(s.mailbox_count(), 29);
    assert_eq!(s.profiles.len(), 9);
    assert_eq!(s.environment_tenant_id(), "6f1d2c3b-4a59-4e8f-9b0a-1c2d3e4f5a6b");
    let in_run = s
        .mailboxes
        .iter()
        .filter(|m| m.active && (m.incoming == 2 || m.outgoing == 2 || m.act == 1))
        .count();
    assert_eq!(in_run, 27);
    let sam = s.system_users.iter().find(|u| u.key == "sam").expect("sam");
    let twin = s.deleted_users.iter().find(|d| d.key == "sam-old").expect("twin");
    assert_eq!(sam.entra_object_id.as_deref(), Some(twin.id.as_str()));
    assert!(twin.upn.ends_with("sam@contoso.com") && twin.upn.len() == 32 + "sam@contoso.com".len());
    let nina = s
        .users
        .iter()
        .find(|u| u.upn == "nina@contoso.com")
        .expect("nina");
    assert_eq!(
        nina.plans[0].status, "Deleted",
        "a disabled plan shows as Deleted"
    );
}

#[test]
fn generated_scenarios_are_healthy() {
    let s = Scenario::generated(250);
    assert_eq!(s.mailbox_count(), 250);
    assert!(s.users.iter().all(|u| {
        u.plans
            .iter()
            .any(|p| p.plan.name == "EXCHANGE_S_STANDARD" && p.status == "Enabled")
    }));
    assert!(
        s.mailboxes
            .iter()
            .all(|m| m.profile_id == s.environment.default_profile_id)
    );
    let ids: std::collections::HashSet<_> = s.mailboxes.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 250);
}

#[test]
fn app_without_application_user() {
    let s = Scenario::parse(
        "tiny.toml",
        &MINIMAL.replace(
            "tenant = \"t\"\n\n[[tenants]]",
            "tenant = \"t\"\napplication_user = false\n\n[[tenants]]",
        ),
    )
    .expect("valid");
    assert!(!s.app.application_user);
    assert!(s.system_users.iter().all(|u| u.application_id.is_none()));
}

#[test]
fn debug_output_leaves_the_secret_out() {
    let s = Scenario::contoso();
    let shown = format!("{s:?}");
    assert!(
        !shown.contains(&s.app.client_secret),
        "the secret leaked into Debug"
    );
    assert!(shown.contains("<redacted>"));
}

#[test]
fn ews_servers_answer_403_or_a_bearer_challenge_naming_their_trusted_tenants() {
    let text = format!(
        "{MINIMAL}\n[[ews_servers]]\nname = \"off\"\nstatus = 403\n\n[[ews_servers]]\nname = \"hma\"\n\
         bearer_trusts = [\"t\", \"*\"]\nchallenges = [\"NTLM\"]\n"
    );
    let s = Scenario::parse("tiny.toml", &text).expect("valid");
    assert_eq!(s.ews_servers[0].status, 403);
    let hma = &s.ews_servers[1];
    assert_eq!(hma.status, 401, "the default");
    assert_eq!(hma.challenges.len(), 2);
    assert!(
        hma.challenges[0].starts_with("Bearer ")
            && hma.challenges[0].contains(
                "trusted_issuers=\"00000001-0000-0000-c000-000000000000@aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee,\
                 00000001-0000-0000-c000-000000000000@*\""
            ),
        "{}",
        hma.challenges[0]
    );
    assert_eq!(hma.challenges[1], "NTLM");

    let bad = text.replace("status = 403", "status = 200");
    let e = error(&bad);
    assert!(
        e.to_string().contains("401") && e.line() == Some(line_of(&bad, "status = 200")),
        "{e}"
    );
    let dangling = text.replace("[\"t\", \"*\"]", "[\"nosuch\"]");
    assert!(error(&dangling).to_string().contains("no tenant `nosuch`"));
}
