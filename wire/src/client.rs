//! The client side: seal each request to the server, open and check each response
//! against the request it answers. A response that does not open is an error; its bytes
//! are never returned.

use crate::body::{collect, run, BoxError};
use crate::Problem;
use bodyseal::seal::{Opened, Opener, Sealed, Sealer};
use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

pub(crate) struct Inner {
    pub(crate) sealer: Sealer,
    pub(crate) opener: Opener,
    pub(crate) max_body: usize,
    pub(crate) blocking_threshold: usize,
}

/// Seals requests and opens responses, as configured by a [`Builder`](crate::Builder).
/// Cheap to clone (shared).
#[derive(Clone)]
pub struct Client(Arc<Inner>);

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("order", &self.0.sealer.order())
            .field("max_body", &self.0.max_body)
            .finish_non_exhaustive()
    }
}

/// Why a sealed exchange failed on the client side.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The request could not be sealed (its URI is not absolute, say).
    Seal(bodyseal::Error),
    /// The response did not open or does not answer this request; its bytes were
    /// dropped.
    Open(Problem),
    /// The transport failed.
    Transport(BoxError),
}

impl core::fmt::Display for ClientError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ClientError::Seal(e) => write!(f, "sealing the request: {e}"),
            ClientError::Open(p) => write!(f, "the response did not open: {p}"),
            ClientError::Transport(e) => write!(f, "transport: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl Client {
    pub(crate) fn new(inner: Inner) -> Self {
        Client(Arc::new(inner))
    }

    /// The tower layer for hyper-util clients.
    #[must_use]
    pub fn layer(&self) -> SealLayer {
        SealLayer(self.clone())
    }

    /// The largest body sent or accepted.
    #[must_use]
    pub fn max_body(&self) -> usize {
        self.0.max_body
    }

    /// Seals a request whose URI is absolute (`https://host/path`).
    ///
    /// # Errors
    /// [`ClientError::Seal`].
    pub async fn seal(&self, req: Request<Bytes>) -> Result<(Request<Bytes>, Sealed), ClientError> {
        let me = self.0.clone();
        let size = req.body().len();
        let (req, sent) = run(size, self.0.blocking_threshold, move || {
            me.sealer.seal_request(req, &[])
        })
        .await
        .map_err(ClientError::Open)?
        .map_err(ClientError::Seal)?;
        Ok((req.map(Bytes::from), sent))
    }

    /// Opens the response to `sent`, buffered under the limit.
    ///
    /// # Errors
    /// [`ClientError::Open`]: the response is not sealed, does not verify, or answers
    /// another request or status.
    pub async fn open<B>(
        &self,
        resp: Response<B>,
        sent: &Sealed,
    ) -> Result<(Response<Bytes>, Opened), ClientError>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = resp.into_parts();
        let body = collect(body, self.0.max_body)
            .await
            .map_err(ClientError::Open)?;
        let me = self.0.clone();
        let sent = sent.clone();
        let size = body.len();
        let (resp, opened) = run(size, self.0.blocking_threshold, move || {
            me.opener
                .open_response(Response::from_parts(parts, body), &sent)
        })
        .await
        .map_err(ClientError::Open)?
        .map_err(|e| ClientError::Open(Problem::from_error(&e)))?;
        Ok((resp.map(Bytes::from), opened))
    }
}

/// The tower layer: see [`SealService`].
#[derive(Debug, Clone)]
pub struct SealLayer(Client);

impl<S> Layer<S> for SealLayer {
    type Service = SealService<S>;

    fn layer(&self, inner: S) -> SealService<S> {
        SealService {
            inner,
            client: self.0.clone(),
        }
    }
}

/// Seals the request, sends it with the inner client (a hyper-util client, say), opens
/// the response. The [`Opened`] record of the response is in its extensions.
#[derive(Debug, Clone)]
pub struct SealService<S> {
    inner: S,
    client: Client,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqB, ResB> Service<Request<ReqB>> for SealService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    ReqB: Body + Send + 'static,
    ReqB::Data: Send,
    ReqB::Error: Into<BoxError>,
    ResB: Body + Send + 'static,
    ResB::Data: Send,
    ResB::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = ClientError;
    type Future = BoxFuture<Result<Self::Response, ClientError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ClientError>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| ClientError::Transport(e.into()))
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let client = self.client.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let body = collect(body, client.max_body())
                .await
                .map_err(|p| ClientError::Transport(Box::new(p)))?;
            let (req, sent) = client.seal(Request::from_parts(parts, body)).await?;
            let resp = inner
                .call(req.map(Full::new))
                .await
                .map_err(|e| ClientError::Transport(e.into()))?;
            let (resp, opened) = client.open(resp, &sent).await?;
            let (mut parts, body) = resp.into_parts();
            parts.extensions.insert(Arc::new(opened));
            Ok(Response::from_parts(parts, Full::new(body)))
        })
    }
}
