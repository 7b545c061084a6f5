//! `bodyseal proxy server|client`: the sidecar. The server side terminates TLS, opens each
//! request with the wire crate's [`Server`] and forwards the plaintext to the upstream
//! service; the client side listens in plain HTTP for a local app and seals each request
//! with the wire crate's [`Client`]. Both print `listening on URL` once they accept
//! connections and stop on SIGTERM or SIGINT.

use crate::args::{ProxyClientArgs, ProxyCommand, ProxyServerArgs};
use crate::cmd::seal::order;
use crate::error::{CliResult, Failure};
use bodyseal_wire::{tls, Builder, Client, Problem, Server};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The header that tells the upstream who signed the request.
pub(crate) const SIGNER_HEADER: &str = "bodyseal-signer";

pub(crate) fn run(c: ProxyCommand) -> CliResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("runtime: {e}")))?;
    rt.block_on(async {
        match c {
            ProxyCommand::Server(a) => server(a).await,
            ProxyCommand::Client(a) => client(a).await,
        }
    })
}

fn config(e: impl std::fmt::Display) -> Failure {
    Failure::usage(e.to_string())
}

/// Resolves when SIGTERM or SIGINT arrives.
async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

fn announce(url: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {url}");
    let _ = out.flush();
}

/// Headers that belong to one connection, not to the message (RFC 9110 section 7.6.1).
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    )
}

fn forwarded(headers: &HeaderMap) -> HeaderMap {
    headers
        .iter()
        .filter(|(n, _)| !hop_by_hop(n) && n.as_str() != SIGNER_HEADER)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

fn upstream_client(ca: Option<&std::path::Path>) -> CliResult<reqwest::Client> {
    let tls = tls::client_config(ca).map_err(config)?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(config)
}

/// Reads an upstream answer whole, under the limit.
async fn read(
    resp: reqwest::Response,
    limit: usize,
) -> Result<(http::StatusCode, HeaderMap, Bytes), Problem> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body: Response<reqwest::Body> = resp.into();
    match Limited::new(body.into_body(), limit).collect().await {
        Ok(c) => Ok((status, headers, c.to_bytes())),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(Problem::Internal)
        }
        Err(_) => Err(Problem::BadGateway),
    }
}

struct ServerState {
    server: Server,
    upstream: String,
    http: reqwest::Client,
    max_body: usize,
}

async fn server(a: ProxyServerArgs) -> CliResult<()> {
    let listener = TcpListener::bind(&a.listen)
        .await
        .map_err(|e| Failure::usage(format!("{}: {e}", a.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::usage(format!("{}: {e}", a.listen)))?;
    let origin = a
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("https://{addr}"));
    let mut b = Builder::new(order(a.order))
        .sign_key_file(&a.sign_key)
        .map_err(config)?
        .public_origin(origin)
        .max_body(a.max_body);
    for p in &a.decrypt_key {
        b = b.decrypt_key_file(p).map_err(config)?;
    }
    for p in &a.verify_key {
        b = b.verify_key_file(p).map_err(config)?;
    }
    if let Some(url) = &a.jwks_url {
        let mut options = bodyseal_wire::jwks::JwksOptions::default();
        options.ca.clone_from(&a.jwks_ca);
        let jwks = bodyseal_wire::jwks::RemoteJwks::new(url, options)
            .await
            .map_err(config)?;
        if !jwks.is_usable() {
            eprintln!("warning: {url}: no JWK Set yet; requests are refused until one arrives");
        }
        b = b.verify_jwks(jwks);
    }
    for p in &a.to {
        b = b.to_key_file(p).map_err(config)?;
    }
    if let Some(w) = a.window {
        b = b.window(w);
    }
    b = b.instances(a.instances);
    if a.replay.starts_with("redis://") || a.replay.starts_with("rediss://") {
        let store = bodyseal_redis::RedisStore::connect(&a.replay, Default::default())
            .await
            .map_err(|e| Failure::usage(format!("--replay: {e}")))?;
        b = b.replay_store(Arc::new(store));
    } else if a.replay != "memory" {
        return Err(
            Failure::usage(format!("unknown replay store `{}`", a.replay))
                .hint("--replay memory or --replay redis://HOST:PORT[/DB]"),
        );
    }
    let server = b.server().map_err(config)?;
    if server.replay_store_is_local_to_one_of_many() {
        eprintln!(
            "warning: {} instances with the in-memory replay store: a request accepted by one is not refused by another; use --replay redis://...",
            a.instances
        );
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(
        tls::server_config(&a.tls_cert, &a.tls_key).map_err(config)?,
    );
    let state = Arc::new(ServerState {
        server,
        upstream: a.upstream.trim_end_matches('/').to_owned(),
        http: upstream_client(None)?,
        max_body: a.max_body,
    });
    announce(&format!("https://{addr}"));
    serve(listener, Some(acceptor), state, serve_request).await
}

/// Accepts connections (through TLS when `tls` is given) and answers each request with
/// `answer`, until SIGTERM or SIGINT.
async fn serve<S, F>(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<S>,
    answer: F,
) -> CliResult<()>
where
    S: Send + Sync + 'static,
    F: for<'a> AsyncAnswer<'a, S> + Copy + Send + Sync + 'static,
{
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => return Ok(()),
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let (tls, state) = (tls.clone(), state.clone());
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(answer.call(&state, req).await) }
            });
            let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let _ = match tls {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => http.serve_connection(TokioIo::new(stream), svc).await,
                    Err(_) => return,
                },
                None => http.serve_connection(TokioIo::new(tcp), svc).await,
            };
        });
    }
}

