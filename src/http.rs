//! Sealing and opening [`http::Request`] and [`http::Response`] values with byte bodies
//! (feature `http`, on by default).
//!
//! A sealed message has `Content-Type: application/jose` (compact outer layer) or
//! `application/jose+json` (JSON outer layer); the body's own media type travels inside,
//! in `cty`, and is restored on opening. Detached signatures go in the
//! [`SIGNATURE_HEADER`] header and leave the body and its `Content-Type` alone.
//!
//! Servers pass their public origin (`https://api.example.com`): behind TLS termination
//! or a proxy the request line no longer says which scheme and host the client used, and
//! the `Host` header is not trusted for it.
//!
//! ```
//! use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsAlg};
//! use bodyseal::crypto::KeyKind;
//! use bodyseal::jwk::Jwk;
//! use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey, VerifyingKeys, SigningKey, VerifyingKey};
//! use bodyseal::policy::{JwePolicy, JwsPolicy};
//! use bodyseal::seal::{Opener, Order, Sealer};
//!
//! let (client, server) = (Jwk::generate(KeyKind::Ec(EcCurve::P256))?, Jwk::generate(KeyKind::Ec(EcCurve::P256))?);
//! let policies = (JwsPolicy::new(&[JwsAlg::Es256]), JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A256Gcm]));
//!
//! // Client: seal the request.
//! let sealer = Sealer::new(Order::SignThenEncrypt, &SigningKey::from_jwk(&client)?)
//!     .recipient(&EncryptionKey::from_jwk(&server.to_public()?)?, JweAlg::EcdhEs)?;
//! let request = http::Request::post("https://api.example.com/v1/notes")
//!     .header("content-type", "application/json")
//!     .body(br#"{"note":"x"}"#.to_vec()).unwrap();
//! let (request, sent) = sealer.seal_request(request, &[])?;
//! assert_eq!(request.headers()["content-type"], "application/jose");
//!
//! // Server: open it, then seal the response bound to it.
//! let opener = Opener::new(Order::SignThenEncrypt,
//!     VerifyingKeys::single(VerifyingKey::from_jwk(&client.to_public()?)?), policies.0.clone(),
//!     DecryptionKeys::single(DecryptionKey::from_jwk(&server)?), policies.1.clone());
//! let (request, opened) = opener.open_request(request, "https://api.example.com")?;
//! assert_eq!(request.headers()["content-type"], "application/json");
//! let response = http::Response::builder().status(201).body(b"{}".to_vec()).unwrap();
//! let to_client = Sealer::new(Order::SignThenEncrypt, &SigningKey::from_jwk(&server)?)
//!     .recipient(&EncryptionKey::from_jwk(&client.to_public()?)?, JweAlg::EcdhEs)?;
//! let response = to_client.seal_response(response, &opened)?;
//!
//! // Client: open the response, bound to the request it sent.
//! let client_opener = Opener::new(Order::SignThenEncrypt,
//!     VerifyingKeys::single(VerifyingKey::from_jwk(&server.to_public()?)?), policies.0,
//!     DecryptionKeys::single(DecryptionKey::from_jwk(&client)?), policies.1);
//! let (response, _) = client_opener.open_response(response, &sent)?;
//! assert_eq!(response.body(), b"{}");
//! # Ok::<(), bodyseal::Error>(())
//! ```

use crate::detached::{
    DetachedSignature, DetachedSigner, DetachedVerifier, VerifiedSignature, SIGNATURE_HEADER,
};
use crate::error::{Error, Rejected, Result};
use crate::exchange::{Exchange, RequestBinding};
use crate::seal::{Opened, Opener, Sealed, Sealer};
use ::http::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use ::http::{Request, Response};

/// The media type of a compact JOSE object (RFC 7515 section 9.2.1).
pub const APPLICATION_JOSE: &str = "application/jose";
/// The media type of a JSON-serialized JOSE object (RFC 7515 section 9.2.2).
pub const APPLICATION_JOSE_JSON: &str = "application/jose+json";

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The absolute target URI a client sends to.
fn client_target(uri: &::http::Uri) -> Result<String> {
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(Error::ApiMisuse("a client request needs an absolute URI"));
    }
    Ok(uri.to_string())
}

/// The absolute target URI a server received at its public `origin`.
fn server_target(uri: &::http::Uri, origin: &str) -> String {
    let pq = uri.path_and_query().map_or("/", |p| p.as_str());
    format!("{}{pq}", origin.trim_end_matches('/'))
}

/// The request as the server received it: method, URI and every header with a text value.
fn received(req_method: &str, target: &str, headers: &HeaderMap) -> Result<RequestBinding> {
    let mut b = RequestBinding::new(req_method, target)?;
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            b = b.with_header(name.as_str(), v);
        }
    }
    Ok(b)
}

