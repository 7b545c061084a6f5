//! Key management (RFC 7518 section 4): how each `alg` produces, wraps and recovers the
//! CEK. Every failure on the decryption side is the same opaque
//! [`Error::DecryptionFailed`].

use super::header::Header;
use crate::alg::{EcCurve, HashAlg, JweAlg, JweEnc, KeyManagement, OkpCurve};
use crate::b64;
use crate::crypto::{Decapsulate, Encapsulate, Encapsulated, Provider, PublicKeyMaterial};
use crate::error::{Error, Result};
use crate::jwk::{split_point, Jwk, KeyParams};
use crate::key::{DecryptionKey, EncryptionKey, Material};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The Concat KDF of RFC 7518 section 4.6.2 (NIST SP 800-56A, single-step, SHA-256):
/// `keydatalen` bytes from `z`, with AlgorithmID, PartyUInfo, PartyVInfo and SuppPubInfo
/// as JOSE defines them. Written here because it is a few lines over the hash.
pub(crate) fn concat_kdf(
    provider: &Provider,
    z: &[u8],
    alg_id: &str,
    apu: &[u8],
    apv: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut other = Vec::with_capacity(16 + alg_id.len() + apu.len() + apv.len());
    for part in [alg_id.as_bytes(), apu, apv] {
        let n = u32::try_from(part.len()).map_err(|_| Error::ApiMisuse("KDF input too long"))?;
        other.extend_from_slice(&n.to_be_bytes());
        other.extend_from_slice(part);
    }
    let bits = u32::try_from(len * 8).map_err(|_| Error::ApiMisuse("KDF output too long"))?;
    other.extend_from_slice(&bits.to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(len + 32));
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut input = Zeroizing::new(Vec::with_capacity(4 + z.len() + other.len()));
        input.extend_from_slice(&counter.to_be_bytes());
        input.extend_from_slice(z);
        input.extend_from_slice(&other);
        out.extend_from_slice(&Zeroizing::new(
            provider.hash.digest(HashAlg::Sha256, &input),
        ));
        counter += 1;
    }
    out.truncate(len);
    Ok(out)
}

/// The ECDH-ES key length and AlgorithmID (RFC 7518 section 4.6.2).
fn ecdh_target(alg: JweAlg, enc: JweEnc, kw: Option<usize>) -> (usize, &'static str) {
    match kw {
        Some(n) => (n, alg.as_str()),
        None => (enc.cek_len(), enc.as_str()),
    }
}

/// The PBES2 salt: UTF8(alg) || 0x00 || p2s (RFC 7518 section 4.8.1.1).
fn pbes2_salt(alg: JweAlg, p2s: &[u8]) -> Vec<u8> {
    let mut salt = Vec::with_capacity(alg.as_str().len() + 1 + p2s.len());
    salt.extend_from_slice(alg.as_str().as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    salt
}

/// The result of key management on the sending side.
pub(crate) struct Wrapped {
    /// The JWE Encrypted Key (empty for `dir` and ECDH-ES).
    pub(crate) encrypted_key: Vec<u8>,
    /// Header parameters the algorithm adds (`epk`, `iv`, `tag`, `p2s`, `p2c`).
    pub(crate) params: Map<String, Value>,
}

/// Options that key management takes from the encryptor.
pub(crate) struct WrapOptions<'a> {
    pub(crate) apu: &'a [u8],
    pub(crate) apv: &'a [u8],
    pub(crate) p2c: u32,
}

/// Whether `alg` decides the CEK itself, or (HPKE integrated encryption) has none, and
/// so allows a single recipient only.
pub(crate) fn determines_cek(alg: JweAlg) -> bool {
    matches!(
        alg.management(),
        KeyManagement::Direct
            | KeyManagement::EcdhEs(None)
            | KeyManagement::Hpke {
                integrated: true,
                ..
            }
    )
}

/// The HPKE `info` of key encryption (draft-ietf-jose-hpke-encrypt section 5, the
/// Recipient_structure): "JOSE-HPKE rcpt" || 0xFF || ASCII(enc) || 0xFF, with no
/// recipient_extra_info.
#[cfg(feature = "hpke")]
fn recipient_structure(enc: JweEnc) -> Vec<u8> {
    const LABEL: &[u8] = b"JOSE-HPKE rcpt";
    let mut info = Vec::with_capacity(LABEL.len() + enc.as_str().len() + 2);
    info.extend_from_slice(LABEL);
    info.push(0xFF);
    info.extend_from_slice(enc.as_str().as_bytes());
    info.push(0xFF);
    info
}

