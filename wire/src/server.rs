//! The server side: a tower [`Layer`] (and the [`Server`] it is made of) that opens each
//! request before the service sees it and seals each response to the request it answers.

use crate::body::{collect, run, BoxError};
use crate::replay::ReplayStore;
use crate::Problem;
use bodyseal::http::{APPLICATION_JOSE, APPLICATION_JOSE_JSON};
use bodyseal::jws::SignerInfo;
use bodyseal::seal::{Opened, Opener, Sealer};
use bytes::Bytes;
use http::{header, Request, Response};
use http_body::Body;
use http_body_util::Full;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower_layer::Layer;
use tower_service::Service;

pub(crate) struct Inner {
    pub(crate) opener: Opener,
    /// The sealers of the responses, with the `kid` of the key each encrypts to.
    pub(crate) partners: Vec<(Option<String>, Sealer)>,
    pub(crate) origin: String,
    pub(crate) max_body: usize,
    pub(crate) store: Arc<dyn ReplayStore>,
    pub(crate) store_timeout: Duration,
    pub(crate) blocking_threshold: usize,
    pub(crate) instances: usize,
    /// The remote JWK Set the opener reads its signer keys from, if any.
    #[cfg(feature = "reqwest")]
    pub(crate) jwks: Option<crate::jwks::RemoteJwks>,
}

/// Opens requests and seals responses, as configured by a [`Builder`](crate::Builder).
/// Cheap to clone (shared).
#[derive(Clone)]
pub struct Server(Arc<Inner>);

impl core::fmt::Debug for Server {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Server")
            .field("origin", &self.0.origin)
            .field("order", &self.0.opener.order())
            .field("max_body", &self.0.max_body)
            .finish_non_exhaustive()
    }
}

/// Who sent the request, as verified: put in the request extensions for the service.
#[derive(Debug, Clone)]
pub struct Sender(Arc<Opened>);

impl Sender {
    /// The verified signer: `kid`, `alg`, the RFC 7638 thumbprint of the trusted key,
    /// the protected header.
    #[must_use]
    pub fn signer(&self) -> &SignerInfo {
        &self.0.signer
    }

    /// Base64url SHA-256 thumbprint of the key that verified the request.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.0.signer.thumbprint
    }

    /// Everything the opener proved (the body is with the request).
    #[must_use]
    pub fn opened(&self) -> &Opened {
        &self.0
    }
}

fn is_jose(headers: &http::HeaderMap) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = ct.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(APPLICATION_JOSE)
        || essence.eq_ignore_ascii_case(APPLICATION_JOSE_JSON)
}

impl Server {
    pub(crate) fn new(inner: Inner) -> Self {
        Server(Arc::new(inner))
    }

    /// The tower layer.
    #[must_use]
    pub fn layer(&self) -> OpenLayer {
        OpenLayer(self.clone())
    }

    /// True when the replay store is local to this process although several instances
    /// were declared: a captured request would replay against another instance.
    #[must_use]
    pub fn replay_store_is_local_to_one_of_many(&self) -> bool {
        self.0.instances > 1 && self.0.store.is_local()
    }

