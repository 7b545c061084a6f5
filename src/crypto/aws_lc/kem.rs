//! JWE key management with asymmetric keys: RSA-OAEP, RSA-OAEP-256, RSA1_5 (decryption
//! only) and ECDH over P-256, P-384, P-521 and X25519 (RFC 7518 section 4, RFC 8037).

use crate::alg::{EcCurve, JweAlg, OkpCurve};
use crate::crypto::{
    Decapsulate, Encapsulate, Encapsulated, PreparedDecryptionKey, PreparedEncryptionKey,
    PublicKeyMaterial,
};
use crate::error::{Error, KeyError, Result};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey, PublicKeyComponents, OAEP_SHA1_MGF1SHA1,
    OAEP_SHA256_MGF1SHA256,
};
use aws_lc_rs::signature::RsaKeyPair;
use zeroize::Zeroizing;

#[cfg(feature = "hpke")]
use super::hpke;

fn oaep(alg: JweAlg) -> Option<&'static OaepAlgorithm> {
    match alg {
        JweAlg::RsaOaep => Some(&OAEP_SHA1_MGF1SHA1),
        JweAlg::RsaOaep256 => Some(&OAEP_SHA256_MGF1SHA256),
        _ => None,
    }
}

pub(super) fn ecdh_alg_ec(curve: EcCurve) -> Option<&'static agreement::Algorithm> {
    match curve {
        EcCurve::P256 => Some(&agreement::ECDH_P256),
        EcCurve::P384 => Some(&agreement::ECDH_P384),
        EcCurve::P521 => Some(&agreement::ECDH_P521),
        EcCurve::Secp256k1 => None,
    }
}

/// RSA private key for CEK decryption, parsed once.
pub(super) struct RsaDecrypter {
    oaep: OaepPrivateDecryptingKey,
    pkcs1: Pkcs1PrivateDecryptingKey,
}

impl core::fmt::Debug for RsaDecrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaDecrypter")
            .field("bits", &self.oaep.key_size_bits())
            .finish_non_exhaustive()
    }
}

impl RsaDecrypter {
    /// The decrypting keys are built from the validated pair's PKCS#8 form (aws-lc-rs
    /// offers no other way to make them from components).
    pub(super) fn new(pair: &RsaKeyPair) -> Result<Self> {
        let bad = |_| Error::from(KeyError::Invalid("inconsistent RSA private key"));
        let der: Pkcs8V1Der<'_> = pair
            .as_der()
            .map_err(|_| crate::crypto::backend_failure())?;
        let der = Zeroizing::new(der.as_ref().to_vec());
        let key = || {
            PrivateDecryptingKey::from_pkcs8(&der).map_err(|_| KeyError::Invalid("RSA private key"))
        };
        Ok(Self {
            oaep: OaepPrivateDecryptingKey::new(key()?).map_err(bad)?,
            pkcs1: Pkcs1PrivateDecryptingKey::new(key()?).map_err(bad)?,
        })
    }
}

impl PreparedDecryptionKey for RsaDecrypter {
    fn decapsulate(&self, what: Decapsulate<'_>) -> Result<Zeroizing<Vec<u8>>> {
        match what {
            Decapsulate::RsaKey { alg, encrypted_key } => self.decrypt(alg, encrypted_key),
            other => refuse(other),
        }
    }
}

impl RsaDecrypter {
    fn decrypt(&self, alg: JweAlg, encrypted_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![
            0u8;
            self.oaep
                .min_output_size()
                .max(self.pkcs1.min_output_size())
        ]);
        let len = match (alg, oaep(alg)) {
            (_, Some(o)) => self
                .oaep
                .decrypt(o, encrypted_key, &mut out, None)
                .map(|p| p.len()),
            (JweAlg::Rsa1_5, None) => self.pkcs1.decrypt(encrypted_key, &mut out).map(|p| p.len()),
            _ => return Err(Error::DecryptionFailed),
        }
        .map_err(|_| Error::DecryptionFailed)?;
        out.truncate(len);
        Ok(out)
    }
}

