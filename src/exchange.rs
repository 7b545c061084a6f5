//! Binding a signed message to the HTTP exchange it protects.
//!
//! The signed JWS protected header of every sealed message (the inner JWS in
//! sign-then-encrypt, the outer JWS in encrypt-then-sign, the detached JWS of
//! [`crate::detached`]) carries these members:
//!
//! | member       | in       | value                                                       |
//! |--------------|----------|-------------------------------------------------------------|
//! | `iat`        | all      | issued-at, integer Unix seconds                             |
//! | `jti`        | all      | unique identifier: 16 random bytes, base64url               |
//! | `htm`        | request  | the HTTP method, exactly as sent (`POST`)                   |
//! | `htu`        | request  | the target URI, normalized (see [`normalize_uri`])          |
//! | `hth`        | request  | optional: `{lower-case header name: base64url SHA-256 of its value}` |
//! | `req_jti`    | response | the `jti` of the request it answers                         |
//! | `req_digest` | response | base64url SHA-256 of the request's JWS Signature octets    |
//! | `status`     | response | the HTTP status code, integer                               |
//!
//! The opener checks them against an [`Exchange`] built from what it received: the
//! method and URI of the request, or the request it sent and the status it got back.
//! `iat` must lie within a window around the opener's clock (default plus or minus
//! [`DEFAULT_WINDOW_SECS`]); a request `jti` is recorded in a [`ReplayCache`] and refused
//! if seen again within the window.

mod replay;

pub use replay::{MemoryReplayCache, ReplayCache, DEFAULT_REPLAY_CAPACITY};

use crate::alg::HashAlg;
use crate::b64;
use crate::crypto::Provider;
use crate::error::{Malformed, Rejected, Result};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The default acceptance window for `iat`, in seconds either side of the opener's clock.
pub const DEFAULT_WINDOW_SECS: u64 = 300;

/// The longest `jti` accepted.
const MAX_JTI_LEN: usize = 256;

/// Normalizes a target URI for `htu`: parsed and serialized as a WHATWG URL (scheme and
/// host lower-cased, default port dropped, empty path made `/`, dot segments removed,
/// characters percent-encoded where the URL standard requires), without the fragment.
/// The query is kept: it is part of what the request asks for.
///
/// # Errors
/// [`Malformed::InvalidMember`]`("htu")` when the URI is not absolute `http` or `https`,
/// or carries credentials.
pub fn normalize_uri(uri: &str) -> Result<String> {
    let bad = || Malformed::InvalidMember("htu");
    let mut url = url::Url::parse(uri).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(bad().into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad().into());
    }
    url.set_fragment(None);
    Ok(url.into())
}

/// Base64url SHA-256 of `data`: the form of `req_digest` and of `hth` values.
#[must_use]
pub fn digest(data: &[u8]) -> String {
    b64::encode(&Provider::default().hash.digest(HashAlg::Sha256, data))
}

/// The current time in Unix seconds.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh `jti`: 16 random bytes, base64url.
pub(crate) fn new_jti(provider: &Provider) -> Result<String> {
    let mut bytes = [0u8; 16];
    provider.random.fill(&mut bytes)?;
    Ok(b64::encode(&bytes))
}

