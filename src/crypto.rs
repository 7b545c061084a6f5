//! The crypto boundary: the only place that talks to a cryptographic backend.
//!
//! Modeled on rustls's `CryptoProvider`: a [`Provider`] is a bundle of `&'static dyn`
//! trait objects. bodyseal ships one backend, [`aws_lc`], over `aws-lc-rs`, and
//! [`Provider::default`] returns it; everything that takes a `&Provider` keeps a second
//! backend (or a fuzzing provider) possible. No other module names `aws_lc_rs`.
//!
//! Key material crosses the boundary as plain big-endian byte strings
//! ([`PublicKeyMaterial`], [`PrivateKeyMaterial`]) and comes back as prepared, opaque
//! handles ([`PreparedSigningKey`], [`PreparedVerifyingKey`]) that are parsed once and
//! reused for every operation. Backend failures are mapped to [`Error::InvalidSignature`]
//! or [`KeyError`] and never pass backend detail through.

pub mod aws_lc;

#[cfg(feature = "hpke")]
use crate::alg::HpkeSuite;
pub use crate::alg::KeyKind;
use crate::alg::{EcCurve, HashAlg, JweAlg, JweEnc, JwsAlg, MlDsa, OkpCurve};
use crate::error::{Error, Result};
use core::fmt::Debug;
use std::sync::Arc;
use zeroize::Zeroizing;

#[allow(unused_imports)]
use crate::error::KeyError;

/// A bundle of backend implementations.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Provider {
    /// Loads and generates keys.
    pub keys: &'static dyn KeyProvider,
    /// Hash functions (thumbprints, digests).
    pub hash: &'static dyn Hasher,
    /// The secure random source.
    pub random: &'static dyn SecureRandom,
    /// The JWS algorithms this provider implements.
    pub jws_algs: &'static [JwsAlg],
    /// JWE content encryption, key wrapping and key derivation.
    pub jwe: &'static dyn JweCrypto,
}

impl Default for Provider {
    fn default() -> Self {
        aws_lc::PROVIDER
    }
}

impl Provider {
    /// True when the provider implements `alg`.
    #[must_use]
    pub fn supports(&self, alg: JwsAlg) -> bool {
        self.jws_algs.contains(&alg)
    }
}

/// Public key material, as big-endian byte strings.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum PublicKeyMaterial<'a> {
    /// An EC public key: the uncompressed SEC1 point `0x04 || x || y`.
    Ec {
        /// The curve.
        curve: EcCurve,
        /// `0x04 || x || y`.
        point: &'a [u8],
    },
    /// An OKP public key.
    Okp {
        /// The curve.
        curve: OkpCurve,
        /// The public key bytes.
        x: &'a [u8],
    },
    /// An RSA public key.
    Rsa {
        /// Modulus.
        n: &'a [u8],
        /// Public exponent.
        e: &'a [u8],
    },
    /// A symmetric key (MAC verification needs the secret).
    Oct {
        /// The secret.
        k: &'a [u8],
    },
    /// An ML-DSA public key (`kty: "AKP"`).
    MlDsa {
        /// The parameter set.
        set: MlDsa,
        /// The public key, FIPS 204 encoding.
        public: &'a [u8],
    },
}

/// Private key material, as big-endian byte strings.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum PrivateKeyMaterial<'a> {
    /// An EC private key with its public point.
    Ec {
        /// The curve.
        curve: EcCurve,
        /// The private scalar, `field_len` bytes.
        d: &'a [u8],
        /// `0x04 || x || y`.
        point: &'a [u8],
    },
    /// An OKP private key with its public key.
    Okp {
        /// The curve.
        curve: OkpCurve,
        /// The private key (Ed25519 seed or X25519 scalar).
        d: &'a [u8],
        /// The public key.
        x: &'a [u8],
    },
    /// An RSA private key with its CRT parameters.
    Rsa {
        /// Modulus.
        n: &'a [u8],
        /// Public exponent.
        e: &'a [u8],
        /// Private exponent.
        d: &'a [u8],
        /// First prime.
        p: &'a [u8],
        /// Second prime.
        q: &'a [u8],
        /// `d mod (p-1)`.
        dp: &'a [u8],
        /// `d mod (q-1)`.
        dq: &'a [u8],
        /// `q^-1 mod p`.
        qi: &'a [u8],
    },
    /// A symmetric key.
    Oct {
        /// The secret.
        k: &'a [u8],
    },
    /// An ML-DSA private key (`kty: "AKP"`) with its public key.
    MlDsa {
        /// The parameter set.
        set: MlDsa,
        /// The 32-byte seed.
        seed: &'a [u8],
        /// The public key, FIPS 204 encoding.
        public: &'a [u8],
    },
}

