//! Signer keys from a remote JWK Set, against a real HTTPS JWK Set server on 127.0.0.1
//! that counts its fetches: rotation, a flood of unknown `kid`s, stale-if-error then
//! refusal, timeouts, and what is never used as a key source.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bodyseal::alg::EcCurve;
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey};
use bodyseal::seal::Order;
use bodyseal_wire::jwks::{JwksOptions, RemoteJwks};
use bodyseal_wire::{tls, Builder, Client, Problem, Server};
use bytes::Bytes;
use http::StatusCode;
use hyper_util::rt::TokioIo;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/tls")
}

#[derive(Clone)]
enum Mode {
    Serve(String, Option<&'static str>),
    Fail,
    Slow(Duration, String),
    Redirect,
    Huge,
}

#[derive(Clone)]
struct Jwks {
    mode: Arc<Mutex<Mode>>,
    fetches: Arc<AtomicUsize>,
}

async fn answer(State(s): State<Jwks>) -> Response {
    s.fetches.fetch_add(1, Ordering::SeqCst);
    let mode = s.mode.lock().unwrap().clone();
    match mode {
        Mode::Serve(json, cc) => {
            let mut r = json.into_response();
            if let Some(cc) = cc {
                r.headers_mut().insert("cache-control", cc.parse().unwrap());
            }
            r
        }
        Mode::Fail => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::Slow(d, json) => {
            tokio::time::sleep(d).await;
            json.into_response()
        }
        Mode::Redirect => (StatusCode::FOUND, [("location", "/elsewhere")]).into_response(),
        Mode::Huge => format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(10 << 20)).into_response(),
    }
}

/// An HTTPS JWK Set server; returns its URL and its state.
async fn jwks_server(first: Mode) -> (String, Jwks) {
    let state = Jwks {
        mode: Arc::new(Mutex::new(first)),
        fetches: Arc::new(AtomicUsize::new(0)),
    };
    let app = Router::new()
        .route("/jwks", get(answer))
        .with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config =
        tls::server_config(&tls_dir().join("server.pem"), &tls_dir().join("server.key")).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                if let Ok(stream) = acceptor.accept(tcp).await {
                    let svc = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                }
            });
        }
    });
    (format!("https://127.0.0.1:{}/jwks", addr.port()), state)
}

fn options() -> JwksOptions {
    let mut o = JwksOptions::default();
    o.ca = Some(tls_dir().join("ca.pem"));
    o
}

fn key(kid: &str) -> Jwk {
    Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_kid(kid)
}

fn set(keys: &[&Jwk]) -> String {
    let keys: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| k.to_public().unwrap().to_value())
        .collect();
    serde_json::json!({ "keys": keys }).to_string()
}

const ORIGIN: &str = "https://api.example";

struct Api {
    server: Server,
    server_key: Jwk,
}

fn api(jwks: &RemoteJwks, answer_to: &Jwk) -> Api {
    let server_key = key("api");
    let server = Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(&server_key).unwrap())
        .decrypt_keys(DecryptionKeys::single(
            DecryptionKey::from_jwk(&server_key).unwrap(),
        ))
        .verify_jwks(jwks.clone())
        .to_key(EncryptionKey::from_jwk(&answer_to.to_public().unwrap()).unwrap())
        .public_origin(ORIGIN)
        .server()
        .unwrap();
    Api { server, server_key }
}

fn client_of(signer: &Jwk, api: &Api) -> Client {
    Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(signer).unwrap())
        .decrypt_keys(DecryptionKeys::single(
            DecryptionKey::from_jwk(signer).unwrap(),
        ))
        .verify_keys(bodyseal::key::VerifyingKeys::single(
            bodyseal::key::VerifyingKey::from_jwk(&api.server_key.to_public().unwrap()).unwrap(),
        ))
        .to_key(EncryptionKey::from_jwk(&api.server_key.to_public().unwrap()).unwrap())
        .client()
        .unwrap()
}