/// HPKE key encryption of the CEK: (JWE Encrypted Key, `enc` of HPKE).
#[cfg(feature = "hpke")]
fn hpke_wrap(
    key: &EncryptionKey,
    suite: crate::alg::HpkeSuite,
    enc: JweEnc,
    cek: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let Material::Asymmetric(k) = &key.material else {
        return Err(Error::ApiMisuse("HPKE needs an EC or X25519 key"));
    };
    let mut data = cek.to_vec();
    let Encapsulated::Hpke(encapsulated) = k.encapsulate(Encapsulate::Hpke {
        suite,
        info: &recipient_structure(enc),
        aad: &[],
        data: &mut data,
    })?
    else {
        return Err(Error::Unreachable("HPKE encapsulation"));
    };
    Ok((data, encapsulated))
}

#[cfg(not(feature = "hpke"))]
fn hpke_wrap(
    _key: &EncryptionKey,
    _suite: crate::alg::HpkeSuite,
    _enc: JweEnc,
    _cek: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    Err(crate::error::Unsupported::Algorithm.into())
}

/// HPKE integrated encryption, sending side: encrypts `data` in place (the AEAD tag
/// appended) with `aad`, the JWE AAD, and an empty `info`; returns the encapsulated key,
/// which is the JWE Encrypted Key.
#[cfg(feature = "hpke")]
pub(crate) fn hpke_seal_integrated(
    key: &EncryptionKey,
    alg: JweAlg,
    aad: &[u8],
    data: &mut Vec<u8>,
) -> Result<Vec<u8>> {
    let KeyManagement::Hpke {
        suite,
        integrated: true,
    } = alg.management()
    else {
        return Err(Error::ApiMisuse(
            "not an HPKE integrated encryption algorithm",
        ));
    };
    let Material::Asymmetric(k) = &key.material else {
        return Err(Error::ApiMisuse("HPKE needs an EC or X25519 key"));
    };
    match k.encapsulate(Encapsulate::Hpke {
        suite,
        info: &[],
        aad,
        data,
    })? {
        Encapsulated::Hpke(encapsulated) => Ok(encapsulated),
        _ => Err(Error::Unreachable("HPKE encapsulation")),
    }
}

#[cfg(not(feature = "hpke"))]
pub(crate) fn hpke_seal_integrated(
    _key: &EncryptionKey,
    _alg: JweAlg,
    _aad: &[u8],
    _data: &mut Vec<u8>,
) -> Result<Vec<u8>> {
    Err(crate::error::Unsupported::Algorithm.into())
}

/// HPKE integrated encryption, receiving side: decrypts `ct` (ciphertext || tag) in
/// place with the JWE Encrypted Key `ek` as the encapsulated key. Every failure is
/// [`Error::DecryptionFailed`].
#[cfg(feature = "hpke")]
pub(crate) fn hpke_open_integrated(
    key: &DecryptionKey,
    h: &Header,
    ek: &[u8],
    aad: &[u8],
    ct: &mut Vec<u8>,
) -> Result<()> {
    let (
        KeyManagement::Hpke {
            suite,
            integrated: true,
        },
        Material::AsymmetricPrivate(k),
    ) = (h.alg.management(), &key.material)
    else {
        return Err(Error::DecryptionFailed);
    };
    k.decapsulate(Decapsulate::Hpke {
        suite,
        enc: ek,
        info: &[],
        aad,
        data: ct,
    })
    .map(drop)
    .map_err(|_| Error::DecryptionFailed)
}

#[cfg(not(feature = "hpke"))]
pub(crate) fn hpke_open_integrated(
    _key: &DecryptionKey,
    _h: &Header,
    _ek: &[u8],
    _aad: &[u8],
    _ct: &mut Vec<u8>,
) -> Result<()> {
    Err(Error::DecryptionFailed)
}

fn secret(material: &Material) -> Result<&[u8]> {
    match material {
        Material::Secret(s) => Ok(s.expose_secret()),
        _ => Err(Error::ApiMisuse("this algorithm needs a symmetric key")),
    }
}

fn epk_value(key: &EncryptionKey, epk: &[u8]) -> Result<Value> {
    let params = match key.meta_shape() {
        crate::key::KeyShape::Ec(curve) => {
            let (x, y) = split_point(curve, epk)?;
            KeyParams::Ec {
                curve,
                x,
                y,
                d: None,
            }
        }
        _ => KeyParams::Okp {
            curve: OkpCurve::X25519,
            x: epk.to_vec(),
            d: None,
        },
    };
    Ok(Jwk::new(params).to_value())
}