/// A decapsulation this key does not do: refused like any decryption failure (an HPKE
/// buffer is wiped).
fn refuse(what: Decapsulate<'_>) -> Result<Zeroizing<Vec<u8>>> {
    #[cfg(feature = "hpke")]
    if let Decapsulate::Hpke { data, .. } = what {
        zeroize::Zeroize::zeroize(data);
        data.clear();
    }
    #[cfg(not(feature = "hpke"))]
    let _ = what;
    Err(Error::DecryptionFailed)
}

/// RSA public key for CEK encryption (OAEP only; RSA1_5 is never produced).
pub(super) struct RsaEncrypter(OaepPublicEncryptingKey);

impl core::fmt::Debug for RsaEncrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaEncrypter")
            .field("bits", &self.0.key_size_bits())
            .finish_non_exhaustive()
    }
}

impl RsaEncrypter {
    pub(super) fn new(n: &[u8], e: &[u8]) -> Result<Self> {
        let key: PublicEncryptingKey = PublicKeyComponents { n, e }
            .try_into()
            .map_err(|_| KeyError::Invalid("invalid RSA public key"))?;
        Ok(Self(OaepPublicEncryptingKey::new(key).map_err(|_| {
            KeyError::Invalid("invalid RSA public key")
        })?))
    }
}

impl PreparedEncryptionKey for RsaEncrypter {
    fn encapsulate(&self, what: Encapsulate<'_>) -> Result<Encapsulated> {
        match what {
            Encapsulate::RsaKey { alg, cek } => {
                self.encrypt(alg, cek).map(Encapsulated::EncryptedKey)
            }
            _ => Err(Error::ApiMisuse("RSA keys encrypt a key, with RSA-OAEP")),
        }
    }
}

impl RsaEncrypter {
    fn encrypt(&self, alg: JweAlg, cek: &[u8]) -> Result<Vec<u8>> {
        let o = oaep(alg).ok_or(Error::ApiMisuse(
            "RSA keys encrypt with RSA-OAEP or RSA-OAEP-256 only",
        ))?;
        let mut out = vec![0u8; self.0.ciphertext_size()];
        let len = self
            .0
            .encrypt(o, cek, &mut out, None)
            .map_err(|_| crate::crypto::backend_failure())?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

/// The agreement algorithm and the raw public key bytes aws-lc-rs expects for a peer key.
fn peer(alg: &'static agreement::Algorithm, key: &PublicKeyMaterial<'_>) -> Option<Vec<u8>> {
    match *key {
        PublicKeyMaterial::Ec { curve, point } if ecdh_alg_ec(curve) == Some(alg) => {
            Some(point.to_vec())
        }
        PublicKeyMaterial::Okp {
            curve: OkpCurve::X25519,
            x,
        } if alg == &agreement::X25519 => Some(x.to_vec()),
        _ => None,
    }
}

pub(super) fn agree(
    private: &PrivateKey,
    alg: &'static agreement::Algorithm,
    peer_bytes: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    // aws-lc-rs parses the peer key for this algorithm's curve, refusing points that are
    // not on it (invalid-curve attacks).
    let z = agreement::agree(
        private,
        UnparsedPublicKey::new(alg, peer_bytes),
        Error::DecryptionFailed,
        |z| Ok(Zeroizing::new(z.to_vec())),
    )?;
    // RFC 7748 section 6.1 / RFC 8037 section 3.2: refuse an all-zero X25519 secret (a
    // low-order peer point). For the NIST curves a zero x-coordinate is a valid secret.
    if alg == &agreement::X25519 && z.iter().all(|b| *b == 0) {
        return Err(Error::DecryptionFailed);
    }
    Ok(z)
}

/// A static ECDH private key (recipient side).
pub(super) struct EcdhDecrypter {
    alg: &'static agreement::Algorithm,
    key: PrivateKey,
    /// The serialized public key (HPKE binds it into the shared secret).
    #[cfg_attr(not(feature = "hpke"), allow(dead_code))]
    public: Vec<u8>,
}

impl core::fmt::Debug for EcdhDecrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdhDecrypter")
            .field("alg", self.alg)
            .finish_non_exhaustive()
    }
}

