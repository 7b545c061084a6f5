//! # bodyseal
//!
//! JOSE protection for HTTP request and response bodies: JSON Web Signature (RFC 7515)
//! for every signature algorithm of RFC 7518, RFC 8037 and RFC 8812, JSON Web Encryption
//! (RFC 7516) for every algorithm of RFC 7518 and RFC 8037, JSON Web Keys
//! (RFC 7517) with PEM/DER import and export, thumbprints (RFC 7638, RFC 9278) and JWT
//! (RFC 7519, RFC 8725).
//!
//! ## Which API do I want?
//!
//! * **Keys**: parse a [`jwk::Jwk`] (or PEM with [`jwk::Jwk::from_pem`]), then prepare it
//!   once: [`key::SigningKey`] to sign, [`key::VerifyingKey`] to verify. Put the keys you
//!   trust in a [`key::VerifyingKeys`].
//! * **Sign**: build a [`jws::Signer`] from a key and call `compact`, `flattened` or
//!   [`jws::Signer::general`].
//! * **Verify**: [`jws::parse`] (or `parse_compact` / `parse_json`) gives an
//!   [`jws::UnverifiedJws`]; `verify(&keys, &policy)` checks it against your trusted keys
//!   and [`policy::JwsPolicy`] (the algorithm allowlist is required) and returns the payload
//!   with the [`jws::SignerInfo`] an audit log records.
//! * **Encrypt**: an [`jwe::Encryptor`] with one or more [`key::EncryptionKey`]s;
//!   **decrypt**: [`jwe::parse`] then `decrypt(&keys, &policy)` with
//!   [`key::DecryptionKeys`] and a [`policy::JwePolicy`] (allowlists for `alg` and `enc`).
//! * **JWT**: [`jwt::sign`] and [`jwt::verify`] with a [`jwt::Validation`].
//! * **Body protection** (sign and encrypt, bound to the HTTP exchange): a
//!   [`seal::Sealer`] per sender and a [`seal::Opener`] per receiver, in either
//!   [`seal::Order`]; the exchange ([`exchange::Exchange`]) says which request or response
//!   the message belongs to. The `http` feature adds methods for `http::Request` and
//!   `http::Response`.
//! * **Detached signatures** over plaintext bodies in an HTTP header: [`detached`].
//! * **Large bodies**: [`stream`] signs, verifies, encrypts and decrypts compact tokens
//!   from a reader to a writer; [`seal::Sealer::seal_stream`] and
//!   [`seal::Opener::open_stream`] do both layers in one pass.
//! * **Test vectors**: [`vectors`] runs the project's vectors, the RFC 7520 cookbook and
//!   the Wycheproof JOSE files.
//! * **Debugging only**: [`dangerous`] decodes headers without verifying anything.
//!
//! ## Example
//!
//! ```
//! use bodyseal::alg::{EcCurve, JwsAlg};
//! use bodyseal::crypto::KeyKind;
//! use bodyseal::jwk::Jwk;
//! use bodyseal::jws::{self, Signer};
//! use bodyseal::key::{VerifyingKeys, SigningKey, VerifyingKey};
//! use bodyseal::policy::JwsPolicy;
//!
//! // The sender: a P-256 key, prepared once.
//! let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))?.with_kid("sender-1");
//! let signer = Signer::new(&SigningKey::from_jwk(&jwk)?);
//! let token = signer.compact(br#"{"patient":"123","dose_mg":5}"#)?;
//!
//! // The receiver trusts the sender's public key and ES256 only.
//! let keys = VerifyingKeys::single(VerifyingKey::from_jwk(&jwk.to_public()?)?);
//! let policy = JwsPolicy::new(&[JwsAlg::Es256]);
//! let verified = jws::parse_compact(&token, &policy.limits)?.verify(&keys, &policy)?;
//! assert_eq!(verified.payload(), br#"{"patient":"123","dose_mg":5}"#);
//! assert_eq!(verified.signer().unwrap().kid.as_deref(), Some("sender-1"));
//! # Ok::<(), bodyseal::Error>(())
//! ```
//!
//! ## Security
//!
//! * There is no `none` algorithm. Every verification takes an allowlist.
//! * Keys named inside a token (`jwk`, `jku`, `x5u`, `x5c`) never choose a trusted key.
//! * Unknown `crit` members, duplicate header members and DER-encoded ECDSA signatures are
//!   rejected.
//! * Secrets are zeroized on drop and never printed by `Debug`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod alg;
pub mod b64;
mod compact;
pub mod crypto;
pub mod dangerous;
pub mod detached;
pub mod error;
pub mod exchange;
#[cfg(feature = "http")]
pub mod http;
mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod jwt;
pub mod key;
pub mod nesting;
pub mod policy;
pub mod seal;
pub mod stream;
pub mod vectors;

pub use error::{Error, Result};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
