//! Prepared keys for JWE: [`EncryptionKey`] (a recipient's public key, or a shared secret)
//! and [`DecryptionKey`] (a private key, a shared secret or a password), and the caller's
//! [`DecryptionKeys`].

use super::{KeyShape, Meta};
use crate::alg::{JweAlg, JweEnc, KeyAlg};
use crate::crypto::{PreparedDecryptionKey, PreparedEncryptionKey, Provider};
use crate::error::{KeyError, Rejected, Result};
use crate::jwk::{Jwk, KeyOp, KeyParams, Secret};
use std::sync::Arc;

/// What a JWE key holds once prepared.
#[derive(Clone)]
pub(crate) enum Material {
    /// RSA or ECDH key, prepared in the backend.
    Asymmetric(Arc<dyn PreparedEncryptionKey>),
    /// RSA or ECDH private key, prepared in the backend.
    AsymmetricPrivate(Arc<dyn PreparedDecryptionKey>),
    /// A shared secret (`dir`, AES-KW, AES-GCMKW) or a PBES2 password.
    Secret(Arc<Secret>),
}

impl Meta {
    /// `use`, `key_ops` and `alg` permit key management with `alg` (and `enc`).
    fn permits_jwe(&self, alg: JweAlg, enc: Option<JweEnc>, decrypt: bool) -> Result<()> {
        let ops: &[KeyOp] = if decrypt {
            &[
                KeyOp::Decrypt,
                KeyOp::UnwrapKey,
                KeyOp::DeriveKey,
                KeyOp::DeriveBits,
            ]
        } else {
            &[
                KeyOp::Encrypt,
                KeyOp::WrapKey,
                KeyOp::DeriveKey,
                KeyOp::DeriveBits,
            ]
        };
        if !ops.iter().any(|op| self.permits(op).is_ok()) {
            return Err(Rejected::KeyMismatch(
                "the key's `use` or `key_ops` forbid key management",
            )
            .into());
        }
        match &self.alg {
            None => {}
            Some(KeyAlg::Jwe(a)) if *a == alg => {}
            // A `dir` key may name the content encryption it is for (RFC 7518 section 4.5).
            Some(KeyAlg::Enc(e)) if alg == JweAlg::Dir && enc.is_none_or(|x| x == *e) => {}
            Some(_) => {
                return Err(Rejected::KeyMismatch("the key's `alg` names another algorithm").into())
            }
        }
        self.shape.fits_jwe(alg, enc)
    }
}

fn usable_for_jwe(meta: &Meta) -> Result<()> {
    if matches!(meta.alg, Some(KeyAlg::Jws(_)) | Some(KeyAlg::Other(_))) {
        return Err(Rejected::KeyMismatch("the key's `alg` is not a JWE algorithm").into());
    }
    if !meta.shape.does_key_management() {
        return Err(Rejected::KeyMismatch("this curve does no key management").into());
    }
    Ok(())
}

/// A key to encrypt to: a recipient's public key (RSA, EC, X25519) or a shared secret.
#[derive(Clone)]
pub struct EncryptionKey {
    pub(crate) material: Material,
    meta: Meta,
}

impl core::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.meta.fmt_handle("EncryptionKey", f)
    }
}

impl EncryptionKey {
    /// Prepares a JWK to encrypt to (the public part of an asymmetric key, or an `oct`
    /// secret) with the default provider.
    ///
    /// # Errors
    /// [`KeyError`] for invalid material; [`Rejected::KeyMismatch`] when `use`, `key_ops`
    /// or `alg` forbid encryption.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        Self::from_jwk_with(jwk, &Provider::default())
    }

    /// As [`EncryptionKey::from_jwk`] with `provider`.
    ///
    /// # Errors
    /// As [`EncryptionKey::from_jwk`].
    pub fn from_jwk_with(jwk: &Jwk, provider: &Provider) -> Result<Self> {
        let meta = Meta::of(jwk);
        usable_for_jwe(&meta)?;
        let material = match &jwk.params {
            KeyParams::Oct { k } => {
                Material::Secret(Arc::new(Secret::from_slice(k.expose_secret())))
            }
            _ => Material::Asymmetric(provider.keys.encryption_key(&jwk.public_material().get())?),
        };
        let ops = [
            KeyOp::Encrypt,
            KeyOp::WrapKey,
            KeyOp::DeriveKey,
            KeyOp::DeriveBits,
        ];
        if !ops.iter().any(|op| meta.permits(op).is_ok()) {
            return Err(
                Rejected::KeyMismatch("the key's `use` or `key_ops` forbid encryption").into(),
            );
        }
        let key = EncryptionKey { material, meta };
        Ok(key)
    }

    /// A PBES2 password.
    #[must_use]
    pub fn from_password(password: &[u8]) -> Self {
        EncryptionKey {
            material: Material::Secret(Arc::new(Secret::from_slice(password))),
            meta: Meta::password(password.len()),
        }
    }

    /// The key-management algorithm used when none is named: the key's `alg`, else
    /// RSA-OAEP-256 for RSA, ECDH-ES+A256KW for EC and X25519, A256KW for a 32-byte
    /// secret (AxxxKW by length otherwise).
    #[must_use]
    pub fn default_alg(&self) -> Option<JweAlg> {
        if let Some(KeyAlg::Jwe(a)) = &self.meta.alg {
            return Some(*a);
        }
        if let Some(KeyAlg::Enc(_)) = &self.meta.alg {
            return Some(JweAlg::Dir);
        }
        self.meta.shape.default_jwe_alg()
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// Base64url SHA-256 JWK thumbprint (empty for passwords).
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.meta.thumbprint
    }

    /// The key type.
    #[must_use]
    pub fn shape(&self) -> KeyShape {
        self.meta.shape
    }

    pub(crate) fn meta_shape(&self) -> KeyShape {
        self.meta.shape
    }

    /// Checks that `alg` (with `enc`) may be used with this key.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn check_alg(&self, alg: JweAlg, enc: JweEnc) -> Result<()> {
        self.meta.permits_jwe(alg, Some(enc), false)
    }

    /// As [`EncryptionKey::check_alg`], `enc` absent for HPKE integrated encryption.
    pub(crate) fn check_alg_opt(&self, alg: JweAlg, enc: Option<JweEnc>) -> Result<()> {
        self.meta.permits_jwe(alg, enc, false)
    }
}

