//! Prepared key handles: [`SigningKey`], [`VerifyingKey`] and the caller's trusted
//! [`VerifyingKeys`].
//!
//! A handle is made once from a [`Jwk`] (or PEM): the key is loaded into the crypto
//! backend, checked (curve, size, private part matching the public part) and shared
//! through an `Arc`, so signing and verifying never re-parse it. A handle remembers the
//! key's `kid`, `alg`, `use` and `key_ops`, and refuses operations they do not permit.
//!
//! Trust: a [`VerifyingKeys`] contains only keys the *caller* supplied. A `kid` in a token selects
//! among them; a `jwk`, `jku`, `x5u` or `x5c` inside a token never adds a key.

use crate::alg::{EcCurve, HashAlg, JwsAlg, JwsFamily, KeyAlg, MlDsa, OkpCurve};
use crate::crypto::{PreparedSigningKey, PreparedVerifyingKey, Provider};
use crate::error::{Error, KeyError, Rejected, Result};
use crate::jwk::{Jwk, JwkSet, KeyOp, KeyParams, KeyUse};
use std::sync::Arc;

mod fit;
mod jwe;
pub(crate) mod kid;
pub(crate) use jwe::Material;
pub use jwe::{DecryptionKey, DecryptionKeys, EncryptionKey};

/// What kind of key a handle holds, enough to decide which algorithms fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyShape {
    /// `oct` with this many bytes.
    Oct(usize),
    /// `RSA` with this many modulus bits.
    Rsa(usize),
    /// `EC` on this curve.
    Ec(EcCurve),
    /// `OKP` on this curve.
    Okp(OkpCurve),
    /// `AKP` of this ML-DSA parameter set.
    MlDsa(MlDsa),
}

/// The metadata every handle carries.
#[derive(Debug, Clone)]
struct Meta {
    kid: Option<String>,
    alg: Option<KeyAlg>,
    key_use: Option<KeyUse>,
    key_ops: Option<Vec<KeyOp>>,
    shape: KeyShape,
    thumbprint: String,
}

impl Meta {
    /// Metadata of a PBES2 password: no kid, no thumbprint.
    fn password(len: usize) -> Self {
        Meta {
            kid: None,
            alg: None,
            key_use: None,
            key_ops: None,
            shape: KeyShape::Oct(len),
            thumbprint: String::new(),
        }
    }

    fn of(jwk: &Jwk) -> Self {
        Meta {
            kid: jwk.kid.clone(),
            alg: jwk.alg.clone(),
            key_use: jwk.key_use.clone(),
            key_ops: jwk.key_ops.clone(),
            shape: KeyShape::of(jwk),
            thumbprint: jwk.thumbprint_b64(HashAlg::Sha256),
        }
    }

    /// The `Debug` form every key handle shares: type, `alg` and `kid`, never material.
    fn fmt_handle(&self, name: &str, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct(name)
            .field("shape", &self.shape)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }

    /// `use` and `key_ops` (RFC 7517 sections 4.2, 4.3) permit `op`.
    fn permits(&self, op: &KeyOp) -> Result<()> {
        let use_ok = match (&self.key_use, op.use_class()) {
            (None, _) => true,
            (Some(u), Some(class)) => *u == class,
            (Some(_), None) => false,
        };
        if !use_ok {
            return Err(Rejected::KeyMismatch("the key's `use` forbids this operation").into());
        }
        if let Some(ops) = &self.key_ops {
            if !ops.contains(op) {
                return Err(
                    Rejected::KeyMismatch("the key's `key_ops` forbids this operation").into(),
                );
            }
        }
        Ok(())
    }

    /// The key's `alg` (if any) permits `alg`, and `alg` fits the key type.
    fn permits_alg(&self, alg: JwsAlg) -> Result<()> {
        match &self.alg {
            None => {}
            // RFC 9864: `Ed25519` is the fully-specified name of what `EdDSA` does with an
            // Ed25519 key; a key pinned to one may be used with the other.
            Some(KeyAlg::Jws(JwsAlg::EdDsa | JwsAlg::Ed25519))
                if alg.family() == JwsFamily::Ed25519 => {}
            Some(KeyAlg::Jws(pinned)) if *pinned == alg => {}
            Some(_) => {
                return Err(Rejected::KeyMismatch("the key's `alg` names another algorithm").into())
            }
        }
        self.shape.fits(alg)
    }
}

