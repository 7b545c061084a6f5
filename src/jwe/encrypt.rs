//! Encryption: an [`Encryptor`] names the content encryption, the recipients and the
//! shared header, and writes any serialization.

use super::key_mgmt::{self, WrapOptions};
use crate::alg::{JweAlg, JweEnc};
use crate::b64;
use crate::crypto::Provider;
use crate::error::{Error, Result};
use crate::key::EncryptionKey;
use serde_json::{Map, Value};
use std::io::Write;
use zeroize::Zeroizing;

/// Header names the encryptor sets itself.
const MANAGED: &[&str] = &[
    "alg", "enc", "zip", "crit", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "ek",
];

/// The PBES2 iteration count used when none is set.
pub const DEFAULT_PBES2_COUNT: u32 = 600_000;

/// Encrypts payloads to one or more recipients.
#[derive(Debug, Clone)]
pub struct Encryptor {
    /// The content encryption; `None` for HPKE integrated encryption.
    enc: Option<JweEnc>,
    /// The HPKE integrated encryption algorithm (`HPKE-N`), which replaces `enc`.
    integrated: Option<JweAlg>,
    protected: Map<String, Value>,
    zip: bool,
    recipients: Vec<(EncryptionKey, JweAlg)>,
    aad: Option<Vec<u8>>,
    apu: Vec<u8>,
    apv: Vec<u8>,
    p2c: u32,
    provider: Provider,
    /// The encoded protected header of the compact serialization, when it holds no
    /// per-message member (`dir`, AES key wrap, RSA-OAEP): made once per encryptor.
    compact_header: std::sync::OnceLock<String>,
}

/// Headers, wrapped keys, CEK, AAD and IV: all but the content.
pub(crate) struct Prepared {
    pub(crate) protected_b64: String,
    pub(crate) recipients: Vec<(Map<String, Value>, Vec<u8>)>,
    pub(crate) cek: Zeroizing<Vec<u8>>,
    pub(crate) aad: Vec<u8>,
    pub(crate) iv: Vec<u8>,
}

struct Encrypted {
    protected_b64: String,
    recipients: Vec<(Map<String, Value>, Vec<u8>)>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl Encryptor {
    /// An encryptor for content encryption `enc`, with no recipient yet.
    #[must_use]
    pub fn new(enc: JweEnc) -> Self {
        Encryptor {
            enc: Some(enc),
            integrated: None,
            protected: Map::new(),
            zip: false,
            recipients: Vec::new(),
            aad: None,
            apu: Vec::new(),
            apv: Vec::new(),
            p2c: DEFAULT_PBES2_COUNT,
            provider: Provider::default(),
            compact_header: std::sync::OnceLock::new(),
        }
    }

    /// An encryptor for HPKE integrated encryption with `alg` (`HPKE-0` ... `HPKE-7`,
    /// draft-ietf-jose-hpke-encrypt): no content encryption of its own (no `enc`), the
    /// one recipient's key (added with [`Encryptor::recipient`] and the same `alg`)
    /// encrypts the content with HPKE.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when `alg` is not an integrated HPKE algorithm (without the
    /// `hpke` feature, no algorithm is).
    pub fn hpke(alg: JweAlg) -> Result<Self> {
        if !alg.is_integrated() {
            return Err(Error::ApiMisuse(
                "Encryptor::hpke takes an HPKE integrated encryption algorithm",
            ));
        }
        let mut e = Encryptor::new(JweEnc::A256Gcm);
        e.enc = None;
        e.integrated = Some(alg);
        Ok(e)
    }

    /// Adds a recipient with key-management algorithm `alg`.
    ///
    /// # Errors
    /// [`crate::error::Rejected::KeyMismatch`] when `alg` does not fit the key;
    /// [`Error::ApiMisuse`] for an HPKE integrated algorithm other than the one of
    /// [`Encryptor::hpke`], or a second recipient with it.
    pub fn recipient(mut self, key: &EncryptionKey, alg: JweAlg) -> Result<Self> {
        match self.integrated {
            Some(a) if a != alg || !self.recipients.is_empty() => {
                return Err(Error::ApiMisuse(
                    "HPKE integrated encryption has one recipient, with its own algorithm",
                ))
            }
            None if alg.is_integrated() => {
                return Err(Error::ApiMisuse(
                    "HPKE integrated encryption has no `enc`: use Encryptor::hpke",
                ))
            }
            _ => {}
        }
        key.check_alg_opt(alg, self.enc)?;
        self.compact_header = std::sync::OnceLock::new();
        self.recipients.push((key.clone(), alg));
        Ok(self)
    }

    /// Adds a recipient with the key's default algorithm.
    ///
    /// # Errors
    /// As [`Encryptor::recipient`]; [`Error::ApiMisuse`] when the key has no default.
    pub fn recipient_default(self, key: &EncryptionKey) -> Result<Self> {
        let alg = key
            .default_alg()
            .ok_or(Error::ApiMisuse("this key has no default algorithm"))?;
        self.recipient(key, alg)
    }

    /// Sets `typ` in the protected header.
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.compact_header = std::sync::OnceLock::new();
        self.protected
            .insert("typ".into(), Value::String(typ.into()));
        self
    }

