//! Buffering bodies under a limit, and running crypto off the executor when it is large.

use crate::Problem;
use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// A boxed error, as tower and hyper pass them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads `body` whole, refusing it past `limit` bytes with [`Problem::TooLarge`].
pub(crate) async fn collect<B>(body: B, limit: usize) -> Result<Bytes, Problem>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(Problem::TooLarge),
        Err(_) => Err(Problem::Malformed),
    }
}

/// Runs `f` inline for small inputs, on the blocking pool above `threshold`.
pub(crate) async fn run<T: Send + 'static>(
    size: usize,
    threshold: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    if size > threshold {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|_| Problem::Internal)
    } else {
        Ok(f())
    }
}
