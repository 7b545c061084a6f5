//! The `aws-lc-rs` backend.

mod content;
mod hash;
mod hmac;
#[cfg(feature = "hpke")]
pub(crate) mod hpke;
mod kem;
mod mldsa;
mod sig;

use super::{
    GeneratedKey, KeyKind, KeyProvider, PreparedDecryptionKey, PreparedEncryptionKey,
    PreparedSigningKey, PreparedVerifyingKey, PrivateKeyMaterial, Provider, PublicKeyMaterial,
};
use crate::alg::{EcCurve, JwsAlg, OkpCurve};
use crate::error::{Error, KeyError, Result};
use aws_lc_rs::agreement;
use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin, EcPrivateKeyBin, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sg, KeyPair};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The aws-lc-rs provider.
pub const PROVIDER: Provider = Provider {
    keys: &AwsLcKeys,
    hash: &hash::AwsLcHash,
    random: &hash::AwsLcRandom,
    jws_algs: JwsAlg::ALL,
    jwe: &content::AwsLcJwe,
};

/// Key loading and generation over aws-lc-rs.
#[derive(Debug)]
struct AwsLcKeys;

impl KeyProvider for AwsLcKeys {
    fn signing_key(&self, key: &PrivateKeyMaterial<'_>) -> Result<Arc<dyn PreparedSigningKey>> {
        Ok(match *key {
            PrivateKeyMaterial::Ec { curve, d, point } => {
                Arc::new(sig::EcSigner::new(curve, d, point)?)
            }
            PrivateKeyMaterial::Okp {
                curve: OkpCurve::Ed25519,
                d,
                x,
            } => Arc::new(sig::EdSigner::new(d, x)?),
            PrivateKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                ..
            } => return Err(KeyError::Invalid("X25519 keys cannot sign").into()),
            PrivateKeyMaterial::Rsa { .. } => {
                Arc::new(sig::RsaSigner::new(sig::rsa_key_pair(key)?))
            }
            PrivateKeyMaterial::Oct { k } => Arc::new(hmac::HmacKey::new(k)),
            PrivateKeyMaterial::MlDsa { set, seed, public } => {
                Arc::new(mldsa::MlDsaSigner::new(set, seed, public)?)
            }
        })
    }

    fn verifying_key(&self, key: &PublicKeyMaterial<'_>) -> Result<Arc<dyn PreparedVerifyingKey>> {
        Ok(match *key {
            PublicKeyMaterial::Ec { curve, point } => Arc::new(sig::EcVerifier::new(curve, point)?),
            PublicKeyMaterial::Okp {
                curve: OkpCurve::Ed25519,
                x,
            } => Arc::new(sig::EdVerifier::new(x)?),
            PublicKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                ..
            } => return Err(KeyError::Invalid("X25519 keys cannot verify signatures").into()),
            PublicKeyMaterial::Rsa { n, e } => Arc::new(sig::RsaVerifier::new(n, e)?),
            PublicKeyMaterial::Oct { k } => Arc::new(hmac::HmacKey::new(k)),
            PublicKeyMaterial::MlDsa { set, public } => {
                Arc::new(mldsa::MlDsaVerifier::new(set, public)?)
            }
        })
    }

    fn decryption_key(
        &self,
        key: &PrivateKeyMaterial<'_>,
    ) -> Result<Arc<dyn PreparedDecryptionKey>> {
        Ok(match *key {
            PrivateKeyMaterial::Rsa { .. } => {
                Arc::new(kem::RsaDecrypter::new(&sig::rsa_key_pair(key)?)?)
            }
            PrivateKeyMaterial::Ec { curve, d, point } => {
                let alg = kem::ecdh_alg_ec(curve)
                    .ok_or(KeyError::Invalid("this curve does not do ECDH-ES"))?;
                Arc::new(kem::EcdhDecrypter::new(alg, d, point)?)
            }
            PrivateKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                d,
                x,
            } => Arc::new(kem::EcdhDecrypter::new(&agreement::X25519, d, x)?),
            _ => {
                return Err(
                    KeyError::Invalid("this key type does no asymmetric key management").into(),
                )
            }
        })
    }

    fn encryption_key(
        &self,
        key: &PublicKeyMaterial<'_>,
    ) -> Result<Arc<dyn PreparedEncryptionKey>> {
        Ok(match *key {
            PublicKeyMaterial::Rsa { n, e } => Arc::new(kem::RsaEncrypter::new(n, e)?),
            PublicKeyMaterial::Ec { curve, .. } => {
                let alg = kem::ecdh_alg_ec(curve)
                    .ok_or(KeyError::Invalid("this curve does not do ECDH-ES"))?;
                Arc::new(kem::EcdhEncrypter::new(alg, key)?)
            }
            PublicKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                ..
            } => Arc::new(kem::EcdhEncrypter::new(&agreement::X25519, key)?),
            _ => {
                return Err(
                    KeyError::Invalid("this key type does no asymmetric key management").into(),
                )
            }
        })
    }

    fn check_private(&self, key: &PrivateKeyMaterial<'_>) -> Result<()> {
        match *key {
            PrivateKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                d,
                x,
            } => {
                let public = self.public_from_private(KeyKind::Okp(OkpCurve::X25519), d)?;
                if aws_lc_rs::constant_time::verify_slices_are_equal(&public, x).is_err() {
                    return Err(KeyError::Invalid("private key does not match public key").into());
                }
                Ok(())
            }
            _ => self.signing_key(key).map(|_| ()),
        }
    }

    fn public_from_private(&self, kind: KeyKind, d: &[u8]) -> Result<Vec<u8>> {
        let bad = || Error::from(KeyError::Invalid("invalid private key"));
        match kind {
            KeyKind::Okp(OkpCurve::Ed25519) => {
                let pair = sg::Ed25519KeyPair::from_seed_unchecked(d).map_err(|_| bad())?;
                Ok(pair.public_key().as_ref().to_vec())
            }
            KeyKind::Okp(OkpCurve::X25519) => agree_public(&agreement::X25519, d),
            KeyKind::Ec(EcCurve::P256) => agree_public(&agreement::ECDH_P256, d),
            KeyKind::Ec(EcCurve::P384) => agree_public(&agreement::ECDH_P384, d),
            KeyKind::Ec(EcCurve::P521) => agree_public(&agreement::ECDH_P521, d),
            KeyKind::MlDsa(set) => mldsa::public_from_seed(set, d),
            KeyKind::Ec(EcCurve::Secp256k1) | KeyKind::Rsa(_) | KeyKind::Oct(_) => Err(
                Error::ApiMisuse("no public key can be derived for this key type"),
            ),
        }
    }

    fn generate(&self, kind: KeyKind) -> Result<GeneratedKey> {
        let fail = |_| super::backend_failure();
        match kind {
            KeyKind::Ec(curve) => {
                let pair = sg::EcdsaKeyPair::generate(sig::ec_signing_alg(curve)).map_err(fail)?;
                let d: EcPrivateKeyBin<'_> = pair.private_key().as_be_bytes().map_err(fail)?;
                Ok(GeneratedKey::Ec {
                    curve,
                    d: Zeroizing::new(d.as_ref().to_vec()),
                    point: pair.public_key().as_ref().to_vec(),
                })
            }
            KeyKind::Okp(OkpCurve::Ed25519) => {
                let pair = sg::Ed25519KeyPair::generate().map_err(fail)?;
                let seed = pair.seed().map_err(fail)?;
                let d: Curve25519SeedBin<'_> = seed.as_be_bytes().map_err(fail)?;
                Ok(GeneratedKey::Okp {
                    curve: OkpCurve::Ed25519,
                    d: Zeroizing::new(d.as_ref().to_vec()),
                    x: pair.public_key().as_ref().to_vec(),
                })
            }
            KeyKind::Okp(OkpCurve::X25519) => {
                let key = agreement::PrivateKey::generate(&agreement::X25519).map_err(fail)?;
                let d: Curve25519SeedBin<'_> = key.as_be_bytes().map_err(fail)?;
                let x = key.compute_public_key().map_err(fail)?;
                Ok(GeneratedKey::Okp {
                    curve: OkpCurve::X25519,
                    d: Zeroizing::new(d.as_ref().to_vec()),
                    x: x.as_ref().to_vec(),
                })
            }
            KeyKind::Rsa(bits) => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    _ => return Err(Error::ApiMisuse("RSA keys are 2048, 3072 or 4096 bits")),
                };
                let pair = sg::RsaKeyPair::generate(size).map_err(fail)?;
                let der: Pkcs8V1Der<'_> = pair.as_der().map_err(fail)?;
                Ok(GeneratedKey::RsaPkcs8(Zeroizing::new(
                    der.as_ref().to_vec(),
                )))
            }
            KeyKind::Oct(len) => {
                if !(16..=128).contains(&len) {
                    return Err(Error::ApiMisuse("symmetric keys are 16 to 128 bytes"));
                }
                let mut k = Zeroizing::new(vec![0u8; len]);
                aws_lc_rs::rand::fill(&mut k).map_err(fail)?;
                Ok(GeneratedKey::Oct(k))
            }
            KeyKind::MlDsa(set) => {
                // FIPS 204 key generation draws the seed and expands it (algorithm 1).
                let mut seed = Zeroizing::new(vec![0u8; crate::alg::MlDsa::SEED_LEN]);
                aws_lc_rs::rand::fill(&mut seed).map_err(fail)?;
                let public = mldsa::public_from_seed(set, &seed)?;
                Ok(GeneratedKey::MlDsa { set, seed, public })
            }
        }
    }
}

fn agree_public(alg: &'static agreement::Algorithm, d: &[u8]) -> Result<Vec<u8>> {
    let key = agreement::PrivateKey::from_private_key(alg, d)
        .map_err(|_| KeyError::Invalid("invalid private key"))?;
    let public = key
        .compute_public_key()
        .map_err(|_| KeyError::Invalid("invalid private key"))?;
    Ok(public.as_ref().to_vec())
}