/// An async request handler over shared state (`serve_request`, `client_request`).
trait AsyncAnswer<'a, S: 'a> {
    type Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'a;
    fn call(self, state: &'a S, req: Request<Incoming>) -> Self::Fut;
}

impl<'a, S: 'a, F, Fut> AsyncAnswer<'a, S> for F
where
    F: FnOnce(&'a S, Request<Incoming>) -> Fut,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'a,
{
    type Fut = Fut;
    fn call(self, state: &'a S, req: Request<Incoming>) -> Fut {
        self(state, req)
    }
}

/// Opens, forwards, seals. A refusal never reaches the upstream.
async fn serve_request(st: &ServerState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (req, sender) = match st.server.open(req).await {
        Ok(opened) => opened,
        Err(p) => return p.response(),
    };
    let (parts, body) = req.into_parts();
    let pq = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = forwarded(&parts.headers);
    if let Ok(v) = HeaderValue::from_str(sender.thumbprint()) {
        headers.insert(SIGNER_HEADER, v);
    }
    let sent = st
        .http
        .request(parts.method.clone(), format!("{}{pq}", st.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let (status, up_headers, body) = match sent {
        Ok(resp) => match read(resp, st.max_body).await {
            Ok(r) => r,
            Err(p) => return p.response(),
        },
        Err(_) => return Problem::BadGateway.response(),
    };
    let mut answer = Response::new(body);
    *answer.status_mut() = status;
    if let Some(ct) = up_headers.get(header::CONTENT_TYPE) {
        answer
            .headers_mut()
            .insert(header::CONTENT_TYPE, ct.clone());
    }
    st.server
        .seal(&sender, answer.map(Full::new))
        .await
        .unwrap_or_else(Problem::response)
}

struct ClientState {
    client: Client,
    upstream: String,
    http: reqwest::Client,
    max_body: usize,
}

async fn client(a: ProxyClientArgs) -> CliResult<()> {
    let mut b = Builder::new(order(a.order))
        .sign_key_file(&a.sign_key)
        .map_err(config)?
        .to_key_file(&a.to)
        .map_err(config)?
        .max_body(a.max_body);
    for p in &a.verify_key {
        b = b.verify_key_file(p).map_err(config)?;
    }
    for p in &a.decrypt_key {
        b = b.decrypt_key_file(p).map_err(config)?;
    }
    let client = b.client().map_err(config)?;
    let http = upstream_client(a.ca.as_deref())?;
    let listener = TcpListener::bind(&a.listen)
        .await
        .map_err(|e| Failure::usage(format!("{}: {e}", a.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::usage(format!("{}: {e}", a.listen)))?;
    let state = Arc::new(ClientState {
        client,
        upstream: a.upstream.trim_end_matches('/').to_owned(),
        http,
        max_body: a.max_body,
    });
    announce(&format!("http://{addr}"));
    serve(listener, None, state, client_request).await
}

/// Seals, sends, opens. An answer that does not open never reaches the app.
async fn client_request(st: &ClientState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, st.max_body).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Problem::TooLarge.response()
        }
        Err(_) => return Problem::Malformed.response(),
    };
    let pq = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let Ok(uri) = format!("{}{pq}", st.upstream).parse::<http::Uri>() else {
        return Problem::Malformed.response();
    };
    let mut out = Request::new(body);
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = uri;
    *out.headers_mut() = forwarded(&parts.headers);
    let (sealed, sent) = match st.client.seal(out).await {
        Ok(s) => s,
        Err(_) => return Problem::Internal.response(),
    };
    let (sp, sbody) = sealed.into_parts();
    let resp = st
        .http
        .request(sp.method, sp.uri.to_string())
        .headers(sp.headers)
        .body(sbody)
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(_) => return Problem::BadGateway.response(),
    };
    let resp: Response<reqwest::Body> = resp.into();
    match st.client.open(resp, &sent).await {
        Ok((resp, _)) => resp.map(Full::new),
        Err(_) => Problem::BadGateway.response(),
    }
}
