//! Opening: expect one order, peel exactly two layers, check the bindings.

use super::{thumbprint_uri, Order};
use crate::compact::{self, Layout, Shape};
use crate::error::{Error, Malformed, Part, Rejected, Result};
use crate::exchange::{Exchange, ExchangePolicy, ResponseBinding, Stamp};
use crate::jwe::{self, Decrypted};
use crate::jws::{self, SignerInfo};
use crate::key::{DecryptionKeys, KeySource, Signers, VerifyingKeys};
use crate::nesting::{self, declared_by, Layer};
use crate::policy::{JwePolicy, JwsPolicy};
use crate::stream::{pump, Replay};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// Opens sealed bodies: configured once with the trusted signer keys, the decryption
/// keys, the expected order and both policies, then [`Opener::open`] per message.
/// Share one opener between threads: the replay cache it holds is meant to be shared.
#[derive(Debug, Clone)]
pub struct Opener {
    order: Order,
    signers: Signers,
    jws_policy: JwsPolicy,
    decryption: DecryptionKeys,
    jwe_policy: JwePolicy,
    allow_unbound: bool,
    exchange: ExchangePolicy,
}

/// An opened message: the body, who signed it, which key decrypted it, and what it was
/// bound to. Everything here was authenticated. `Debug` shows the body's length only.
#[non_exhaustive]
pub struct Opened {
    body: Vec<u8>,
    /// The signer: `kid`, `alg`, thumbprint of the trusted key, and the verified header
    /// (which carries the exchange members).
    pub signer: SignerInfo,
    /// The JWE header (its protected part is authenticated).
    pub jwe_header: jwe::Header,
    /// The `kid` of the key that decrypted.
    pub decrypted_by: Option<String>,
    /// Base64url SHA-256 thumbprint of the key that decrypted.
    pub decryption_thumbprint: String,
    /// True when the token carried the `aud` or `iss` binding (false only under
    /// [`Opener::allow_unbound`]).
    pub bound: bool,
    /// The message's `iat` and `jti`.
    pub stamp: Stamp,
    /// What a response to this message binds as `req_digest`: the base64url SHA-256 of
    /// the octets of the signature that verified (the inner JWS in sign-then-encrypt, the
    /// outer in encrypt-then-sign). Its cost does not grow with the body.
    pub digest: String,
    /// The order the token had (the one the opener expects).
    pub order: Order,
    media_type: Option<String>,
}

impl core::fmt::Debug for Opened {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opened")
            .field("body_len", &self.body.len())
            .field("media_type", &self.media_type)
            .field("signer", &self.signer)
            .field("jwe_header", &self.jwe_header)
            .field("decrypted_by", &self.decrypted_by)
            .field("decryption_thumbprint", &self.decryption_thumbprint)
            .field("bound", &self.bound)
            .field("stamp", &self.stamp)
            .field("digest", &self.digest)
            .field("order", &self.order)
            .finish()
    }
}

impl Opened {
    /// The body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body.
    #[must_use]
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// Takes the body and keeps the rest of the record (the body is empty after).
    pub fn take_body(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.body)
    }

    /// The body's media type from `cty`, in full form (`json` gives `application/json`).
    #[must_use]
    pub fn media_type(&self) -> Option<String> {
        self.media_type.as_ref().map(|m| {
            if m.contains('/') {
                m.clone()
            } else {
                format!("application/{m}")
            }
        })
    }

    /// What a response with `status` to this (request) message is bound to: give it to
    /// the sealer of the response.
    ///
    /// # Errors
    /// [`Rejected::Missing`]`("jti")` when the message had no `jti`;
    /// [`Error::ApiMisuse`] when it was not opened as a request.
    pub fn response(&self, status: u16) -> Result<ResponseBinding> {
        let jti = self.stamp.jti.clone().ok_or(Rejected::Missing("jti"))?;
        Ok(ResponseBinding::new(jti, self.digest.clone(), status))
    }
}

