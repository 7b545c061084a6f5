//! JSON Web Encryption (RFC 7516) with every key-management and content-encryption
//! algorithm of RFC 7518 and RFC 8037.
//!
//! Parse, then decrypt: [`parse`] (or [`parse_compact`], [`parse_json`]) checks the shape
//! and gives an [`UnverifiedJwe`]; only [`UnverifiedJwe::decrypt`] with the caller's
//! [`DecryptionKeys`](crate::key::DecryptionKeys) and
//! [`JwePolicy`](crate::policy::JwePolicy) releases plaintext, and only after the
//! authentication tag verified. Every way decryption can fail (key unwrap, padding, tag)
//! is the same [`Error::DecryptionFailed`](crate::Error::DecryptionFailed).
//!
//! Encrypting: an [`Encryptor`] names the content encryption and the recipients and
//! produces compact, flattened JSON or general JSON serializations.
//!
//! ```
//! use bodyseal::alg::{JweAlg, JweEnc, EcCurve};
//! use bodyseal::crypto::KeyKind;
//! use bodyseal::jwk::Jwk;
//! use bodyseal::jwe::{self, Encryptor};
//! use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
//! use bodyseal::policy::JwePolicy;
//!
//! let server = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
//! let to_server = EncryptionKey::from_jwk(&server.to_public()?)?;
//! let token = Encryptor::new(JweEnc::A256Gcm)
//!     .recipient(&to_server, JweAlg::EcdhEsA256Kw)?
//!     .compact(b"{\"ssn\":\"000-00-0000\"}")?;
//!
//! let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&server)?);
//! let policy = JwePolicy::new(&[JweAlg::EcdhEsA256Kw], &[JweEnc::A256Gcm]);
//! let opened = jwe::parse(&token, &policy.limits)?.decrypt(&keys, &policy)?;
//! assert_eq!(opened.plaintext(), b"{\"ssn\":\"000-00-0000\"}");
//! # Ok::<(), bodyseal::Error>(())
//! ```

mod decrypt;
mod encrypt;
mod header;
mod key_mgmt;
mod parse;
pub(crate) mod stream;

pub use decrypt::Decrypted;
pub use encrypt::Encryptor;
pub(crate) use encrypt::Prepared;
pub use header::Header;
pub(crate) use parse::compact_header;
pub use parse::{parse, parse_compact, parse_json, UnverifiedJwe};

/// The three JWE serializations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Serialization {
    /// Five dot-separated segments (RFC 7516 section 7.1).
    Compact,
    /// General JSON, one or more recipients (section 7.2.1).
    General,
    /// Flattened JSON, one recipient (section 7.2.2).
    Flattened,
}