/// Binds the named headers of `headers` into the request binding.
fn bind(mut b: RequestBinding, headers: &HeaderMap, names: &[&str]) -> Result<RequestBinding> {
    for name in names {
        let all: Vec<&str> = headers
            .get_all(*name)
            .iter()
            .map(|v| {
                v.to_str()
                    .map_err(|_| Error::ApiMisuse("a bound header is not text"))
            })
            .collect::<Result<_>>()?;
        if all.is_empty() {
            return Err(Error::ApiMisuse("a header to bind is absent"));
        }
        for v in all {
            b = b.with_header(name, v);
        }
    }
    Ok(b)
}

/// Checks `Content-Type` is a JOSE media type (parameters ignored).
fn check_jose_type(headers: &HeaderMap) -> Result<()> {
    let ct = header_str(headers, CONTENT_TYPE.as_str()).unwrap_or_default();
    let essence = ct.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(APPLICATION_JOSE)
        || essence.eq_ignore_ascii_case(APPLICATION_JOSE_JSON)
    {
        Ok(())
    } else {
        Err(Rejected::Mismatch("content-type").into())
    }
}

fn body_text(body: &[u8]) -> Result<&str> {
    core::str::from_utf8(body).map_err(|_| {
        crate::error::Malformed::Utf8 {
            part: crate::error::Part::Token,
        }
        .into()
    })
}

/// Puts the sealed token in place of the body, with the JOSE media type and its length.
fn set_sealed(headers: &mut HeaderMap, sealed: &Sealed) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(sealed.media_type()));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(sealed.token.len()));
}

/// Restores the body's own media type and length after opening.
fn set_opened(headers: &mut HeaderMap, opened: &Opened) -> Result<()> {
    headers.insert(CONTENT_LENGTH, HeaderValue::from(opened.body().len()));
    match opened.media_type() {
        Some(m) => {
            let v = HeaderValue::from_str(&m)
                .map_err(|_| crate::error::Malformed::InvalidMember("cty"))?;
            headers.insert(CONTENT_TYPE, v);
        }
        None => {
            headers.remove(CONTENT_TYPE);
        }
    }
    Ok(())
}

impl Sealer {
    /// Seals a client request: the body becomes the token, `Content-Type` becomes
    /// `application/jose` (or `+json`) and the original type goes in `cty`. The headers
    /// named in `bind_headers` (as they will be sent) are bound too. Returns the request
    /// to send and the [`Sealed`] record that opens its response.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for a URI that is not absolute or a header to bind that is
    /// absent; as [`Sealer::seal`].
    pub fn seal_request<B: AsRef<[u8]>>(
        &self,
        req: Request<B>,
        bind_headers: &[&str],
    ) -> Result<(Request<Vec<u8>>, Sealed)> {
        let (mut parts, body) = req.into_parts();
        let target = client_target(&parts.uri)?;
        let media_type = header_str(&parts.headers, CONTENT_TYPE.as_str()).map(str::to_owned);
        let binding = RequestBinding::new(parts.method.as_str(), &target)?;
        let binding = bind(binding, &parts.headers, bind_headers)?;
        let sealed = self.seal_typed(
            body.as_ref(),
            media_type.as_deref(),
            &Exchange::Request(binding),
        )?;
        set_sealed(&mut parts.headers, &sealed);
        let req = Request::from_parts(parts, sealed.token.clone().into_bytes());
        Ok((req, sealed))
    }

    /// Seals a server response to the request `request` (as opened), bound to it and to
    /// the response's status.
    ///
    /// # Errors
    /// As [`Sealer::seal`]; [`Rejected::Missing`] when the request had no `jti`.
    pub fn seal_response<B: AsRef<[u8]>>(
        &self,
        resp: Response<B>,
        request: &Opened,
    ) -> Result<Response<Vec<u8>>> {
        let (mut parts, body) = resp.into_parts();
        let media_type = header_str(&parts.headers, CONTENT_TYPE.as_str()).map(str::to_owned);
        let binding = request.response(parts.status.as_u16())?;
        let sealed = self.seal_typed(
            body.as_ref(),
            media_type.as_deref(),
            &Exchange::Response(binding),
        )?;
        set_sealed(&mut parts.headers, &sealed);
        Ok(Response::from_parts(parts, sealed.token.into_bytes()))
    }
}

