//! HMAC-SHA2 (RFC 7518 section 3.2).

use crate::alg::JwsAlg;
use crate::crypto::{PreparedSigningKey, PreparedVerifyingKey, SignStream, VerifyStream};
use crate::error::{Error, Result};
use aws_lc_rs::constant_time;
use aws_lc_rs::hmac;
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// An HMAC secret, prepared lazily per hash (HS256, HS384, HS512) and reused.
pub(super) struct HmacKey {
    secret: Zeroizing<Vec<u8>>,
    prepared: [OnceLock<hmac::Key>; 3],
}

impl core::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HmacKey").finish_non_exhaustive()
    }
}

impl HmacKey {
    pub(super) fn new(k: &[u8]) -> Self {
        Self {
            secret: Zeroizing::new(k.to_vec()),
            prepared: Default::default(),
        }
    }

    fn key(&self, alg: JwsAlg) -> Option<&hmac::Key> {
        let (slot, algorithm) = match alg {
            JwsAlg::Hs256 => (0, hmac::HMAC_SHA256),
            JwsAlg::Hs384 => (1, hmac::HMAC_SHA384),
            JwsAlg::Hs512 => (2, hmac::HMAC_SHA512),
            _ => return None,
        };
        let cell = self.prepared.get(slot)?;
        Some(cell.get_or_init(|| hmac::Key::new(algorithm, &self.secret)))
    }
}

impl PreparedSigningKey for HmacKey {
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let key = self
            .key(alg)
            .ok_or(Error::ApiMisuse("algorithm does not fit an HMAC key"))?;
        out.extend_from_slice(hmac::sign(key, msg).as_ref());
        Ok(())
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>> {
        let key = self
            .key(alg)
            .ok_or(Error::ApiMisuse("algorithm does not fit an HMAC key"))?;
        Ok(Box::new(HmacStream(hmac::Context::with_key(key))))
    }
}

struct HmacStream(hmac::Context);

impl SignStream for HmacStream {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finish(self: Box<Self>, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.0.sign().as_ref());
        Ok(())
    }
}

impl VerifyStream for HmacStream {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finish(self: Box<Self>, sig: &[u8]) -> Result<()> {
        let tag = self.0.sign();
        constant_time::verify_slices_are_equal(tag.as_ref(), sig)
            .map_err(|_| Error::InvalidSignature)
    }
}

impl PreparedVerifyingKey for HmacKey {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        let key = self.key(alg).ok_or(Error::InvalidSignature)?;
        // Constant-time comparison inside aws-lc-rs.
        hmac::verify(key, msg, sig).map_err(|_| Error::InvalidSignature)
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>> {
        let key = self.key(alg).ok_or(Error::InvalidSignature)?;
        Ok(Box::new(HmacStream(hmac::Context::with_key(key))))
    }
}