impl Debug for PrivateKeyMaterial<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PrivateKeyMaterial(..)")
    }
}

/// A freshly generated private key, in the form the backend produces it.
#[non_exhaustive]
pub enum GeneratedKey {
    /// EC: scalar and uncompressed point.
    Ec {
        /// Curve.
        curve: EcCurve,
        /// Private scalar.
        d: Zeroizing<Vec<u8>>,
        /// `0x04 || x || y`.
        point: Vec<u8>,
    },
    /// OKP: private and public key.
    Okp {
        /// Curve.
        curve: OkpCurve,
        /// Private key.
        d: Zeroizing<Vec<u8>>,
        /// Public key.
        x: Vec<u8>,
    },
    /// RSA: a PKCS#8 `PrivateKeyInfo`, DER (decoded by the key-container module).
    RsaPkcs8(Zeroizing<Vec<u8>>),
    /// Symmetric.
    Oct(Zeroizing<Vec<u8>>),
    /// ML-DSA: seed and public key.
    MlDsa {
        /// Parameter set.
        set: MlDsa,
        /// The 32-byte seed.
        seed: Zeroizing<Vec<u8>>,
        /// The public key.
        public: Vec<u8>,
    },
}

impl Debug for GeneratedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("GeneratedKey(..)")
    }
}

