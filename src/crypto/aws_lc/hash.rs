//! Digests and randomness.

use crate::alg::HashAlg;
use crate::crypto::{Hasher, SecureRandom};
use crate::error::Result;
use aws_lc_rs::digest;

#[derive(Debug)]
pub(super) struct AwsLcHash;

pub(super) fn digest_alg(alg: HashAlg) -> &'static digest::Algorithm {
    match alg {
        HashAlg::Sha256 => &digest::SHA256,
        HashAlg::Sha384 => &digest::SHA384,
        HashAlg::Sha512 => &digest::SHA512,
    }
}

impl Hasher for AwsLcHash {
    fn digest(&self, alg: HashAlg, data: &[u8]) -> Vec<u8> {
        digest::digest(digest_alg(alg), data).as_ref().to_vec()
    }
}

#[derive(Debug)]
pub(super) struct AwsLcRandom;

impl SecureRandom for AwsLcRandom {
    fn fill(&self, out: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::fill(out).map_err(|_| crate::crypto::backend_failure())
    }
}