/// The `aud` member as a list of strings.
fn audiences(h: &Map<String, Value>) -> Result<Option<Vec<&str>>> {
    let bad = || Malformed::InvalidMember("aud");
    match h.get("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().ok_or_else(|| bad().into()))
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(bad().into()),
    }
}

fn text(bytes: &[u8]) -> Result<&str> {
    core::str::from_utf8(bytes).map_err(|_| {
        Malformed::Utf8 {
            part: Part::Payload,
        }
        .into()
    })
}

impl Opener {
    /// An opener expecting `order`, trusting `signers` under `jws_policy` for the
    /// signature layer and decrypting with `decryption` under `jwe_policy`. The binding
    /// is required and the exchange is checked under the default [`ExchangePolicy`].
    #[must_use]
    pub fn new(
        order: Order,
        signers: VerifyingKeys,
        jws_policy: JwsPolicy,
        decryption: DecryptionKeys,
        jwe_policy: JwePolicy,
    ) -> Self {
        Opener {
            order,
            signers: Signers::Fixed(std::sync::Arc::new(signers)),
            jws_policy,
            decryption,
            jwe_policy,
            allow_unbound: false,
            exchange: ExchangePolicy::default(),
        }
    }

    /// Reads the trusted signer keys from `source` for each token (a remote JWK Set)
    /// instead of the fixed set given to [`Opener::new`].
    #[must_use]
    pub fn with_signer_source(mut self, source: std::sync::Arc<dyn KeySource>) -> Self {
        self.signers = Signers::Source(source);
        self
    }

    /// Accepts nested tokens without the `aud` / `iss` binding (plain nested JWTs from
    /// other libraries). Such tokens are open to surreptitious forwarding
    /// (sign-then-encrypt) or signature stripping (encrypt-then-sign); a binding that is
    /// present but wrong is still refused.
    #[must_use]
    pub fn allow_unbound(mut self) -> Self {
        self.allow_unbound = true;
        self
    }

    /// Checks the HTTP exchange with `policy` (window, replay cache, required headers)
    /// instead of the default [`ExchangePolicy`].
    #[must_use]
    pub fn with_exchange_policy(mut self, policy: ExchangePolicy) -> Self {
        self.exchange = policy;
        self
    }

    /// The expected order.
    #[must_use]
    pub fn order(&self) -> Order {
        self.order
    }

    /// Opens `token` (any serialization for the outer layer) received in `exchange`.
    ///
    /// # Errors
    /// [`Rejected::Nesting`] for the other order, a single layer or an extra layer;
    /// [`Rejected::Binding`] and [`Rejected::Missing`] for a binding that is wrong or
    /// absent; [`Rejected::Expired`] / [`Rejected::NotYetValid`] for an `iat` outside
    /// the window; [`Rejected::Replay`]; and every error of JWS verification and JWE
    /// decryption.
    pub fn open(&self, token: &str, exchange: &Exchange) -> Result<Opened> {
        let (body, signer, decrypted, bound) = match self.order {
            Order::SignThenEncrypt => self.open_ste(token)?,
            Order::EncryptThenSign => self.open_ets(token)?,
        };
        let mut opened = self.checked(signer, decrypted, bound, exchange)?;
        opened.body = body;
        Ok(opened)
    }

    /// The checks both paths end with, the replay check last: the exchange, then the
    /// record of what was proven (without the body).
    fn checked(
        &self,
        signer: SignerInfo,
        decrypted: Decrypted,
        bound: bool,
        exchange: &Exchange,
    ) -> Result<Opened> {
        let stamp = exchange.check(signer.protected(), &signer.thumbprint, &self.exchange)?;
        let media_type = match self.order {
            Order::SignThenEncrypt => signer.header.cty().map(str::to_owned),
            Order::EncryptThenSign => decrypted.header.cty.clone(),
        };
        let digest = crate::exchange::digest(signer.signature());
        Ok(Opened {
            body: Vec::new(),
            signer,
            jwe_header: decrypted.header,
            decrypted_by: decrypted.kid,
            decryption_thumbprint: decrypted.thumbprint,
            bound,
            stamp,
            digest,
            order: self.order,
            media_type,
        })
    }

