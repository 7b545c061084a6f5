//! Detached signatures for APIs that keep a plaintext body: a compact JWS with an empty
//! payload segment (RFC 7515 appendix F), carried in an HTTP header (by convention
//! [`SIGNATURE_HEADER`]) and verified against the exact body bytes received. With
//! [`DetachedSigner::unencoded`] the signing input holds the body as is (`b64: false`,
//! RFC 7797), so the verifier needs no base64 pass over a large body.
//!
//! The protected header carries the same exchange members as sealed bodies (see
//! [`crate::exchange`]), so a detached signature is bound to its request or response
//! just the same. The body is authenticated, not hidden: choose [`crate::seal`] when it
//! must stay confidential.
//!
//! ```
//! use bodyseal::alg::{EcCurve, JwsAlg};
//! use bodyseal::crypto::KeyKind;
//! use bodyseal::detached::{DetachedSigner, DetachedVerifier};
//! use bodyseal::exchange::{Exchange, RequestBinding};
//! use bodyseal::jwk::Jwk;
//! use bodyseal::key::{VerifyingKeys, SigningKey, VerifyingKey};
//! use bodyseal::policy::JwsPolicy;
//!
//! let client = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
//! let exchange = Exchange::Request(RequestBinding::new("POST", "https://api.example.com/pay")?);
//! let body = br#"{"amount":"10.00"}"#;
//! let signature = DetachedSigner::new(&SigningKey::from_jwk(&client)?)
//!     .unencoded()
//!     .sign(body, &exchange)?;
//!
//! let verifier = DetachedVerifier::new(
//!     VerifyingKeys::single(VerifyingKey::from_jwk(&client.to_public()?)?),
//!     JwsPolicy::new(&[JwsAlg::Es256]),
//! );
//! let verified = verifier.verify(&signature.token, body, &exchange)?;
//! assert_eq!(verified.signer.alg, JwsAlg::Es256);
//! assert!(verifier.verify(&signature.token, br#"{"amount":"99.00"}"#, &exchange).is_err());
//! # Ok::<(), bodyseal::Error>(())
//! ```

use crate::alg::JwsAlg;
use crate::crypto::Provider;
use crate::error::{Error, Rejected, Result};
use crate::exchange::{Exchange, ExchangePolicy, ResponseBinding, Stamp};
use crate::jws::{self, Serialization, Signer, SignerInfo};
use crate::key::{KeySource, Signers, SigningKey, VerifyingKeys};
use crate::policy::JwsPolicy;

/// The conventional HTTP header for a detached JWS.
pub const SIGNATURE_HEADER: &str = "x-jws-signature";

/// A detached signature made for a message: the token for the [`SIGNATURE_HEADER`]
/// header and what a response to it binds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetachedSignature {
    /// The compact detached JWS.
    pub token: String,
    /// Its `jti`.
    pub jti: String,
    signature: Vec<u8>,
}

impl DetachedSignature {
    /// What a response with `status` to this (request) message must be bound to.
    #[must_use]
    pub fn response(&self, status: u16) -> ResponseBinding {
        ResponseBinding::new(self.jti.clone(), self.digest(), status)
    }

    /// What a response binds as `req_digest`: the base64url SHA-256 of the octets of
    /// this JWS's signature.
    #[must_use]
    pub fn digest(&self) -> String {
        crate::exchange::digest(&self.signature)
    }
}

/// Makes detached signatures over bodies.
#[derive(Debug, Clone)]
pub struct DetachedSigner {
    key: SigningKey,
    alg: JwsAlg,
    unencoded: bool,
    provider: Provider,
}

impl DetachedSigner {
    /// A signer with the key's default algorithm, base64url payload encoding.
    #[must_use]
    pub fn new(key: &SigningKey) -> Self {
        DetachedSigner {
            key: key.clone(),
            alg: key.alg(),
            unencoded: false,
            provider: Provider::default(),
        }
    }

