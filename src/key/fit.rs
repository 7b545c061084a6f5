//! The one table of which algorithm fits which key: JWS algorithms, JWE key management,
//! and the algorithm a key gets when nobody names one. Adding an algorithm adds its lines
//! here; nothing else decides whether a key fits.

use super::KeyShape;
use crate::alg::{EcCurve, JweAlg, JweEnc, JwsAlg, JwsFamily, KeyKind, KeyManagement, OkpCurve};
use crate::error::{Rejected, Result};
use crate::jwk::{Jwk, KeyParams};

impl KeyShape {
    /// The shape of a JWK.
    #[must_use]
    pub fn of(jwk: &Jwk) -> Self {
        match &jwk.params {
            KeyParams::Oct { k } => KeyShape::Oct(k.len()),
            KeyParams::Rsa { n, .. } => KeyShape::Rsa(crate::jwk::bit_len(n)),
            KeyParams::Ec { curve, .. } => KeyShape::Ec(*curve),
            KeyParams::Okp { curve, .. } => KeyShape::Okp(*curve),
            KeyParams::Akp { set, .. } => KeyShape::MlDsa(*set),
        }
    }

    /// Checks that `alg` fits this key type (RFC 7518 section 3; an HMAC key must be at
    /// least as long as the hash output, section 3.2).
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn fits(self, alg: JwsAlg) -> Result<()> {
        let ok = match (alg.family(), self) {
            (JwsFamily::Hmac, KeyShape::Oct(len)) => {
                if len < alg.hash().output_len() {
                    return Err(Rejected::KeyMismatch(
                        "symmetric key shorter than the hash output",
                    )
                    .into());
                }
                true
            }
            (JwsFamily::RsaPkcs1 | JwsFamily::RsaPss, KeyShape::Rsa(_)) => true,
            (JwsFamily::Ecdsa(c), KeyShape::Ec(k)) => c == k,
            (JwsFamily::Ed25519, KeyShape::Okp(OkpCurve::Ed25519)) => true,
            (JwsFamily::MlDsa(s), KeyShape::MlDsa(k)) => s == k,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Rejected::KeyMismatch("algorithm does not fit the key type").into())
        }
    }

    /// The JWS algorithm used when neither the caller nor the key names one: ES256/384/512
    /// or ES256K by curve, EdDSA for Ed25519, PS256 for RSA, HS256 for `oct`, the
    /// parameter set's ML-DSA for `AKP`.
    #[must_use]
    pub fn default_jws_alg(self) -> Option<JwsAlg> {
        match self {
            KeyShape::Oct(_) => Some(JwsAlg::Hs256),
            KeyShape::Rsa(_) => Some(JwsAlg::Ps256),
            KeyShape::Ec(c) => Some(c.jws_alg()),
            KeyShape::Okp(OkpCurve::Ed25519) => Some(JwsAlg::EdDsa),
            KeyShape::Okp(OkpCurve::X25519) => None,
            KeyShape::MlDsa(set) => Some(set.jws_alg()),
        }
    }

    /// Checks that the JWE key-management `alg` (and, for `dir`, `enc`) fits this key.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`].
    pub fn fits_jwe(self, alg: JweAlg, enc: Option<JweEnc>) -> Result<()> {
        let ok = match (alg.management(), self) {
            (KeyManagement::Direct, KeyShape::Oct(len)) => enc.is_none_or(|e| e.cek_len() == len),
            (KeyManagement::AesKw(n) | KeyManagement::AesGcmKw(n), KeyShape::Oct(len)) => n == len,
            (KeyManagement::Rsa, KeyShape::Rsa(_)) => true,
            (KeyManagement::EcdhEs(_), KeyShape::Ec(c)) => c != EcCurve::Secp256k1,
            (KeyManagement::EcdhEs(_), KeyShape::Okp(OkpCurve::X25519)) => true,
            (KeyManagement::Pbes2(..), KeyShape::Oct(len)) => len > 0,
            (KeyManagement::Hpke { suite, .. }, KeyShape::Ec(c)) => {
                suite.key_kind() == Some(KeyKind::Ec(c))
            }
            (KeyManagement::Hpke { suite, .. }, KeyShape::Okp(c)) => {
                suite.key_kind() == Some(KeyKind::Okp(c))
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Rejected::KeyMismatch("algorithm does not fit the key type or size").into())
        }
    }

    /// The JWE key management used when neither the caller nor the key names one:
    /// RSA-OAEP-256 for RSA, ECDH-ES+A256KW for EC and X25519, AES key wrap for a 16-, 24-
    /// or 32-byte secret.
    #[must_use]
    pub fn default_jwe_alg(self) -> Option<JweAlg> {
        match self {
            KeyShape::Rsa(_) => Some(JweAlg::RsaOaep256),
            KeyShape::Ec(_) | KeyShape::Okp(OkpCurve::X25519) => Some(JweAlg::EcdhEsA256Kw),
            KeyShape::Oct(16) => Some(JweAlg::A128Kw),
            KeyShape::Oct(24) => Some(JweAlg::A192Kw),
            KeyShape::Oct(32) => Some(JweAlg::A256Kw),
            _ => None,
        }
    }

    /// True when some JWE key management takes a key of this shape.
    #[must_use]
    pub fn does_key_management(self) -> bool {
        !matches!(
            self,
            KeyShape::Ec(EcCurve::Secp256k1)
                | KeyShape::Okp(OkpCurve::Ed25519)
                | KeyShape::MlDsa(_)
        )
    }
}
