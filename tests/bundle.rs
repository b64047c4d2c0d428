//! Evidence bundles through the binary: `collect` then `run --from` gives the live run's
//! findings over the whole `contoso` scenario; a redacted bundle holds none of the scenario's
//! addresses or names and still gives every mailbox the same statuses; no secret or token is
//! ever in a bundle; a damaged bundle exits 2 naming the file and the place.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use serde_json::Value;
use ssync_e2e::{SimServer, run, run_with_env, stderr, stdout};

const CONTOSO: &str = include_str!("../crates/sim/src/scenario/contoso.toml");

/// A scratch directory of this test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssync-bundle-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The report without what may differ between two runs of the same facts.
fn comparable(mut report: Value) -> Value {
    let obj = report.as_object_mut().expect("report object");
    obj.remove("started_at");
    obj.remove("finished_at");
    obj["environment"]
        .as_object_mut()
        .expect("environment")
        .remove("source");
    // The window start of `unexplained-sync-alert` is the run's moment less the window: the
    // live run and the collection are two runs, a second apart at times.
    for f in obj["findings"].as_array_mut().expect("findings") {
        if let Some(evidence) = f["evidence"].as_object_mut() {
            evidence.remove("alerts_since");
        }
    }
    report
}

/// Status of every (check, subject id).
fn statuses(report: &Value) -> BTreeMap<(String, String), String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            ((s(&f["check"]), s(&f["subject"]["id"])), s(&f["status"]))
        })
        .collect()
}

/// `run`'s arguments of a standalone simulator, with the first word replaced.
fn against(sim: &SimServer, command: &str, extra: &[&str]) -> std::process::Output {
    let (secret, args) = sim.secret_and_args();
    let mut all: Vec<&str> = vec![command];
    all.extend(args.iter().skip(1).map(String::as_str));
    all.extend_from_slice(extra);
    run_with_env(&all, &[("AZURE_CLIENT_SECRET", &secret)])
}

