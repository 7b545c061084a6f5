//! JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278).

use super::{Jwk, KeyParams};
use crate::alg::HashAlg;
use crate::b64;
use crate::crypto::Provider;

/// The URI prefix of RFC 9278 section 3.
pub const THUMBPRINT_URI_PREFIX: &str = "urn:ietf:params:oauth:jwk-thumbprint:";

impl Jwk {
    /// The RFC 7638 canonical JSON: the required public members only, in lexicographic
    /// order, no whitespace. Member values are base64url or registered names, so no JSON
    /// escaping is ever needed.
    #[must_use]
    pub fn thumbprint_input(&self) -> String {
        let e = b64::encode;
        match &self.params {
            KeyParams::Ec { curve, x, y, .. } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.as_str(),
                e(x),
                e(y)
            ),
            KeyParams::Okp { curve, x, .. } => {
                format!(
                    r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                    curve.as_str(),
                    e(x)
                )
            }
            KeyParams::Rsa { n, e: exp, .. } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, e(exp), e(n))
            }
            KeyParams::Oct { k } => {
                format!(r#"{{"k":"{}","kty":"oct"}}"#, e(k.expose_secret()))
            }
        }
    }

    /// The RFC 7638 thumbprint, raw bytes.
    #[must_use]
    pub fn thumbprint(&self, hash: HashAlg) -> Vec<u8> {
        Provider::default()
            .hash
            .digest(hash, self.thumbprint_input().as_bytes())
    }

    /// The RFC 7638 thumbprint, base64url (the usual `kid` form).
    #[must_use]
    pub fn thumbprint_b64(&self, hash: HashAlg) -> String {
        b64::encode(&self.thumbprint(hash))
    }

    /// The RFC 9278 thumbprint URI, for example
    /// `urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8...`.
    #[must_use]
    pub fn thumbprint_uri(&self, hash: HashAlg) -> String {
        format!(
            "{THUMBPRINT_URI_PREFIX}{}:{}",
            hash.uri_name(),
            self.thumbprint_b64(hash)
        )
    }
}
