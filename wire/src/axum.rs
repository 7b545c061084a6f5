//! Per-route use under axum: the [`Opened`](OpenedRequest) extractor opens the request
//! with the [`Server`] in the router state; [`Server::seal`] seals the answer.

use crate::{Problem, Sender, Server};
use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// An opened request: the plaintext body, its media type, and who sent it.
#[derive(Debug, Clone)]
pub struct OpenedRequest {
    /// The plaintext body.
    pub body: Bytes,
    /// Its media type (from `cty`), if any.
    pub media_type: Option<String>,
    /// Who sent it, as verified.
    pub sender: Sender,
}

impl<S> FromRequest<S> for OpenedRequest
where
    Server: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let server = Server::from_ref(state);
        let (req, sender) = server.open(req).await?;
        let media_type = sender.opened().media_type();
        Ok(OpenedRequest {
            body: req.into_body(),
            media_type,
            sender,
        })
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.response().map(axum::body::Body::new)
    }
}