/// Sending side. For `dir` and ECDH-ES (direct) `cek` is filled in; otherwise it must hold
/// the CEK to wrap.
pub(crate) fn wrap(
    provider: &Provider,
    key: &EncryptionKey,
    alg: JweAlg,
    enc: JweEnc,
    cek: &mut Zeroizing<Vec<u8>>,
    opts: &WrapOptions<'_>,
) -> Result<Wrapped> {
    let mut params = Map::new();
    let encrypted_key = match alg.management() {
        KeyManagement::Direct => {
            *cek = Zeroizing::new(secret(&key.material)?.to_vec());
            Vec::new()
        }
        KeyManagement::AesKw(_) => provider.jwe.aes_kw_wrap(secret(&key.material)?, cek)?,
        KeyManagement::AesGcmKw(n) => {
            let mut iv = [0u8; 12];
            provider.random.fill(&mut iv)?;
            let gcm = JweEnc::gcm_for_key_len(n).ok_or(Error::Unreachable("GCMKW key length"))?;
            let mut data = cek.to_vec();
            let tag = provider
                .jwe
                .encrypt(gcm, secret(&key.material)?, &iv, &[], &mut data)?;
            params.insert("iv".into(), b64::encode(&iv).into());
            params.insert("tag".into(), b64::encode(&tag).into());
            data
        }
        KeyManagement::Rsa => match &key.material {
            Material::Asymmetric(k) => match k.encapsulate(Encapsulate::RsaKey { alg, cek })? {
                Encapsulated::EncryptedKey(ek) => ek,
                _ => return Err(Error::Unreachable("RSA encapsulation")),
            },
            _ => return Err(Error::ApiMisuse("RSA key management needs an RSA key")),
        },
        KeyManagement::EcdhEs(kw) => {
            let Material::Asymmetric(k) = &key.material else {
                return Err(Error::ApiMisuse("ECDH-ES needs an EC or X25519 key"));
            };
            let Encapsulated::Ecdh { ephemeral: epk, z } = k.encapsulate(Encapsulate::Ecdh)? else {
                return Err(Error::Unreachable("ECDH encapsulation"));
            };
            let (len, alg_id) = ecdh_target(alg, enc, kw);
            let derived = concat_kdf(provider, &z, alg_id, opts.apu, opts.apv, len)?;
            params.insert("epk".into(), epk_value(key, &epk)?);
            if !opts.apu.is_empty() {
                params.insert("apu".into(), b64::encode(opts.apu).into());
            }
            if !opts.apv.is_empty() {
                params.insert("apv".into(), b64::encode(opts.apv).into());
            }
            if kw.is_some() {
                provider.jwe.aes_kw_wrap(&derived, cek)?
            } else {
                *cek = derived;
                Vec::new()
            }
        }
        KeyManagement::Pbes2(hash, n) => {
            let mut p2s = [0u8; 16];
            provider.random.fill(&mut p2s)?;
            let mut kek = Zeroizing::new(vec![0u8; n]);
            provider.jwe.pbkdf2(
                hash,
                secret(&key.material)?,
                &pbes2_salt(alg, &p2s),
                opts.p2c,
                &mut kek,
            )?;
            params.insert("p2s".into(), b64::encode(&p2s).into());
            params.insert("p2c".into(), opts.p2c.into());
            provider.jwe.aes_kw_wrap(&kek, cek)?
        }
        KeyManagement::Hpke {
            suite,
            integrated: false,
        } => {
            let (encrypted_key, encapsulated) = hpke_wrap(key, suite, enc, cek)?;
            params.insert("ek".into(), b64::encode(&encapsulated).into());
            encrypted_key
        }
        KeyManagement::Hpke { .. } => {
            return Err(Error::ApiMisuse(
                "HPKE integrated encryption has no CEK to wrap",
            ))
        }
    };
    Ok(Wrapped {
        encrypted_key,
        params,
    })
}

/// The epk as key material on the recipient's curve, or failure.
fn epk_material<'a>(epk: &'a Jwk, point: &'a mut Vec<u8>) -> Result<PublicKeyMaterial<'a>> {
    match &epk.params {
        KeyParams::Ec { curve, x, y, .. } if *curve != EcCurve::Secp256k1 => {
            point.clear();
            point.push(4);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            Ok(PublicKeyMaterial::Ec {
                curve: *curve,
                point,
            })
        }
        KeyParams::Okp {
            curve: OkpCurve::X25519,
            x,
            ..
        } => Ok(PublicKeyMaterial::Okp {
            curve: OkpCurve::X25519,
            x,
        }),
        _ => Err(Error::DecryptionFailed),
    }
}

