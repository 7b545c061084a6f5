//! HPKE (RFC 9180) in the base and PSK modes (section 5.1): DHKEM over P-256, P-384, P-521
//! and X25519 (section 4.1), HKDF-SHA256/384/512 (section 7.2), AES-128-GCM, AES-256-GCM,
//! ChaCha20Poly1305 and the export-only AEAD (section 7.3). X448 (not in aws-lc-rs) and the
//! auth modes are not implemented.
//!
//! Crate-internal: the JOSE layer (HPKE for JOSE) is its caller.

// JOSE uses the single-shot Seal and Open; the contexts, Export, DeriveKeyPair and the
// private-key-bytes entry points are RFC 9180's interface, used by its vector tests.
#![cfg_attr(not(test), allow(dead_code))]

use crate::crypto::backend_failure;
use crate::error::{Error, KeyError, Result, Unsupported};
use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use aws_lc_rs::agreement::{self, PrivateKey};
use aws_lc_rs::{hkdf, hmac};
use zeroize::{Zeroize, Zeroizing};

/// A KEM (section 7.1). X448 (0x0021) is not offered by aws-lc-rs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kem {
    /// DHKEM(P-256, HKDF-SHA256), 0x0010.
    P256Sha256,
    /// DHKEM(P-384, HKDF-SHA384), 0x0011.
    P384Sha384,
    /// DHKEM(P-521, HKDF-SHA512), 0x0012.
    P521Sha512,
    /// DHKEM(X25519, HKDF-SHA256), 0x0020.
    X25519Sha256,
}

impl Kem {
    /// The KEM with this id, `None` for X448 and unknown ids.
    pub(crate) const fn from_id(id: u16) -> Option<Self> {
        match id {
            0x0010 => Some(Self::P256Sha256),
            0x0011 => Some(Self::P384Sha384),
            0x0012 => Some(Self::P521Sha512),
            0x0020 => Some(Self::X25519Sha256),
            _ => None,
        }
    }

    pub(crate) const fn id(self) -> u16 {
        match self {
            Self::P256Sha256 => 0x0010,
            Self::P384Sha384 => 0x0011,
            Self::P521Sha512 => 0x0012,
            Self::X25519Sha256 => 0x0020,
        }
    }

    /// Nenc (= Npk): the length of `enc` and of a serialized public key (section 7.1.1:
    /// uncompressed points for the NIST curves).
    pub(crate) const fn enc_len(self) -> usize {
        match self {
            Self::P256Sha256 => 65,
            Self::P384Sha384 => 97,
            Self::P521Sha512 => 133,
            Self::X25519Sha256 => 32,
        }
    }

    /// Nsk: the length of a serialized private key (section 7.1.2).
    pub(crate) const fn sk_len(self) -> usize {
        match self {
            Self::P256Sha256 | Self::X25519Sha256 => 32,
            Self::P384Sha384 => 48,
            Self::P521Sha512 => 66,
        }
    }

    /// The KEM's own KDF; Nsecret is its Nh.
    const fn kdf(self) -> Kdf {
        match self {
            Self::P256Sha256 | Self::X25519Sha256 => Kdf::Sha256,
            Self::P384Sha384 => Kdf::Sha384,
            Self::P521Sha512 => Kdf::Sha512,
        }
    }

    pub(crate) fn agreement(self) -> &'static agreement::Algorithm {
        match self {
            Self::P256Sha256 => &agreement::ECDH_P256,
            Self::P384Sha384 => &agreement::ECDH_P384,
            Self::P521Sha512 => &agreement::ECDH_P521,
            Self::X25519Sha256 => &agreement::X25519,
        }
    }

    /// suite_id = "KEM" || I2OSP(kem_id, 2) (section 4.1).
    fn suite_id(self) -> [u8; 5] {
        let [k0, k1] = self.id().to_be_bytes();
        [b'K', b'E', b'M', k0, k1]
    }
}

