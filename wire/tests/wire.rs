//! The layer, the client middleware and the extractor for real: an HTTPS server (rustls,
//! aws-lc-rs) on 127.0.0.1 serving an axum app behind the layer, a reqwest client with the
//! middleware, a raw TLS client reading the bytes on the wire, and a hyper-util client
//! with the tower layer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::extract::{Extension, State};
use axum::routing::{get, post};
use axum::Router;
use bodyseal::alg::EcCurve;
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::seal::Order;
use bodyseal_wire::axum::OpenedRequest;
use bodyseal_wire::{tls, Builder, Client, Sender, Server};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/tls")
}

/// Key files for a client and a server.
struct Keys(tempfile::TempDir);

impl Keys {
    fn new() -> Keys {
        let d = tempfile::tempdir().unwrap();
        for (name, kid) in [("client", "client-1"), ("server", "server-1")] {
            let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))
                .unwrap()
                .with_kid(kid);
            std::fs::write(d.path().join(format!("{name}.jwk")), jwk.to_json()).unwrap();
            std::fs::write(
                d.path().join(format!("{name}.pub.jwk")),
                jwk.to_public().unwrap().to_json(),
            )
            .unwrap();
        }
        Keys(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
    fn server(&self, order: Order, origin: &str) -> Builder {
        Builder::new(order)
            .sign_key_file(self.path("server.jwk"))
            .unwrap()
            .decrypt_key_file(self.path("server.jwk"))
            .unwrap()
            .verify_key_file(self.path("client.pub.jwk"))
            .unwrap()
            .to_key_file(self.path("client.pub.jwk"))
            .unwrap()
            .public_origin(origin)
    }
    fn client(&self, order: Order) -> Client {
        Builder::new(order)
            .sign_key_file(self.path("client.jwk"))
            .unwrap()
            .decrypt_key_file(self.path("client.jwk"))
            .unwrap()
            .verify_key_file(self.path("server.pub.jwk"))
            .unwrap()
            .to_key_file(self.path("server.pub.jwk"))
            .unwrap()
            .client()
            .unwrap()
    }
}

/// The app: `/echo` answers 201 with the body, its media type and who signed; it counts
/// how often it ran.
fn app(calls: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/echo",
        post(
            move |Extension(sender): Extension<Sender>, headers: HeaderMap, body: Bytes| {
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    let ct = headers
                        .get("content-type")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    (
                        StatusCode::CREATED,
                        [
                            ("content-type", "application/json".to_owned()),
                            ("x-seen-type", ct),
                            ("x-signer", sender.thumbprint().to_owned()),
                        ],
                        body,
                    )
                }
            },
        ),
    )
}

/// Serves `app` over TLS on 127.0.0.1 with the test certificate; the task ends with the
/// test's runtime.
async fn serve_https(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    serve_tls(listener, app);
    addr
}

/// Serves `app` over TLS on `listener`.
fn serve_tls(listener: TcpListener, app: Router) {
    let config =
        tls::server_config(&tls_dir().join("server.pem"), &tls_dir().join("server.key")).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
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
}

fn reqwest_client() -> reqwest::Client {
    let config = tls::client_config(Some(&tls_dir().join("ca.pem"))).unwrap();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .unwrap()
}

fn with_middleware(c: &Client) -> reqwest_middleware::ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(reqwest_client())
        .with(c.middleware())
        .build()
}

const BODY: &str = r#"{"patient":"12345","dose_mg":5}"#;

