//! A `reqwest-middleware` middleware: seal each request, open each response.

use crate::{Client, ClientError};
use bytes::Bytes;
use reqwest_middleware::{Middleware, Next};

/// The middleware (from [`Client::middleware`]). A request needs a buffered body; a
/// response that does not open is an error and its bytes are never returned.
#[derive(Debug, Clone)]
pub struct SealMiddleware(Client);

impl Client {
    /// The `reqwest-middleware` middleware.
    #[must_use]
    pub fn middleware(&self) -> SealMiddleware {
        SealMiddleware(self.clone())
    }
}

fn to_http(req: &reqwest::Request) -> Result<http::Request<Bytes>, ClientError> {
    let body = match req.body() {
        None => Bytes::new(),
        Some(b) => Bytes::copy_from_slice(b.as_bytes().ok_or(ClientError::Seal(
            bodyseal::Error::ApiMisuse("a streamed request body cannot be sealed"),
        ))?),
    };
    let mut out = http::Request::new(body);
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req
        .url()
        .as_str()
        .parse()
        .map_err(|_| ClientError::Seal(bodyseal::Error::ApiMisuse("the URL is not a URI")))?;
    *out.headers_mut() = req.headers().clone();
    Ok(out)
}

#[async_trait::async_trait]
impl Middleware for SealMiddleware {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let http_req = to_http(&req).map_err(reqwest_middleware::Error::middleware)?;
        let (sealed_req, sent) = self
            .0
            .seal(http_req)
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let mut out = req;
        *out.headers_mut() = sealed_req.headers().clone();
        *out.body_mut() = Some(reqwest::Body::from(sealed_req.into_body()));
        let resp = next.run(out, extensions).await?;
        let resp: http::Response<reqwest::Body> = resp.into();
        let (opened, _) = self
            .0
            .open(resp, &sent)
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        Ok(reqwest::Response::from(opened.map(reqwest::Body::from)))
    }
}