/// A private (or secret) key prepared for signing. Cloning shares the prepared key.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<dyn PreparedSigningKey>,
    meta: Meta,
    alg: JwsAlg,
    public: Option<Arc<Jwk>>,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("shape", &self.meta.shape)
            .field("alg", &self.alg)
            .field("kid", &self.meta.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Prepares a private JWK for signing with the default provider.
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`]; [`KeyError::Invalid`] when the private part does not
    /// match the public part; [`Rejected::KeyMismatch`] when `use`, `key_ops` or `alg`
    /// forbid signing.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        Self::from_jwk_with(jwk, &Provider::default())
    }

    /// Prepares a private JWK for signing with `provider`.
    ///
    /// # Errors
    /// As [`SigningKey::from_jwk`].
    pub fn from_jwk_with(jwk: &Jwk, provider: &Provider) -> Result<Self> {
        if !jwk.is_private() {
            return Err(KeyError::NotPrivate.into());
        }
        let meta = Meta::of(jwk);
        meta.permits(&KeyOp::Sign)?;
        let alg = match &meta.alg {
            Some(KeyAlg::Jws(a)) => *a,
            Some(_) => {
                return Err(
                    Rejected::KeyMismatch("the key's `alg` is not a signature algorithm").into(),
                )
            }
            None => meta
                .shape
                .default_jws_alg()
                .ok_or(Rejected::KeyMismatch("this key type cannot sign"))?,
        };
        meta.permits_alg(alg)?;
        let inner = jwk.with_private_material(|m| provider.keys.signing_key(m))?;
        let public = jwk.to_public().ok().map(Arc::new);
        Ok(SigningKey {
            inner,
            meta,
            alg,
            public,
        })
    }

    /// Reads a private key from PEM and prepares it.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`] and [`SigningKey::from_jwk`].
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_jwk(&Jwk::from_pem(pem)?)
    }

    /// Prepares an HMAC secret (for HS256/384/512) with the default provider.
    ///
    /// # Errors
    /// As [`SigningKey::from_jwk`].
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        let jwk = Jwk::new(KeyParams::Oct {
            k: crate::jwk::Secret::from_slice(secret),
        });
        Self::from_jwk(&jwk)
    }

    /// The algorithm used when the caller names none: the key's `alg`, else the default
    /// for its type.
    #[must_use]
    pub fn alg(&self) -> JwsAlg {
        self.alg
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The key type.
    #[must_use]
    pub fn shape(&self) -> KeyShape {
        self.meta.shape
    }

    /// The base64url SHA-256 JWK thumbprint (RFC 7638) of the key.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.meta.thumbprint
    }

    /// The public JWK, if the key type has one.
    #[must_use]
    pub fn public_jwk(&self) -> Option<&Jwk> {
        self.public.as_deref()
    }

    /// Checks that `alg` may be used with this key.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn check_alg(&self, alg: JwsAlg) -> Result<()> {
        self.meta.permits_alg(alg)
    }

    /// Signs raw bytes with `alg`: the primitive, with the key checks but no JOSE framing
    /// (used to check signing inputs of published examples).
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`] when `alg` does not fit the key.
    pub fn sign_raw(&self, alg: JwsAlg, msg: &[u8]) -> Result<Vec<u8>> {
        self.check_alg(alg)?;
        let mut out = Vec::new();
        self.inner.sign(alg, msg, &mut out)?;
        Ok(out)
    }

    /// Signs `msg` with `alg`, appending the signature to `out`. The caller has already
    /// checked `alg` with [`SigningKey::check_alg`].
    pub(crate) fn sign_into(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.inner.sign(alg, msg, out)
    }

    /// Starts signing a message given in pieces (the caller checked `alg`).
    pub(crate) fn start(&self, alg: JwsAlg) -> Result<Box<dyn crate::crypto::SignStream + '_>> {
        self.inner.start(alg)
    }
}

/// A public key (or HMAC secret) prepared for verification. Cloning shares the prepared
/// key.
#[derive(Clone)]
pub struct VerifyingKey {
    inner: Arc<dyn PreparedVerifyingKey>,
    meta: Meta,
}

impl core::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.meta.fmt_handle("VerifyingKey", f)
    }
}

impl VerifyingKey {
    /// Prepares a JWK for verification with the default provider: the public part of an
    /// asymmetric key (a private JWK is accepted and its private members ignored), or an
    /// `oct` secret.
    ///
    /// # Errors
    /// [`KeyError::Invalid`] (for example a point not on the curve);
    /// [`Rejected::KeyMismatch`] when `use` or `key_ops` forbid verification.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        Self::from_jwk_with(jwk, &Provider::default())
    }

    /// Prepares a JWK for verification with `provider`.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_jwk`].
    pub fn from_jwk_with(jwk: &Jwk, provider: &Provider) -> Result<Self> {
        let meta = Meta::of(jwk);
        meta.permits(&KeyOp::Verify)?;
        if matches!(meta.alg, Some(KeyAlg::Jwe(_) | KeyAlg::Enc(_))) {
            return Err(Rejected::KeyMismatch("the key's `alg` is an encryption algorithm").into());
        }
        let material = jwk.public_material();
        let inner = provider.keys.verifying_key(&material.get())?;
        Ok(VerifyingKey { inner, meta })
    }

    /// Reads a public key (PEM: SPKI, PKCS#1, X.509 certificate, or a private key whose
    /// public part is used) and prepares it.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`] and [`VerifyingKey::from_jwk`].
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_jwk(&Jwk::from_pem(pem)?)
    }

    /// Prepares an HMAC secret.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_jwk`].
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        Self::from_jwk(&Jwk::new(KeyParams::Oct {
            k: crate::jwk::Secret::from_slice(secret),
        }))
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The key type.
    #[must_use]
    pub fn shape(&self) -> KeyShape {
        self.meta.shape
    }

    /// The base64url SHA-256 JWK thumbprint (RFC 7638) of the key.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.meta.thumbprint
    }

    /// Checks that `alg` may be used with this key (type, `alg` pin).
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn check_alg(&self, alg: JwsAlg) -> Result<()> {
        self.meta.permits_alg(alg)
    }

    /// Verifies a raw signature over `msg`: the primitive, with the same key checks as a
    /// JWS verification but no JOSE framing. Used by the primitive conformance tests.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`] or [`Error::InvalidSignature`].
    pub fn verify_raw(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        self.check_alg(alg)?;
        self.inner.verify(alg, msg, sig)
    }
}