/// A KDF (section 7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kdf {
    /// HKDF-SHA256, 0x0001.
    Sha256,
    /// HKDF-SHA384, 0x0002.
    Sha384,
    /// HKDF-SHA512, 0x0003.
    Sha512,
}

impl Kdf {
    pub(crate) const fn from_id(id: u16) -> Option<Self> {
        match id {
            0x0001 => Some(Self::Sha256),
            0x0002 => Some(Self::Sha384),
            0x0003 => Some(Self::Sha512),
            _ => None,
        }
    }

    pub(crate) const fn id(self) -> u16 {
        match self {
            Self::Sha256 => 0x0001,
            Self::Sha384 => 0x0002,
            Self::Sha512 => 0x0003,
        }
    }

    /// Nh.
    pub(crate) const fn hash_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    fn hmac(self) -> hmac::Algorithm {
        match self {
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::Sha384 => hmac::HMAC_SHA384,
            Self::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn hkdf(self) -> hkdf::Algorithm {
        match self {
            Self::Sha256 => hkdf::HKDF_SHA256,
            Self::Sha384 => hkdf::HKDF_SHA384,
            Self::Sha512 => hkdf::HKDF_SHA512,
        }
    }
}

/// An AEAD (section 7.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aead {
    /// AES-128-GCM, 0x0001.
    Aes128Gcm,
    /// AES-256-GCM, 0x0002.
    Aes256Gcm,
    /// ChaCha20Poly1305, 0x0003.
    ChaCha20Poly1305,
    /// Export-only, 0xFFFF: the context exports secrets and cannot seal or open.
    ExportOnly,
}

impl Aead {
    pub(crate) const fn from_id(id: u16) -> Option<Self> {
        match id {
            0x0001 => Some(Self::Aes128Gcm),
            0x0002 => Some(Self::Aes256Gcm),
            0x0003 => Some(Self::ChaCha20Poly1305),
            0xFFFF => Some(Self::ExportOnly),
            _ => None,
        }
    }

    pub(crate) const fn id(self) -> u16 {
        match self {
            Self::Aes128Gcm => 0x0001,
            Self::Aes256Gcm => 0x0002,
            Self::ChaCha20Poly1305 => 0x0003,
            Self::ExportOnly => 0xFFFF,
        }
    }

    /// Nk.
    pub(crate) const fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
            Self::ExportOnly => 0,
        }
    }

    /// Nn.
    pub(crate) const fn nonce_len(self) -> usize {
        match self {
            Self::ExportOnly => 0,
            _ => NONCE_LEN,
        }
    }

    /// Nt.
    pub(crate) const fn tag_len(self) -> usize {
        match self {
            Self::ExportOnly => 0,
            _ => 16,
        }
    }

    fn algorithm(self) -> Option<&'static aead::Algorithm> {
        match self {
            Self::Aes128Gcm => Some(&aead::AES_128_GCM),
            Self::Aes256Gcm => Some(&aead::AES_256_GCM),
            Self::ChaCha20Poly1305 => Some(&aead::CHACHA20_POLY1305),
            Self::ExportOnly => None,
        }
    }
}

/// A ciphersuite: KEM, KDF and AEAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Suite {
    pub(crate) kem: Kem,
    pub(crate) kdf: Kdf,
    pub(crate) aead: Aead,
}

impl Suite {
    /// The suite with these ids; X448 and unknown ids are [`Unsupported::Algorithm`].
    pub(crate) fn from_ids(kem: u16, kdf: u16, aead: u16) -> Result<Self> {
        match (Kem::from_id(kem), Kdf::from_id(kdf), Aead::from_id(aead)) {
            (Some(kem), Some(kdf), Some(aead)) => Ok(Self { kem, kdf, aead }),
            _ => Err(Unsupported::Algorithm.into()),
        }
    }

