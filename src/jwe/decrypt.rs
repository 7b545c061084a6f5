//! Decryption: policy first (allowlists, `crit`, `zip`, PBES2 work), then the caller's
//! keys, then the CEK, then the content, then (if asked for) inflation.

use super::header::Header;
use super::key_mgmt;
use super::parse::UnverifiedJwe;
use crate::alg::{JweAlg, KeyManagement};
use crate::crypto::Provider;
use crate::error::{Error, Malformed, Rejected, Result};
use crate::key::{DecryptionKey, DecryptionKeys};
use crate::policy::{JwePolicy, Limits};
use std::io::Read;
use zeroize::{Zeroize, Zeroizing};

/// A decrypted JWE: the plaintext and which recipient and key opened it.
///
/// The plaintext is handed over as a plain `Vec<u8>`: it exists only once the tag has
/// verified (a failed decryption wipes the buffer), and from then on it is the caller's
/// data. Wipe it yourself (for example with `zeroize`) if it must not outlive its use.
/// `Debug` shows the plaintext's length only.
#[non_exhaustive]
pub struct Decrypted {
    plaintext: Vec<u8>,
    /// The header of the recipient that decrypted (its protected part is authenticated).
    pub header: Header,
    /// Index of that recipient.
    pub recipient: usize,
    /// The `kid` of the key that decrypted (else the header's).
    pub kid: Option<String>,
    /// Base64url SHA-256 JWK thumbprint of that key (empty for a password).
    pub thumbprint: String,
}

impl core::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decrypted")
            .field("plaintext_len", &self.plaintext.len())
            .field("header", &self.header)
            .field("recipient", &self.recipient)
            .field("kid", &self.kid)
            .field("thumbprint", &self.thumbprint)
            .finish()
    }
}

impl Decrypted {
    /// The plaintext.
    #[must_use]
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// Takes the plaintext.
    #[must_use]
    pub fn into_plaintext(self) -> Vec<u8> {
        self.plaintext
    }

    /// Takes the plaintext and keeps the rest.
    pub(crate) fn take_plaintext(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.plaintext)
    }
}

/// Ranks failures so the most telling one is reported.
fn rank(e: &Error) -> u8 {
    match e {
        Error::DecryptionFailed => 3,
        Error::Rejected(Rejected::KeyMismatch(_) | Rejected::KeyNotFound) => 1,
        _ => 2,
    }
}

fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::DeflateDecoder::new(data)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|_| Error::DecryptionFailed)?;
    Limits::check("decompressed size", out.len(), limit)?;
    Ok(out)
}

impl UnverifiedJwe {
    /// Decrypts with the caller's keys under `policy`.
    ///
    /// # Errors
    /// [`Rejected`] for policy refusals (algorithm not allowed, unknown `crit`, `zip` not
    /// allowed, PBES2 count over the limit, no fitting key); [`Error::DecryptionFailed`]
    /// for every cryptographic failure, without saying which step failed.
    pub fn decrypt(self, keys: &DecryptionKeys, policy: &JwePolicy) -> Result<Decrypted> {
        self.decrypt_with(keys, policy, &Provider::default())
    }

    /// As [`UnverifiedJwe::decrypt`] with `provider`.
    ///
    /// # Errors
    /// As [`UnverifiedJwe::decrypt`].
    pub fn decrypt_with(
        mut self,
        keys: &DecryptionKeys,
        policy: &JwePolicy,
        provider: &Provider,
    ) -> Result<Decrypted> {
        let mut ciphertext = core::mem::take(&mut self.ciphertext);
        let aad = self.aad();
        let tag = &self.tag;
        let recipients = &self.recipients;
        let opened = self.decrypt_by(keys, policy, provider, |header, key, cek, last| {
            // The last candidate decrypts in place; earlier ones work on a copy, so a
            // failed attempt leaves the ciphertext for the next. `open` wipes what it
            // was given when the tag does not verify.
            let mut data = if last {
                core::mem::take(&mut ciphertext)
            } else {
                ciphertext.clone()
            };
            let opened = if header.alg.is_integrated() {
                // HPKE integrated encryption: the one recipient's JWE Encrypted Key is
                // the encapsulated key, the JWE Ciphertext holds the tag.
                let ek = recipients
                    .first()
                    .map(|r| r.encrypted_key.as_slice())
                    .unwrap_or_default();
                key_mgmt::hpke_open_integrated(key, header, ek, &aad, &mut data)
            } else {
                let enc = header.enc.ok_or(Error::DecryptionFailed)?;
                provider
                    .jwe
                    .decrypt(enc, cek, &self.iv, &aad, &mut data, tag)
            };
            match opened {
                Ok(()) => Ok(data),
                Err(e) => {
                    data.zeroize();
                    Err(e)
                }
            }
        });
        ciphertext.zeroize();
        let (plaintext, mut decrypted) = opened?;
        decrypted.plaintext = if decrypted.header.zip {
            let inflated = inflate(&plaintext, policy.limits.max_decompressed_bytes);
            drop(Zeroizing::new(plaintext));
            inflated?
        } else {
            plaintext
        };
        Ok(decrypted)
    }

