//! JSON Web Signature (RFC 7515), with the unencoded payload option (RFC 7797).
//!
//! Parse, then verify: [`parse_compact`] and [`parse_json`] check the shape and decode
//! the headers into an [`UnverifiedJws`], whose headers may be read but are plainly
//! untrusted. Only [`UnverifiedJws::verify`] (or [`UnverifiedJws::verify_detached`]) with
//! the caller's trusted [`VerifyingKeys`](crate::key::VerifyingKeys) and [`JwsPolicy`](crate::policy::JwsPolicy)
//! releases the payload, as a [`Verified`] that also says who signed.
//!
//! Signing: a [`Signer`] holds a prepared key and an encoded protected header and produces
//! compact, flattened JSON or (with [`Signer::general`]) general JSON serializations.

mod header;
mod parse;
mod sign;
pub(crate) mod stream;
mod verify;

pub use header::Header;
pub(crate) use parse::compact_header;
pub use parse::{parse, parse_compact, parse_json, UnverifiedJws};
pub use sign::Signer;
pub use verify::{SignerInfo, Verified};

/// The three JWS serializations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Serialization {
    /// `header.payload.signature` (RFC 7515 section 7.1).
    Compact,
    /// General JSON, one or more signatures (section 7.2.1).
    General,
    /// Flattened JSON, one signature (section 7.2.2).
    Flattened,
}