    /// suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
    /// (section 5.1).
    fn id(self) -> [u8; 10] {
        let [k0, k1] = self.kem.id().to_be_bytes();
        let [d0, d1] = self.kdf.id().to_be_bytes();
        let [a0, a1] = self.aead.id().to_be_bytes();
        [b'H', b'P', b'K', b'E', k0, k1, d0, d1, a0, a1]
    }
}

/// A pre-shared key and its id, for the PSK mode (section 5.1.2).
#[derive(Clone, Copy)]
pub(crate) struct Psk<'a> {
    pub(crate) psk: &'a [u8],
    pub(crate) id: &'a [u8],
}

impl core::fmt::Debug for Psk<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Psk").finish_non_exhaustive()
    }
}

/// "The PSK MUST have at least 32 bytes of entropy" (section 5.1.2): shorter ones cannot.
const MIN_PSK_LEN: usize = 32;

/// VerifyPSKInputs (section 5.1), with the mode taken from whether a PSK is given:
/// (mode, psk, psk_id), the defaults being empty.
fn psk_inputs<'a>(psk: Option<Psk<'a>>) -> Result<(u8, &'a [u8], &'a [u8])> {
    match psk {
        None => Ok((0x00, &[], &[])),
        Some(p) if p.psk.is_empty() || p.id.is_empty() => Err(Error::ApiMisuse(
            "the HPKE PSK mode needs both a PSK and a PSK id",
        )),
        Some(p) if p.psk.len() < MIN_PSK_LEN => Err(KeyError::TooShort {
            have: p.psk.len(),
            need: MIN_PSK_LEN,
        }
        .into()),
        Some(p) => Ok((0x01, p.psk, p.id)),
    }
}

/// LabeledExtract (section 4): HKDF-Extract(salt, "HPKE-v1" || suite_id || label || ikm),
/// computed as HMAC keyed with the salt (RFC 5869 section 2.2; an empty salt and Nh zero
/// bytes are the same HMAC key).
fn labeled_extract(
    kdf: Kdf,
    suite_id: &[u8],
    salt: &[u8],
    label: &[u8],
    ikm: &[u8],
) -> Zeroizing<Vec<u8>> {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(kdf.hmac(), salt));
    for part in [b"HPKE-v1".as_slice(), suite_id, label, ikm] {
        ctx.update(part);
    }
    Zeroizing::new(ctx.sign().as_ref().to_vec())
}

