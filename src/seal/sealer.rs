//! Sealing: sign and encrypt a body, in the configured order, with the bindings.

use super::{thumbprint_uri, Order, Outer, CTY_JOSE};
use crate::alg::{JweAlg, JweEnc, JwsAlg, KeyManagement};
use crate::crypto::Provider;
use crate::error::{Error, Result};
use crate::exchange::{Exchange, ResponseBinding};
use crate::jwe::Encryptor;
use crate::jws::Signer;
use crate::key::{EncryptionKey, SigningKey};
use crate::stream::{EncryptWriter, SignWriter};
use serde_json::Value;

/// Seals bodies: configured once with the signing key, the recipients, the order and the
/// algorithms, then [`Sealer::seal`] per message.
///
/// ```
/// use bodyseal::alg::{EcCurve, JweAlg};
/// use bodyseal::crypto::KeyKind;
/// use bodyseal::exchange::{Exchange, RequestBinding};
/// use bodyseal::jwk::Jwk;
/// use bodyseal::key::{EncryptionKey, SigningKey};
/// use bodyseal::seal::{Order, Sealer};
///
/// let client = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
/// let server = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
/// let sealer = Sealer::new(Order::SignThenEncrypt, &SigningKey::from_jwk(&client)?)
///     .recipient(&EncryptionKey::from_jwk(&server.to_public()?)?, JweAlg::EcdhEs)?;
/// let request = RequestBinding::new("POST", "https://api.example.com/v1/claims")?;
/// let sealed = sealer.seal(b"{\"claim\":42}", &Exchange::Request(request))?;
/// assert_eq!(sealed.token.split('.').count(), 5);
/// # Ok::<(), bodyseal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sealer {
    order: Order,
    key: SigningKey,
    alg: JwsAlg,
    enc: JweEnc,
    recipients: Vec<(EncryptionKey, JweAlg)>,
    outer: Outer,
    provider: Provider,
}

/// A sealed message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sealed {
    /// The token to send.
    pub token: String,
    /// Its `jti`.
    pub jti: String,
    /// The serialization of the outer layer.
    pub outer: Outer,
    /// The octets of the signed layer's JWS Signature (the inner JWS in sign-then-encrypt,
    /// the outer in encrypt-then-sign): what a response binds.
    signature: Vec<u8>,
}

impl Sealed {
    /// What a response with `status` to this (request) message must be bound to: give it
    /// to the opener of the response.
    #[must_use]
    pub fn response(&self, status: u16) -> ResponseBinding {
        ResponseBinding::new(self.jti.clone(), self.digest(), status)
    }

    /// What a response binds as `req_digest`: the base64url SHA-256 of the octets of the
    /// signed layer's JWS Signature. The signature commits to everything signed, so this
    /// costs the same whatever the body's size.
    #[must_use]
    pub fn digest(&self) -> String {
        crate::exchange::digest(&self.signature)
    }

    /// The media type of the token: `application/jose` or `application/jose+json`.
    #[must_use]
    pub fn media_type(&self) -> &'static str {
        match self.outer {
            Outer::Compact => "application/jose",
            Outer::Flattened | Outer::General => "application/jose+json",
        }
    }
}

/// The short form of a media type for `cty` (RFC 7515 section 4.1.10): without
/// `application/` when no other `/` follows.
fn short_media_type(media_type: &str) -> &str {
    media_type
        .get(..12)
        .filter(|p| p.eq_ignore_ascii_case("application/"))
        .and_then(|_| media_type.get(12..))
        .filter(|rest| !rest.contains('/'))
        .unwrap_or(media_type)
}

impl Sealer {
    /// A sealer signing with `signing_key` (and its default algorithm), encrypting with
    /// A256GCM, to no recipient yet.
    #[must_use]
    pub fn new(order: Order, signing_key: &SigningKey) -> Self {
        Sealer {
            order,
            key: signing_key.clone(),
            alg: signing_key.alg(),
            enc: JweEnc::A256Gcm,
            recipients: Vec::new(),
            outer: Outer::Compact,
            provider: Provider::default(),
        }
    }

