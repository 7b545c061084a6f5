//! A load generator and an echo upstream for `benches/proxy.sh` (a benchmark, not a
//! test).
//!
//! * `load serve ADDR`: an HTTP echo server (answers 200 with the request body); prints
//!   `listening on http://HOST:PORT`.
//! * `load run URL BYTES REQUESTS CONCURRENCY`: POSTs REQUESTS bodies of BYTES bytes with
//!   CONCURRENCY in flight; prints `rps p50_ms p99_ms` (every answer must be 200 and echo
//!   the body).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("serve") => serve(&args[2]).await,
        Some("run") => {
            let n = |i: usize| args[i].parse::<usize>().unwrap();
            run(&args[2], n(3), n(4), n(5)).await;
        }
        _ => panic!("usage: load serve ADDR | load run URL BYTES REQUESTS CONCURRENCY"),
    }
}

async fn serve(addr: &str) {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    loop {
        let (tcp, _) = listener.accept().await.unwrap();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(
                |req: hyper::Request<hyper::body::Incoming>| async move {
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    Ok::<_, std::convert::Infallible>(
                        hyper::Response::builder()
                            .header("content-type", "application/octet-stream")
                            .body(Full::new(body))
                            .unwrap(),
                    )
                },
            );
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

async fn run(url: &str, bytes: usize, requests: usize, concurrency: usize) {
    let tls = bodyseal_wire::tls::client_config(None).unwrap();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();
    let body = Bytes::from(
        (0..bytes)
            .map(|i| b'a' + (i % 26) as u8)
            .collect::<Vec<u8>>(),
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, body, next, url) =
            (client.clone(), body.clone(), next.clone(), url.to_owned());
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                let t = Instant::now();
                let resp = client
                    .post(&url)
                    .header("content-type", "application/octet-stream")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
                let got = resp.bytes().await.unwrap();
                assert_eq!(got.len(), body.len());
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let wall = start.elapsed();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "{:.0} {:.2} {:.2}",
        all.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99)
    );
}