/// The output length of an HKDF-Expand.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// LabeledExpand (section 4): HKDF-Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id ||
/// label || info, L). `L` above 255 * Nh is refused.
fn labeled_expand(
    kdf: Kdf,
    suite_id: &[u8],
    prk: &[u8],
    label: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let too_long = || Error::ApiMisuse("HPKE output longer than 255 * Nh bytes");
    let l = u16::try_from(len).map_err(|_| too_long())?.to_be_bytes();
    if prk.len() != kdf.hash_len() {
        return Err(Error::Unreachable("HPKE PRK length"));
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    if len > 0 {
        hkdf::Prk::new_less_safe(kdf.hkdf(), prk)
            .expand(&[&l, b"HPKE-v1", suite_id, label, info], Len(len))
            .and_then(|okm| okm.fill(&mut out))
            .map_err(|_| too_long())?;
    }
    Ok(out)
}

/// SerializePublicKey (section 7.1.1) of a private key's public key.
fn public_key(sk: &PrivateKey) -> Result<Vec<u8>> {
    sk.compute_public_key()
        .map(|pk| pk.as_ref().to_vec())
        .map_err(|_| backend_failure())
}

/// DH(sk, pk) (section 4.1) with pk serialized: the x-coordinate for the NIST curves, the
/// X25519 output otherwise. `None` when pk is not a serialized point of the curve
/// (aws-lc-rs refuses points off the curve) or the X25519 output is all zero (a low-order
/// point, section 7.1.4).
fn dh(kem: Kem, sk: &PrivateKey, pk: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let serialized =
        pk.len() == kem.enc_len() && (kem == Kem::X25519Sha256 || pk.first() == Some(&0x04));
    if !serialized {
        return None;
    }
    // The same agreement as ECDH-ES: points off the curve and an all-zero X25519 secret
    // are refused.
    super::kem::agree(sk, kem.agreement(), pk).ok()
}

/// DeriveKeyPair (section 7.1.3): the private key and its serialization.
fn derive(kem: Kem, ikm: &[u8]) -> Result<(PrivateKey, Zeroizing<Vec<u8>>)> {
    // "ikm ... SHOULD have length at least Nsk" (section 7.1.3).
    if ikm.len() < kem.sk_len() {
        return Err(KeyError::TooShort {
            have: ikm.len(),
            need: kem.sk_len(),
        }
        .into());
    }
    let (kdf, id) = (kem.kdf(), kem.suite_id());
    let prk = labeled_extract(kdf, &id, b"", b"dkp_prk", ikm);
    let bitmask = match kem {
        Kem::X25519Sha256 => {
            let sk = labeled_expand(kdf, &id, &prk, b"sk", b"", kem.sk_len())?;
            let key = PrivateKey::from_private_key(kem.agreement(), &sk)
                .map_err(|_| backend_failure())?;
            return Ok((key, sk));
        }
        Kem::P521Sha512 => 0x01,
        Kem::P256Sha256 | Kem::P384Sha384 => 0xff,
    };
    // Rejection sampling: aws-lc-rs takes a big-endian scalar exactly when 0 < sk < order,
    // the loop's condition (the tests pin this for every curve).
    for counter in 0..=255u8 {
        let mut sk = labeled_expand(kdf, &id, &prk, b"candidate", &[counter], kem.sk_len())?;
        if let Some(first) = sk.first_mut() {
            *first &= bitmask;
        }
        if let Ok(key) = PrivateKey::from_private_key(kem.agreement(), &sk) {
            return Ok((key, sk));
        }
    }
    // DeriveKeyPairError.
    Err(KeyError::Invalid("HPKE DeriveKeyPair found no private key").into())
}

/// DeriveKeyPair (section 7.1.3): (skX, pkX), both serialized.
pub(crate) fn derive_key_pair(kem: Kem, ikm: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>)> {
    let (key, sk) = derive(kem, ikm)?;
    Ok((sk, public_key(&key)?))
}

/// ExtractAndExpand (section 4.1) with kem_context = enc || pkRm: the shared secret.
fn extract_and_expand(kem: Kem, dh: &[u8], enc: &[u8], pk_rm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let (kdf, id) = (kem.kdf(), kem.suite_id());
    let prk = labeled_extract(kdf, &id, b"", b"eae_prk", dh);
    let kem_context = [enc, pk_rm].concat();
    labeled_expand(
        kdf,
        &id,
        &prk,
        b"shared_secret",
        &kem_context,
        kdf.hash_len(),
    )
}

/// Encap (section 4.1) with the ephemeral key `sk_e`: (shared_secret, enc).
fn encap(kem: Kem, pk_r: &[u8], sk_e: &PrivateKey) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>)> {
    let dh = dh(kem, sk_e, pk_r).ok_or(KeyError::Invalid("HPKE recipient public key"))?;
    let enc = public_key(sk_e)?;
    Ok((extract_and_expand(kem, &dh, &enc, pk_r)?, enc))
}

/// Decap (section 4.1): the shared secret; any failure is [`Error::DecryptionFailed`].
fn decap(kem: Kem, enc: &[u8], sk_r: &PrivateKey, pk_rm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let dh = dh(kem, sk_r, enc).ok_or(Error::DecryptionFailed)?;
    extract_and_expand(kem, &dh, enc, pk_rm).map_err(|_| Error::DecryptionFailed)
}

/// What KeySchedule (section 5.1) derives.
struct Schedule {
    key: Zeroizing<Vec<u8>>,
    base_nonce: Zeroizing<Vec<u8>>,
    exporter_secret: Zeroizing<Vec<u8>>,
}

