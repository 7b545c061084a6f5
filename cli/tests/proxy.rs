//! `bodyseal proxy` end to end, as real processes on 127.0.0.1: curl -> `proxy client`
//! -> HTTPS -> `proxy server` -> a plain upstream (a small server in this test that says
//! what it received). Every process started here is stopped here, by process id.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bodyseal"))
}

fn tls(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/tls")
        .join(name)
}

/// A started process, stopped (SIGTERM, by pid) when dropped.
struct Proc {
    child: Child,
    url: String,
}

impl Proc {
    /// Starts `bodyseal ARGS` and waits for its `listening on URL` line.
    fn start(args: &[&str]) -> Proc {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("no listening line: {line:?}"))
            .to_owned();
        Proc { child, url }
    }

    /// SIGTERM; returns whether it exited cleanly.
    fn stop(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}

struct Keys(tempfile::TempDir);

impl Keys {
    fn new() -> Keys {
        let k = Keys(tempfile::tempdir().unwrap());
        for name in ["client", "server"] {
            let file = format!("{name}.jwk");
            let out = bin()
                .args(["key", "generate", "ec-p256", "--kid", name, "-o"])
                .arg(k.path(&file))
                .status()
                .unwrap();
            assert!(out.success());
            let out = bin()
                .args(["key", "public"])
                .arg(k.path(&file))
                .arg("-o")
                .arg(k.path(&format!("{name}.pub.jwk")))
                .status()
                .unwrap();
            assert!(out.success());
        }
        k
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }
    fn thumbprint(&self, name: &str) -> String {
        let out = bin()
            .args(["key", "thumbprint"])
            .arg(self.path(name))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

/// The upstream: answers JSON saying what it received, `/fail` answers 503; counts calls.
struct Upstream {
    url: String,
    calls: Arc<AtomicUsize>,
    _rt: tokio::runtime::Runtime,
}

async fn upstream_answer(
    req: hyper::Request<Incoming>,
    calls: Arc<AtomicUsize>,
) -> hyper::Response<Full<Bytes>> {
    calls.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let h = |n: &str| parts.headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    let seen = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path_and_query().map(|p| p.as_str().to_owned()),
        "content_type": h("content-type"),
        "signer": h("bodyseal-signer"),
        "body": String::from_utf8_lossy(&body),
    });
    let status = if parts.uri.path() == "/fail" {
        503
    } else {
        200
    };
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(seen.to_string())))
        .unwrap()
}

