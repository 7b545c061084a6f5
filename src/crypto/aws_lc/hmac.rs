//! HMAC-SHA2 (RFC 7518 section 3.2).

use crate::alg::JwsAlg;
use crate::crypto::{PreparedSigningKey, PreparedVerifyingKey};
use crate::error::{Error, Result};
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
}

impl PreparedVerifyingKey for HmacKey {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        let key = self.key(alg).ok_or(Error::InvalidSignature)?;
        // Constant-time comparison inside aws-lc-rs.
        hmac::verify(key, msg, sig).map_err(|_| Error::InvalidSignature)
    }
}