#[tokio::test]
async fn both_orders_round_trip_through_an_https_server() {
    for order in [Order::SignThenEncrypt, Order::EncryptThenSign] {
        let keys = Keys::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let addr = serve_layered(&keys, order, calls.clone()).await;
        let client = with_middleware(&keys.client(order));
        let resp = client
            .post(format!("https://127.0.0.1:{}/echo", addr.port()))
            .header("content-type", "application/json")
            .body(BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        assert_eq!(resp.headers()["x-seen-type"], "application/json");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let signer = resp.headers()["x-signer"].to_str().unwrap().to_owned();
        let client_pub =
            Jwk::from_json(&std::fs::read_to_string(keys.path("client.pub.jwk")).unwrap()).unwrap();
        assert_eq!(
            signer,
            client_pub.thumbprint_b64(bodyseal::alg::HashAlg::Sha256)
        );
        assert_eq!(resp.text().await.unwrap(), BODY);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

/// An HTTPS server whose origin is its own address, with the layer over `app`.
async fn serve_layered(keys: &Keys, order: Order, calls: Arc<AtomicUsize>) -> SocketAddr {
    serve_layered_with(keys, order, calls, |b| b).await
}

async fn serve_layered_with(
    keys: &Keys,
    order: Order,
    calls: Arc<AtomicUsize>,
    tune: impl FnOnce(Builder) -> Builder,
) -> SocketAddr {
    // Bind, learn the port, then build the server with the origin that port makes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tune(keys.server(order, &format!("https://127.0.0.1:{}", addr.port())))
        .server()
        .unwrap();
    serve_tls(listener, app(calls).layer(server.layer()));
    addr
}

/// Sends an already sealed request with a plain reqwest client (no middleware).
async fn send_raw(addr: SocketAddr, req: &http::Request<Bytes>) -> (StatusCode, HeaderMap, Bytes) {
    let url = format!(
        "https://127.0.0.1:{}{}",
        addr.port(),
        req.uri().path_and_query().unwrap()
    );
    let mut b = reqwest_client().request(req.method().clone(), url);
    for (k, v) in req.headers() {
        b = b.header(k, v);
    }
    let resp = b.body(req.body().clone()).send().await.unwrap();
    (
        resp.status(),
        resp.headers().clone(),
        resp.bytes().await.unwrap(),
    )
}

fn sealable(addr: SocketAddr, method: &str, path: &str, body: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .method(method)
        .uri(format!("https://127.0.0.1:{}{path}", addr.port()))
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn refusals_never_reach_the_handler() {
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Order::SignThenEncrypt;
    let addr = serve_layered_with(&keys, order, calls.clone(), |b| b.max_body(64 << 10)).await;
    let client = keys.client(order);
    let problem = |status: StatusCode, headers: &HeaderMap, body: &Bytes| {
        assert_eq!(headers["content-type"], "application/problem+json");
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["status"], status.as_u16());
        assert!(!String::from_utf8_lossy(body).contains("patient"));
    };

    // Accepted once, refused when replayed.
    let (req, _) = client
        .seal(sealable(addr, "POST", "/echo", BODY))
        .await
        .unwrap();
    assert_eq!(send_raw(addr, &req).await.0, StatusCode::CREATED);
    let (s, h, b) = send_raw(addr, &req).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    problem(s, &h, &b);

    // A flipped byte.
    let (req, _) = client
        .seal(sealable(addr, "POST", "/echo", BODY))
        .await
        .unwrap();
    let mut body = req.body().to_vec();
    let i = body.len() / 2;
    body[i] = if body[i] == b'A' { b'B' } else { b'A' };
    let (parts, _) = req.into_parts();
    let flipped = http::Request::from_parts(parts, Bytes::from(body));
    assert_eq!(send_raw(addr, &flipped).await.0, StatusCode::UNAUTHORIZED);

    // Sealed for another path, sent to /echo; sealed for PUT, sent as POST.
    let (req, _) = client
        .seal(sealable(addr, "POST", "/other", BODY))
        .await
        .unwrap();
    let (mut parts, body) = req.into_parts();
    parts.uri = format!("https://127.0.0.1:{}/echo", addr.port())
        .parse()
        .unwrap();
    assert_eq!(
        send_raw(addr, &http::Request::from_parts(parts, body))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (req, _) = client
        .seal(sealable(addr, "PUT", "/echo", BODY))
        .await
        .unwrap();
    let (mut parts, body) = req.into_parts();
    parts.method = http::Method::POST;
    assert_eq!(
        send_raw(addr, &http::Request::from_parts(parts, body))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    // Over the limit: 413.
    let big = "x".repeat(100 << 10);
    let (req, _) = client
        .seal(sealable(addr, "POST", "/echo", &big))
        .await
        .unwrap();
    let (s, h, b) = send_raw(addr, &req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    problem(s, &h, &b);

    // Not JOSE: 415; JOSE that is not a token: 400.
    let plain = sealable(addr, "POST", "/echo", BODY);
    let (s, h, b) = send_raw(addr, &plain).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    problem(s, &h, &b);
    let mut garbage = sealable(addr, "POST", "/echo", "not.a.token");
    garbage
        .headers_mut()
        .insert("content-type", "application/jose".parse().unwrap());
    assert_eq!(send_raw(addr, &garbage).await.0, StatusCode::BAD_REQUEST);

    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "only the first request ran"
    );
}

#[tokio::test]
async fn a_stale_request_is_refused() {
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Order::EncryptThenSign;
    let addr = serve_layered_with(&keys, order, calls.clone(), |b| b.window(1)).await;
    let (req, _) = keys
        .client(order)
        .seal(sealable(addr, "POST", "/echo", BODY))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(send_raw(addr, &req).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_bytes_on_the_wire_are_jose_tokens() {
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve_layered(&keys, Order::SignThenEncrypt, calls).await;
    let (req, _) = keys
        .client(Order::SignThenEncrypt)
        .seal(sealable(addr, "POST", "/echo", BODY))
        .await
        .unwrap();
    // A raw TLS client: write the HTTP/1.1 request by hand, read every byte back.
    let config = tls::client_config(Some(&tls_dir().join("ca.pem"))).unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let head = format!(
        "POST /echo HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        addr.port(),
        req.headers()["content-type"].to_str().unwrap(),
        req.body().len()
    );
    assert!(!String::from_utf8_lossy(req.body()).contains("patient"));
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(req.body()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw).await;
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/jose"),
        "{head}"
    );
    assert!(!body.contains("patient"), "the answer travels sealed");
    assert_eq!(body.trim().split('.').count(), 5, "a compact JWE outside");
}

#[tokio::test]
async fn concurrent_requests_all_succeed_and_every_replay_is_refused() {
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Order::SignThenEncrypt;
    let addr = serve_layered(&keys, order, calls.clone()).await;
    let client = keys.client(order);
    let mut sealed = Vec::new();
    for i in 0..200 {
        let (req, _) = client
            .seal(sealable(addr, "POST", "/echo", &format!("{{\"n\":{i}}}")))
            .await
            .unwrap();
        sealed.push(req);
    }
    let sealed = Arc::new(sealed);
    for expected in [StatusCode::CREATED, StatusCode::UNAUTHORIZED] {
        let tasks: Vec<_> = (0..sealed.len())
            .map(|i| {
                let s = sealed.clone();
                tokio::spawn(async move { send_raw(addr, &s[i]).await.0 })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), expected);
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 200);
}

#[tokio::test]
async fn a_response_that_does_not_open_is_an_error_not_bytes() {
    // An HTTPS server that answers in plaintext: the middleware refuses the answer.
    let app = Router::new().route("/echo", post(|| async { "plaintext secret" }));
    let addr = serve_https(app).await;
    let keys = Keys::new();
    let client = with_middleware(&keys.client(Order::SignThenEncrypt));
    let r = client
        .post(format!("https://127.0.0.1:{}/echo", addr.port()))
        .body(BODY)
        .send()
        .await;
    let e = r.expect_err("a plaintext answer is refused");
    assert!(!e.to_string().contains("plaintext secret"), "{e}");
}

#[tokio::test]
async fn the_tower_layer_drives_a_hyper_util_client() {
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Order::EncryptThenSign;
    // Plain HTTP on loopback for this one: the layer is what is under test.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = keys
        .server(order, &format!("http://127.0.0.1:{}", addr.port()))
        .server()
        .unwrap();
    let app = app(calls.clone()).layer(server.layer());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let hyper_client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http::<http_body_util::Full<Bytes>>();
    let mut svc = tower::ServiceBuilder::new()
        .layer(keys.client(order).layer())
        .service(hyper_client);
    use tower::{Service, ServiceExt};
    let req = http::Request::post(format!("http://127.0.0.1:{}/echo", addr.port()))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(Bytes::from(BODY)))
        .unwrap();
    let resp = ServiceExt::<http::Request<http_body_util::Full<Bytes>>>::ready(&mut svc)
        .await
        .unwrap()
        .call(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    use http_body_util::BodyExt;
    assert_eq!(resp.into_body().collect().await.unwrap().to_bytes(), BODY);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_axum_extractor_opens_per_route() {
    let keys = Keys::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let order = Order::SignThenEncrypt;
    let server = keys
        .server(order, &format!("http://127.0.0.1:{}", addr.port()))
        .server()
        .unwrap();
    let app = Router::new()
        .route(
            "/sealed",
            post(
                |State(server): State<Server>, req: OpenedRequest| async move {
                    let answer = http::Response::builder()
                        .header("content-type", req.media_type.unwrap_or_default())
                        .body(http_body_util::Full::new(req.body))
                        .unwrap();
                    match server.seal(&req.sender, answer).await {
                        Ok(r) => r.map(axum::body::Body::new),
                        Err(p) => axum::response::IntoResponse::into_response(p),
                    }
                },
            ),
        )
        .route("/open", get(|| async { "not sealed" }))
        .with_state(server);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = with_middleware(&keys.client(order));
    let resp = client
        .post(format!("http://127.0.0.1:{}/sealed", addr.port()))
        .header("content-type", "application/json")
        .body(BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), BODY);
    // The route without the extractor is untouched.
    let plain = reqwest_client()
        .get(format!("http://127.0.0.1:{}/open", addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.text().await.unwrap(), "not sealed");
}

#[test]
fn several_response_keys_need_a_partner_for_every_signer() {
    let keys = Keys::new();
    let other = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_kid("someone-else");
    let p = keys.path("other.pub.jwk");
    std::fs::write(&p, other.to_public().unwrap().to_json()).unwrap();
    let r = keys
        .server(Order::SignThenEncrypt, "https://api.example")
        .to_key_file(Path::new(&p))
        .unwrap()
        .server();
    assert!(r.is_ok(), "client-1 has its partner");
    let r = Builder::new(Order::SignThenEncrypt)
        .sign_key_file(keys.path("server.jwk"))
        .unwrap()
        .decrypt_key_file(keys.path("server.jwk"))
        .unwrap()
        .verify_key_file(keys.path("client.pub.jwk"))
        .unwrap()
        .to_key_file(Path::new(&p))
        .unwrap()
        .to_key_file(keys.path("server.pub.jwk"))
        .unwrap()
        .public_origin("https://api.example")
        .server();
    assert!(r.unwrap_err().0.contains("client-1"));
}

/// A replay store that cannot answer.
#[derive(Debug)]
struct Broken;

impl bodyseal_wire::ReplayStore for Broken {
    fn check_and_record<'a>(
        &'a self,
        _: &'a bodyseal::exchange::ReplayTicket,
    ) -> bodyseal_wire::StoreFuture<'a> {
        Box::pin(async { Err(bodyseal_wire::StoreError("down".into())) })
    }
}

/// A store that never answers.
#[derive(Debug)]
struct Silent;

impl bodyseal_wire::ReplayStore for Silent {
    fn check_and_record<'a>(
        &'a self,
        _: &'a bodyseal::exchange::ReplayTicket,
    ) -> bodyseal_wire::StoreFuture<'a> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn a_replay_store_that_fails_or_hangs_refuses_with_503() {
    let keys = Keys::new();
    let order = Order::SignThenEncrypt;
    for store in [
        Arc::new(Broken) as Arc<dyn bodyseal_wire::ReplayStore>,
        Arc::new(Silent),
    ] {
        let calls = Arc::new(AtomicUsize::new(0));
        let addr = serve_layered_with(&keys, order, calls.clone(), |b| {
            b.replay_store(store)
                .store_timeout(std::time::Duration::from_millis(200))
        })
        .await;
        let (req, _) = keys
            .client(order)
            .seal(sealable(addr, "POST", "/echo", BODY))
            .await
            .unwrap();
        let (s, h, _) = send_raw(addr, &req).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(h["content-type"], "application/problem+json");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "nothing reached the handler"
        );
    }
}

#[tokio::test]
async fn large_bodies_are_opened_and_sealed_off_the_executor() {
    // A threshold of 0 sends every message to the blocking pool: the same answers.
    let keys = Keys::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Order::EncryptThenSign;
    let addr = serve_layered_with(&keys, order, calls.clone(), |b| b.blocking_threshold(0)).await;
    let client = with_middleware(&keys.client(order));
    let big = "z".repeat(300 << 10);
    let resp = client
        .post(format!("https://127.0.0.1:{}/echo", addr.port()))
        .header("content-type", "text/plain")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.text().await.unwrap(), big);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