/// Loads and generates keys.
pub trait KeyProvider: Send + Sync + Debug {
    /// Prepares a private key for signing. Checks that private and public parts agree.
    ///
    /// # Errors
    /// [`KeyError`] when the material is invalid or inconsistent.
    fn signing_key(&self, key: &PrivateKeyMaterial<'_>) -> Result<Arc<dyn PreparedSigningKey>>;

    /// Prepares a public key (or an HMAC secret) for verification.
    ///
    /// # Errors
    /// [`KeyError`] when the material is invalid (for example a point not on the curve).
    fn verifying_key(&self, key: &PublicKeyMaterial<'_>) -> Result<Arc<dyn PreparedVerifyingKey>>;

    /// Checks a private key against its public part without preparing it for signing
    /// (used for key-agreement keys such as X25519).
    ///
    /// # Errors
    /// [`KeyError`] when the material is invalid or inconsistent.
    fn check_private(&self, key: &PrivateKeyMaterial<'_>) -> Result<()>;

    /// Computes the public part of an EC, OKP or ML-DSA private key: the uncompressed
    /// point for EC, the public key for OKP and ML-DSA (from the seed).
    ///
    /// # Errors
    /// [`KeyError`] when the scalar is invalid.
    fn public_from_private(&self, kind: KeyKind, d: &[u8]) -> Result<Vec<u8>>;

    /// Prepares a private key for JWE key management: RSA decryption (RSA-OAEP,
    /// RSA-OAEP-256, RSA1_5) or static ECDH (EC, X25519).
    ///
    /// # Errors
    /// [`KeyError`] when the material is invalid or inconsistent.
    fn decryption_key(
        &self,
        key: &PrivateKeyMaterial<'_>,
    ) -> Result<Arc<dyn PreparedDecryptionKey>>;

    /// Prepares a public key for JWE key management: RSA encryption or ECDH with a fresh
    /// ephemeral key.
    ///
    /// # Errors
    /// [`KeyError`] when the material is invalid.
    fn encryption_key(&self, key: &PublicKeyMaterial<'_>)
        -> Result<Arc<dyn PreparedEncryptionKey>>;

    /// Generates a new key.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for unsupported sizes; [`Error::Unreachable`] when the
    /// backend fails.
    fn generate(&self, kind: KeyKind) -> Result<GeneratedKey>;
}

/// A private key prepared for signing; parsed once, used many times.
pub trait PreparedSigningKey: Send + Sync + Debug {
    /// Signs `msg` with `alg`, appending the JWS signature bytes (ECDSA as fixed `r || s`)
    /// to `out`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when `alg` does not fit the key.
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()>;

    /// Starts signing a message given in pieces: HMAC, RSA and ECDSA hash as they go
    /// (constant memory); Ed25519 holds the message until [`SignStream::finish`].
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when `alg` does not fit the key.
    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>>;
}

/// A public key (or HMAC secret) prepared for verification.
pub trait PreparedVerifyingKey: Send + Sync + Debug {
    /// Verifies `sig` over `msg` with `alg`.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] for any failure, including an `alg` that does not fit.
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()>;

    /// Starts verifying a message given in pieces (as [`PreparedSigningKey::start`]).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] when `alg` does not fit the key.
    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>>;
}

/// A signature or MAC being computed over a message given in pieces.
pub trait SignStream: Send {
    /// Adds the next piece of the message.
    fn update(&mut self, data: &[u8]);

    /// Signs, appending the JWS signature bytes to `out`.
    ///
    /// # Errors
    /// A backend failure.
    fn finish(self: Box<Self>, out: &mut Vec<u8>) -> Result<()>;
}

/// A signature or MAC being checked over a message given in pieces.
pub trait VerifyStream: Send {
    /// Adds the next piece of the message.
    fn update(&mut self, data: &[u8]);

    /// Checks `sig` over everything added.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`].
    fn finish(self: Box<Self>, sig: &[u8]) -> Result<()>;
}

/// AES-CBC-HMAC-SHA2 content encryption over data given in pieces (RFC 7518 section
/// 5.2), encrypting or decrypting.
pub trait ContentStream: Send {
    /// Encrypts or decrypts the next piece, appending the output to `out`.
    ///
    /// # Errors
    /// A backend failure ([`Error::DecryptionFailed`] when decrypting).
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()>;

    /// Ends the stream, appending the last block to `out`. Encrypting: returns the tag
    /// (`tag` is ignored). Decrypting: checks `tag` in constant time and returns it; on
    /// any failure the caller must discard everything the stream produced.
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`] for a wrong tag or padding, without saying which.
    fn finish(self: Box<Self>, tag: &[u8], out: &mut Vec<u8>) -> Result<Vec<u8>>;
}

/// What JWE key management asks of a recipient's public key. Every family is one
/// encapsulation: RSA encrypts the CEK, ECDH-ES agrees on a secret with a fresh ephemeral
/// key, HPKE seals. A new key-management family is a new variant here; a key that does
/// not do it refuses it in [`PreparedEncryptionKey::encapsulate`]'s catch-all arm, so no
/// implementer gains a stub.
#[non_exhaustive]
pub enum Encapsulate<'a> {
    /// RSA-OAEP or RSA-OAEP-256 (`alg`): encrypt the CEK.
    RsaKey {
        /// The key-management algorithm.
        alg: JweAlg,
        /// The content-encryption key.
        cek: &'a [u8],
    },
    /// ECDH-ES: a fresh ephemeral key pair and the shared secret Z.
    Ecdh,
    /// HPKE base mode, single-shot Seal (RFC 9180 section 6.1) with `suite`, whose KEM
    /// must be the key's curve: `data` is encrypted in place (the tag appended).
    #[cfg(feature = "hpke")]
    Hpke {
        /// The ciphersuite.
        suite: HpkeSuite,
        /// HPKE `info`.
        info: &'a [u8],
        /// HPKE `aad`.
        aad: &'a [u8],
        /// The plaintext, replaced by the ciphertext.
        data: &'a mut Vec<u8>,
    },
}

/// What an encapsulation produced.
#[non_exhaustive]
pub enum Encapsulated {
    /// RSA: the encrypted CEK.
    EncryptedKey(Vec<u8>),
    /// ECDH-ES: the ephemeral public key (an uncompressed point for EC, the raw key for
    /// X25519) and the shared secret Z.
    Ecdh {
        /// The ephemeral public key.
        ephemeral: Vec<u8>,
        /// Z.
        z: Zeroizing<Vec<u8>>,
    },
    /// HPKE: the encapsulated key `enc` (the data was sealed in place).
    Hpke(Vec<u8>),
}

/// What JWE key management asks of a private key: the inverse of [`Encapsulate`].
#[non_exhaustive]
pub enum Decapsulate<'a> {
    /// RSA-OAEP, RSA-OAEP-256 or RSA1_5 (`alg`): decrypt the CEK.
    RsaKey {
        /// The key-management algorithm.
        alg: JweAlg,
        /// The JWE Encrypted Key.
        encrypted_key: &'a [u8],
    },
    /// ECDH-ES with the sender's ephemeral key, which must be on this key's curve
    /// (invalid-curve attacks); an all-zero X25519 result is refused.
    Ecdh {
        /// The ephemeral public key.
        peer: &'a PublicKeyMaterial<'a>,
    },
    /// HPKE base mode, single-shot Open (RFC 9180 section 6.1): `data` (ciphertext and
    /// tag) is decrypted in place, and wiped on failure.
    #[cfg(feature = "hpke")]
    Hpke {
        /// The ciphersuite.
        suite: HpkeSuite,
        /// The encapsulated key.
        enc: &'a [u8],
        /// HPKE `info`.
        info: &'a [u8],
        /// HPKE `aad`.
        aad: &'a [u8],
        /// The ciphertext, replaced by the plaintext.
        data: &'a mut Vec<u8>,
    },
}

impl Debug for Encapsulate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Encapsulate::RsaKey { .. } => "Encapsulate::RsaKey(..)",
            Encapsulate::Ecdh => "Encapsulate::Ecdh",
            #[cfg(feature = "hpke")]
            Encapsulate::Hpke { .. } => "Encapsulate::Hpke(..)",
        })
    }
}

impl Debug for Encapsulated {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Encapsulated::EncryptedKey(_) => "Encapsulated::EncryptedKey(..)",
            Encapsulated::Ecdh { .. } => "Encapsulated::Ecdh(..)",
            Encapsulated::Hpke(_) => "Encapsulated::Hpke(..)",
        })
    }
}

impl Debug for Decapsulate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Decapsulate::RsaKey { .. } => "Decapsulate::RsaKey(..)",
            Decapsulate::Ecdh { .. } => "Decapsulate::Ecdh(..)",
            #[cfg(feature = "hpke")]
            Decapsulate::Hpke { .. } => "Decapsulate::Hpke(..)",
        })
    }
}

/// A public key prepared for JWE key management.
pub trait PreparedEncryptionKey: Send + Sync + Debug {
    /// Performs `what` toward this key.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when the key does not do `what` (or does not fit its suite).
    fn encapsulate(&self, what: Encapsulate<'_>) -> Result<Encapsulated>;
}

/// A private key prepared for JWE key management.
pub trait PreparedDecryptionKey: Send + Sync + Debug {
    /// Performs `what` with this key: returns the CEK (RSA) or Z (ECDH-ES); HPKE opens
    /// its data in place and returns nothing.
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`], whatever went wrong, including a key that does not do
    /// `what` (an HPKE `data` is then wiped).
    fn decapsulate(&self, what: Decapsulate<'_>) -> Result<Zeroizing<Vec<u8>>>;
}

/// JWE symmetric primitives.
pub trait JweCrypto: Send + Sync + Debug {
    /// Encrypts `data` in place with `enc` (CBC modes append padding) and returns the
    /// authentication tag.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for a CEK or IV of the wrong length.
    fn encrypt(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        data: &mut Vec<u8>,
    ) -> Result<Vec<u8>>;

    /// Checks the tag and decrypts `data` in place. Nothing is decrypted before the tag
    /// verified (CBC-HMAC checks the MAC first, in constant time); on failure `data` is
    /// wiped.
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`], whatever went wrong.
    fn decrypt(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        data: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<()>;

    /// AES key wrap (RFC 3394) with a 16-, 24- or 32-byte KEK.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for bad lengths.
    fn aes_kw_wrap(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>>;

    /// Starts AES-CBC-HMAC-SHA2 (`enc` must be an `A*CBC-HS*`) over data given in
    /// pieces: encrypting when `encrypt`, else decrypting.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for another `enc` or a CEK or IV of the wrong length.
    fn cbc_stream(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        encrypt: bool,
    ) -> Result<Box<dyn ContentStream>>;

    /// The CBC-HMAC tag check alone (RFC 7518 section 5.2.2.2): HMAC over
    /// AAD || IV || ciphertext || AL, the ciphertext given in pieces, compared in constant
    /// time by [`VerifyStream::finish`]; nothing is decrypted. Streamed decryption checks
    /// the tag this way before it decrypts anything.
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`] for a CEK or IV that does not fit `enc`; `finish` gives
    /// [`Error::DecryptionFailed`] for a wrong tag.
    fn cbc_mac(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
    ) -> Result<Box<dyn VerifyStream>>;

    /// AES key unwrap (RFC 3394).
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`].
    fn aes_kw_unwrap(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>>;

    /// PBKDF2 with HMAC-`hash` (RFC 8018), as PBES2 uses it.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for zero iterations or an oversized output.
    fn pbkdf2(
        &self,
        hash: HashAlg,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<()>;
}

/// Hash functions.
pub trait Hasher: Send + Sync + Debug {
    /// The digest of `data`.
    fn digest(&self, alg: HashAlg, data: &[u8]) -> Vec<u8>;
}

/// The secure random source.
pub trait SecureRandom: Send + Sync + Debug {
    /// Fills `out` with random bytes.
    ///
    /// # Errors
    /// [`Error::Unreachable`] if the system source fails.
    fn fill(&self, out: &mut [u8]) -> Result<()>;
}

/// Shorthand for errors raised when the backend cannot do what it always can.
pub(crate) fn backend_failure() -> Error {
    Error::Unreachable("crypto backend failure")
}