/// Where trusted signer keys come from when they change while a verifier runs: a remote
/// JWK Set, say (the `bodyseal-wire` crate has one). A key is trusted because the
/// source holds it, never because a token names it.
pub trait KeySource: Send + Sync + core::fmt::Debug {
    /// The keys trusted now (an empty set refuses every token: fail closed).
    fn current(&self) -> Arc<VerifyingKeys>;
}

/// A verifier's trusted signer keys: fixed, or read from a [`KeySource`] for each token.
#[derive(Debug, Clone)]
pub(crate) enum Signers {
    Fixed(Arc<VerifyingKeys>),
    Source(Arc<dyn KeySource>),
}

impl Signers {
    pub(crate) fn current(&self) -> Arc<VerifyingKeys> {
        match self {
            Signers::Fixed(k) => k.clone(),
            Signers::Source(s) => s.current(),
        }
    }
}

/// The former name of [`VerifyingKeys`] (it holds keys that verify, beside
/// [`DecryptionKeys`]).
#[deprecated(note = "renamed `VerifyingKeys`")]
pub type KeySet = VerifyingKeys;

/// The caller's trusted verification keys.
#[derive(Debug, Clone, Default)]
pub struct VerifyingKeys {
    keys: Vec<VerifyingKey>,
}

impl VerifyingKeys {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key.
    ///
    /// # Errors
    /// [`KeyError::DuplicateKid`] when another key of the same type already has the same
    /// `kid` (RFC 7517 section 4.5 allows a shared `kid` only for keys of different `kty`).
    pub fn push(&mut self, key: VerifyingKey) -> Result<()> {
        let same_type =
            |a: KeyShape, b: KeyShape| core::mem::discriminant(&a) == core::mem::discriminant(&b);
        if key.kid().is_some()
            && self
                .keys
                .iter()
                .any(|k| k.kid() == key.kid() && same_type(k.shape(), key.shape()))
        {
            return Err(KeyError::DuplicateKid.into());
        }
        self.keys.push(key);
        Ok(())
    }

