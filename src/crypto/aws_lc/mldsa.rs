//! ML-DSA-44/65/87 (FIPS 204) for JWS (RFC 9964): pure ML-DSA with the empty context,
//! hedged signing, keys from their 32-byte seed.

use super::sig::{HeldSign, HeldVerify};
use crate::alg::{JwsAlg, JwsFamily, MlDsa};
use crate::crypto::{PreparedSigningKey, PreparedVerifyingKey, SignStream, VerifyStream};
use crate::error::{Error, KeyError, Result};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::signature::{self as sg, KeyPair, ParsedPublicKey, PqdsaKeyPair};

fn signing_alg(set: MlDsa) -> &'static sg::PqdsaSigningAlgorithm {
    match set {
        MlDsa::MlDsa44 => &sg::ML_DSA_44_SIGNING,
        MlDsa::MlDsa65 => &sg::ML_DSA_65_SIGNING,
        MlDsa::MlDsa87 => &sg::ML_DSA_87_SIGNING,
    }
}

fn verify_alg(set: MlDsa) -> &'static sg::PqdsaVerificationAlgorithm {
    match set {
        MlDsa::MlDsa44 => &sg::ML_DSA_44,
        MlDsa::MlDsa65 => &sg::ML_DSA_65,
        MlDsa::MlDsa87 => &sg::ML_DSA_87,
    }
}

/// The key pair a seed expands to.
fn pair_from_seed(set: MlDsa, seed: &[u8]) -> Result<PqdsaKeyPair> {
    if seed.len() != MlDsa::SEED_LEN {
        return Err(KeyError::Invalid("an ML-DSA private key is its 32-byte seed").into());
    }
    PqdsaKeyPair::from_seed(signing_alg(set), seed)
        .map_err(|_| KeyError::Invalid("invalid ML-DSA seed").into())
}

/// The public key a seed expands to.
pub(super) fn public_from_seed(set: MlDsa, seed: &[u8]) -> Result<Vec<u8>> {
    Ok(pair_from_seed(set, seed)?.public_key().as_ref().to_vec())
}

/// An ML-DSA private key, expanded from its seed once.
pub(super) struct MlDsaSigner {
    set: MlDsa,
    pair: PqdsaKeyPair,
}

impl core::fmt::Debug for MlDsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MlDsaSigner")
            .field("set", &self.set)
            .finish_non_exhaustive()
    }
}

impl MlDsaSigner {
    /// Expands the seed and checks that it gives `public` (RFC 9964 section 7.4).
    pub(super) fn new(set: MlDsa, seed: &[u8], public: &[u8]) -> Result<Self> {
        let pair = pair_from_seed(set, seed)?;
        if verify_slices_are_equal(pair.public_key().as_ref(), public).is_err() {
            return Err(KeyError::Invalid("ML-DSA seed does not match its public key").into());
        }
        Ok(Self { set, pair })
    }

    fn fits(&self, alg: JwsAlg) -> Result<()> {
        if alg.family() == JwsFamily::MlDsa(self.set) {
            Ok(())
        } else {
            Err(Error::ApiMisuse("algorithm does not fit this ML-DSA key"))
        }
    }
}

impl PreparedSigningKey for MlDsaSigner {
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.fits(alg)?;
        // The signature is written in place at the end of `out`.
        let start = out.len();
        out.resize(start + self.set.signature_len(), 0);
        let signed = match out.get_mut(start..) {
            Some(sig) => self.pair.sign(msg, sig).ok(),
            None => None,
        };
        out.truncate(start + signed.unwrap_or(0));
        signed.map(drop).ok_or_else(crate::crypto::backend_failure)
    }

    /// ML-DSA reads the message twice inside the scheme: the stream holds it.
    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>> {
        self.fits(alg)?;
        Ok(Box::new(HeldSign::new(self, alg)))
    }
}

/// An ML-DSA public key, parsed once.
pub(super) struct MlDsaVerifier {
    set: MlDsa,
    key: ParsedPublicKey,
}

impl core::fmt::Debug for MlDsaVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MlDsaVerifier")
            .field("set", &self.set)
            .finish_non_exhaustive()
    }
}

impl MlDsaVerifier {
    pub(super) fn new(set: MlDsa, public: &[u8]) -> Result<Self> {
        // The backend would also take an SPKI document here: only the raw key is a JWK `pub`.
        if public.len() != set.public_len() {
            return Err(KeyError::Invalid("ML-DSA public key of the wrong length").into());
        }
        let key = ParsedPublicKey::new(verify_alg(set), public)
            .map_err(|_| KeyError::Invalid("invalid ML-DSA public key"))?;
        Ok(Self { set, key })
    }
}

impl PreparedVerifyingKey for MlDsaVerifier {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        if alg.family() != JwsFamily::MlDsa(self.set) || sig.len() != self.set.signature_len() {
            return Err(Error::InvalidSignature);
        }
        self.key
            .verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>> {
        if alg.family() != JwsFamily::MlDsa(self.set) {
            return Err(Error::InvalidSignature);
        }
        Ok(Box::new(HeldVerify::new(self, alg)))
    }
}