/// A key to decrypt with: a private key (RSA, EC, X25519), a shared secret or a password.
#[derive(Clone)]
pub struct DecryptionKey {
    pub(crate) material: Material,
    meta: Meta,
}

impl core::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.meta.fmt_handle("DecryptionKey", f)
    }
}

impl DecryptionKey {
    /// Prepares a private JWK (or `oct` secret) for decryption with the default provider.
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`], [`KeyError::Invalid`]; [`Rejected::KeyMismatch`] when
    /// `use`, `key_ops` or `alg` forbid decryption.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        Self::from_jwk_with(jwk, &Provider::default())
    }

    /// As [`DecryptionKey::from_jwk`] with `provider`.
    ///
    /// # Errors
    /// As [`DecryptionKey::from_jwk`].
    pub fn from_jwk_with(jwk: &Jwk, provider: &Provider) -> Result<Self> {
        if !jwk.is_private() {
            return Err(KeyError::NotPrivate.into());
        }
        let meta = Meta::of(jwk);
        usable_for_jwe(&meta)?;
        let ops = [
            KeyOp::Decrypt,
            KeyOp::UnwrapKey,
            KeyOp::DeriveKey,
            KeyOp::DeriveBits,
        ];
        if !ops.iter().any(|op| meta.permits(op).is_ok()) {
            return Err(
                Rejected::KeyMismatch("the key's `use` or `key_ops` forbid decryption").into(),
            );
        }
        let material = match &jwk.params {
            KeyParams::Oct { k } => {
                Material::Secret(Arc::new(Secret::from_slice(k.expose_secret())))
            }
            _ => Material::AsymmetricPrivate(
                jwk.with_private_material(|m| provider.keys.decryption_key(m))?,
            ),
        };
        Ok(DecryptionKey { material, meta })
    }

    /// A PBES2 password.
    #[must_use]
    pub fn from_password(password: &[u8]) -> Self {
        DecryptionKey {
            material: Material::Secret(Arc::new(Secret::from_slice(password))),
            meta: Meta::password(password.len()),
        }
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// Base64url SHA-256 JWK thumbprint (empty for passwords).
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.meta.thumbprint
    }

    /// Checks that `alg` (with `enc`) may be used with this key.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn check_alg(&self, alg: JweAlg, enc: JweEnc) -> Result<()> {
        self.meta.permits_jwe(alg, Some(enc), true)
    }

    /// As [`DecryptionKey::check_alg`], `enc` absent for HPKE integrated encryption.
    pub(crate) fn check_alg_opt(&self, alg: JweAlg, enc: Option<JweEnc>) -> Result<()> {
        self.meta.permits_jwe(alg, enc, true)
    }
}

/// The caller's decryption keys.
#[derive(Debug, Clone, Default)]
pub struct DecryptionKeys {
    keys: Vec<DecryptionKey>,
}

impl DecryptionKeys {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of one key.
    #[must_use]
    pub fn single(key: DecryptionKey) -> Self {
        DecryptionKeys { keys: vec![key] }
    }

    /// Adds a key.
    pub fn push(&mut self, key: DecryptionKey) {
        self.keys.push(key);
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &[DecryptionKey] {
        &self.keys
    }

    /// The keys that may decrypt a recipient with `alg`/`enc` naming `kid`, by the same
    /// `kid` rule as [`VerifyingKeys::candidates`](super::VerifyingKeys::candidates).
    ///
    /// # Errors
    /// [`Rejected::KeyNotFound`] or [`Rejected::KeyMismatch`].
    pub fn candidates(
        &self,
        kid: Option<&str>,
        alg: JweAlg,
        enc: JweEnc,
    ) -> Result<Vec<&DecryptionKey>> {
        self.candidates_opt(kid, alg, Some(enc))
    }

    /// As [`DecryptionKeys::candidates`], `enc` absent for HPKE integrated encryption.
    pub(crate) fn candidates_opt(
        &self,
        kid: Option<&str>,
        alg: JweAlg,
        enc: Option<JweEnc>,
    ) -> Result<Vec<&DecryptionKey>> {
        let mut refusal = None;
        let mut out = Vec::new();
        for k in super::kid::select(&self.keys, kid, DecryptionKey::kid) {
            match k.check_alg_opt(alg, enc) {
                Ok(()) => out.push(k),
                Err(e) => refusal = Some(e),
            }
        }
        if out.is_empty() {
            return Err(refusal.unwrap_or_else(|| Rejected::KeyNotFound.into()));
        }
        Ok(out)
    }
}

impl From<DecryptionKey> for DecryptionKeys {
    fn from(key: DecryptionKey) -> Self {
        DecryptionKeys::single(key)
    }
}
