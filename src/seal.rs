//! Body protection: a signed and encrypted body, in one of two nested orders, bound to
//! its recipients, its signer and the HTTP exchange it travels in.
//!
//! * [`Order::SignThenEncrypt`]: a JWS over the body, then a JWE over the compact JWS
//!   (`cty: "JOSE"`). The inner JWS protected header carries `aud`: the RFC 9278 SHA-256
//!   thumbprint URI of the recipient's key (an array of them for several recipients).
//!   The opener checks that the key that decrypted is named, which stops *surreptitious
//!   forwarding*: a recipient who decrypts and re-encrypts the signed message to a third
//!   party cannot make it look addressed to that party.
//! * [`Order::EncryptThenSign`]: a JWE over the body, then a JWS over the compact JWE
//!   (`cty: "JOSE"`). The JWE protected header, which the AEAD authenticates, carries
//!   `iss`: the thumbprint URI of the signer's key. The opener checks that it names the
//!   key that verified the outer signature, which stops *signature stripping*: an
//!   attacker who removes the signature and signs the JWE with their own key.
//!
//! An [`Opener`] is told the order to expect and refuses the other order, a single layer
//! and an extra layer ([`Rejected::Nesting`](crate::error::Rejected::Nesting)); it
//! requires the binding unless [`Opener::allow_unbound`] is set, and a binding that is
//! present but wrong is refused always
//! ([`Rejected::Binding`](crate::error::Rejected::Binding)). The HTTP members of the
//! signed header are described in [`crate::exchange`].

mod opener;
mod sealer;

pub use opener::{Opened, Opener};
pub use sealer::{Sealed, Sealer};

use crate::alg::HashAlg;
use crate::jwk::THUMBPRINT_URI_PREFIX;

/// Which layer is inside which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Order {
    /// JWE(JWS(body)): the signature is hidden from everyone but the recipient.
    SignThenEncrypt,
    /// JWS(JWE(body)): anyone can check who sent it without being able to read it.
    EncryptThenSign,
}

impl Order {
    /// `sign-then-encrypt` or `encrypt-then-sign`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Order::SignThenEncrypt => "sign-then-encrypt",
            Order::EncryptThenSign => "encrypt-then-sign",
        }
    }
}

impl core::str::FromStr for Order {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "sign-then-encrypt" => Ok(Order::SignThenEncrypt),
            "encrypt-then-sign" => Ok(Order::EncryptThenSign),
            _ => Err(crate::Error::ApiMisuse(
                "order is sign-then-encrypt or encrypt-then-sign",
            )),
        }
    }
}

/// How the outer layer is serialized (the inner layer is always compact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Outer {
    /// Compact (`Content-Type: application/jose`).
    #[default]
    Compact,
    /// Flattened JSON (`application/jose+json`).
    Flattened,
    /// General JSON (`application/jose+json`).
    General,
}

/// The `cty` that declares a nested compact JOSE object (RFC 7515 section 4.1.10).
pub const CTY_JOSE: &str = "JOSE";

/// The RFC 9278 SHA-256 thumbprint URI for a base64url SHA-256 thumbprint.
pub(crate) fn thumbprint_uri(thumbprint_b64: &str) -> String {
    format!(
        "{THUMBPRINT_URI_PREFIX}{}:{thumbprint_b64}",
        HashAlg::Sha256.uri_name()
    )
}