    /// Adds a recipient with key-management algorithm `alg`.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`](crate::error::Rejected::KeyMismatch) when `alg` does not
    /// fit the key; [`Error::ApiMisuse`] for a password recipient, which has no key
    /// thumbprint to bind (and binding a hash of a password would help guess it).
    pub fn recipient(mut self, key: &EncryptionKey, alg: JweAlg) -> Result<Self> {
        if key.thumbprint().is_empty() || matches!(alg.management(), KeyManagement::Pbes2(..)) {
            return Err(Error::ApiMisuse(
                "a password recipient cannot be bound; use a key",
            ));
        }
        key.check_alg(alg, self.enc)?;
        self.recipients.push((key.clone(), alg));
        Ok(self)
    }

    /// Adds a recipient with the key's default algorithm.
    ///
    /// # Errors
    /// As [`Sealer::recipient`]; [`Error::ApiMisuse`] when the key has no default.
    pub fn recipient_default(self, key: &EncryptionKey) -> Result<Self> {
        let alg = key
            .default_alg()
            .ok_or(Error::ApiMisuse("this key has no default JWE algorithm"))?;
        self.recipient(key, alg)
    }

    /// Signs with `alg` instead of the key's default.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`](crate::error::Rejected::KeyMismatch).
    pub fn with_alg(mut self, alg: JwsAlg) -> Result<Self> {
        self.key.check_alg(alg)?;
        self.alg = alg;
        Ok(self)
    }

    /// Encrypts content with `enc` instead of A256GCM. Set it before adding a `dir`
    /// recipient, whose key size must fit `enc`.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`](crate::error::Rejected::KeyMismatch) when a recipient's
    /// key does not fit `enc` (a `dir` key of another size).
    pub fn with_enc(mut self, enc: JweEnc) -> Result<Self> {
        for (key, alg) in &self.recipients {
            key.check_alg(*alg, enc)?;
        }
        self.enc = enc;
        Ok(self)
    }

    /// Serializes the outer layer as `outer` (compact by default).
    #[must_use]
    pub fn with_outer(mut self, outer: Outer) -> Self {
        self.outer = outer;
        self
    }

    /// The order.
    #[must_use]
    pub fn order(&self) -> Order {
        self.order
    }

    /// Seals `body` for `exchange`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] without a recipient, or with several and compact output;
    /// [`Error`] from the JWS and JWE layers.
    pub fn seal(&self, body: &[u8], exchange: &Exchange) -> Result<Sealed> {
        self.seal_typed(body, None, exchange)
    }

    /// Seals `body` of `media_type` (carried in `cty`; `application/json` becomes
    /// `json`) for `exchange`.
    ///
    /// # Errors
    /// As [`Sealer::seal`].
    pub fn seal_typed(
        &self,
        body: &[u8],
        media_type: Option<&str>,
        exchange: &Exchange,
    ) -> Result<Sealed> {
        if self.recipients.is_empty() {
            return Err(Error::ApiMisuse("a sealer needs at least one recipient"));
        }
        if self.outer == Outer::Compact && self.recipients.len() > 1 {
            return Err(Error::ApiMisuse(
                "several recipients need a JSON outer serialization",
            ));
        }
        let (signer, encryptor, jti) = self.layers(media_type, exchange)?;
        let (token, signature) = match self.order {
            Order::SignThenEncrypt => {
                let (inner, signature) = signer.compact_signed(body, false)?;
                let token = match self.outer {
                    Outer::Compact => encryptor.compact_owned(inner.into_bytes())?,
                    Outer::Flattened => encryptor.flattened(inner.as_bytes())?,
                    Outer::General => encryptor.general(inner.as_bytes())?,
                };
                (token, signature)
            }
            Order::EncryptThenSign => {
                let inner = encryptor.compact(body)?;
                match self.outer {
                    Outer::Compact => signer.compact_signed(inner.as_bytes(), false)?,
                    Outer::Flattened => signer.flattened_signed(inner.as_bytes(), false)?,
                    Outer::General => Signer::general_signed(&[signer], inner.as_bytes(), false)?,
                }
            }
        };
        Ok(Sealed {
            token,
            jti,
            outer: self.outer,
            signature,
        })
    }