/// A request as the client sends it and as the server receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBinding {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    at: Option<u64>,
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl RequestBinding {
    /// A request with `method` (as sent: methods are case-sensitive) to the absolute
    /// `target_uri`. A server behind TLS termination builds the URI from its public
    /// origin and the request target, never from the `Host` header alone.
    ///
    /// # Errors
    /// [`Malformed::InvalidMember`] for a method that is not an HTTP token or a URI
    /// [`normalize_uri`] refuses.
    pub fn new(method: &str, target_uri: &str) -> Result<Self> {
        if method.is_empty() || !method.bytes().all(is_token_char) {
            return Err(Malformed::InvalidMember("htm").into());
        }
        Ok(RequestBinding {
            method: method.to_owned(),
            target: normalize_uri(target_uri)?,
            headers: Vec::new(),
            at: None,
        })
    }

    /// Adds a header field. On the sealing side every added header is bound (`hth`); on
    /// the opening side added headers are what the server received, and every header the
    /// token binds must be among them with the same value. Names are compared
    /// case-insensitively; a repeated name joins values with `", "` (RFC 9110 section
    /// 5.3); values are compared without surrounding whitespace.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        let value = value.trim_matches([' ', '\t']);
        if let Some((_, v)) = self.headers.iter_mut().find(|(n, _)| *n == name) {
            v.push_str(", ");
            v.push_str(value);
        } else {
            self.headers.push((name, value.to_owned()));
        }
        self
    }

    /// Fixes the time: the `iat` written when sealing, or the time of receipt when
    /// opening (by default, the system clock).
    #[must_use]
    pub fn at(mut self, unix_secs: u64) -> Self {
        self.at = Some(unix_secs);
        self
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The normalized target URI.
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response and the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseBinding {
    request_jti: String,
    request_digest: String,
    status: u16,
    at: Option<u64>,
}

impl ResponseBinding {
    /// A response with `status` to the request whose `jti` and signature digest (the
    /// [`digest`] of the octets of the request's JWS Signature) are given. [`crate::seal::Sealed::response`] and
    /// [`crate::seal::Opened::response`] build it for the client and the server.
    #[must_use]
    pub fn new(
        request_jti: impl Into<String>,
        request_digest: impl Into<String>,
        status: u16,
    ) -> Self {
        ResponseBinding {
            request_jti: request_jti.into(),
            request_digest: request_digest.into(),
            status,
            at: None,
        }
    }

    /// Fixes the time, as [`RequestBinding::at`].
    #[must_use]
    pub fn at(mut self, unix_secs: u64) -> Self {
        self.at = Some(unix_secs);
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// What a message is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exchange {
    /// No HTTP exchange (a body at rest): `iat` and `jti` are written but not checked.
    Standalone,
    /// An HTTP request.
    Request(RequestBinding),
    /// An HTTP response to a request.
    Response(ResponseBinding),
}

impl From<RequestBinding> for Exchange {
    fn from(r: RequestBinding) -> Self {
        Exchange::Request(r)
    }
}

impl From<ResponseBinding> for Exchange {
    fn from(r: ResponseBinding) -> Self {
        Exchange::Response(r)
    }
}

impl Exchange {
    fn at(&self) -> Option<u64> {
        match self {
            Exchange::Standalone => None,
            Exchange::Request(r) => r.at,
            Exchange::Response(r) => r.at,
        }
    }

    /// The members to add to the signed protected header, with `jti` fresh from
    /// `provider`. Returns them and the `jti`.
    pub(crate) fn claims(&self, provider: &Provider) -> Result<(Map<String, Value>, String)> {
        let jti = new_jti(provider)?;
        let mut m = Map::new();
        m.insert("iat".into(), self.at().unwrap_or_else(unix_now).into());
        m.insert("jti".into(), jti.clone().into());
        match self {
            Exchange::Standalone => {}
            Exchange::Request(r) => {
                m.insert("htm".into(), r.method.clone().into());
                m.insert("htu".into(), r.target.clone().into());
                if !r.headers.is_empty() {
                    let hth: Map<String, Value> = r
                        .headers
                        .iter()
                        .map(|(n, v)| (n.clone(), digest(v.as_bytes()).into()))
                        .collect();
                    m.insert("hth".into(), hth.into());
                }
            }
            Exchange::Response(r) => {
                m.insert("req_jti".into(), r.request_jti.clone().into());
                m.insert("req_digest".into(), r.request_digest.clone().into());
                m.insert("status".into(), r.status.into());
            }
        }
        Ok((m, jti))
    }
}

/// How an opener checks the exchange: the `iat` window, the replay cache and the
/// headers a request must bind. Cloning shares the replay cache.
#[derive(Debug, Clone)]
pub struct ExchangePolicy {
    window: u64,
    replay: Arc<dyn ReplayCache>,
    deferred: bool,
    required_headers: Vec<String>,
}

impl Default for ExchangePolicy {
    /// A window of [`DEFAULT_WINDOW_SECS`], a fresh [`MemoryReplayCache`], no required
    /// header.
    fn default() -> Self {
        ExchangePolicy {
            window: DEFAULT_WINDOW_SECS,
            replay: Arc::new(MemoryReplayCache::default()),
            deferred: false,
            required_headers: Vec::new(),
        }
    }
}

impl ExchangePolicy {
    /// Accepts `iat` within `secs` either side of the clock.
    #[must_use]
    pub fn with_window(mut self, secs: u64) -> Self {
        self.window = secs;
        self
    }

    /// Uses `cache` to refuse replayed request `jti`s (share one across servers).
    #[must_use]
    pub fn with_replay_cache(mut self, cache: Arc<dyn ReplayCache>) -> Self {
        self.replay = cache;
        self
    }

    /// Leaves the replay check to the caller: a request that passes every other check
    /// opens with a [`ReplayTicket`] in its [`Stamp`], which the caller records in its
    /// own (for example asynchronous, shared) store before it releases the body, and
    /// refuses when the store says it was seen or cannot answer. For servers whose
    /// replay store is reached over the network.
    #[must_use]
    pub fn with_deferred_replay(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// Requires requests to bind the header `name` (in `hth`).
    #[must_use]
    pub fn require_bound_header(mut self, name: &str) -> Self {
        self.required_headers.push(name.to_ascii_lowercase());
        self
    }

    /// The window in seconds.
    #[must_use]
    pub fn window(&self) -> u64 {
        self.window
    }
}

/// What the check found: the message's `iat` and `jti`, and, under
/// [`ExchangePolicy::with_deferred_replay`], the replay check still to make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stamp {
    /// Issued-at, Unix seconds.
    pub iat: Option<u64>,
    /// The message identifier.
    pub jti: Option<String>,
    /// For a request opened with the replay check deferred: what to record.
    pub replay: Option<ReplayTicket>,
}

/// A replay check left to the caller: record `id` until `expires_at` (Unix seconds), in
/// one atomic step that says whether it was already recorded (Redis: `SET id 1 NX EXAT
/// expires_at`). Only a first sighting may release the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayTicket {
    /// `<signer thumbprint>:<jti>`: scoped to the signer.
    pub id: String,
    /// When the record may go: `iat` plus the window.
    pub expires_at: u64,
    /// The time the message was checked at.
    pub now: u64,
}

impl ReplayTicket {
    /// A ticket for `id` until `expires_at`, checked at `now` (for stores and their
    /// tests; the opener makes the real ones).
    #[must_use]
    pub fn new(id: impl Into<String>, expires_at: u64, now: u64) -> Self {
        ReplayTicket {
            id: id.into(),
            expires_at,
            now,
        }
    }
}

fn str_member<'a>(h: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>> {
    match h.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn required_str<'a>(h: &'a Map<String, Value>, name: &'static str) -> Result<&'a str> {
    str_member(h, name)?.ok_or_else(|| Rejected::Missing(name).into())
}

fn u64_member(h: &Map<String, Value>, name: &'static str) -> Result<Option<u64>> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Malformed::InvalidMember(name).into()),
    }
}

