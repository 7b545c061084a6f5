//! Errors as HTTP answers: a fixed RFC 9457 `application/problem+json` body per class,
//! which never echoes a byte of the request.

use bodyseal::error::Rejected;
use bodyseal::Error;
use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// Why a request or response was refused, as the peer is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// 400: the body is not a well-formed token.
    Malformed,
    /// 401: a cryptographic or binding rejection (signature, decryption, key, nesting,
    /// binding, `iat` window, replay).
    Unauthorized,
    /// 413: the body is over the limit.
    TooLarge,
    /// 415: the body is not `application/jose` or `application/jose+json`.
    UnsupportedMediaType,
    /// 502: the upstream could not be reached, or its answer did not open.
    BadGateway,
    /// 503: the replay store could not answer.
    Unavailable,
    /// 500: a problem of this server (its keys, its configuration, a response too large
    /// to seal).
    Internal,
}

impl Problem {
    /// The class of a bodyseal error.
    #[must_use]
    pub fn from_error(e: &Error) -> Self {
        match e {
            Error::Malformed(_) | Error::Unsupported(_) => Problem::Malformed,
            Error::Rejected(Rejected::Mismatch("content-type")) => Problem::UnsupportedMediaType,
            Error::Rejected(_) | Error::InvalidSignature | Error::DecryptionFailed => {
                Problem::Unauthorized
            }
            _ => Problem::Internal,
        }
    }

    /// The status code.
    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            Problem::Malformed => StatusCode::BAD_REQUEST,
            Problem::Unauthorized => StatusCode::UNAUTHORIZED,
            Problem::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Problem::BadGateway => StatusCode::BAD_GATEWAY,
            Problem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Problem::Malformed => "the body is not a well-formed JOSE token",
            Problem::Unauthorized => "the message could not be authenticated",
            Problem::TooLarge => "the body is over the size limit",
            Problem::UnsupportedMediaType => {
                "the body must be application/jose or application/jose+json"
            }
            Problem::BadGateway => "the upstream could not be reached or its answer did not open",
            Problem::Unavailable => "the replay store is unavailable; try again later",
            Problem::Internal => "the server could not process the message",
        }
    }

    /// The RFC 9457 body: fixed for the class.
    #[must_use]
    pub fn body(self) -> String {
        let status = self.status();
        serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": self.detail(),
        })
        .to_string()
    }

    /// The answer: status, `application/problem+json`, the fixed body.
    #[must_use]
    pub fn response(self) -> Response<Full<Bytes>> {
        let body = self.body();
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = self.status();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    }
}

impl core::fmt::Display for Problem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.detail())
    }
}

impl std::error::Error for Problem {}