    /// Parses a JWE layer: any serialization outside, compact inside.
    fn parse_jwe(
        &self,
        token: &str,
        inner: bool,
        found: &'static str,
    ) -> Result<jwe::UnverifiedJwe> {
        let limits = &self.jwe_policy.limits;
        let parsed = if inner {
            jwe::parse_compact(token, limits)
        } else {
            jwe::parse(token, limits)
        };
        nesting::expected(
            Layer::Jwe,
            parsed,
            || nesting::layer_of(token, limits),
            found,
        )
    }

    /// Parses a JWS layer: any serialization outside, compact inside.
    fn parse_jws<'t>(
        &self,
        token: &'t str,
        inner: bool,
        found: &'static str,
    ) -> Result<jws::UnverifiedJws<'t>> {
        let limits = &self.jws_policy.limits;
        let parsed = if inner {
            jws::parse_compact(token, limits)
        } else {
            jws::parse(token, limits)
        };
        nesting::expected(
            Layer::Jws,
            parsed,
            || nesting::layer_of(token, limits),
            found,
        )
    }

    /// JWE(JWS(body)).
    fn open_ste(&self, token: &str) -> Result<(Vec<u8>, SignerInfo, Decrypted, bool)> {
        let outer = self.parse_jwe(token, false, OUTER_JWS)?;
        let mut decrypted = outer.decrypt(&self.decryption, &self.jwe_policy)?;
        if !declared_by(&decrypted.header.protected) {
            return Err(Rejected::Nesting(SINGLE_JWE).into());
        }
        // The inner JWS holds the body: wipe it once the body is out.
        let plaintext = Zeroizing::new(decrypted.take_plaintext());
        let inner_text = text(&plaintext)?;
        let inner = self.parse_jws(inner_text, true, JWE_IN_JWE)?;
        let verified = inner.verify(&self.signers.current(), &self.jws_policy)?;
        let signer = verified
            .signer()
            .cloned()
            .ok_or(Error::Unreachable("a verified JWS has a signer"))?;
        if declared_by(signer.protected()) {
            return Err(Rejected::Nesting(EXTRA_JWS).into());
        }
        let bound = self.bind_ste(&signer, &decrypted)?;
        let body = verified.into_payload().into_owned();
        Ok((body, signer, decrypted, bound))
    }

    /// JWS(JWE(body)).
    fn open_ets(&self, token: &str) -> Result<(Vec<u8>, SignerInfo, Decrypted, bool)> {
        let outer = self.parse_jws(token, false, OUTER_JWE)?;
        let verified = outer.verify(&self.signers.current(), &self.jws_policy)?;
        let first = verified
            .signer()
            .ok_or(Error::Unreachable("a verified JWS has a signer"))?;
        if !declared_by(first.protected()) {
            return Err(Rejected::Nesting(SINGLE_JWS).into());
        }
        let signers = verified.signers().to_vec();
        let payload = verified.into_payload();
        let inner_text = text(&payload)?;
        let inner = self.parse_jwe(inner_text, true, JWS_IN_JWS)?;
        let mut decrypted = inner.decrypt(&self.decryption, &self.jwe_policy)?;
        if declared_by(&decrypted.header.protected) {
            return Err(Rejected::Nesting(EXTRA_JWE).into());
        }
        let (signer, bound) = self.bind_ets(signers, &decrypted)?;
        let body = decrypted.take_plaintext();
        Ok((body, signer, decrypted, bound))
    }

    /// Sign-then-encrypt: the inner JWS's `aud` must name the key that decrypted.
    fn bind_ste(&self, signer: &SignerInfo, decrypted: &Decrypted) -> Result<bool> {
        match audiences(signer.protected())? {
            None if self.allow_unbound => Ok(false),
            None => Err(Rejected::Missing("aud").into()),
            Some(auds) => {
                let mine = thumbprint_uri(&decrypted.thumbprint);
                if decrypted.thumbprint.is_empty() || !auds.contains(&mine.as_str()) {
                    return Err(Rejected::Binding("aud").into());
                }
                Ok(true)
            }
        }
    }

    /// Encrypt-then-sign: the JWE's `iss` must name a key that signed the outer layer;
    /// that signer is the one reported.
    fn bind_ets(
        &self,
        signers: Vec<SignerInfo>,
        decrypted: &Decrypted,
    ) -> Result<(SignerInfo, bool)> {
        let (signer, bound) = match decrypted.header.protected.get("iss") {
            None if self.allow_unbound => (signers.into_iter().next(), false),
            None => return Err(Rejected::Missing("iss").into()),
            Some(Value::String(iss)) => {
                let named = signers
                    .into_iter()
                    .find(|s| !s.thumbprint.is_empty() && thumbprint_uri(&s.thumbprint) == *iss);
                (Some(named.ok_or(Rejected::Binding("iss"))?), true)
            }
            Some(_) => return Err(Malformed::InvalidMember("iss").into()),
        };
        let signer = signer.ok_or(Error::Unreachable("a verified JWS has a signer"))?;
        Ok((signer, bound))
    }

    /// Opens a compact token read from `input` and, once every layer authenticated and
    /// every check passed (the replay check last), writes the body to `output`. Memory
    /// stays bounded with A*CBC-HS* (AES-GCM holds the inner layer once): the input is
    /// read several times, CBC content decrypted again for each pass, and nothing is
    /// written or parsed before the layer that protects it authenticated (see
    /// [`crate::stream`]). Spool a pipe to a temporary file first. A JSON outer layer is
    /// read whole and opened as [`Opener::open`] does; for every input the result is the
    /// same as [`Opener::open`]'s. The returned [`Opened`] has an empty body (and, like
    /// [`Opener::open`]'s, the `digest` a response to it binds).
    ///
    /// # Errors
    /// As [`Opener::open`]; [`Error::Io`].
    pub fn open_stream(
        &self,
        mut input: impl Replay,
        exchange: &Exchange,
        mut output: impl std::io::Write,
    ) -> Result<Opened> {
        if let Some(json) = self.json_outer(&mut input)? {
            let mut opened = self.open(&json, exchange)?;
            pump(opened.body.as_slice(), &mut output)?;
            opened.body = Vec::new();
            return Ok(opened);
        }
        match self.order {
            Order::SignThenEncrypt => {
                let limits = &self.jwe_policy.limits;
                let layout = compact::scan(&mut input, Shape::Jwe, limits)?;
                let is = layer(&layout, limits);
                let (decrypted, mut plaintext) = nesting::expected(
                    Layer::Jwe,
                    jwe::stream::decrypt(&mut input, layout, &self.decryption, &self.jwe_policy),
                    || is,
                    OUTER_JWS,
                )?;
                // From here on the JWE authenticated what is read.
                if !declared_by(&decrypted.header.protected) {
                    return Err(Rejected::Nesting(SINGLE_JWE).into());
                }
                let limits = &self.jws_policy.limits;
                let layout = inner(compact::scan(&mut plaintext, Shape::Jws, limits)?)?;
                let is = layer(&layout, limits);
                let (signer, body) = nesting::expected(
                    Layer::Jws,
                    jws::stream::verify(
                        &mut plaintext,
                        layout,
                        &self.signers.current(),
                        &self.jws_policy,
                    ),
                    || is,
                    JWE_IN_JWE,
                )?;
                if declared_by(signer.protected()) {
                    return Err(Rejected::Nesting(EXTRA_JWS).into());
                }
                let bound = self.bind_ste(&signer, &decrypted)?;
                let opened = self.checked(signer, decrypted, bound, exchange)?;
                pump(body, &mut output)?;
                Ok(opened)
            }
            Order::EncryptThenSign => {
                let limits = &self.jws_policy.limits;
                let layout = compact::scan(&mut input, Shape::Jws, limits)?;
                let is = layer(&layout, limits);
                let (first, mut payload) = nesting::expected(
                    Layer::Jws,
                    jws::stream::verify(
                        &mut input,
                        layout,
                        &self.signers.current(),
                        &self.jws_policy,
                    ),
                    || is,
                    OUTER_JWE,
                )?;
                // From here on the outer signature authenticated what is read.
                if !declared_by(first.protected()) {
                    return Err(Rejected::Nesting(SINGLE_JWS).into());
                }
                let limits = &self.jwe_policy.limits;
                let layout = inner(compact::scan(&mut payload, Shape::Jwe, limits)?)?;
                let is = layer(&layout, limits);
                let (decrypted, body) = nesting::expected(
                    Layer::Jwe,
                    jwe::stream::decrypt(&mut payload, layout, &self.decryption, &self.jwe_policy),
                    || is,
                    JWS_IN_JWS,
                )?;
                if declared_by(&decrypted.header.protected) {
                    return Err(Rejected::Nesting(EXTRA_JWE).into());
                }
                let (signer, bound) = self.bind_ets(vec![first], &decrypted)?;
                let opened = self.checked(signer, decrypted, bound, exchange)?;
                pump(body, &mut output)?;
                Ok(opened)
            }
        }
    }
}

