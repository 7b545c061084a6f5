//! The one public error type.
//!
//! Variants are grouped by who is at fault:
//!
//! * [`Error::Malformed`]: the input is not well-formed JOSE.
//! * [`Error::Unsupported`]: an algorithm, key type or encoding bodyseal does not implement.
//! * [`Error::Rejected`]: well-formed input that the caller's policy refuses.
//! * [`Error::InvalidSignature`] and [`Error::DecryptionFailed`]: cryptographic failure,
//!   deliberately opaque (no detail about which step failed).
//! * [`Error::Key`]: a problem with a key the caller supplied.
//! * [`Error::ApiMisuse`]: a caller bug that reading the code will reveal.
//!
//! Messages never echo input bytes or attacker-chosen strings.

use core::fmt;

/// Every error bodyseal returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed JOSE.
    #[error("malformed input: {0}")]
    Malformed(#[from] Malformed),
    /// The input names an algorithm, key type or feature bodyseal does not implement.
    #[error("unsupported: {0}")]
    Unsupported(#[from] Unsupported),
    /// The input is well-formed but the policy refuses it.
    #[error("rejected: {0}")]
    Rejected(#[from] Rejected),
    /// No trusted key produced a valid signature or MAC.
    #[error("invalid signature")]
    InvalidSignature,
    /// Decryption failed (key unwrap, padding or tag: deliberately not said which).
    #[error("decryption failed")]
    DecryptionFailed,
    /// A key supplied by the caller is unusable.
    #[error("key error: {0}")]
    Key(#[from] KeyError),
    /// The API was used in a way that cannot work (a bug in the calling code).
    #[error("api misuse: {0}")]
    ApiMisuse(&'static str),
    /// Reading the input or writing the output failed (streaming APIs only).
    #[error("i/o error: {0}")]
    Io(std::io::ErrorKind),
    /// An internal invariant did not hold; please file a bug.
    #[error("internal error (please file a bug): {0}")]
    Unreachable(&'static str),
}

impl Error {
    /// True when the error is a refusal of the *input* (malformed, unsupported, rejected by
    /// policy, bad signature, failed decryption), as opposed to a problem with the caller's
    /// keys or code. The CLI maps this to its exit code.
    #[must_use]
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Error::Malformed(_)
                | Error::Unsupported(_)
                | Error::Rejected(_)
                | Error::InvalidSignature
                | Error::DecryptionFailed
        )
    }

    /// True when the error is a cryptographic failure (signature or decryption).
    #[must_use]
    pub fn is_crypto_failure(&self) -> bool {
        matches!(self, Error::InvalidSignature | Error::DecryptionFailed)
    }
}

/// Which part of a JOSE object an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The whole token.
    Token,
    /// The (protected or unprotected) header.
    Header,
    /// The payload.
    Payload,
    /// The signature or MAC.
    Signature,
    /// A JSON Web Key.
    Jwk,
    /// A JWK Set.
    JwkSet,
    /// JWT claims.
    Claims,
    /// A PEM or DER key container.
    KeyContainer,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Token => "token",
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
            Part::Jwk => "jwk",
            Part::JwkSet => "jwk set",
            Part::Claims => "claims",
            Part::KeyContainer => "key container",
        })
    }
}