    /// Signs with `alg` instead of the key's default.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn with_alg(mut self, alg: JwsAlg) -> Result<Self> {
        self.key.check_alg(alg)?;
        self.alg = alg;
        Ok(self)
    }

    /// Signs the body bytes as they are (`b64: false`, listed in `crit`).
    #[must_use]
    pub fn unencoded(mut self) -> Self {
        self.unencoded = true;
        self
    }

    /// Signs `body` for `exchange`. The token goes in the [`SIGNATURE_HEADER`] header; its
    /// digest is what a response binds.
    ///
    /// # Errors
    /// From the JWS layer.
    pub fn sign(&self, body: &[u8], exchange: &Exchange) -> Result<DetachedSignature> {
        let (claims, jti) = exchange.claims(&self.provider)?;
        let mut signer = Signer::new(&self.key)
            .with_alg(self.alg)?
            .with_headers(claims)?;
        if self.unencoded {
            signer = signer.unencoded();
        }
        let (token, signature) = signer.compact_signed(body, true)?;
        Ok(DetachedSignature {
            token,
            jti,
            signature,
        })
    }
}

/// Verifies detached signatures against the body received.
#[derive(Debug, Clone)]
pub struct DetachedVerifier {
    signers: Signers,
    policy: JwsPolicy,
    exchange: ExchangePolicy,
}

/// A detached signature that verified over the body received: who signed, and what a
/// response binds. (The body is the caller's, as received.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// Who signed, with the verified header.
    pub signer: SignerInfo,
    /// The message's `iat` and `jti`.
    pub stamp: Stamp,
    /// Base64url SHA-256 of the signature's octets: what a response binds.
    pub digest: String,
}

impl VerifiedSignature {
    /// What a response with `status` to this (request) message is bound to.
    ///
    /// # Errors
    /// [`Rejected::Missing`]`("jti")` when the message had no `jti`.
    pub fn response(&self, status: u16) -> Result<ResponseBinding> {
        let jti = self.stamp.jti.clone().ok_or(Rejected::Missing("jti"))?;
        Ok(ResponseBinding::new(jti, self.digest.clone(), status))
    }
}

impl DetachedVerifier {
    /// A verifier trusting `signers` under `policy`, with the default [`ExchangePolicy`].
    #[must_use]
    pub fn new(signers: VerifyingKeys, policy: JwsPolicy) -> Self {
        DetachedVerifier {
            signers: Signers::Fixed(std::sync::Arc::new(signers)),
            policy,
            exchange: ExchangePolicy::default(),
        }
    }

    /// Reads the trusted signer keys from `source` for each signature (a remote JWK Set).
    #[must_use]
    pub fn with_signer_source(mut self, source: std::sync::Arc<dyn KeySource>) -> Self {
        self.signers = Signers::Source(source);
        self
    }

    /// Checks the exchange with `policy` instead of the default.
    #[must_use]
    pub fn with_exchange_policy(mut self, policy: ExchangePolicy) -> Self {
        self.exchange = policy;
        self
    }

    /// Verifies the compact detached JWS `signature` over exactly `body` as received in
    /// `exchange`.
    ///
    /// # Errors
    /// [`Rejected::Serialization`] for a JSON serialization; [`Rejected::PayloadPresence`]
    /// when the token carries a payload; [`Error::InvalidSignature`] for a changed body;
    /// the exchange errors of [`crate::seal::Opener::open`].
    pub fn verify(
        &self,
        signature: &str,
        body: &[u8],
        exchange: &Exchange,
    ) -> Result<VerifiedSignature> {
        let parsed = jws::parse_compact(signature.trim(), &self.policy.limits)?;
        if parsed.serialization() != Serialization::Compact {
            return Err(Rejected::Serialization.into());
        }
        let verified = parsed.verify_detached(&self.signers.current(), &self.policy, body)?;
        let signer = verified
            .signer()
            .cloned()
            .ok_or(Error::Unreachable("a verified JWS has a signer"))?;
        let stamp = exchange.check(signer.protected(), &signer.thumbprint, &self.exchange)?;
        let digest = crate::exchange::digest(signer.signature());
        Ok(VerifiedSignature {
            signer,
            stamp,
            digest,
        })
    }
}