    /// The AAD: the encoded protected header, plus '.' and the encoded JWE AAD if any.
    pub(crate) fn aad(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.aad_b64 {
            None => std::borrow::Cow::Borrowed(self.protected_b64.as_bytes()),
            Some(a) => std::borrow::Cow::Owned(
                [self.protected_b64.as_bytes(), b".", a.as_bytes()].concat(),
            ),
        }
    }

    /// The one decryption procedure, whatever holds the content: checks every
    /// recipient's header against `policy`, selects the caller's keys for each, and tries
    /// the candidates in order: unwrap the CEK (an RSA1_5 failure gives a random CEK,
    /// RFC 7516 section 11.5), then `open(header, cek, is_last)`, which authenticates the
    /// content with that CEK. The first that opens wins; the record it returns holds no
    /// plaintext.
    pub(crate) fn decrypt_by<T>(
        &self,
        keys: &DecryptionKeys,
        policy: &JwePolicy,
        provider: &Provider,
        mut open: impl FnMut(&Header, &DecryptionKey, &[u8], bool) -> Result<T>,
    ) -> Result<(T, Decrypted)> {
        if policy.algs.is_empty()
            || (policy.encs.is_empty() && !policy.algs.iter().all(|a| a.is_integrated()))
        {
            return Err(Error::ApiMisuse("the policy allows no algorithm"));
        }
        // HPKE integrated encryption (its `alg` is always protected): the JWE IV and
        // Authentication Tag are empty (draft-ietf-jose-hpke-encrypt section 4).
        if self.integrated() && (!self.iv.is_empty() || !self.tag.is_empty()) {
            return Err(
                Malformed::InvalidMember("iv or tag with HPKE integrated encryption").into(),
            );
        }
        // Candidates: (recipient index, header, key), in order, all policy-checked.
        let mut worst: Option<Error> = None;
        // Each recipient's header is parsed once; candidates point into `headers`.
        let mut headers: Vec<Header> = Vec::with_capacity(self.recipients.len());
        let mut candidates: Vec<(usize, usize, &DecryptionKey)> = Vec::new();
        // RFC 7518 sections 4.5 and 4.6: `dir` and direct ECDH-ES decide the CEK, so they
        // cannot share it with other recipients. Refused outright, as on encryption.
        if self.recipients.len() > 1
            && self.recipients.iter().any(|r| {
                Header::parse(&self.protected, &self.shared, &r.header)
                    .is_ok_and(|h| key_mgmt::determines_cek(h.alg))
            })
        {
            return Err(Malformed::InvalidMember("recipients").into());
        }
        for (i, r) in self.recipients.iter().enumerate() {
            let checked = Header::parse(&self.protected, &self.shared, &r.header).and_then(|h| {
                h.check(policy)?;
                let ks = keys.candidates_opt(h.kid.as_deref(), h.alg, h.enc)?;
                Ok((h, ks))
            });
            match checked {
                Ok((h, ks)) => {
                    candidates.extend(ks.into_iter().map(|k| (i, headers.len(), k)));
                    headers.push(h);
                }
                Err(e) => {
                    if worst.as_ref().is_none_or(|w| rank(&e) > rank(w)) {
                        worst = Some(e);
                    }
                }
            }
        }
        let Some(last) = candidates.len().checked_sub(1) else {
            return Err(worst.unwrap_or_else(|| Rejected::KeyNotFound.into()));
        };
        // One PBES2 budget per token: every derivation that could run, over every
        // recipient and every candidate key, counted before the first one starts.
        let work = candidates.iter().fold(0u64, |sum, (_, hi, _)| {
            let p2c = headers
                .get(*hi)
                .filter(|h| matches!(h.alg.management(), KeyManagement::Pbes2(..)))
                .and_then(|h| h.p2c)
                .unwrap_or(0);
            sum.saturating_add(p2c)
        });
        if work > policy.limits.max_pbes2_count {
            return Err(Rejected::LimitExceeded {
                limit: "PBES2 iterations per token",
                required: work,
                allowed: policy.limits.max_pbes2_count,
            }
            .into());
        }
        for (n, (i, hi, key)) in candidates.into_iter().enumerate() {
            let Some(header) = headers.get(hi) else {
                continue;
            };
            let ek = self
                .recipients
                .get(i)
                .map(|r| r.encrypted_key.as_slice())
                .unwrap_or_default();
            let cek = match key_mgmt::unwrap(provider, key, header, ek) {
                Ok(cek) => cek,
                // RFC 7516 section 11.5: an RSA1_5 failure must look like any content
                // failure, so carry on with a random CEK.
                Err(_) if header.alg == JweAlg::Rsa1_5 => {
                    let len = header.enc.map_or(0, |e| e.cek_len());
                    let mut random = Zeroizing::new(vec![0u8; len]);
                    provider.random.fill(&mut random)?;
                    random
                }
                Err(e) => {
                    worst = Some(e);
                    continue;
                }
            };
            let Ok(opened) = open(header, key, &cek, n == last) else {
                worst = Some(Error::DecryptionFailed);
                continue;
            };
            let kid = key.kid().or(header.kid.as_deref()).map(str::to_owned);
            let thumbprint = key.thumbprint().to_owned();
            return Ok((
                opened,
                Decrypted {
                    plaintext: Vec::new(),
                    kid,
                    thumbprint,
                    header: headers.swap_remove(hi),
                    recipient: i,
                },
            ));
        }
        Err(worst.unwrap_or(Error::DecryptionFailed))
    }
}
