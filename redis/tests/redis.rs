//! The Redis replay store against a real `redis-server` on 127.0.0.1 (started and stopped
//! here, by process id, with no persistence), behind two server instances that share it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::EcCurve;
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::seal::Order;
use bodyseal_redis::{RedisOptions, RedisStore};
use bodyseal_wire::{Builder, Client, ReplayStore, Server};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::{Service, ServiceExt};

/// A `redis-server` on a free loopback port, stopped (SIGTERM by pid) when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(port: Option<u16>) -> Redis {
        let port = port.unwrap_or_else(|| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        });
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (.ci/run installs it)");
        let redis = Redis { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}

const ORIGIN: &str = "https://api.example";

struct Parties {
    client: Jwk,
    server: Jwk,
}

fn parties() -> Parties {
    Parties {
        client: Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap(),
        server: Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap(),
    }
}

fn server(p: &Parties, store: Arc<dyn ReplayStore>) -> Server {
    Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(&p.server).unwrap())
        .decrypt_keys(DecryptionKeys::single(
            DecryptionKey::from_jwk(&p.server).unwrap(),
        ))
        .verify_keys(VerifyingKeys::single(
            VerifyingKey::from_jwk(&p.client.to_public().unwrap()).unwrap(),
        ))
        .to_key(EncryptionKey::from_jwk(&p.client.to_public().unwrap()).unwrap())
        .public_origin(ORIGIN)
        .replay_store(store)
        .instances(2)
        .server()
        .unwrap()
}

fn client(p: &Parties) -> Client {
    Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(&p.client).unwrap())
        .decrypt_keys(DecryptionKeys::single(
            DecryptionKey::from_jwk(&p.client).unwrap(),
        ))
        .verify_keys(VerifyingKeys::single(
            VerifyingKey::from_jwk(&p.server.to_public().unwrap()).unwrap(),
        ))
        .to_key(EncryptionKey::from_jwk(&p.server.to_public().unwrap()).unwrap())
        .client()
        .unwrap()
}

/// A service behind `server`'s layer that counts how often it ran.
fn layered(
    server: &Server,
    calls: Arc<AtomicUsize>,
) -> impl Service<
    http::Request<Full<Bytes>>,
    Response = http::Response<Full<Bytes>>,
    Error = std::convert::Infallible,
    Future: Send,
> + Clone
       + Send
       + Sync
       + 'static {
    tower::ServiceBuilder::new()
        .layer(server.layer())
        .service(tower::service_fn(move |req: http::Request<Full<Bytes>>| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let body = req.into_body().collect().await.unwrap().to_bytes();
                Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(body)))
            }
        }))
}

async fn sealed(c: &Client, n: usize) -> http::Request<Bytes> {
    let req = http::Request::post(format!("{ORIGIN}/notes"))
        .header("content-type", "application/json")
        .body(Bytes::from(format!("{{\"n\":{n}}}")))
        .unwrap();
    c.seal(req).await.unwrap().0
}

async fn status<S>(svc: &S, req: &http::Request<Bytes>) -> u16
where
    S: Service<
            http::Request<Full<Bytes>>,
            Response = http::Response<Full<Bytes>>,
            Error = std::convert::Infallible,
            Future: Send,
        > + Clone
        + Send
        + Sync,
{
    let copy = http::Request::builder()
        .method(req.method())
        .uri(req.uri().path())
        .header("content-type", req.headers()["content-type"].clone())
        .body(Full::new(req.body().clone()))
        .unwrap();
    svc.clone().oneshot(copy).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn first_sighting_then_replay_with_a_prefix() {
    let redis = Redis::start(None);
    let a = RedisStore::connect(&redis.url(), RedisOptions::default().with_prefix("a:"))
        .await
        .unwrap();
    let b = RedisStore::connect(&redis.url(), RedisOptions::default().with_prefix("b:"))
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let ticket = bodyseal::exchange::ReplayTicket::new("thumb:jti-1", now + 60, now);
    assert_eq!(a.check_and_record(&ticket).await, Ok(true));
    assert_eq!(a.check_and_record(&ticket).await, Ok(false));
    // Another prefix is another namespace.
    assert_eq!(b.check_and_record(&ticket).await, Ok(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_redis_accept_each_request_once() {
    let redis = Redis::start(None);
    let p = parties();
    let store: Arc<dyn ReplayStore> = Arc::new(
        RedisStore::connect(&redis.url(), RedisOptions::default())
            .await
            .unwrap(),
    );
    let (sa, sb) = (server(&p, store.clone()), server(&p, store.clone()));
    assert!(!sa.replay_store_is_local_to_one_of_many());
    let calls = Arc::new(AtomicUsize::new(0));
    let (a, b) = (layered(&sa, calls.clone()), layered(&sb, calls.clone()));
    let c = client(&p);

    // Accepted by A, refused by B.
    let req = sealed(&c, 0).await;
    assert_eq!(status(&a, &req).await, 200);
    assert_eq!(status(&b, &req).await, 401);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // 100 concurrent copies of one request over both: exactly one succeeds.
    let req = Arc::new(sealed(&c, 1).await);
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (req, svc_a, svc_b) = (req.clone(), a.clone(), b.clone());
            tokio::spawn(async move {
                if i % 2 == 0 {
                    status(&svc_a, &req).await
                } else {
                    status(&svc_b, &req).await
                }
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            401 => {}
            s => panic!("status {s}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_means_503_and_service_resumes_when_it_is_back() {
    let mut redis = Redis::start(None);
    let port = redis.port;
    let p = parties();
    let store: Arc<dyn ReplayStore> = Arc::new(
        RedisStore::connect(&redis.url(), RedisOptions::default())
            .await
            .unwrap(),
    );
    let s = server(&p, store);
    let calls = Arc::new(AtomicUsize::new(0));
    let svc = layered(&s, calls.clone());
    let c = client(&p);
    assert_eq!(status(&svc, &sealed(&c, 0).await).await, 200);

    redis.stop();
    for n in 1..4 {
        assert_eq!(status(&svc, &sealed(&c, n).await).await, 503);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "nothing reached the handler"
    );

    let _back = Redis::start(Some(port));
    let mut resumed = false;
    for n in 10..200 {
        if status(&svc, &sealed(&c, n).await).await == 200 {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(resumed, "service did not resume after Redis came back");
}

#[test]
fn a_memory_store_behind_several_instances_is_flagged() {
    let p = parties();
    let s = server(&p, Arc::new(bodyseal_wire::MemoryStore::default()));
    assert!(s.replay_store_is_local_to_one_of_many());
}