#[test]
fn run_from_a_bundle_gives_the_live_findings_over_the_whole_contoso_scenario() {
    let dir = scratch("equal");
    let bundle = dir.join("contoso.json");
    let sim = SimServer::start(&[]);

    let live = against(&sim, "run", &["--format", "json", "--include-passing"]);
    assert_eq!(live.status.code(), Some(1), "{}", stderr(&live));
    let collect = against(&sim, "collect", &["--output", path(&bundle)]);
    assert_eq!(collect.status.code(), Some(0), "{}", stderr(&collect));
    assert!(stdout(&collect).contains("run --from"), "{}", stdout(&collect));
    drop(sim); // the replay needs no network: the simulator is gone

    let replay = run(&[
        "run",
        "--from",
        path(&bundle),
        "--format",
        "json",
        "--include-passing",
    ]);
    assert_eq!(replay.status.code(), Some(1), "{}", stderr(&replay));
    let (live, replay) = (json(&stdout(&live)), json(&stdout(&replay)));
    assert_eq!(replay["environment"]["source"], "bundle");
    assert!(
        !live["findings"].as_array().expect("findings").is_empty(),
        "the live run found something"
    );
    assert_eq!(comparable(live), comparable(replay));

    // The selection travels with the bundle: a collection of one mailbox replays just it.
    let one = dir.join("one.json");
    let sim = SimServer::start(&[]);
    let out = against(
        &sim,
        "collect",
        &["--mailbox", "frank.old@contoso.com", "--output", path(&one)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let replay = run(&["run", "--from", path(&one), "--format", "json"]);
    let replay = json(&stdout(&replay));
    assert_eq!(replay["summary"]["mailboxes"], 1, "{replay}");
}

/// Every e-mail address written in the scenario file, lower-cased.
fn scenario_addresses() -> Vec<String> {
    let is_local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let is_domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut found = Vec::new();
    for (at, _) in CONTOSO.match_indices('@') {
        let local: String = CONTOSO[..at]
            .chars()
            .rev()
            .take_while(|c| is_local(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let domain: String = CONTOSO[at + 1..].chars().take_while(|c| is_domain(*c)).collect();
        if !local.is_empty() && domain.contains('.') {
            found.push(format!("{local}@{domain}").to_lowercase());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// People's names: those the scenario file writes and those the tenant showed (the simulator
/// derives some from addresses), read from the unredacted bundle.
fn scenario_names(plain: &Value) -> Vec<String> {
    let mut names: Vec<String> = CONTOSO
        .lines()
        .filter_map(|l| {
            let (key, value) = l.split_once('=')?;
            matches!(key.trim(), "full_name" | "display_name")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
        .collect();
    let facts = &plain["facts"];
    let field = |list: &str, key: &str| -> Vec<String> {
        facts[list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r[key].as_str().map(str::to_owned))
            .collect()
    };
    names.extend(field("system_users", "full_name"));
    names.extend(field("entra_users", "display_name"));
    names.extend(field("mailboxes", "name"));
    names.retain(|n| n.chars().count() >= 3);
    names.sort();
    names.dedup();
    names
}

/// `needle` in `text` as a whole word (case-insensitive).
fn has_word(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.to_lowercase(), needle.to_lowercase());
    text.match_indices(&needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn a_redacted_bundle_holds_no_address_or_name_and_gives_each_mailbox_the_same_statuses() {
    let dir = scratch("redact");
    let (plain, redacted, table) = (
        dir.join("plain.json"),
        dir.join("shared.json"),
        dir.join("table.json"),
    );
    let out = run(&["collect", "--demo", "--output", path(&plain)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&[
        "collect",
        "--demo",
        "--redact",
        "--pseudonyms",
        path(&table),
        "--output",
        path(&redacted),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("redacted"), "{}", stdout(&out));

    let text = std::fs::read_to_string(&redacted).expect("bundle");
    let bundle = json(&text);
    assert_eq!(bundle["redacted"], true);
    let addresses = scenario_addresses();
    assert!(addresses.len() >= 20, "{addresses:?}");
    let lower = text.to_lowercase();
    for address in &addresses {
        assert!(!lower.contains(address), "{address} is in the redacted bundle");
    }
    let plain_bundle = json(&std::fs::read_to_string(&plain).expect("bundle"));
    let names = scenario_names(&plain_bundle);
    assert!(names.iter().any(|n| n == "Heidi Park"), "{names:?}");
    for name in &names {
        assert!(
            !has_word(&text, name),
            "the name {name} is in the redacted bundle"
        );
    }
    // The tenant's own domain is gone everywhere (the environment's name too). Profile names
    // are configuration labels and stay (docs/bundles.md), so a partner named in one remains.
    assert!(!lower.contains("contoso"), "contoso is in the redacted bundle");

    // The table undoes it, and only the table.
    let table = json(&std::fs::read_to_string(&table).expect("pseudonym table"));
    let pseudo = table["alice@contoso.com"]
        .as_str()
        .expect("alice has a pseudonym");
    assert!(text.contains(pseudo));

    // Same status for every check on every subject (mailbox ids are not personal).
    let demo = run(&["demo", "--format", "json", "--include-passing"]);
    let from = run(&[
        "run",
        "--from",
        path(&redacted),
        "--format",
        "json",
        "--include-passing",
    ]);
    assert_eq!(from.status.code(), Some(1), "{}", stderr(&from));
    let (demo, from) = (json(&stdout(&demo)), json(&stdout(&from)));
    let (expected, got) = (statuses(&demo), statuses(&from));
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(expected, got);
    assert!(!stdout_of_run_has_addresses(&from, &addresses));
}

fn stdout_of_run_has_addresses(report: &Value, addresses: &[String]) -> bool {
    let text = report.to_string().to_lowercase();
    addresses.iter().any(|a| text.contains(a))
}

/// The client secret of the scenario's app registration.
fn scenario_secret() -> String {
    CONTOSO
        .lines()
        .find_map(|l| l.trim().strip_prefix("client_secret = "))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("the scenario names its app's secret")
}

/// Runs of characters an issued access token is made of (43 characters of base64url: 32
/// random bytes) — any run that long in a bundle would be a token or look like one.
fn token_like(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() >= 40)
        .collect()
}

/// A token issued by the simulator's identity service, fetched the way a client does.
fn fetch_token(sim: &SimServer) -> String {
    let (secret, args) = sim.secret_and_args();
    let flag = |name: &str| {
        let i = args.iter().position(|a| a == name).expect(name);
        args[i + 1].clone()
    };
    let (authority, tenant, client, org) = (
        flag("--authority-host"),
        flag("--tenant-id"),
        flag("--client-id"),
        flag("--org-url"),
    );
    let host = authority.trim_start_matches("http://").trim_end_matches('/');
    let enc = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
    let body = format!(
        "grant_type=client_credentials&client_id={client}&client_secret={}&scope={}",
        enc(&secret),
        enc(&format!("{org}/.default"))
    );
    let request = format!(
        "POST /{tenant}/oauth2/v2.0/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(host).expect("identity service");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    let (_, body) = response.split_once("\r\n\r\n").expect("HTTP response");
    let start = body.find('{').expect("JSON body");
    let end = body.rfind('}').expect("JSON body");
    json(&body[start..=end])["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

#[test]
fn a_bundle_holds_no_secret_and_no_token() {
    let dir = scratch("secret");
    let bundle = dir.join("b.json");
    let sim = SimServer::start(&[]);
    let (secret, _) = sim.secret_and_args();
    assert_eq!(secret, scenario_secret());
    // What an issued token looks like, so that the search below would see one.
    let sample = fetch_token(&sim);
    assert_eq!(token_like(&format!("x {sample} y")), vec![sample.as_str()]);

    let out = against(&sim, "collect", &["--output", path(&bundle), "-vvv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&bundle).expect("bundle");
    assert!(text.contains("alice@contoso.com"), "a real, unredacted bundle");
    assert!(!text.contains(&secret), "the client secret is in the bundle");
    assert!(!text.contains(&sample));
    for word in [
        "access_token",
        "client_secret",
        "Bearer ",
        "client_assertion",
        "Authorization",
    ] {
        assert!(!text.contains(word), "{word} is in the bundle");
    }
    assert_eq!(
        token_like(&text),
        Vec::<&str>::new(),
        "token-like strings in the bundle"
    );
    // Nor in what collect prints.
    for printed in [stdout(&out), stderr(&out)] {
        assert!(!printed.contains(&secret));
        assert!(!printed.contains("Bearer "));
    }
}

#[test]
fn a_damaged_or_foreign_bundle_exits_2_naming_the_file_and_the_place() {
    let dir = scratch("damaged");
    let good = dir.join("good.json");
    let out = run(&["collect", "--demo", "--mailboxes", "2", "--output", path(&good)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&good).expect("bundle");
    let replay = |name: &str, content: &str| {
        let file = dir.join(name);
        std::fs::write(&file, content).expect("write");
        let out = run(&["run", "--from", path(&file)]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(name), "{name} not named: {err}");
        err
    };

    let err = replay("cut.json", &text[..text.len() * 2 / 3]);
    assert!(err.contains("line ") && err.contains("column "), "{err}");

    let mut value = json(&text);
    value["facts"]["mailboxes"][0]["active"] = "yes".into();
    let err = replay("types.json", &serde_json::to_string_pretty(&value).expect("JSON"));
    assert!(
        err.contains("facts.mailboxes[0].active") && err.contains("line "),
        "{err}"
    );

    let err = replay("text.json", "this is not a bundle");
    assert!(err.contains("line 1"), "{err}");

    let mut value = json(&text);
    value["schema"] = "ssync-doctor/bundle/v9".into();
    let err = replay("newer.json", &value.to_string());
    assert!(err.contains("version 9") && err.contains("newer"), "{err}");

    let report = run(&["demo", "--mailboxes", "1", "--format", "json"]);
    let err = replay("report.json", &stdout(&report));
    assert!(err.contains("ssync-doctor/report/v1"), "{err}");

    let missing = dir.join("absent.json");
    let out = run(&["run", "--from", path(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("absent.json"), "{}", stderr(&out));
}