    /// Opens a request: its media type, its size, the token, every binding, and last the
    /// replay store. Returns the plaintext request (its media type and length restored)
    /// and who sent it; nothing of the body is released otherwise.
    ///
    /// # Errors
    /// The [`Problem`] to answer with.
    pub async fn open<B>(&self, req: Request<B>) -> Result<(Request<Bytes>, Sender), Problem>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let inner = &self.0;
        if !is_jose(req.headers()) {
            return Err(Problem::UnsupportedMediaType);
        }
        let (mut parts, body) = req.into_parts();
        let body = collect(body, inner.max_body).await?;
        let size = body.len();
        // The request as opened (its extensions stay with `parts`).
        let request = |body: &Bytes| {
            let mut r = Request::new(body.clone());
            *r.method_mut() = parts.method.clone();
            *r.uri_mut() = parts.uri.clone();
            *r.headers_mut() = parts.headers.clone();
            r
        };
        #[cfg(feature = "reqwest")]
        if let Some(jwks) = &inner.jwks {
            jwks.ensure_fresh().await;
        }
        let me = self.0.clone();
        let first = request(&body);
        #[cfg_attr(not(feature = "reqwest"), allow(unused_mut))]
        let mut result = run(size, inner.blocking_threshold, move || {
            me.opener.open_request(first, &me.origin)
        })
        .await?;
        // A `kid` the remote set does not hold: one refetch (rate-limited, shared), then
        // one more try.
        #[cfg(feature = "reqwest")]
        if let (
            Err(bodyseal::Error::Rejected(bodyseal::error::Rejected::KeyNotFound)),
            Some(jwks),
        ) = (&result, &inner.jwks)
        {
            if jwks.refresh_unknown_kid().await {
                let me = self.0.clone();
                let again = request(&body);
                result = run(size, inner.blocking_threshold, move || {
                    me.opener.open_request(again, &me.origin)
                })
                .await?;
            }
        }
        let (req, opened) = result.map_err(|e| Problem::from_error(&e))?;
        let (opened_parts, plaintext) = req.into_parts();
        parts.headers = opened_parts.headers;
        let req = Request::from_parts(parts, plaintext);
        // Last: the replay store. A request that opened without a ticket is refused
        // (fail closed), so is a store that errs or does not answer in time.
        let ticket = opened.stamp.replay.as_ref().ok_or(Problem::Internal)?;
        match tokio::time::timeout(inner.store_timeout, inner.store.check_and_record(ticket)).await
        {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => return Err(Problem::Unauthorized),
            Ok(Err(_)) | Err(_) => return Err(Problem::Unavailable),
        }
        Ok((req.map(Bytes::from), Sender(Arc::new(opened))))
    }

    /// Seals a response to the request `sender` sent, bound to it and to the status, in
    /// the same order, to the sender's key (found by `kid` when there are several).
    ///
    /// # Errors
    /// [`Problem::Internal`] for a response over the limit or one that cannot be sealed.
    pub async fn seal<B>(
        &self,
        sender: &Sender,
        resp: Response<B>,
    ) -> Result<Response<Full<Bytes>>, Problem>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let inner = &self.0;
        let partner = self.partner(sender.signer()).ok_or(Problem::Internal)?;
        let (parts, body) = resp.into_parts();
        let body = collect(body, inner.max_body)
            .await
            .map_err(|_| Problem::Internal)?;
        let size = body.len();
        let me = self.0.clone();
        let opened = sender.0.clone();
        let sealed = run(size, inner.blocking_threshold, move || {
            me.partners
                .get(partner)
                .ok_or(bodyseal::Error::Unreachable("a partner index"))
                .and_then(|(_, s)| s.seal_response(Response::from_parts(parts, body), &opened))
        })
        .await?
        .map_err(|_| Problem::Internal)?;
        Ok(sealed.map(|b| Full::new(Bytes::from(b))))
    }

    /// The response sealer for `signer`: the only one, or the one whose key has the
    /// verified signing key's `kid`.
    fn partner(&self, signer: &SignerInfo) -> Option<usize> {
        let partners = &self.0.partners;
        if partners.len() == 1 {
            return Some(0);
        }
        let kid = signer.kid.as_deref()?;
        partners.iter().position(|(k, _)| k.as_deref() == Some(kid))
    }
}

/// The tower layer: see [`OpenService`].
#[derive(Debug, Clone)]
pub struct OpenLayer(Server);

impl<S> Layer<S> for OpenLayer {
    type Service = OpenService<S>;

    fn layer(&self, inner: S) -> OpenService<S> {
        OpenService {
            inner,
            server: self.0.clone(),
        }
    }
}

/// Opens the request (a refusal is answered with its [`Problem`] and never reaches the
/// inner service), calls the inner service with the plaintext and a [`Sender`] in the
/// extensions, then seals its response. Works under hyper and axum.
#[derive(Debug, Clone)]
pub struct OpenService<S> {
    inner: S,
    server: Server,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqB, ResB> Service<Request<ReqB>> for OpenService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqB: Body + Send + 'static,
    ReqB::Data: Send,
    ReqB::Error: Into<BoxError>,
    ResB: Body + Send + 'static,
    ResB::Data: Send,
    ResB::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        // The clone that was polled ready serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let server = self.server.clone();
        Box::pin(async move {
            let (req, sender) = match server.open(req).await {
                Ok(opened) => opened,
                Err(problem) => return Ok(problem.response()),
            };
            let (mut parts, body) = req.into_parts();
            parts.extensions.insert(sender.clone());
            let resp = inner
                .call(Request::from_parts(parts, Full::new(body)))
                .await?;
            Ok(server
                .seal(&sender, resp)
                .await
                .unwrap_or_else(Problem::response))
        })
    }
}