/// KeySchedule (section 5.1), after [`psk_inputs`]. Nk and Nn are 0 for export-only.
fn key_schedule(
    suite: Suite,
    shared_secret: &[u8],
    info: &[u8],
    (mode, psk, psk_id): (u8, &[u8], &[u8]),
    exporter: Exporter,
) -> Result<Schedule> {
    let (kdf, id) = (suite.kdf, suite.id());
    let context = if psk_id.is_empty() && info.is_empty() {
        base_context(suite, mode)
    } else {
        let psk_id_hash = labeled_extract(kdf, &id, b"", b"psk_id_hash", psk_id);
        let info_hash = labeled_extract(kdf, &id, b"", b"info_hash", info);
        [&[mode][..], &psk_id_hash, &info_hash].concat()
    };
    let secret = labeled_extract(kdf, &id, shared_secret, b"secret", psk);
    let expand = |label: &[u8], len| labeled_expand(kdf, &id, &secret, label, &context, len);
    Ok(Schedule {
        key: expand(b"key", suite.aead.key_len())?,
        base_nonce: expand(b"base_nonce", suite.aead.nonce_len())?,
        exporter_secret: match exporter {
            Exporter::Derived => expand(b"exp", kdf.hash_len())?,
            Exporter::NotNeeded => Zeroizing::new(Vec::new()),
        },
    })
}

/// Whether a context derives its exporter secret: single-shot Seal and Open never export
/// (section 6.1), so they skip that expansion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exporter {
    Derived,
    NotNeeded,
}

/// The key schedule context `mode || psk_id_hash || info_hash` with the empty `psk_id` and
/// `info` JOSE uses (section 5.1): it depends on the suite and mode only, so it is derived
/// once per suite and mode and kept (it holds no secret).
fn base_context(suite: Suite, mode: u8) -> Vec<u8> {
    use std::sync::Mutex;
    type Cache = Vec<((Suite, u8), Vec<u8>)>;
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
    let derive = || {
        let (kdf, id) = (suite.kdf, suite.id());
        let psk_id_hash = labeled_extract(kdf, &id, b"", b"psk_id_hash", b"");
        let info_hash = labeled_extract(kdf, &id, b"", b"info_hash", b"");
        [&[mode][..], &psk_id_hash, &info_hash].concat()
    };
    let Ok(mut cache) = CACHE.lock() else {
        return derive();
    };
    if let Some((_, c)) = cache.iter().find(|(k, _)| *k == (suite, mode)) {
        return c.clone();
    }
    let c = derive();
    cache.push(((suite, mode), c.clone()));
    c
}

/// The encryption context of either role (section 5.2).
struct Context {
    suite: Suite,
    /// `None` for the export-only AEAD.
    key: Option<LessSafeKey>,
    base_nonce: Zeroizing<[u8; NONCE_LEN]>,
    exporter_secret: Zeroizing<Vec<u8>>,
    /// The sequence number; kept below `u64::MAX`, far inside the section 5.2 limit of
    /// 2^(8*Nn) - 1.
    seq: u64,
}

impl core::fmt::Debug for Context {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("suite", &self.suite)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl Context {
    fn new(suite: Suite, schedule: Schedule) -> Result<Self> {
        let key = match suite.aead.algorithm() {
            Some(alg) => Some(LessSafeKey::new(
                UnboundKey::new(alg, &schedule.key).map_err(|_| backend_failure())?,
            )),
            None => None,
        };
        let mut base_nonce = Zeroizing::new([0u8; NONCE_LEN]);
        for (b, s) in base_nonce.iter_mut().zip(schedule.base_nonce.iter()) {
            *b = *s;
        }
        Ok(Self {
            suite,
            key,
            base_nonce,
            exporter_secret: schedule.exporter_secret,
            seq: 0,
        })
    }