/// The input is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// Not strict base64url without padding.
    #[error("invalid base64url in {part}")]
    Base64 {
        /// Where.
        part: Part,
    },
    /// Not valid JSON of the expected shape.
    #[error("invalid json in {part}")]
    Json {
        /// Where.
        part: Part,
    },
    /// Not valid UTF-8 where text is required.
    #[error("invalid utf-8 in {part}")]
    Utf8 {
        /// Where.
        part: Part,
    },
    /// A compact serialization with the wrong number of segments.
    #[error("compact serialization has {found} segments")]
    SegmentCount {
        /// How many were found.
        found: usize,
    },
    /// The same member name appears twice in a header, or in both the protected and the
    /// unprotected header.
    #[error("duplicate member in {0}")]
    DuplicateMember(Part),
    /// A required member is missing.
    #[error("missing member `{0}`")]
    MissingMember(&'static str),
    /// A member has a value of the wrong type or form.
    #[error("invalid value for member `{0}`")]
    InvalidMember(&'static str),
    /// A PEM or DER container could not be decoded.
    #[error("invalid {0} key container")]
    KeyContainer(&'static str),
}

/// Something bodyseal does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsupported {
    /// An algorithm name that is not implemented (or not registered). `none` is always this.
    #[error("unknown algorithm")]
    Algorithm,
    /// A key type (`kty`) that is not implemented.
    #[error("unknown key type")]
    KeyType,
    /// A curve (`crv`) that is not implemented.
    #[error("unknown curve")]
    Curve,
    /// A feature that is recognised but not implemented (for example multi-prime RSA).
    #[error("{0} is not supported")]
    Feature(&'static str),
}

/// Well-formed input refused by policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    /// The algorithm is not in the caller's allowlist.
    #[error("algorithm {0} is not allowed")]
    AlgNotAllowed(&'static str),
    /// A `crit` member names an extension the policy does not understand, or `crit` itself
    /// breaks RFC 7515 section 4.1.11.
    #[error("critical header parameter not understood")]
    UnknownCritical,
    /// No trusted key matches the token (by `kid`, or by type and algorithm).
    #[error("no trusted key matches")]
    KeyNotFound,
    /// A trusted key was found but may not be used for this operation or algorithm
    /// (`kty`, `alg`, `use` or `key_ops` disagree).
    #[error("key may not be used: {0}")]
    KeyMismatch(&'static str),
    /// A configured limit was exceeded.
    #[error("{limit} exceeds the limit: {required} > {allowed}")]
    LimitExceeded {
        /// Which limit.
        limit: &'static str,
        /// What the input needs.
        required: u64,
        /// What the policy allows.
        allowed: u64,
    },
    /// A header or claim does not have the value the policy requires.
    #[error("`{0}` does not match the expected value")]
    Mismatch(&'static str),
    /// A header parameter or claim the policy requires is absent.
    #[error("required `{0}` is missing")]
    Missing(&'static str),
    /// The JWT has expired (`exp`).
    #[error("token expired")]
    Expired,
    /// The JWT is not valid yet (`nbf`), or was issued in the future (`iat`).
    #[error("token not valid yet")]
    NotYetValid,
    /// A detached payload was expected but the token carries one, or the reverse.
    #[error("payload presence does not match (detached or attached)")]
    PayloadPresence,
    /// The token uses a serialization the call does not accept.
    #[error("serialization not accepted here")]
    Serialization,
    /// A nested token has the wrong layers: the other order than expected, a single
    /// layer, or an extra layer (see [`crate::seal`]).
    #[error("wrong nesting: {0}")]
    Nesting(&'static str),
    /// A binding check failed: the token names another recipient (`aud`), another
    /// signer (`iss`), another HTTP exchange (`htm`, `htu`, `hth`) or another request or
    /// status (`req_jti`, `req_digest`, `status`). See [`crate::exchange`].
    #[error("binding mismatch: `{0}` does not match")]
    Binding(&'static str),
    /// The `jti` was seen before within the acceptance window.
    #[error("replayed message (`jti` seen before)")]
    Replay,
    /// The JWE is compressed (`zip`) and the policy does not allow compression.
    #[error("the token is compressed (`zip`), which is not allowed")]
    Compressed,
    /// The JWS `alg` is not in a protected header, so nothing authenticates it.
    #[error("`alg` is not integrity-protected (not in the protected header)")]
    UnprotectedAlg,
}

/// A problem with a key supplied by the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The RSA modulus is smaller than 2048 bits.
    #[error("rsa modulus of {0} bits is below the 2048-bit minimum")]
    RsaTooSmall(usize),
    /// The key material is inconsistent or invalid (point not on the curve, private part
    /// does not match the public part, bad RSA parameters).
    #[error("invalid key material: {0}")]
    Invalid(&'static str),
    /// A symmetric key is too short for the algorithm.
    #[error("symmetric key too short: {have} bytes, {need} required")]
    TooShort {
        /// Bytes given.
        have: usize,
        /// Bytes required.
        need: usize,
    },
    /// A private key is needed but only a public key was given.
    #[error("a private key is required")]
    NotPrivate,
    /// Two keys in one JWK Set share a `kid`.
    #[error("duplicate kid in key set")]
    DuplicateKid,
}

/// `Result` with bodyseal's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