    /// Sets `cty` in the protected header.
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
        self.compact_header = std::sync::OnceLock::new();
        self.protected
            .insert("cty".into(), Value::String(cty.into()));
        self
    }

    /// Adds a protected header member.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for names the encryptor manages.
    pub fn with_header(mut self, name: impl Into<String>, value: Value) -> Result<Self> {
        let name = name.into();
        if MANAGED.contains(&name.as_str()) {
            return Err(Error::ApiMisuse(
                "this header member is set by the encryptor",
            ));
        }
        self.protected.insert(name, value);
        self.compact_header = std::sync::OnceLock::new();
        Ok(self)
    }

    /// Compresses the plaintext with DEFLATE first (`zip: "DEF"`). Compression before
    /// encryption can leak information about the plaintext through its length (CRIME,
    /// BREACH): use it only when no attacker-chosen data shares a body with secrets.
    #[must_use]
    pub fn with_zip(mut self) -> Self {
        self.compact_header = std::sync::OnceLock::new();
        self.zip = true;
        self
    }

    /// Additional authenticated data (JSON serializations only).
    #[must_use]
    pub fn with_aad(mut self, aad: &[u8]) -> Self {
        // RFC 7516 section 7.2.1: no AAD is no `aad` member, never an empty one.
        self.aad = (!aad.is_empty()).then(|| aad.to_vec());
        self
    }

    /// ECDH-ES `apu` and `apv` (RFC 7518 section 4.6.1.2, 4.6.1.3).
    #[must_use]
    pub fn with_party_info(mut self, apu: &[u8], apv: &[u8]) -> Self {
        self.apu = apu.to_vec();
        self.apv = apv.to_vec();
        self
    }

    /// The PBES2 iteration count. Defaults to `DEFAULT_PBES2_COUNT` (600 000).
    #[must_use]
    pub fn with_pbes2_count(mut self, p2c: u32) -> Self {
        self.p2c = p2c.max(1000);
        self
    }

    /// Uses `provider` instead of the default.
    #[must_use]
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Key management and headers: everything before the content is encrypted.
    pub(crate) fn prepare(&self, per_recipient_in_protected: bool) -> Result<Prepared> {
        if self.recipients.is_empty() {
            return Err(Error::ApiMisuse("no recipient"));
        }
        let Some(enc) = self.enc else {
            return Err(Error::Unreachable("HPKE integrated encryption has no CEK"));
        };
        if self.recipients.len() > 1
            && self
                .recipients
                .iter()
                .any(|(_, a)| key_mgmt::determines_cek(*a))
        {
            return Err(Error::ApiMisuse(
                "dir and ECDH-ES (direct) allow a single recipient only",
            ));
        }
        let p = &self.provider;
        let mut cek = Zeroizing::new(vec![0u8; enc.cek_len()]);
        // `dir` and direct ECDH-ES set the CEK themselves (one recipient only).
        if !self
            .recipients
            .iter()
            .all(|(_, a)| key_mgmt::determines_cek(*a))
        {
            p.random.fill(&mut cek)?;
        }
        let opts = WrapOptions {
            apu: &self.apu,
            apv: &self.apv,
            p2c: self.p2c,
        };
        let recipients_len = self.recipients.len();
        let mut per_message = false;
        let mut recipients = Vec::with_capacity(recipients_len);
        for (key, alg) in &self.recipients {
            let wrapped = key_mgmt::wrap(p, key, *alg, enc, &mut cek, &opts)?;
            per_message |= !wrapped.params.is_empty();
            let mut h = Map::new();
            h.insert("alg".into(), alg.as_str().into());
            if let Some(kid) = key.kid() {
                h.insert("kid".into(), kid.into());
            }
            h.extend(wrapped.params);
            recipients.push((h, wrapped.encrypted_key));
        }
        let encode = |recipient: Option<&mut Map<String, Value>>| {
            let mut protected = self.protected.clone();
            protected.insert("enc".into(), enc.as_str().into());
            if self.zip {
                protected.insert("zip".into(), "DEF".into());
            }
            if let Some(h) = recipient {
                protected.extend(core::mem::take(h));
            }
            b64::encode(Value::Object(protected).to_string().as_bytes())
        };
        let first = recipients.first_mut().map(|(h, _)| h);
        let protected_b64 = match first {
            // A header with nothing per message (only `alg` and `kid`): the same for
            // every message of this encryptor.
            Some(h) if per_recipient_in_protected && recipients_len == 1 && !per_message => {
                let made = self
                    .compact_header
                    .get_or_init(|| encode(Some(&mut h.clone())));
                h.clear();
                made.clone()
            }
            Some(h) if per_recipient_in_protected => encode(Some(h)),
            _ => encode(None),
        };
        let mut aad = protected_b64.clone().into_bytes();
        if let Some(a) = &self.aad {
            aad.push(b'.');
            aad.extend_from_slice(b64::encode(a).as_bytes());
        }
        let mut iv = vec![0u8; enc.iv_len()];
        p.random.fill(&mut iv)?;
        Ok(Prepared {
            protected_b64,
            recipients,
            cek,
            aad,
            iv,
        })
    }

    /// The content encryption (`None` for HPKE integrated encryption), the provider and
    /// whether `zip` is on.
    pub(crate) fn content(&self) -> (Option<JweEnc>, &Provider, bool) {
        (self.enc, &self.provider, self.zip)
    }

    fn deflate(&self, data: &mut Vec<u8>) -> Result<()> {
        if self.zip {
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(data)
                .map_err(|_| Error::Unreachable("deflate"))?;
            let compressed = z.finish().map_err(|_| Error::Unreachable("deflate"))?;
            zeroize::Zeroize::zeroize(data);
            *data = compressed;
        }
        Ok(())
    }

    /// HPKE integrated encryption: `alg`, `kid` (and `zip`) in the protected header, no
    /// `enc`; the JWE Encrypted Key is HPKE's encapsulated key, the JWE Ciphertext the
    /// HPKE ciphertext with its tag, the IV and tag empty.
    fn encrypt_integrated(&self, alg: JweAlg, mut data: Vec<u8>) -> Result<Encrypted> {
        let [(key, _)] = self.recipients.as_slice() else {
            return Err(Error::ApiMisuse(
                "HPKE integrated encryption has exactly one recipient",
            ));
        };
        let mut protected = self.protected.clone();
        protected.insert("alg".into(), alg.as_str().into());
        if let Some(kid) = key.kid() {
            protected.insert("kid".into(), kid.into());
        }
        if self.zip {
            protected.insert("zip".into(), "DEF".into());
        }
        let protected_b64 = b64::encode(Value::Object(protected).to_string().as_bytes());
        let mut aad = protected_b64.clone().into_bytes();
        if let Some(a) = &self.aad {
            aad.push(b'.');
            aad.extend_from_slice(b64::encode(a).as_bytes());
        }
        self.deflate(&mut data)?;
        let ek = key_mgmt::hpke_seal_integrated(key, alg, &aad, &mut data)?;
        Ok(Encrypted {
            protected_b64,
            recipients: vec![(Map::new(), ek)],
            iv: Vec::new(),
            ciphertext: data,
            tag: Vec::new(),
        })
    }

    fn encrypt(&self, mut data: Vec<u8>, per_recipient_in_protected: bool) -> Result<Encrypted> {
        if let Some(alg) = self.integrated {
            return self.encrypt_integrated(alg, data);
        }
        let prepared = self.prepare(per_recipient_in_protected)?;
        self.deflate(&mut data)?;
        let tag = self.provider.jwe.encrypt(
            self.enc.ok_or(Error::Unreachable("no enc"))?,
            &prepared.cek,
            &prepared.iv,
            &prepared.aad,
            &mut data,
        )?;
        Ok(Encrypted {
            protected_b64: prepared.protected_b64,
            recipients: prepared.recipients,
            iv: prepared.iv,
            ciphertext: data,
            tag,
        })
    }

    /// Compact serialization (one recipient, no AAD), encrypting a copy of `plaintext`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for zero or several recipients, or AAD.
    pub fn compact(&self, plaintext: &[u8]) -> Result<String> {
        self.compact_owned(plaintext.to_vec())
    }

    /// Compact serialization, encrypting `plaintext` in place (no copy of the body).
    ///
    /// # Errors
    /// As [`Encryptor::compact`].
    pub fn compact_owned(&self, plaintext: Vec<u8>) -> Result<String> {
        if self.recipients.len() != 1 || self.aad.is_some() {
            return Err(Error::ApiMisuse(
                "the compact serialization has one recipient and no AAD",
            ));
        }
        let s = self.encrypt(plaintext, true)?;
        let ek = s
            .recipients
            .first()
            .map(|(_, ek)| ek.as_slice())
            .unwrap_or_default();
        let mut out = String::with_capacity(
            s.protected_b64.len()
                + b64::encoded_len(ek.len())
                + b64::encoded_len(s.ciphertext.len())
                + 64,
        );
        out.push_str(&s.protected_b64);
        for part in [ek, &s.iv, &s.ciphertext, &s.tag] {
            out.push('.');
            b64::encode_into(part, &mut out);
        }
        Ok(out)
    }

    fn json(&self, plaintext: Vec<u8>, flattened: bool) -> Result<String> {
        if flattened && self.recipients.len() != 1 {
            return Err(Error::ApiMisuse(
                "the flattened serialization has one recipient",
            ));
        }
        let s = self.encrypt(plaintext, false)?;
        let mut m = Map::new();
        m.insert("protected".into(), s.protected_b64.into());
        let entry = |(h, ek): (Map<String, Value>, Vec<u8>)| {
            let mut r = Map::new();
            if !h.is_empty() {
                r.insert("header".into(), Value::Object(h));
            }
            if !ek.is_empty() {
                r.insert("encrypted_key".into(), b64::encode(&ek).into());
            }
            r
        };
        if flattened {
            if let Some(r) = s.recipients.into_iter().next() {
                m.extend(entry(r));
            }
        } else {
            m.insert(
                "recipients".into(),
                s.recipients
                    .into_iter()
                    .map(|r| Value::Object(entry(r)))
                    .collect(),
            );
        }
        if let Some(a) = &self.aad {
            m.insert("aad".into(), b64::encode(a).into());
        }
        // HPKE integrated encryption: the empty IV and tag are absent members.
        if self.integrated.is_none() {
            m.insert("iv".into(), b64::encode(&s.iv).into());
        }
        m.insert("ciphertext".into(), b64::encode(&s.ciphertext).into());
        if self.integrated.is_none() {
            m.insert("tag".into(), b64::encode(&s.tag).into());
        }
        Ok(Value::Object(m).to_string())
    }

    /// Flattened JSON serialization (one recipient).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for zero or several recipients.
    pub fn flattened(&self, plaintext: &[u8]) -> Result<String> {
        self.json(plaintext.to_vec(), true)
    }

    /// General JSON serialization, one entry per recipient.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for no recipient, or `dir`/ECDH-ES with several.
    pub fn general(&self, plaintext: &[u8]) -> Result<String> {
        self.json(plaintext.to_vec(), false)
    }
}