impl Opener {
    /// A JSON outer layer (the first byte that is not whitespace is `{`, as
    /// [`jws::parse`] and [`jwe::parse`] decide), read whole under the outer layer's
    /// token-size limit; `None` for a compact token.
    fn json_outer(&self, input: &mut impl Replay) -> Result<Option<String>> {
        let limit = match self.order {
            Order::SignThenEncrypt => self.jwe_policy.limits.max_token_bytes,
            Order::EncryptThenSign => self.jws_policy.limits.max_token_bytes,
        };
        input.seek_to(0)?;
        let mut head = [0u8; 1];
        let first = loop {
            if crate::stream::read_some(input, &mut head)? == 0 {
                break None;
            }
            if !head[0].is_ascii_whitespace() {
                break Some(head[0]);
            }
        };
        if first != Some(b'{') {
            return Ok(None);
        }
        input.seek_to(0)?;
        let mut text = Vec::new();
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        pump(std::io::Read::take(&mut *input, cap), &mut text)?;
        crate::policy::Limits::check("token size", text.len(), limit)?;
        String::from_utf8(text)
            .map(Some)
            .map_err(|_| Malformed::Utf8 { part: Part::Token }.into())
    }
}

const OUTER_JWS: &str = "expected a JWE outside, found a JWS";
const OUTER_JWE: &str = "expected a JWS outside, found a JWE";
const SINGLE_JWE: &str = "single layer: the JWE does not declare a nested JWS";
const SINGLE_JWS: &str = "single layer: the JWS does not declare a nested JWE";
const JWE_IN_JWE: &str = "extra layer: a JWE inside the JWE";
const JWS_IN_JWS: &str = "extra layer: a JWS inside the JWS";
const EXTRA_JWS: &str = "extra layer: the JWS declares another nested object";
const EXTRA_JWE: &str = "extra layer: the JWE declares another nested object";

/// What a scanned token is, for [`nesting::expected`].
fn layer(layout: &Layout, limits: &crate::policy::Limits) -> Option<Layer> {
    let first = layout.head.first().map(Vec::as_slice).unwrap_or_default();
    nesting::compact_layer(layout.segments, first, limits)
}

/// An inner layer is text, as [`text`] requires of the one-shot path.
fn inner(layout: Layout) -> Result<Layout> {
    if layout.utf8 {
        Ok(layout)
    } else {
        Err(Malformed::Utf8 {
            part: Part::Payload,
        }
        .into())
    }
}