impl Exchange {
    /// Checks the signed `protected` header (of the signature made by the key with
    /// `thumbprint`) against this exchange. The replay cache is consulted last.
    pub(crate) fn check(
        &self,
        protected: &Map<String, Value>,
        thumbprint: &str,
        checks: &ExchangePolicy,
    ) -> Result<Stamp> {
        let iat = u64_member(protected, "iat")?;
        let jti = str_member(protected, "jti")?;
        if let Some(j) = jti {
            if j.is_empty() || j.len() > MAX_JTI_LEN {
                return Err(Malformed::InvalidMember("jti").into());
            }
        }
        let mut stamp = Stamp {
            iat,
            jti: jti.map(str::to_owned),
            replay: None,
        };
        if matches!(self, Exchange::Standalone) {
            return Ok(stamp);
        }
        let now = self.at().unwrap_or_else(unix_now);
        let iat = iat.ok_or(Rejected::Missing("iat"))?;
        if iat.saturating_add(checks.window) < now {
            return Err(Rejected::Expired.into());
        }
        if iat > now.saturating_add(checks.window) {
            return Err(Rejected::NotYetValid.into());
        }
        match self {
            Exchange::Standalone => {}
            Exchange::Request(r) => {
                if required_str(protected, "htm")? != r.method {
                    return Err(Rejected::Binding("htm").into());
                }
                let htu = required_str(protected, "htu")?;
                if normalize_uri(htu).ok().as_deref() != Some(r.target.as_str()) {
                    return Err(Rejected::Binding("htu").into());
                }
                check_headers(protected, r, &checks.required_headers)?;
                let jti = jti.ok_or(Rejected::Missing("jti"))?;
                let id = format!("{thumbprint}:{jti}");
                let expires = iat.saturating_add(checks.window);
                if checks.deferred {
                    stamp.replay = Some(ReplayTicket {
                        id,
                        expires_at: expires,
                        now,
                    });
                } else if !checks.replay.check_and_record(&id, expires, now)? {
                    return Err(Rejected::Replay.into());
                }
            }
            Exchange::Response(r) => {
                if required_str(protected, "req_jti")? != r.request_jti {
                    return Err(Rejected::Binding("req_jti").into());
                }
                if required_str(protected, "req_digest")? != r.request_digest {
                    return Err(Rejected::Binding("req_digest").into());
                }
                let status = u64_member(protected, "status")?.ok_or(Rejected::Missing("status"))?;
                if status != u64::from(r.status) {
                    return Err(Rejected::Binding("status").into());
                }
            }
        }
        Ok(stamp)
    }
}

fn check_headers(
    protected: &Map<String, Value>,
    received: &RequestBinding,
    required: &[String],
) -> Result<()> {
    let empty = Map::new();
    let hth = match protected.get("hth") {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Malformed::InvalidMember("hth").into()),
    };
    for (name, value) in hth {
        let Value::String(expected) = value else {
            return Err(Malformed::InvalidMember("hth").into());
        };
        let got = received.header(name).ok_or(Rejected::Binding("hth"))?;
        if digest(got.as_bytes()) != *expected {
            return Err(Rejected::Binding("hth").into());
        }
    }
    for name in required {
        if !hth.contains_key(&name.to_ascii_lowercase()) {
            return Err(Rejected::Missing("hth").into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_normalization() {
        let n = |u| normalize_uri(u).unwrap();
        assert_eq!(
            n("HTTPS://API.Example.COM:443/a/./b/../c?q=1#frag"),
            "https://api.example.com/a/c?q=1"
        );
        assert_eq!(n("http://example.com"), "http://example.com/");
        assert_eq!(n("http://example.com:8080/x"), "http://example.com:8080/x");
        assert!(normalize_uri("/relative").is_err());
        assert!(normalize_uri("ftp://example.com/").is_err());
        assert!(normalize_uri("https://user:pw@example.com/").is_err());
    }

    #[test]
    fn method_must_be_a_token() {
        assert!(RequestBinding::new("PO ST", "https://a.example/").is_err());
        assert!(RequestBinding::new("", "https://a.example/").is_err());
    }
}