/// Receiving side: recovers the CEK. `Err(DecryptionFailed)` for every failure.
pub(crate) fn unwrap(
    provider: &Provider,
    key: &DecryptionKey,
    h: &Header,
    ek: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let fail = |_: Error| Error::DecryptionFailed;
    if h.alg.is_integrated() {
        // No CEK: the content is opened with HPKE itself (`hpke_open_integrated`).
        return match &key.material {
            Material::AsymmetricPrivate(_) if !ek.is_empty() => Ok(Zeroizing::new(Vec::new())),
            _ => Err(Error::DecryptionFailed),
        };
    }
    let enc = h.enc.ok_or(Error::DecryptionFailed)?;
    let cek = match h.alg.management() {
        KeyManagement::Direct => {
            if !ek.is_empty() {
                return Err(Error::DecryptionFailed);
            }
            Zeroizing::new(secret(&key.material).map_err(fail)?.to_vec())
        }
        KeyManagement::AesKw(_) => provider
            .jwe
            .aes_kw_unwrap(secret(&key.material).map_err(fail)?, ek)?,
        KeyManagement::AesGcmKw(n) => {
            let (Some(iv), Some(tag)) = (&h.kw_iv, &h.kw_tag) else {
                return Err(Error::DecryptionFailed);
            };
            if iv.len() != 12 || tag.len() != 16 {
                return Err(Error::DecryptionFailed);
            }
            let gcm = JweEnc::gcm_for_key_len(n).ok_or(Error::DecryptionFailed)?;
            let mut data = Zeroizing::new(ek.to_vec());
            provider.jwe.decrypt(
                gcm,
                secret(&key.material).map_err(fail)?,
                iv,
                &[],
                &mut data,
                tag,
            )?;
            data
        }
        KeyManagement::Rsa => match &key.material {
            Material::AsymmetricPrivate(k) => k.decapsulate(Decapsulate::RsaKey {
                alg: h.alg,
                encrypted_key: ek,
            })?,
            _ => return Err(Error::DecryptionFailed),
        },
        KeyManagement::EcdhEs(kw) => {
            let Material::AsymmetricPrivate(k) = &key.material else {
                return Err(Error::DecryptionFailed);
            };
            let epk = h.epk.as_ref().ok_or(Error::DecryptionFailed)?;
            let mut point = Vec::new();
            let z = k.decapsulate(Decapsulate::Ecdh {
                peer: &epk_material(epk, &mut point)?,
            })?;
            let (len, alg_id) = ecdh_target(h.alg, enc, kw);
            let derived = concat_kdf(provider, &z, alg_id, &h.apu, &h.apv, len)?;
            match kw {
                Some(_) => provider.jwe.aes_kw_unwrap(&derived, ek)?,
                None if ek.is_empty() => derived,
                None => return Err(Error::DecryptionFailed),
            }
        }
        KeyManagement::Pbes2(hash, n) => {
            let (Some(p2s), Some(p2c)) = (&h.p2s, h.p2c) else {
                return Err(Error::DecryptionFailed);
            };
            let iterations = u32::try_from(p2c).map_err(|_| Error::DecryptionFailed)?;
            let mut kek = Zeroizing::new(vec![0u8; n]);
            provider
                .jwe
                .pbkdf2(
                    hash,
                    secret(&key.material).map_err(fail)?,
                    &pbes2_salt(h.alg, p2s),
                    iterations,
                    &mut kek,
                )
                .map_err(|_| Error::DecryptionFailed)?;
            provider.jwe.aes_kw_unwrap(&kek, ek)?
        }
        KeyManagement::Hpke { suite, .. } => hpke_unwrap(key, suite, h, enc, ek)?,
    };
    if cek.len() != enc.cek_len() {
        return Err(Error::DecryptionFailed);
    }
    Ok(cek)
}

/// HPKE key encryption, receiving side: the CEK from the JWE Encrypted Key and `ek`.
#[cfg(feature = "hpke")]
fn hpke_unwrap(
    key: &DecryptionKey,
    suite: crate::alg::HpkeSuite,
    h: &Header,
    enc: JweEnc,
    ek: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let (Material::AsymmetricPrivate(k), Some(encapsulated)) = (&key.material, &h.ek) else {
        return Err(Error::DecryptionFailed);
    };
    let mut data = Zeroizing::new(ek.to_vec());
    k.decapsulate(Decapsulate::Hpke {
        suite,
        enc: encapsulated,
        info: &recipient_structure(enc),
        aad: &[],
        data: &mut data,
    })
    .map_err(|_| Error::DecryptionFailed)?;
    Ok(data)
}

#[cfg(not(feature = "hpke"))]
fn hpke_unwrap(
    _key: &DecryptionKey,
    _suite: crate::alg::HpkeSuite,
    _h: &Header,
    _enc: JweEnc,
    _ek: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    Err(Error::DecryptionFailed)
}