    /// The key, the nonce for the current message (ComputeNonce: base_nonce XOR
    /// I2OSP(seq, Nn)) and the next sequence number (IncrementSeq), section 5.2.
    fn next(&self) -> Option<(&LessSafeKey, Nonce, u64)> {
        let key = self.key.as_ref()?;
        let next = self.seq.checked_add(1)?;
        let mut nonce = *self.base_nonce;
        for (b, s) in nonce.iter_mut().rev().zip(self.seq.to_le_bytes()) {
            *b ^= s;
        }
        Some((key, Nonce::assume_unique_for_key(nonce), next))
    }

    /// Export (section 5.3).
    fn export(&self, exporter_context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let id = self.suite.id();
        labeled_expand(
            self.suite.kdf,
            &id,
            &self.exporter_secret,
            b"sec",
            exporter_context,
            len,
        )
    }
}

/// The sender's context (section 5.2).
#[derive(Debug)]
pub(crate) struct SenderContext(Context);

impl SenderContext {
    /// ContextS.Seal (section 5.2): encrypts `pt` in place and appends the tag. Refused for
    /// the export-only AEAD and when the sequence number is exhausted.
    pub(crate) fn seal(&mut self, aad: &[u8], pt: &mut Vec<u8>) -> Result<()> {
        let (key, nonce, next) = self.0.next().ok_or(Error::ApiMisuse(
            "HPKE context cannot seal (export-only, or message limit reached)",
        ))?;
        key.seal_in_place_append_tag(nonce, Aad::from(aad), pt)
            .map_err(|_| backend_failure())?;
        self.0.seq = next;
        Ok(())
    }

    /// Export (section 5.3): `len` bytes bound to `exporter_context`.
    pub(crate) fn export(&self, exporter_context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        self.0.export(exporter_context, len)
    }
}

/// The recipient's context (section 5.2).
#[derive(Debug)]
pub(crate) struct RecipientContext(Context);

impl RecipientContext {
    /// ContextR.Open (section 5.2): decrypts `ct` (ciphertext and tag) in place. On any
    /// failure `ct` is wiped and emptied and the error is [`Error::DecryptionFailed`].
    pub(crate) fn open(&mut self, aad: &[u8], ct: &mut Vec<u8>) -> Result<()> {
        let opened = self.0.next().and_then(|(key, nonce, next)| {
            let len = key.open_in_place(nonce, Aad::from(aad), ct).ok()?.len();
            Some((len, next))
        });
        match opened {
            Some((len, next)) => {
                ct.truncate(len);
                self.0.seq = next;
                Ok(())
            }
            None => {
                ct.zeroize();
                ct.clear();
                Err(Error::DecryptionFailed)
            }
        }
    }