impl EcdhDecrypter {
    pub(super) fn new(alg: &'static agreement::Algorithm, d: &[u8], public: &[u8]) -> Result<Self> {
        let key = PrivateKey::from_private_key(alg, d)
            .map_err(|_| KeyError::Invalid("invalid ECDH private key"))?;
        let computed = key
            .compute_public_key()
            .map_err(|_| KeyError::Invalid("invalid ECDH private key"))?;
        if aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_ref(), public).is_err() {
            return Err(KeyError::Invalid("private key does not match public key").into());
        }
        Ok(Self {
            alg,
            key,
            public: public.to_vec(),
        })
    }
}

impl PreparedDecryptionKey for EcdhDecrypter {
    fn decapsulate(&self, what: Decapsulate<'_>) -> Result<Zeroizing<Vec<u8>>> {
        match what {
            Decapsulate::Ecdh { peer: peer_key } => {
                let bytes = peer(self.alg, peer_key).ok_or(Error::DecryptionFailed)?;
                agree(&self.key, self.alg, &bytes)
            }
            #[cfg(feature = "hpke")]
            Decapsulate::Hpke {
                suite,
                enc,
                info,
                aad,
                data,
            } => {
                let Ok(suite) = hpke::Suite::from_ids(suite.kem, suite.kdf, suite.aead) else {
                    zeroize::Zeroize::zeroize(data);
                    data.clear();
                    return Err(Error::DecryptionFailed);
                };
                hpke::open_with_key(suite, &self.key, &self.public, enc, info, aad, data, None)?;
                Ok(Zeroizing::new(Vec::new()))
            }
            other => refuse(other),
        }
    }
}

/// A recipient's ECDH public key (sender side): every use makes a fresh ephemeral key.
pub(super) struct EcdhEncrypter {
    alg: &'static agreement::Algorithm,
    public: Vec<u8>,
}

impl core::fmt::Debug for EcdhEncrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdhEncrypter")
            .field("alg", self.alg)
            .finish_non_exhaustive()
    }
}

impl EcdhEncrypter {
    pub(super) fn new(
        alg: &'static agreement::Algorithm,
        key: &PublicKeyMaterial<'_>,
    ) -> Result<Self> {
        let public = peer(alg, key).ok_or(KeyError::Invalid("key does not fit ECDH"))?;
        // Parse once now so that a point off the curve is refused at import.
        agreement::ParsedPublicKey::try_from(UnparsedPublicKey::new(alg, public.as_slice()))
            .map_err(|_| KeyError::Invalid("ECDH public key is not on the curve"))?;
        Ok(Self { alg, public })
    }
}

impl PreparedEncryptionKey for EcdhEncrypter {
    fn encapsulate(&self, what: Encapsulate<'_>) -> Result<Encapsulated> {
        match what {
            Encapsulate::Ecdh => {
                let eph =
                    PrivateKey::generate(self.alg).map_err(|_| crate::crypto::backend_failure())?;
                let ephemeral = eph
                    .compute_public_key()
                    .map_err(|_| crate::crypto::backend_failure())?
                    .as_ref()
                    .to_vec();
                let z = agree(&eph, self.alg, &self.public)
                    .map_err(|_| Error::ApiMisuse("recipient key rejected"))?;
                Ok(Encapsulated::Ecdh { ephemeral, z })
            }
            #[cfg(feature = "hpke")]
            Encapsulate::Hpke {
                suite,
                info,
                aad,
                data,
            } => {
                let suite = hpke::Suite::from_ids(suite.kem, suite.kdf, suite.aead)?;
                if suite.kem.agreement() != self.alg {
                    return Err(Error::ApiMisuse("the key does not fit the HPKE KEM"));
                }
                hpke::seal(suite, &self.public, info, aad, data, None).map(Encapsulated::Hpke)
            }
            _ => Err(Error::ApiMisuse(
                "ECDH keys agree on a key or seal with HPKE",
            )),
        }
    }
}
