//! JWE content encryption (RFC 7518 section 5): AES-GCM and AES-CBC with HMAC-SHA2, plus
//! AES key wrap (RFC 3394) and PBKDF2.

use crate::alg::{HashAlg, JweEnc};
use crate::crypto::{ContentStream, JweCrypto, VerifyStream};
use crate::error::{Error, Result};
use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{
    DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, StreamingDecryptingKey, StreamingEncryptingKey, UnboundCipherKey,
    AES_128, AES_192, AES_256,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, KeyWrap};
use aws_lc_rs::{constant_time, hmac, pbkdf2};
use std::num::NonZeroU32;
use zeroize::{Zeroize, Zeroizing};

#[derive(Debug)]
pub(super) struct AwsLcJwe;

fn misuse(what: &'static str) -> Error {
    Error::ApiMisuse(what)
}

fn gcm_alg(key_len: usize) -> Option<&'static aead::Algorithm> {
    match key_len {
        16 => Some(&aead::AES_128_GCM),
        24 => Some(&aead::AES_192_GCM),
        32 => Some(&aead::AES_256_GCM),
        _ => None,
    }
}

fn aes_alg(key_len: usize) -> Option<&'static aws_lc_rs::cipher::Algorithm> {
    match key_len {
        16 => Some(&AES_128),
        24 => Some(&AES_192),
        32 => Some(&AES_256),
        _ => None,
    }
}

/// RFC 7518 section 5.2.2.1: MAC_KEY and ENC_KEY halves, the HMAC, and T_LEN.
fn cbc_params(enc: JweEnc) -> Option<(hmac::Algorithm, usize)> {
    match enc {
        JweEnc::A128CbcHs256 => Some((hmac::HMAC_SHA256, 16)),
        JweEnc::A192CbcHs384 => Some((hmac::HMAC_SHA384, 24)),
        JweEnc::A256CbcHs512 => Some((hmac::HMAC_SHA512, 32)),
        _ => None,
    }
}