    /// Export (section 5.3): `len` bytes bound to `exporter_context`.
    pub(crate) fn export(&self, exporter_context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        self.0.export(exporter_context, len)
    }
}

fn sender_with(
    suite: Suite,
    pk_r: &[u8],
    info: &[u8],
    psk: Option<Psk<'_>>,
    sk_e: &PrivateKey,
    exporter: Exporter,
) -> Result<(Vec<u8>, SenderContext)> {
    let psk = psk_inputs(psk)?;
    let (shared_secret, enc) = encap(suite.kem, pk_r, sk_e)?;
    let schedule = key_schedule(suite, &shared_secret, info, psk, exporter)?;
    Ok((enc, SenderContext(Context::new(suite, schedule)?)))
}

/// SetupBaseS / SetupPSKS (sections 5.1.1, 5.1.2) to the serialized public key `pk_r`, with
/// a fresh ephemeral key: (enc, context). The PSK mode when `psk` is given.
pub(crate) fn setup_sender(
    suite: Suite,
    pk_r: &[u8],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<(Vec<u8>, SenderContext)> {
    let sk_e = PrivateKey::generate(suite.kem.agreement()).map_err(|_| backend_failure())?;
    sender_with(suite, pk_r, info, psk, &sk_e, Exporter::Derived)
}

/// [`setup_sender`] with the ephemeral key DeriveKeyPair(`ikm_e`), as the RFC 9180 test
/// vectors do.
#[cfg(test)]
pub(crate) fn setup_sender_with_ikm_e(
    suite: Suite,
    pk_r: &[u8],
    info: &[u8],
    psk: Option<Psk<'_>>,
    ikm_e: &[u8],
) -> Result<(Vec<u8>, SenderContext)> {
    let (sk_e, _) = derive(suite.kem, ikm_e)?;
    sender_with(suite, pk_r, info, psk, &sk_e, Exporter::Derived)
}

/// SetupBaseR / SetupPSKR (sections 5.1.1, 5.1.2) with the serialized private key `sk_r`
/// (the 32 X25519 bytes, or the big-endian Nsk-byte scalar). A bad `enc` is
/// [`Error::DecryptionFailed`].
pub(crate) fn setup_recipient(
    suite: Suite,
    sk_r: &[u8],
    enc: &[u8],
    info: &[u8],
    psk: Option<Psk<'_>>,
) -> Result<RecipientContext> {
    let psk = psk_inputs(psk)?;
    let sk_r = PrivateKey::from_private_key(suite.kem.agreement(), sk_r)
        .map_err(|_| KeyError::Invalid("HPKE recipient private key"))?;
    let pk_rm = public_key(&sk_r)?;
    let shared_secret = decap(suite.kem, enc, &sk_r, &pk_rm)?;
    let schedule = key_schedule(suite, &shared_secret, info, psk, Exporter::Derived)?;
    Ok(RecipientContext(Context::new(suite, schedule)?))
}

/// Single-shot Seal (section 6.1): encrypts `pt` in place (tag appended) and returns enc.
pub(crate) fn seal(
    suite: Suite,
    pk_r: &[u8],
    info: &[u8],
    aad: &[u8],
    pt: &mut Vec<u8>,
    psk: Option<Psk<'_>>,
) -> Result<Vec<u8>> {
    let sk_e = PrivateKey::generate(suite.kem.agreement()).map_err(|_| backend_failure())?;
    let (enc, mut ctx) = sender_with(suite, pk_r, info, psk, &sk_e, Exporter::NotNeeded)?;
    ctx.seal(aad, pt)?;
    Ok(enc)
}

/// Single-shot Open (section 6.1): decrypts `ct` in place.
pub(crate) fn open(
    suite: Suite,
    sk_r: &[u8],
    enc: &[u8],
    info: &[u8],
    aad: &[u8],
    ct: &mut Vec<u8>,
    psk: Option<Psk<'_>>,
) -> Result<()> {
    setup_recipient(suite, sk_r, enc, info, psk)?.open(aad, ct)
}

/// Single-shot Open (section 6.1) with an already parsed private key `sk_r` (its
/// algorithm must be the KEM's) and its serialized public key `pk_rm`: decrypts `ct` in
/// place. Any failure is [`Error::DecryptionFailed`] and wipes `ct`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_with_key(
    suite: Suite,
    sk_r: &PrivateKey,
    pk_rm: &[u8],
    enc: &[u8],
    info: &[u8],
    aad: &[u8],
    ct: &mut Vec<u8>,
    psk: Option<Psk<'_>>,
) -> Result<()> {
    let opened = (|| {
        if sk_r.algorithm() != suite.kem.agreement() {
            return Err(Error::DecryptionFailed);
        }
        let psk = psk_inputs(psk).map_err(|_| Error::DecryptionFailed)?;
        let shared_secret = decap(suite.kem, enc, sk_r, pk_rm)?;
        let schedule = key_schedule(suite, &shared_secret, info, psk, Exporter::NotNeeded)
            .map_err(|_| Error::DecryptionFailed)?;
        RecipientContext(Context::new(suite, schedule).map_err(|_| Error::DecryptionFailed)?)
            .open(aad, ct)
    })();
    if opened.is_err() {
        ct.zeroize();
        ct.clear();
        return Err(Error::DecryptionFailed);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
