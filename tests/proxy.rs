//! Proxies: `HTTP_PROXY` (the simulator speaks plain http on loopback, so the http variable
//! applies; `HTTPS_PROXY` is read the same way for https) carries every request of a run
//! through a local forwarding proxy, `NO_PROXY` takes a host out of it, and a proxy that does
//! not answer is named in the error.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use ssync_e2e::{SimServer, run_with_env, stderr};

/// A minimal HTTP/1.1 forwarding proxy on loopback: it reads an absolute-form request,
/// sends it on in origin form with `Connection: close`, copies the answer back and closes.
/// It records every `host:port` it was asked for.
struct ForwardingProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl ForwardingProxy {
    fn start() -> ForwardingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = forward(client, &log);
                });
            }
        });
        ForwardingProxy { url, seen }
    }
}

fn forward(client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let rest = target.strip_prefix("http://").unwrap_or(target);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    log.lock().unwrap().push(authority.to_owned());
    let mut head = format!(
        "{method} {} HTTP/1.1\r\n",
        if path.is_empty() { "/" } else { path }
    );
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("proxy-") {
            continue;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let mut upstream = TcpStream::connect(authority)?;
    upstream.write_all(head.as_bytes())?;
    upstream.write_all(&body)?;
    let mut client = client;
    std::io::copy(&mut upstream, &mut client)?;
    Ok(())
}

fn run_through(sim: &SimServer, env: &[(&str, &str)]) -> std::process::Output {
    let (secret, args) = sim.secret_and_args();
    let mut all: Vec<&str> = vec!["run"];
    all.extend(args.iter().skip(1).map(String::as_str));
    all.extend_from_slice(&["--format", "json"]);
    let mut env = env.to_vec();
    env.push(("AZURE_CLIENT_SECRET", &secret));
    run_with_env(&all, &env)
}

#[test]
fn every_request_goes_through_the_proxy_unless_no_proxy_excludes_the_host() {
    let sim = SimServer::start(&["--mailboxes", "3"]);
    let proxy = ForwardingProxy::start();
    let out = run_through(&sim, &[("HTTP_PROXY", &proxy.url)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = proxy.seen.lock().unwrap().clone();
    let (_, args) = sim.secret_and_args();
    let port_of = |flag: &str| {
        let at = args.iter().position(|a| a == flag).unwrap();
        args[at + 1].rsplit(':').next().unwrap().to_owned()
    };
    for flag in ["--authority-host", "--org-url", "--graph-url"] {
        let port = port_of(flag);
        assert!(
            seen.iter().any(|a| a.ends_with(&format!(":{port}"))),
            "{flag} never went through the proxy: {seen:?}"
        );
    }

    let quiet = ForwardingProxy::start();
    let out = run_through(&sim, &[("HTTP_PROXY", &quiet.url), ("NO_PROXY", "127.0.0.1")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(quiet.seen.lock().unwrap().is_empty(), "NO_PROXY is honoured");
}

#[test]
fn a_proxy_that_does_not_answer_is_named_with_the_host() {
    let sim = SimServer::start(&["--mailboxes", "1"]);
    // A port nothing listens on (bound, then released).
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = run_through(
        &sim,
        &[
            ("HTTP_PROXY", &dead),
            ("SSYNC_MAX_RETRIES", "0"),
            ("SSYNC_CONNECT_TIMEOUT", "2"),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("through the proxy {dead} (HTTP_PROXY)")),
        "{err}"
    );
    assert!(err.contains("connecting to 127.0.0.1:"), "{err}");
}
