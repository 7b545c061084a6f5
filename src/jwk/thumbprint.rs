//! JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278).

use super::{Jwk, KeyParams};
use crate::alg::HashAlg;
use crate::b64;
use crate::crypto::Provider;
use zeroize::Zeroizing;

/// The URI prefix of RFC 9278 section 3.
pub const THUMBPRINT_URI_PREFIX: &str = "urn:ietf:params:oauth:jwk-thumbprint:";

/// A thumbprint member's value: a registered name, or bytes written as base64url.
enum Member<'a> {
    Name(&'a str),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    fn len(&self) -> usize {
        match self {
            Member::Name(n) => n.len(),
            Member::Bytes(b) => b64::encoded_len(b.len()),
        }
    }
}

impl Jwk {
    /// The RFC 7638 canonical JSON: the required public members only, in lexicographic
    /// order, no whitespace. Member values are base64url or registered names, so no JSON
    /// escaping is ever needed. For an `oct` key it holds the secret: it is wiped on drop.
    #[must_use]
    pub fn thumbprint_input(&self) -> Zeroizing<String> {
        use Member::{Bytes, Name};
        let members: &[(&str, Member<'_>)] = match &self.params {
            KeyParams::Ec { curve, x, y, .. } => &[
                ("crv", Name(curve.as_str())),
                ("kty", Name("EC")),
                ("x", Bytes(x)),
                ("y", Bytes(y)),
            ],
            KeyParams::Okp { curve, x, .. } => &[
                ("crv", Name(curve.as_str())),
                ("kty", Name("OKP")),
                ("x", Bytes(x)),
            ],
            KeyParams::Rsa { n, e, .. } => {
                &[("e", Bytes(e)), ("kty", Name("RSA")), ("n", Bytes(n))]
            }
            KeyParams::Oct { k } => &[("k", Bytes(k.expose_secret())), ("kty", Name("oct"))],
            // RFC 9964 section 6: `alg` is a required member of an `AKP` key.
            KeyParams::Akp { set, public, .. } => &[
                ("alg", Name(set.jws_alg().as_str())),
                ("kty", Name("AKP")),
                ("pub", Bytes(public)),
            ],
        };
        let len = members
            .iter()
            .map(|(n, v)| n.len() + 6 + v.len())
            .sum::<usize>();
        let mut out = Zeroizing::new(String::with_capacity(len + 1));
        out.push('{');
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":\"");
            match value {
                Name(n) => out.push_str(n),
                Bytes(b) => b64::encode_into(b, &mut out),
            }
            out.push('"');
        }
        out.push('}');
        out
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