    /// A set of one key.
    #[must_use]
    pub fn single(key: VerifyingKey) -> Self {
        VerifyingKeys { keys: vec![key] }
    }

    /// Prepares every key of a JWK Set for verification. Keys whose `use` or `key_ops`
    /// forbid verification, or whose `alg` names an encryption algorithm, are left out;
    /// any other problem refuses the whole set.
    ///
    /// # Errors
    /// [`KeyError`] for invalid keys or duplicate `kid`s.
    pub fn from_jwk_set(set: &JwkSet) -> Result<Self> {
        let mut out = VerifyingKeys::new();
        for jwk in &set.keys {
            match VerifyingKey::from_jwk(jwk) {
                Ok(k) => out.push(k)?,
                Err(Error::Rejected(Rejected::KeyMismatch(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys that may verify a signature made with `alg` and naming `kid`:
    ///
    /// * with a `kid`: the trusted keys with that `kid`; if none has it, the trusted keys
    ///   that have no `kid` at all (a key with a different `kid` is never tried);
    /// * without a `kid`: every trusted key;
    ///
    /// then only those whose type, `alg`, `use` and `key_ops` permit verifying with `alg`.
    ///
    /// # Errors
    /// [`Rejected::KeyNotFound`] when no key is selected by `kid`;
    /// [`Rejected::KeyMismatch`] when keys were selected but none permits `alg`.
    pub fn candidates(&self, kid: Option<&str>, alg: JwsAlg) -> Result<Vec<&VerifyingKey>> {
        let by_kid: Vec<&VerifyingKey> = kid::select(&self.keys, kid, VerifyingKey::kid).collect();
        if by_kid.is_empty() {
            return Err(Rejected::KeyNotFound.into());
        }
        let mut last = None;
        let mut fit = Vec::with_capacity(by_kid.len());
        for k in by_kid {
            match k
                .meta
                .permits(&KeyOp::Verify)
                .and_then(|()| k.check_alg(alg))
            {
                Ok(()) => fit.push(k),
                Err(e) => last = Some(e),
            }
        }
        match (fit.is_empty(), last) {
            (true, Some(e)) => Err(e),
            (true, None) => Err(Rejected::KeyNotFound.into()),
            (false, _) => Ok(fit),
        }
    }

    /// Verifies `sig` over `msg` with the first selected key (as in
    /// [`VerifyingKeys::candidates`]) that permits `alg` and accepts the signature. Allocates
    /// nothing.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] when keys were tried and none verified; otherwise the
    /// errors of [`VerifyingKeys::candidates`].
    pub fn verify_signature(
        &self,
        kid: Option<&str>,
        alg: JwsAlg,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<&VerifyingKey> {
        let mut tried = false;
        let mut refusal = None;
        for k in kid::select(&self.keys, kid, VerifyingKey::kid) {
            if let Err(e) = k
                .meta
                .permits(&KeyOp::Verify)
                .and_then(|()| k.check_alg(alg))
            {
                refusal = Some(e);
                continue;
            }
            tried = true;
            if k.inner.verify(alg, msg, sig).is_ok() {
                return Ok(k);
            }
        }
        Err(match (tried, refusal) {
            (true, _) => Error::InvalidSignature,
            (false, Some(e)) => e,
            (false, None) => Rejected::KeyNotFound.into(),
        })
    }
}

impl VerifyingKey {
    /// Starts verifying a message given in pieces (the caller selected the key with
    /// [`VerifyingKeys::candidates`]).
    pub(crate) fn start(&self, alg: JwsAlg) -> Result<Box<dyn crate::crypto::VerifyStream + '_>> {
        self.inner.start(alg)
    }
}

impl From<VerifyingKey> for VerifyingKeys {
    fn from(key: VerifyingKey) -> Self {
        VerifyingKeys::single(key)
    }
}
