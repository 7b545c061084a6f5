//! Nested JOSE objects: when a layer declares another inside it, and which layer a token
//! is. The one place for the rules that [`Opener::open`](crate::seal::Opener::open),
//! [`Opener::open_stream`](crate::seal::Opener::open_stream) and the CLI's `inspect`
//! share.
//!
//! * Only the **protected** `cty` declares nesting (RFC 7515 section 4.1.10, RFC 7516
//!   section 4.1.12): `JOSE`, `JOSE+JSON` or `JWT` (the nested JWT of RFC 7519 section
//!   5.2), compared as media types are ([`typ_matches`]: case-insensitively, with the
//!   `application/` prefix optional). A `cty` in an unprotected header declares nothing.
//! * The inner layer is always the compact serialization, with no whitespace anywhere.
//! * A token is told to be a JWS or a JWE as RFC 7516 section 9 says: a compact token by
//!   its segment count (three or five) together with a first segment that decodes to
//!   that format's header; a JSON token by parsing as that format.

use crate::compact::Shape;
use crate::error::{Error, Rejected, Result};
use crate::policy::{typ_matches, Limits};
use crate::{jwe, jws};
use serde_json::{Map, Value};

/// The media types that declare a nested JOSE object.
const NESTED: [&str; 3] = ["JOSE", "JOSE+JSON", "JWT"];

/// True when `cty` (a protected header's) declares a nested JOSE object.
#[must_use]
pub fn declares_nesting(cty: Option<&str>) -> bool {
    cty.is_some_and(|cty| NESTED.iter().any(|n| typ_matches(cty, n)))
}

/// True when the protected header `protected` declares a nested JOSE object.
pub(crate) fn declared_by(protected: &Map<String, Value>) -> bool {
    declares_nesting(protected.get("cty").and_then(Value::as_str))
}

/// A JOSE layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Jws,
    Jwe,
}

/// What a compact token with `segments` segments and first segment `header` is.
pub(crate) fn compact_layer(segments: usize, header: &[u8], limits: &Limits) -> Option<Layer> {
    if segments == Shape::Jws.segments() && jws::compact_header(header, limits).is_ok() {
        Some(Layer::Jws)
    } else if segments == Shape::Jwe.segments() && jwe::compact_header(header, limits).is_ok() {
        Some(Layer::Jwe)
    } else {
        None
    }
}

/// What `token`, in memory and in any serialization, is.
pub(crate) fn layer_of(token: &str, limits: &Limits) -> Option<Layer> {
    if token.trim_start().starts_with('{') {
        if jws::parse_json(token, limits).is_ok() {
            Some(Layer::Jws)
        } else if jwe::parse_json(token, limits).is_ok() {
            Some(Layer::Jwe)
        } else {
            None
        }
    } else {
        let bytes = token.as_bytes();
        let segments = memchr::memchr_iter(b'.', bytes).count() + 1;
        let first = bytes
            .get(..memchr::memchr(b'.', bytes).unwrap_or(bytes.len()))
            .unwrap_or_default();
        compact_layer(segments, first, limits)
    }
}

/// A parse error where `expected` was wanted becomes [`Rejected::Nesting`] with `why`
/// when the token is the other layer (`is` tells what it is); other errors pass.
pub(crate) fn expected<T>(
    expected: Layer,
    result: Result<T>,
    is: impl FnOnce() -> Option<Layer>,
    why: &'static str,
) -> Result<T> {
    match result {
        Err(Error::Malformed(m)) => match is() {
            Some(found) if found != expected => Err(Rejected::Nesting(why).into()),
            _ => Err(Error::Malformed(m)),
        },
        other => other,
    }
}