/// Opens one fresh request from `client`: Ok, or the problem.
async fn open(api: &Api, client: &Client) -> Result<(), Problem> {
    let req = http::Request::post(format!("{ORIGIN}/x"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let (sealed, _) = client.seal(req).await.unwrap();
    let req = sealed.map(http_body_util::Full::new);
    api.server.open(req).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_verifies_after_one_extra_fetch() {
    let a = key("a");
    let b = key("b");
    let (url, srv) = jwks_server(Mode::Serve(set(&[&a]), Some("max-age=3600"))).await;
    // A short cooldown here (30 s by default): an unknown kid refetches at most once per
    // cooldown, the first one included.
    let mut o = options();
    o.cooldown = Duration::from_millis(300);
    let jwks = RemoteJwks::new(&url, o).await.unwrap();
    assert_eq!(srv.fetches.load(Ordering::SeqCst), 1);
    let api = api(&jwks, &a);
    open(&api, &client_of(&a, &api)).await.unwrap();
    open(&api, &client_of(&a, &api)).await.unwrap();
    assert_eq!(srv.fetches.load(Ordering::SeqCst), 1, "cached");
    // The partner rotates to b; a token by b makes one extra fetch, then verifies.
    *srv.mode.lock().unwrap() = Mode::Serve(set(&[&b]), Some("max-age=3600"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    open(&api, &client_of(&b, &api)).await.unwrap();
    assert_eq!(srv.fetches.load(Ordering::SeqCst), 2);
    // The key that left the set is no longer trusted once the set was refetched.
    assert_eq!(
        open(&api, &client_of(&a, &api)).await,
        Err(Problem::Unauthorized)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_costs_at_most_a_few_fetches() {
    let a = key("a");
    let (url, srv) = jwks_server(Mode::Serve(set(&[&a]), None)).await;
    let jwks = RemoteJwks::new(&url, options()).await.unwrap();
    let api = Arc::new(api(&jwks, &a));
    // 500 tokens signed by keys the set does not hold, under 20 made-up kids.
    let strangers: Vec<Client> = (0..20)
        .map(|i| client_of(&key(&format!("unknown-{i}")), &api))
        .collect();
    let mut tasks = Vec::new();
    for n in 0..500 {
        let (api, client) = (api.clone(), strangers[n % 20].clone());
        tasks.push(tokio::spawn(async move { open(&api, &client).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), Err(Problem::Unauthorized));
    }
    let fetches = srv.fetches.load(Ordering::SeqCst);
    assert!(fetches <= 3, "{fetches} fetches");
    assert_eq!(jwks.fetches(), fetches);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_good_set_is_kept_until_too_stale_then_refused() {
    let a = key("a");
    let (url, srv) = jwks_server(Mode::Serve(set(&[&a]), Some("no-store"))).await;
    let mut o = options();
    o.min_ttl = Duration::from_millis(50);
    o.cooldown = Duration::from_millis(50);
    o.max_stale = Duration::from_millis(1200);
    let jwks = RemoteJwks::new(&url, o).await.unwrap();
    let api = api(&jwks, &a);
    let client = client_of(&a, &api);
    open(&api, &client).await.unwrap();
    *srv.mode.lock().unwrap() = Mode::Fail;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The refetch fails; the last good set still verifies.
    open(&api, &client).await.unwrap();
    assert!(
        srv.fetches.load(Ordering::SeqCst) >= 2,
        "a refetch was tried"
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(!jwks.is_usable());
    assert_eq!(open(&api, &client).await, Err(Problem::Unauthorized));
    // A good set again: service resumes.
    *srv.mode.lock().unwrap() = Mode::Serve(set(&[&a]), None);
    tokio::time::sleep(Duration::from_millis(100)).await;
    open(&api, &client).await.unwrap();
}

#[tokio::test]
async fn what_is_never_a_key_source() {
    let a = key("a");
    // Plain http: refused outright.
    assert!(RemoteJwks::new("http://127.0.0.1:1/jwks", options())
        .await
        .is_err());
    // A slow server (past the timeout), a redirect, a 10 MB answer, an error at start:
    // the source refuses every token.
    let mut quick = options();
    quick.timeout = Duration::from_millis(300);
    for mode in [
        Mode::Slow(Duration::from_secs(3), set(&[&a])),
        Mode::Redirect,
        Mode::Huge,
        Mode::Fail,
    ] {
        let (url, srv) = jwks_server(mode).await;
        let jwks = RemoteJwks::new(&url, quick.clone()).await.unwrap();
        assert_eq!(srv.fetches.load(Ordering::SeqCst), 1);
        assert!(!jwks.is_usable());
        let api = api(&jwks, &a);
        assert_eq!(
            open(&api, &client_of(&a, &api)).await,
            Err(Problem::Unauthorized)
        );
    }
    // Keys for encryption, or for other operations, are not trusted to verify.
    let enc = serde_json::json!({"keys": [
        {"use": "enc", "kid": "a", "kty": "EC", "crv": "P-256",
         "x": a.to_public().unwrap().to_value()["x"], "y": a.to_public().unwrap().to_value()["y"]},
        {"key_ops": ["encrypt"], "kid": "a", "kty": "EC", "crv": "P-256",
         "x": a.to_public().unwrap().to_value()["x"], "y": a.to_public().unwrap().to_value()["y"]},
    ]})
    .to_string();
    let (url, _) = jwks_server(Mode::Serve(enc, None)).await;
    let jwks = RemoteJwks::new(&url, options()).await.unwrap();
    let api = api(&jwks, &a);
    assert_eq!(
        open(&api, &client_of(&a, &api)).await,
        Err(Problem::Unauthorized)
    );
}
