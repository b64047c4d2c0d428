//! `run --auth …` through the binary against a standalone simulated tenant: each credential
//! of the chain diagnoses it, and `preflight` names a withheld permission.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use ssync_e2e::{SimServer, run_with_env, stderr, stdout};

/// The `run` arguments of the simulator's line, without the secret.
fn connection(sim: &SimServer) -> Vec<String> {
    let (_, args) = sim.secret_and_args();
    args.into_iter().skip(1).collect()
}

fn arg<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args.iter().position(|a| a == flag).expect(flag);
    &args[at + 1]
}

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssync-signin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Variables whose values are secrets.
const SECRET_VARS: [&str; 3] = [
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "IDENTITY_HEADER",
];

/// Runs `run --format json` with the simulator's connection, `extra` flags and `env`, and
/// returns the report; panics with the output when the run did not diagnose.
fn diagnoses(sim: &SimServer, extra: &[&str], env: &[(&str, &str)]) -> Value {
    let conn = connection(sim);
    let mut all: Vec<&str> = vec!["run"];
    all.extend(conn.iter().map(String::as_str));
    all.extend_from_slice(extra);
    // Every request logged: no secret may be among the lines.
    all.extend_from_slice(&["--format", "json", "-vvv"]);
    let out = run_with_env(&all, env);
    let mut secrets: Vec<String> = env
        .iter()
        .filter(|(k, _)| SECRET_VARS.contains(k))
        .map(|(_, v)| v.to_string())
        .collect();
    if let Some((_, file)) = env.iter().find(|(k, _)| *k == "AZURE_FEDERATED_TOKEN_FILE") {
        secrets.push(std::fs::read_to_string(file).unwrap());
    }
    for secret in &secrets {
        assert!(
            !stdout(&out).contains(secret.as_str()) && !stderr(&out).contains(secret.as_str()),
            "a secret was printed"
        );
    }
    assert_eq!(
        out.status.code(),
        Some(1),
        "contoso has failures to find; stderr:\n{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).expect("a JSON report");
    assert!(report["summary"]["fail"].as_u64().unwrap() > 0);
    report
}

#[test]
fn managed_identity_through_the_app_service_endpoint_and_the_metadata_service() {
    let sim = SimServer::start(&[]);
    let conn = connection(&sim);
    let authority = arg(&conn, "--authority-host").to_owned();
    let endpoint = format!("{authority}/msi/token");
    diagnoses(
        &sim,
        &["--auth", "managed-identity"],
        &[
            ("IDENTITY_ENDPOINT", &endpoint),
            ("IDENTITY_HEADER", ssync_sim::MANAGED_IDENTITY_HEADER),
        ],
    );
    // The instance metadata service, moved to the simulator as the Azure SDKs allow.
    diagnoses(
        &sim,
        &["--auth", "managed-identity"],
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", &authority)],
    );
}

#[test]
fn workload_identity_with_a_federated_token_file() {
    let sim = SimServer::start(&[]);
    let token = ssync_sim::federated_token(
        ssync_sim::FEDERATED_SUBJECT,
        ssync_sim::FEDERATED_AUDIENCE,
        Duration::from_secs(3600),
    );
    let file = temp("federated-token", token.as_bytes());
    diagnoses(
        &sim,
        &["--auth", "workload-identity"],
        &[("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap())],
    );
}

#[test]
fn a_pfx_certificate_with_its_password_and_auto_picks_it() {
    let sim = SimServer::start(&[]);
    let pfx = temp("app.pfx", ssync_sim::TEST_PFX);
    let env = [
        ("AZURE_CLIENT_CERTIFICATE_PATH", pfx.to_str().unwrap()),
        ("AZURE_CLIENT_CERTIFICATE_PASSWORD", ssync_sim::TEST_PFX_PASSWORD),
    ];
    diagnoses(&sim, &["--auth", "certificate"], &env);
    diagnoses(&sim, &[], &env);
}

/// A token of the simulator's App Service endpoint for `resource`, fetched with a plain
/// HTTP/1.0 request (the stand-in `az` prints it).
fn managed_identity_token(authority: &str, resource: &str) -> String {
    let host = authority.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let query: String = url_encode(resource);
    write!(
        stream,
        "GET /msi/token?api-version=2019-08-01&resource={query} HTTP/1.0\r\nHost: {host}\r\nX-IDENTITY-HEADER: {}\r\n\r\n",
        ssync_sim::MANAGED_IDENTITY_HEADER
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").expect("headers and body").1;
    let json: Value = serde_json::from_str(body).expect("JSON");
    json["access_token"].as_str().expect("a token").to_owned()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A stand-in `az` in a fresh directory: `az account get-access-token --resource R …` prints
/// the simulator's own token for its Dataverse and Graph (fetched from its managed identity
/// endpoint) and a dummy token for any other resource. Returns a `PATH` that finds it first.
#[cfg(unix)]
fn stand_in_az(sim: &SimServer, name: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let conn = connection(sim);
    let authority = arg(&conn, "--authority-host");
    let org = arg(&conn, "--org-url");
    let graph = arg(&conn, "--graph-url");
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3000;
    let answer =
        |token: String| format!(r#"{{"accessToken":"{token}","expires_on":{expires},"tokenType":"Bearer"}}"#);
    let dir = std::env::temp_dir().join(format!("ssync-signin-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("dataverse.json"),
        answer(managed_identity_token(authority, org)),
    )
    .unwrap();
    std::fs::write(
        dir.join("graph.json"),
        answer(managed_identity_token(authority, graph)),
    )
    .unwrap();
    std::fs::write(
        dir.join("other.json"),
        answer("not-a-token-of-any-service".into()),
    )
    .unwrap();
    // `az account get-access-token --resource R --tenant T --output json`: R is the 4th word.
    let script = format!(
        "#!/bin/sh\n# A stand-in for the Azure CLI (tests only).\ncase \"$4\" in\n  {org}*) cat '{d}/dataverse.json' ;;\n  {graph}*) cat '{d}/graph.json' ;;\n  *) cat '{d}/other.json' ;;\nesac\n",
        d = dir.display()
    );
    let az = dir.join("az");
    std::fs::write(&az, script).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

#[cfg(unix)]
#[test]
fn azure_cli_with_a_stand_in_az_on_path() {
    let sim = SimServer::start(&[]);
    let path = stand_in_az(&sim, "az");
    diagnoses(&sim, &["--auth", "azure-cli"], &[("PATH", &path)]);
}

/// A proxy that records the target of every `CONNECT` and refuses it: it shows which host
/// an https request was for without any certificate for that host.
fn recording_proxy() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::BufRead;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let mut line = String::new();
            let _ = std::io::BufReader::new(&client).read_line(&mut line);
            log.lock().unwrap().push(line.trim().to_owned());
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, seen)
}

#[cfg(unix)]
#[test]
fn cloud_usgovhigh_sends_sign_in_and_graph_reads_to_the_us_government_hosts() {
    let sim = SimServer::start(&["--mailboxes", "2"]);
    let (secret, args) = sim.secret_and_args();
    let org = arg(&args, "--org-url").to_owned();
    let base = |auth: &'static str| -> Vec<String> {
        [
            "run",
            "--org-url",
            &org,
            "--tenant-id",
            arg(&args, "--tenant-id"),
            "--client-id",
            arg(&args, "--client-id"),
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(
            ["--cloud", "usgovhigh", "--auth", auth]
                .iter()
                .map(|s| s.to_string()),
        )
        .collect()
    };
    // The token request: the cloud's identity host, reached (and refused) through the proxy.
    let (proxy, seen) = recording_proxy();
    let words = base("secret");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = run_with_env(
        &words,
        &[
            ("AZURE_CLIENT_SECRET", &secret),
            ("HTTPS_PROXY", &proxy),
            ("SSYNC_MAX_RETRIES", "0"),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("login.microsoftonline.us:443"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        seen.lock().unwrap()[0],
        "CONNECT login.microsoftonline.us:443 HTTP/1.1"
    );

    // Graph reads: signed in by the (stand-in) Azure CLI, Dataverse answered by the simulator,
    // Graph asked of the US Government host.
    let (proxy, seen) = recording_proxy();
    let path = stand_in_az(&sim, "gov");
    let words = base("azure-cli");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = run_with_env(
        &words,
        &[
            ("PATH", &path),
            ("HTTPS_PROXY", &proxy),
            ("SSYNC_MAX_RETRIES", "0"),
        ],
    );
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "no https request: {}", stderr(&out));
    // Graph, and OpenID discovery of mail domains on the cloud's identity host: nothing else.
    let graph = "CONNECT graph.microsoft.us:443 HTTP/1.1";
    let discovery = "CONNECT login.microsoftonline.us:443 HTTP/1.1";
    assert!(seen.iter().any(|l| l == graph), "{seen:?}\n{}", stderr(&out));
    assert!(
        seen.iter().all(|l| l == graph || l == discovery),
        "{seen:?}\n{}",
        stderr(&out)
    );
}

#[test]
fn preflight_names_a_withheld_graph_permission_and_passes_when_all_is_granted() {
    let granted = SimServer::start(&[]);
    let (secret, args) = granted.secret_and_args();
    let mut all: Vec<&str> = vec!["preflight"];
    all.extend(args.iter().skip(1).map(String::as_str));
    let out = run_with_env(&all, &[("AZURE_CLIENT_SECRET", &secret)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(text.contains("ok       Graph: MailboxSettings.Read"), "{text}");
    assert!(!text.contains("MISSING"), "{text}");

    let scenario = ssync_sim::Scenario::contoso_toml().replacen(
        "[app]\n",
        "[app]\nwithheld_graph_permissions = [\"MailboxSettings.Read\"]\n",
        1,
    );
    let file = temp("withheld.toml", scenario.as_bytes());
    let withheld = SimServer::start(&["--scenario", file.to_str().unwrap()]);
    let (secret, args) = withheld.secret_and_args();
    let mut all: Vec<&str> = vec!["preflight"];
    all.extend(args.iter().skip(1).map(String::as_str));
    let out = run_with_env(&all, &[("AZURE_CLIENT_SECRET", &secret)]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.contains("MISSING  Graph: MailboxSettings.Read"), "{text}");
    assert!(text.contains("admin consent"), "{text}");
    assert!(text.contains("ok       Graph: User.Read.All"), "{text}");
}