impl Upstream {
    fn start() -> Upstream {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        rt.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let c = c.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let c = c.clone();
                        async move { Ok::<_, std::convert::Infallible>(upstream_answer(req, c).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        Upstream {
            url,
            calls,
            _rt: rt,
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// `proxy server` on a free loopback port with the test certificate and `k`'s keys.
fn server_args(k: &Keys, upstream: &str) -> Vec<String> {
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    [
        "proxy",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        upstream,
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--decrypt-key",
        &k.p("server.jwk"),
        "--verify-key",
        &k.p("client.pub.jwk"),
        "--sign-key",
        &k.p("server.jwk"),
        "--to",
        &k.p("client.pub.jwk"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn proxy_server(k: &Keys, upstream: &str, order: &str, extra: &[&str]) -> Proc {
    let mut args = server_args(k, upstream);
    args.extend(["--order".to_owned(), order.to_owned()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Proc::start(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn proxy_client(k: &Keys, upstream: &str, order: &str, extra: &[&str]) -> Proc {
    proxy_client_with(k, upstream, order, ["client", "server"], extra)
}

/// A proxy client that signs with `signer.jwk`, trusts `trusted.pub.jwk` for the answers,
/// and encrypts to and decrypts with the EC keys `server` and `client`.
fn proxy_client_with(
    k: &Keys,
    upstream: &str,
    order: &str,
    [signer, trusted]: [&str; 2],
    extra: &[&str],
) -> Proc {
    let ca = tls("ca.pem");
    let mut args = vec![
        "proxy",
        "client",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        upstream,
        "--sign-key",
    ];
    let (sk, to, vk, dk) = (
        k.p(&format!("{signer}.jwk")),
        k.p("server.pub.jwk"),
        k.p(&format!("{trusted}.pub.jwk")),
        k.p("client.jwk"),
    );
    args.extend([
        sk.as_str(),
        "--to",
        &to,
        "--verify-key",
        &vk,
        "--decrypt-key",
        &dk,
    ]);
    args.extend(["--order", order]);
    let ca = ca.to_str().unwrap().to_owned();
    if !extra.contains(&"--no-ca") {
        args.extend(["--ca", &ca]);
    }
    args.extend(extra.iter().filter(|e| **e != "--no-ca"));
    Proc::start(&args)
}

/// curl: (status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn curl_through_the_proxy_pair_in_both_orders() {
    let up = Upstream::start();
    for order in ["sign-then-encrypt", "encrypt-then-sign"] {
        let k = Keys::new();
        let mut server = proxy_server(&k, &up.url, order, &[]);
        assert!(
            server.url.starts_with("https://127.0.0.1:"),
            "{}",
            server.url
        );
        let mut client = proxy_client(&k, &server.url, order, &[]);
        assert!(
            client.url.starts_with("http://127.0.0.1:"),
            "{}",
            client.url
        );
        let before = up.calls();
        let (code, body) = curl(&[
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-H",
            "bodyseal-signer: forged",
            "--data-binary",
            r#"{"dose_mg":5}"#,
            &format!("{}/notes?x=1", client.url),
        ]);
        assert_eq!(code, 200, "{body}");
        let seen: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(seen["method"], "POST");
        assert_eq!(seen["path"], "/notes?x=1");
        assert_eq!(seen["content_type"], "application/json");
        assert_eq!(seen["body"], r#"{"dose_mg":5}"#);
        // The header the client sent is replaced by the verified signer's thumbprint.
        assert_eq!(seen["signer"], k.thumbprint("client.pub.jwk"));
        // Every upstream answer is passed on sealed, 5xx included.
        let (code, body) = curl(&[
            "-X",
            "POST",
            "--data-binary",
            "{}",
            &format!("{}/fail", client.url),
        ]);
        assert_eq!(code, 503, "{body}");
        assert_eq!(up.calls(), before + 2);
        assert!(client.stop(), "the client stops cleanly on SIGTERM");
        assert!(server.stop(), "the server stops cleanly on SIGTERM");
    }
}

#[test]
fn refusals_never_reach_the_upstream() {
    let up = Upstream::start();
    let k = Keys::new();
    let server = proxy_server(&k, &up.url, "sign-then-encrypt", &["--max-body", "4096"]);
    let ca = tls("ca.pem");
    let ca = ca.to_str().unwrap();
    // A body sealed by the CLI for this server, posted with curl.
    let sealed_for = |method: &str, path: &str, body: &str| {
        let d = tempfile::tempdir().unwrap();
        let body_file = d.path().join("body.json");
        std::fs::write(&body_file, body).unwrap();
        let out = bin()
            .args([
                "seal",
                "--sign-key",
                &k.p("client.jwk"),
                "--to",
                &k.p("server.pub.jwk"),
            ])
            .args(["--cty", "application/json", "--method", method, "--uri"])
            .arg(format!("{}{path}", server.url))
            .arg(&body_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let post = |path: &str, token: &str, method: &str| {
        curl(&[
            "--cacert",
            ca,
            "-X",
            method,
            "-H",
            "content-type: application/jose",
            "--data-binary",
            token,
            &format!("{}{path}", server.url),
        ])
    };
    let token = sealed_for("POST", "/notes", "{}");
    let (code, answer) = post("/notes", &token, "POST");
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer.split('.').count(), 5, "a sealed answer: {answer}");
    assert_eq!(up.calls(), 1);
    // Replayed; a flipped byte; another path; another method; too large; not JOSE.
    assert_eq!(post("/notes", &token, "POST").0, 401);
    let mut flipped = token.clone().into_bytes();
    let i = flipped.len() / 2;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(post("/notes", &flipped, "POST").0, 401);
    assert_eq!(
        post("/other", &sealed_for("POST", "/notes", "{}"), "POST").0,
        401
    );
    assert_eq!(
        post("/notes", &sealed_for("PUT", "/notes", "{}"), "POST").0,
        401
    );
    assert_eq!(
        post(
            "/notes",
            &sealed_for("POST", "/notes", &"x".repeat(8000)),
            "POST"
        )
        .0,
        413
    );
    let (code, body) = curl(&[
        "--cacert",
        ca,
        "-X",
        "POST",
        "--data-binary",
        "{}",
        &format!("{}/notes", server.url),
    ]);
    assert_eq!(code, 415);
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 415);
    assert_eq!(up.calls(), 1, "no refusal reached the upstream");
}

#[test]
fn bad_gateways_and_limits_on_the_client_side() {
    let up = Upstream::start();
    let k = Keys::new();
    let order = "sign-then-encrypt";
    // The proxy server's upstream is a closed port: 502, sealed or not.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let server = proxy_server(&k, &dead, order, &[]);
    let client = proxy_client(&k, &server.url, order, &[]);
    let (code, _) = curl(&[
        "-X",
        "POST",
        "--data-binary",
        "{}",
        &format!("{}/x", client.url),
    ]);
    assert_eq!(code, 502);
    // A client that does not trust the server's certificate: 502.
    let live = proxy_server(&k, &up.url, order, &[]);
    let untrusting = proxy_client(&k, &live.url, order, &["--no-ca"]);
    let (code, body) = curl(&[
        "-X",
        "POST",
        "--data-binary",
        "{}",
        &format!("{}/x", untrusting.url),
    ]);
    assert_eq!(code, 502, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["status"], 502);
    // Over the client's limit: 413, nothing sent.
    let small = proxy_client(&k, &live.url, order, &["--max-body", "100"]);
    let (code, _) = curl(&[
        "-X",
        "POST",
        "--data-binary",
        &"y".repeat(200),
        &format!("{}/x", small.url),
    ]);
    assert_eq!(code, 413);
    // A proxy server that signs its answers with a key the client does not trust: the
    // request goes through, the answer does not open, the app gets 502 and not its bytes.
    let other = Keys::new();
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    let stranger = Proc::start(&[
        "proxy",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &up.url,
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--decrypt-key",
        &k.p("server.jwk"),
        "--verify-key",
        &k.p("client.pub.jwk"),
        "--sign-key",
        &other.p("server.jwk"),
        "--to",
        &k.p("client.pub.jwk"),
    ]);
    let fooled = proxy_client(&k, &stranger.url, order, &[]);
    let (code, body) = curl(&[
        "-X",
        "POST",
        "--data-binary",
        "{}",
        &format!("{}/x", fooled.url),
    ]);
    assert_eq!(code, 502, "{body}");
    assert!(!body.contains("method"), "{body}");
    assert_eq!(
        up.calls(),
        1,
        "only the request to the stranger reached the upstream"
    );
}

#[test]
fn several_client_keys_are_matched_by_kid() {
    let up = Upstream::start();
    let (a, b) = (Keys::new(), Keys::new());
    // b's client key gets its own kid.
    let out = bin()
        .args(["key", "generate", "ec-p256", "--kid", "client-b", "-o"])
        .arg(b.path("client.jwk"))
        .status()
        .unwrap();
    assert!(out.success());
    assert!(bin()
        .args(["key", "public"])
        .arg(b.path("client.jwk"))
        .arg("-o")
        .arg(b.path("client.pub.jwk"))
        .status()
        .unwrap()
        .success());
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    let server = Proc::start(&[
        "proxy",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &up.url,
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--decrypt-key",
        &a.p("server.jwk"),
        "--sign-key",
        &a.p("server.jwk"),
        "--verify-key",
        &a.p("client.pub.jwk"),
        "--verify-key",
        &b.p("client.pub.jwk"),
        "--to",
        &a.p("client.pub.jwk"),
        "--to",
        &b.p("client.pub.jwk"),
    ]);
    // b's client speaks to the same server (a's server keys).
    for (client_keys, name) in [(&a, "a"), (&b, "b")] {
        let d = tempfile::tempdir().unwrap();
        for f in ["server.jwk", "server.pub.jwk"] {
            std::fs::copy(a.path(f), d.path().join(f)).unwrap();
        }
        for f in ["client.jwk", "client.pub.jwk"] {
            std::fs::copy(client_keys.path(f), d.path().join(f)).unwrap();
        }
        let keys = Keys(d);
        let client = proxy_client(&keys, &server.url, "sign-then-encrypt", &[]);
        let (code, body) = curl(&[
            "-X",
            "POST",
            "--data-binary",
            "{}",
            &format!("{}/{name}", client.url),
        ]);
        assert_eq!(code, 200, "{name}: {body}");
    }
    // A verify key without a partner: the server refuses to start.
    let out = bin()
        .args([
            "proxy",
            "server",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &up.url,
        ])
        .args([
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ])
        .args([
            "--decrypt-key",
            &a.p("server.jwk"),
            "--sign-key",
            &a.p("server.jwk"),
        ])
        .args([
            "--verify-key",
            &a.p("client.pub.jwk"),
            "--verify-key",
            &b.p("client.pub.jwk"),
        ])
        .args([
            "--to",
            &a.p("client.pub.jwk"),
            "--to",
            &a.p("server.pub.jwk"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client-b"));
}

/// A `redis-server` on a free loopback port with no persistence, stopped by pid.
struct RedisServer(Child, u16);

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (.ci/run installs it)");
        let server = RedisServer(child, port);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("redis-server did not start");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

#[test]
fn two_proxy_servers_share_a_redis_replay_store() {
    let redis = RedisServer::start();
    let url = format!("redis://127.0.0.1:{}/0", redis.1);
    let up = Upstream::start();
    let k = Keys::new();
    let origin = "https://api.example";
    let a = proxy_server(
        &k,
        &up.url,
        "sign-then-encrypt",
        &[
            "--replay",
            &url,
            "--public-origin",
            origin,
            "--instances",
            "2",
        ],
    );
    let b = proxy_server(
        &k,
        &up.url,
        "sign-then-encrypt",
        &[
            "--replay",
            &url,
            "--public-origin",
            origin,
            "--instances",
            "2",
        ],
    );
    let d = tempfile::tempdir().unwrap();
    let body = d.path().join("b.json");
    std::fs::write(&body, "{}").unwrap();
    let out = bin()
        .args([
            "seal",
            "--sign-key",
            &k.p("client.jwk"),
            "--to",
            &k.p("server.pub.jwk"),
        ])
        .args(["--method", "POST", "--uri", &format!("{origin}/notes")])
        .arg(&body)
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let ca = tls("ca.pem");
    let post = |server: &Proc| {
        curl(&[
            "--cacert",
            ca.to_str().unwrap(),
            "-X",
            "POST",
            "-H",
            "content-type: application/jose",
            "--data-binary",
            &token,
            &format!("{}/notes", server.url),
        ])
        .0
    };
    assert_eq!(post(&a), 200);
    assert_eq!(post(&b), 401, "accepted by A, refused by B");
    assert_eq!(up.calls(), 1);
    // A multi-instance declaration with the in-memory store starts with a warning.
    let mut warned = bin()
        .args(server_args(&k, &up.url))
        .args(["--instances", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(warned.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "{line}");
    let _ = Command::new("kill")
        .args(["-TERM", &warned.id().to_string()])
        .status();
    let out = warned.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("in-memory replay store"));
    // An unknown store is a usage error.
    let out = bin()
        .args(server_args(&k, &up.url))
        .args(["--replay", "memcached://x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An HTTPS server on 127.0.0.1 answering every GET with `body` (a JWK Set).
fn jwks_server(rt: &tokio::runtime::Runtime, body: String) -> String {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("https://{}/jwks", listener.local_addr().unwrap());
    let config = bodyseal_wire::tls::server_config(&tls("server.pem"), &tls("server.key")).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let body = Bytes::from(body);
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, body) = (acceptor.clone(), body.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |_req: hyper::Request<Incoming>| {
                    let body = body.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(body)))
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    url
}

#[test]
fn signer_keys_from_a_remote_jwk_set() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let k = Keys::new();
    let public = std::fs::read_to_string(k.path("client.pub.jwk")).unwrap();
    let set = format!(r#"{{"keys":[{public}]}}"#);
    let url = jwks_server(&rt, set);
    let ca = tls("ca.pem");
    let ca = ca.to_str().unwrap();
    // verify --jwks-url.
    let d = tempfile::tempdir().unwrap();
    let body = d.path().join("b.json");
    std::fs::write(&body, "{}").unwrap();
    let signed = bin()
        .args(["sign", "--key", &k.p("client.jwk")])
        .arg(&body)
        .output()
        .unwrap();
    let token = d.path().join("t.jws");
    std::fs::write(&token, &signed.stdout).unwrap();
    let out = bin()
        .args(["verify", "--jwks-url", &url, "--jwks-ca", ca])
        .arg(&token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"{}");
    // Not https, or not trusted: nothing is used.
    let plain = url.replace("https://", "http://");
    let out = bin()
        .args(["verify", "--jwks-url", &plain])
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["verify", "--jwks-url", &url])
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the test CA is not among the default roots"
    );
    // The proxy server trusts the set's keys instead of --verify-key.
    let up = Upstream::start();
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    let server = Proc::start(&[
        "proxy",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &up.url,
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "--decrypt-key",
        &k.p("server.jwk"),
        "--sign-key",
        &k.p("server.jwk"),
        "--jwks-url",
        &url,
        "--jwks-ca",
        ca,
        "--to",
        &k.p("client.pub.jwk"),
    ]);
    let client = proxy_client(&k, &server.url, "sign-then-encrypt", &[]);
    let (code, body) = curl(&[
        "-X",
        "POST",
        "--data-binary",
        "{}",
        &format!("{}/j", client.url),
    ]);
    assert_eq!(code, 200, "{body}");
    let seen: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(seen["signer"], k.thumbprint("client.pub.jwk"));
}

/// The proxy pair signs with ML-DSA-65 (the keys that encrypt stay EC): a request and its
/// response go through in both orders, and the upstream sees the ML-DSA signer.
#[test]
fn ml_dsa_signatures_through_the_proxy_pair() {
    let up = Upstream::start();
    let k = Keys::new();
    for name in ["client-pq", "server-pq"] {
        let file = k.path(&format!("{name}.jwk"));
        let ok = bin()
            .args(["key", "generate", "ml-dsa-65", "--kid", name, "-o"])
            .arg(&file)
            .status()
            .unwrap();
        assert!(ok.success());
        let ok = bin()
            .args(["key", "public"])
            .arg(&file)
            .arg("-o")
            .arg(k.path(&format!("{name}.pub.jwk")))
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let replace = |args: &mut Vec<String>, flag: &str, value: String| {
        let i = args.iter().position(|a| a == flag).unwrap();
        args[i + 1] = value;
    };
    for order in ["sign-then-encrypt", "encrypt-then-sign"] {
        let mut sargs = server_args(&k, &up.url);
        replace(&mut sargs, "--verify-key", k.p("client-pq.pub.jwk"));
        replace(&mut sargs, "--sign-key", k.p("server-pq.jwk"));
        sargs.extend(["--order".to_owned(), order.to_owned()]);
        let mut server = Proc::start(&sargs.iter().map(String::as_str).collect::<Vec<_>>());
        let mut client = proxy_client_with(&k, &server.url, order, ["client-pq", "server-pq"], &[]);
        let (code, body) = curl(&[
            "-X",
            "POST",
            "--data-binary",
            r#"{"dose_mg":5}"#,
            &format!("{}/notes", client.url),
        ]);
        assert_eq!(code, 200, "{order}: {body}");
        let seen: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(seen["body"], r#"{"dose_mg":5}"#);
        assert_eq!(seen["signer"], k.thumbprint("client-pq.pub.jwk"));
        assert!(client.stop());
        assert!(server.stop());
    }
}