impl Opener {
    /// Opens a request received at the server's public `origin` (scheme and authority,
    /// for example `https://api.example.com`): checks `Content-Type`, opens the body,
    /// checks the exchange, restores the body's media type.
    ///
    /// # Errors
    /// [`Rejected::Mismatch`]`("content-type")` for a body that is not JOSE; as
    /// [`Opener::open`].
    pub fn open_request<B: AsRef<[u8]>>(
        &self,
        req: Request<B>,
        origin: &str,
    ) -> Result<(Request<Vec<u8>>, Opened)> {
        let (mut parts, body) = req.into_parts();
        check_jose_type(&parts.headers)?;
        let target = server_target(&parts.uri, origin);
        let binding = received(parts.method.as_str(), &target, &parts.headers)?;
        let mut opened = self.open(body_text(body.as_ref())?, &Exchange::Request(binding))?;
        set_opened(&mut parts.headers, &opened)?;
        let body = opened.take_body();
        Ok((Request::from_parts(parts, body), opened))
    }

    /// Opens the response to the request recorded in `request`.
    ///
    /// # Errors
    /// As [`Opener::open_request`].
    pub fn open_response<B: AsRef<[u8]>>(
        &self,
        resp: Response<B>,
        request: &Sealed,
    ) -> Result<(Response<Vec<u8>>, Opened)> {
        let (mut parts, body) = resp.into_parts();
        check_jose_type(&parts.headers)?;
        let binding = request.response(parts.status.as_u16());
        let mut opened = self.open(body_text(body.as_ref())?, &Exchange::Response(binding))?;
        set_opened(&mut parts.headers, &opened)?;
        let body = opened.take_body();
        Ok((Response::from_parts(parts, body), opened))
    }
}

fn set_signature(headers: &mut HeaderMap, signature: &DetachedSignature) -> Result<()> {
    let v = HeaderValue::from_str(&signature.token)
        .map_err(|_| Error::Unreachable("a compact JWS is a header value"))?;
    headers.insert(SIGNATURE_HEADER, v);
    Ok(())
}

fn signature(headers: &HeaderMap) -> Result<&str> {
    let mut all = headers.get_all(SIGNATURE_HEADER).iter();
    let (Some(v), None) = (all.next(), all.next()) else {
        return Err(Rejected::Missing("x-jws-signature").into());
    };
    v.to_str()
        .map_err(|_| crate::error::Malformed::InvalidMember("x-jws-signature").into())
}

impl DetachedSigner {
    /// Signs a client request's body into the [`SIGNATURE_HEADER`] header, binding the
    /// method, URI and the headers named in `bind_headers` (`content-type`, say).
    ///
    /// # Errors
    /// As [`Sealer::seal_request`].
    pub fn sign_request<B: AsRef<[u8]>>(
        &self,
        req: &mut Request<B>,
        bind_headers: &[&str],
    ) -> Result<DetachedSignature> {
        let binding = RequestBinding::new(req.method().as_str(), &client_target(req.uri())?)?;
        let binding = bind(binding, req.headers(), bind_headers)?;
        let signature = self.sign(req.body().as_ref(), &Exchange::Request(binding))?;
        set_signature(req.headers_mut(), &signature)?;
        Ok(signature)
    }

    /// Signs a server response's body, bound to the request (as verified) and the status.
    ///
    /// # Errors
    /// As [`DetachedSigner::sign`].
    pub fn sign_response<B: AsRef<[u8]>>(
        &self,
        resp: &mut Response<B>,
        request: &VerifiedSignature,
    ) -> Result<DetachedSignature> {
        let binding = request.response(resp.status().as_u16())?;
        let signature = self.sign(resp.body().as_ref(), &Exchange::Response(binding))?;
        set_signature(resp.headers_mut(), &signature)?;
        Ok(signature)
    }
}

impl DetachedVerifier {
    /// Verifies a request's [`SIGNATURE_HEADER`] against its body as received at the
    /// server's public `origin`.
    ///
    /// # Errors
    /// [`Rejected::Missing`] without exactly one signature header; as
    /// [`DetachedVerifier::verify`].
    pub fn verify_request<B: AsRef<[u8]>>(
        &self,
        req: &Request<B>,
        origin: &str,
    ) -> Result<VerifiedSignature> {
        let binding = received(
            req.method().as_str(),
            &server_target(req.uri(), origin),
            req.headers(),
        )?;
        self.verify(
            signature(req.headers())?,
            req.body().as_ref(),
            &Exchange::Request(binding),
        )
    }

    /// Verifies a response's signature, bound to the request recorded in `request`.
    ///
    /// # Errors
    /// As [`DetachedVerifier::verify_request`].
    pub fn verify_response<B: AsRef<[u8]>>(
        &self,
        resp: &Response<B>,
        request: &DetachedSignature,
    ) -> Result<VerifiedSignature> {
        let binding = request.response(resp.status().as_u16());
        self.verify(
            signature(resp.headers())?,
            resp.body().as_ref(),
            &Exchange::Response(binding),
        )
    }
}