    /// The two layers for one message: the signer (exchange members, and `aud` or
    /// `cty: "JOSE"`) and the encryptor (`cty: "JOSE"`, or `iss` and the body's type).
    fn layers(
        &self,
        media_type: Option<&str>,
        exchange: &Exchange,
    ) -> Result<(Signer, Encryptor, String)> {
        let (claims, jti) = exchange.claims(&self.provider)?;
        let mut signer = Signer::new(&self.key)
            .with_alg(self.alg)?
            .with_headers(claims)?;
        let mut encryptor = Encryptor::new(self.enc).with_provider(self.provider);
        for (key, alg) in &self.recipients {
            encryptor = encryptor.recipient(key, *alg)?;
        }
        match self.order {
            Order::SignThenEncrypt => {
                let aud: Value = match self.recipients.as_slice() {
                    [(only, _)] => thumbprint_uri(only.thumbprint()).into(),
                    many => many
                        .iter()
                        .map(|(k, _)| Value::from(thumbprint_uri(k.thumbprint())))
                        .collect(),
                };
                signer = signer.with_header("aud", aud)?;
                if let Some(m) = media_type {
                    signer = signer.with_cty(short_media_type(m));
                }
                encryptor = encryptor.with_cty(CTY_JOSE);
            }
            Order::EncryptThenSign => {
                encryptor =
                    encryptor.with_header("iss", thumbprint_uri(self.key.thumbprint()).into())?;
                if let Some(m) = media_type {
                    encryptor = encryptor.with_cty(short_media_type(m));
                }
                signer = signer.with_cty(CTY_JOSE);
            }
        }
        Ok((signer, encryptor, jti))
    }

    /// Seals the body read from `input` as a compact token written to `output`, in one
    /// pass: constant memory with HS/RS/PS/ES and A*CBC-HS*; AES-GCM holds the inner
    /// layer once, EdDSA the signing input. Returns the `jti`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for a JSON outer serialization or several recipients;
    /// [`Error::Io`]; as [`Sealer::seal`].
    pub fn seal_stream(
        &self,
        input: impl std::io::Read,
        media_type: Option<&str>,
        exchange: &Exchange,
        output: impl std::io::Write,
    ) -> Result<String> {
        if self.outer != Outer::Compact || self.recipients.len() != 1 {
            return Err(Error::ApiMisuse(
                "streamed sealing writes the compact serialization, to one recipient",
            ));
        }
        let (signer, encryptor, jti) = self.layers(media_type, exchange)?;
        match self.order {
            Order::SignThenEncrypt => {
                let e = EncryptWriter::new(&encryptor, output)?;
                let mut s = SignWriter::new(&signer, e)?;
                crate::stream::pump(input, &mut s)?;
                s.finish()?.finish()?;
            }
            Order::EncryptThenSign => {
                let s = SignWriter::new(&signer, output)?;
                let mut e = EncryptWriter::new(&encryptor, s)?;
                crate::stream::pump(input, &mut e)?;
                e.finish()?.finish()?;
            }
        }
        Ok(jti)
    }
}

#[cfg(test)]
mod tests {
    use super::short_media_type;

    #[test]
    fn media_type_short_form() {
        assert_eq!(short_media_type("application/json"), "json");
        assert_eq!(short_media_type("Application/fhir+json"), "fhir+json");
        assert_eq!(short_media_type("text/plain"), "text/plain");
        assert_eq!(short_media_type("application/a/b"), "application/a/b");
    }
}