/// The CBC-HMAC tag: HMAC(MAC_KEY, A || IV || E || AL) truncated to T_LEN bytes.
fn cbc_tag(
    mac_key: &[u8],
    alg: hmac::Algorithm,
    t_len: usize,
    aad: &[u8],
    iv: &[u8],
    ct: &[u8],
) -> Vec<u8> {
    let key = hmac::Key::new(alg, mac_key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ct);
    let al = (aad.len() as u64).wrapping_mul(8).to_be_bytes();
    ctx.update(&al);
    let tag = ctx.sign();
    tag.as_ref()
        .get(..t_len)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

enum Cbc {
    Seal(StreamingEncryptingKey),
    Open(StreamingDecryptingKey),
}

/// AES-CBC with the HMAC computed over the ciphertext as it passes.
struct CbcStream {
    cipher: Cbc,
    mac: hmac::Context,
    t_len: usize,
    al: [u8; 8],
}

/// Runs `f` on `extra` fresh bytes at the end of `out`, keeping the `n` it wrote.
fn append_with(
    out: &mut Vec<u8>,
    extra: usize,
    f: impl FnOnce(&mut [u8]) -> Result<usize>,
) -> Result<core::ops::Range<usize>> {
    let start = out.len();
    out.resize(start + extra, 0);
    let buf = out
        .get_mut(start..)
        .ok_or(Error::Unreachable("stream buffer"))?;
    let n = f(buf)?;
    out.truncate(start + n);
    Ok(start..start + n)
}

impl ContentStream for CbcStream {
    fn update(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        match &mut self.cipher {
            Cbc::Seal(k) => {
                let range = append_with(out, data.len() + 15, |buf| {
                    k.update(data, buf)
                        .map(|u| u.written().len())
                        .map_err(|_| crate::crypto::backend_failure())
                })?;
                self.mac.update(out.get(range).unwrap_or_default());
            }
            Cbc::Open(k) => {
                self.mac.update(data);
                append_with(out, data.len() + 15, |buf| {
                    k.update(data, buf)
                        .map(|u| u.written().len())
                        .map_err(|_| Error::DecryptionFailed)
                })?;
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>, tag: &[u8], out: &mut Vec<u8>) -> Result<Vec<u8>> {
        let CbcStream {
            cipher,
            mut mac,
            t_len,
            al,
        } = *self;
        match cipher {
            Cbc::Seal(k) => {
                let range = append_with(out, 16, |buf| {
                    k.finish(buf)
                        .map(|(_, u)| u.written().len())
                        .map_err(|_| crate::crypto::backend_failure())
                })?;
                mac.update(out.get(range).unwrap_or_default());
                mac.update(&al);
                let full = mac.sign();
                Ok(full.as_ref().get(..t_len).unwrap_or_default().to_vec())
            }
            Cbc::Open(k) => {
                // Padding and tag are both checked before answering, and fail alike.
                let padding = append_with(out, 16, |buf| {
                    k.finish(buf)
                        .map(|u| u.written().len())
                        .map_err(|_| Error::DecryptionFailed)
                });
                mac.update(&al);
                let full = mac.sign();
                let expected = full.as_ref().get(..t_len).unwrap_or_default();
                let tag_ok = tag.len() == t_len
                    && constant_time::verify_slices_are_equal(expected, tag).is_ok();
                if tag_ok && padding.is_ok() {
                    Ok(expected.to_vec())
                } else {
                    Err(Error::DecryptionFailed)
                }
            }
        }
    }
}

/// The CBC-HMAC tag over ciphertext given in pieces, without decrypting.
struct CbcMac {
    mac: hmac::Context,
    t_len: usize,
    al: [u8; 8],
}

impl VerifyStream for CbcMac {
    fn update(&mut self, data: &[u8]) {
        self.mac.update(data);
    }

    fn finish(self: Box<Self>, tag: &[u8]) -> Result<()> {
        let CbcMac { mut mac, t_len, al } = *self;
        mac.update(&al);
        let full = mac.sign();
        let expected = full.as_ref().get(..t_len).unwrap_or_default();
        if tag.len() == t_len && constant_time::verify_slices_are_equal(expected, tag).is_ok() {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
    }
}

impl JweCrypto for AwsLcJwe {
    fn cbc_mac(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
    ) -> Result<Box<dyn VerifyStream>> {
        let (mac_alg, t_len) = cbc_params(enc).ok_or(Error::DecryptionFailed)?;
        if cek.len() != 2 * t_len || iv.len() != 16 {
            return Err(Error::DecryptionFailed);
        }
        let (mac_key, _) = cek.split_at(t_len);
        let mut mac = hmac::Context::with_key(&hmac::Key::new(mac_alg, mac_key));
        mac.update(aad);
        mac.update(iv);
        Ok(Box::new(CbcMac {
            mac,
            t_len,
            al: (aad.len() as u64).wrapping_mul(8).to_be_bytes(),
        }))
    }

    fn cbc_stream(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        encrypt: bool,
    ) -> Result<Box<dyn ContentStream>> {
        let (mac_alg, t_len) =
            cbc_params(enc).ok_or(misuse("not a CBC-HMAC content encryption"))?;
        if cek.len() != 2 * t_len || iv.len() != 16 {
            return Err(misuse(
                "CEK or IV length does not fit the content encryption",
            ));
        }
        let (mac_key, enc_key) = cek.split_at(t_len);
        let alg = aes_alg(t_len).ok_or(misuse("AES key length"))?;
        let key = UnboundCipherKey::new(alg, enc_key).map_err(|_| misuse("AES key"))?;
        let iv16: [u8; 16] = iv.try_into().map_err(|_| misuse("IV length"))?;
        let cipher = if encrypt {
            Cbc::Seal(
                StreamingEncryptingKey::less_safe_cbc_pkcs7(
                    key,
                    EncryptionContext::Iv128(FixedLength::from(iv16)),
                )
                .map_err(|_| crate::crypto::backend_failure())?,
            )
        } else {
            Cbc::Open(
                StreamingDecryptingKey::cbc_pkcs7(
                    key,
                    DecryptionContext::Iv128(FixedLength::from(iv16)),
                )
                .map_err(|_| Error::DecryptionFailed)?,
            )
        };
        let mut mac = hmac::Context::with_key(&hmac::Key::new(mac_alg, mac_key));
        mac.update(aad);
        mac.update(iv);
        Ok(Box::new(CbcStream {
            cipher,
            mac,
            t_len,
            al: (aad.len() as u64).wrapping_mul(8).to_be_bytes(),
        }))
    }

    fn encrypt(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        data: &mut Vec<u8>,
    ) -> Result<Vec<u8>> {
        if let Some((mac, t_len)) = cbc_params(enc) {
            if cek.len() != 2 * t_len || iv.len() != 16 {
                return Err(misuse(
                    "CEK or IV length does not fit the content encryption",
                ));
            }
            let (mac_key, enc_key) = cek.split_at(t_len);
            let alg = aes_alg(t_len).ok_or(misuse("AES key length"))?;
            let key = PaddedBlockEncryptingKey::cbc_pkcs7(
                UnboundCipherKey::new(alg, enc_key).map_err(|_| misuse("AES key"))?,
            )
            .map_err(|_| misuse("AES key"))?;
            let iv16: [u8; 16] = iv.try_into().map_err(|_| misuse("IV length"))?;
            key.less_safe_encrypt(data, EncryptionContext::Iv128(FixedLength::from(iv16)))
                .map_err(|_| crate::crypto::backend_failure())?;
            return Ok(cbc_tag(mac_key, mac, t_len, aad, iv, data));
        }
        let alg =
            gcm_alg(cek.len()).ok_or(misuse("CEK length does not fit the content encryption"))?;
        let key = LessSafeKey::new(UnboundKey::new(alg, cek).map_err(|_| misuse("AES key"))?);
        let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| misuse("IV length"))?;
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), data)
            .map_err(|_| crate::crypto::backend_failure())?;
        Ok(tag.as_ref().to_vec())
    }

    fn decrypt(
        &self,
        enc: JweEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        data: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<()> {
        let result = (|| -> Result<()> {
            if let Some((mac, t_len)) = cbc_params(enc) {
                if cek.len() != 2 * t_len || iv.len() != 16 || tag.len() != t_len {
                    return Err(Error::DecryptionFailed);
                }
                let (mac_key, enc_key) = cek.split_at(t_len);
                // The MAC is checked, in constant time, before anything is decrypted.
                let expected = cbc_tag(mac_key, mac, t_len, aad, iv, data);
                constant_time::verify_slices_are_equal(&expected, tag)
                    .map_err(|_| Error::DecryptionFailed)?;
                let alg = aes_alg(t_len).ok_or(Error::DecryptionFailed)?;
                let key = PaddedBlockDecryptingKey::cbc_pkcs7(
                    UnboundCipherKey::new(alg, enc_key).map_err(|_| Error::DecryptionFailed)?,
                )
                .map_err(|_| Error::DecryptionFailed)?;
                let iv16: [u8; 16] = iv.try_into().map_err(|_| Error::DecryptionFailed)?;
                let len = key
                    .decrypt(data, DecryptionContext::Iv128(FixedLength::from(iv16)))
                    .map_err(|_| Error::DecryptionFailed)?
                    .len();
                data.truncate(len);
                return Ok(());
            }
            if tag.len() != 16 {
                return Err(Error::DecryptionFailed);
            }
            let alg = gcm_alg(cek.len()).ok_or(Error::DecryptionFailed)?;
            let key =
                LessSafeKey::new(UnboundKey::new(alg, cek).map_err(|_| Error::DecryptionFailed)?);
            let nonce =
                Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
            key.open_in_place_separate_tag(nonce, Aad::from(aad), tag, data)
                .map(|_| ())
                .map_err(|_| Error::DecryptionFailed)
        })();
        if result.is_err() {
            data.zeroize();
            data.clear();
        }
        result
    }

    fn aes_kw_wrap(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; key.len() + 8];
        let n = match kek.len() {
            16 | 32 => {
                let cipher = if kek.len() == 16 {
                    &key_wrap::AES_128
                } else {
                    &key_wrap::AES_256
                };
                let kek = key_wrap::AesKek::new(cipher, kek).map_err(|_| misuse("KEK"))?;
                kek.wrap(key, &mut out)
                    .map_err(|_| misuse("key to wrap"))?
                    .len()
            }
            24 => {
                rfc3394::wrap(kek, key, &mut out)?;
                out.len()
            }
            _ => return Err(misuse("KEK length")),
        };
        out.truncate(n);
        Ok(out)
    }

    fn aes_kw_unwrap(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 24 || wrapped.len() % 8 != 0 {
            return Err(Error::DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let n = match kek.len() {
            16 | 32 => {
                let cipher = if kek.len() == 16 {
                    &key_wrap::AES_128
                } else {
                    &key_wrap::AES_256
                };
                let kek =
                    key_wrap::AesKek::new(cipher, kek).map_err(|_| Error::DecryptionFailed)?;
                kek.unwrap(wrapped, &mut out)
                    .map_err(|_| Error::DecryptionFailed)?
                    .len()
            }
            24 => rfc3394::unwrap(kek, wrapped, &mut out)?,
            _ => return Err(Error::DecryptionFailed),
        };
        out.truncate(n);
        Ok(out)
    }

    fn pbkdf2(
        &self,
        hash: HashAlg,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<()> {
        let alg = match hash {
            HashAlg::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            HashAlg::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            HashAlg::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        };
        let iterations =
            NonZeroU32::new(iterations).ok_or(misuse("PBKDF2 needs at least one iteration"))?;
        if out.len() > 64 {
            return Err(misuse("PBKDF2 output too long"));
        }
        pbkdf2::derive(alg, iterations, salt, password, out);
        Ok(())
    }
}

/// RFC 3394 over AES-192 in ECB mode: aws-lc-rs offers key wrap with 128- and 256-bit
/// KEKs only, and A192KW needs the 192-bit one. The algorithm is the RFC's section 2.2.1
/// and 2.2.2 index-based form; it is checked against Wycheproof's AES-KW vectors.
mod rfc3394 {
    use super::*;

    const IV: [u8; 8] = [0xa6; 8];

    fn block(kek: &[u8], decrypt: bool, b: &mut [u8; 16]) -> Result<()> {
        let key = || UnboundCipherKey::new(&AES_192, kek).map_err(|_| Error::DecryptionFailed);
        if decrypt {
            DecryptingKey::ecb(key()?)
                .and_then(|k| k.decrypt(b, DecryptionContext::None).map(|_| ()))
                .map_err(|_| Error::DecryptionFailed)
        } else {
            EncryptingKey::ecb(key()?)
                .and_then(|k| k.less_safe_encrypt(b, EncryptionContext::None).map(|_| ()))
                .map_err(|_| Error::DecryptionFailed)
        }
    }

    pub(super) fn wrap(kek: &[u8], key: &[u8], out: &mut [u8]) -> Result<()> {
        let n = key.len() / 8;
        if key.len() % 8 != 0 || n < 2 || out.len() != key.len() + 8 {
            return Err(misuse("key to wrap"));
        }
        let mut a = IV;
        let (head, r) = out.split_at_mut(8);
        r.copy_from_slice(key);
        let mut b = [0u8; 16];
        for j in 0..6u64 {
            for (i, ri) in r.chunks_exact_mut(8).enumerate() {
                b[..8].copy_from_slice(&a);
                b[8..].copy_from_slice(ri);
                block(kek, false, &mut b)?;
                let t = (n as u64) * j + (i as u64) + 1;
                for (x, y) in a.iter_mut().zip(b[..8].iter().zip(t.to_be_bytes())) {
                    *x = y.0 ^ y.1;
                }
                ri.copy_from_slice(&b[8..]);
            }
        }
        head.copy_from_slice(&a);
        b.zeroize();
        Ok(())
    }

    pub(super) fn unwrap(kek: &[u8], wrapped: &[u8], out: &mut [u8]) -> Result<usize> {
        let n = wrapped.len() / 8 - 1;
        let (c0, rest) = wrapped.split_at(8);
        let mut a = [0u8; 8];
        a.copy_from_slice(c0);
        let r = out.get_mut(..rest.len()).ok_or(Error::DecryptionFailed)?;
        r.copy_from_slice(rest);
        let mut b = [0u8; 16];
        for j in (0..6u64).rev() {
            for i in (0..n).rev() {
                let t = (n as u64) * j + (i as u64) + 1;
                let ri = r.get_mut(i * 8..i * 8 + 8).ok_or(Error::DecryptionFailed)?;
                for (x, y) in b[..8].iter_mut().zip(a.iter().zip(t.to_be_bytes())) {
                    *x = y.0 ^ y.1;
                }
                b[8..].copy_from_slice(ri);
                block(kek, true, &mut b)?;
                a.copy_from_slice(&b[..8]);
                ri.copy_from_slice(&b[8..]);
            }
        }
        b.zeroize();
        constant_time::verify_slices_are_equal(&a, &IV).map_err(|_| Error::DecryptionFailed)?;
        Ok(rest.len())
    }
}
