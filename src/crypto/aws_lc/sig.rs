//! Asymmetric signatures: RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA (fixed `r || s`) and
//! Ed25519 (RFC 7518 section 3, RFC 8037, RFC 8812).

use super::hash::digest_alg;
use crate::alg::{EcCurve, JwsAlg, JwsFamily};
use crate::crypto::{
    PreparedSigningKey, PreparedVerifyingKey, PrivateKeyMaterial, SignStream, VerifyStream,
};
use crate::error::{Error, KeyError, Result};
use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{self as sg, ParsedPublicKey};
use std::sync::OnceLock;
use zeroize::Zeroizing;

pub(super) fn ec_signing_alg(curve: EcCurve) -> &'static sg::EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &sg::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &sg::ECDSA_P384_SHA384_FIXED_SIGNING,
        EcCurve::P521 => &sg::ECDSA_P521_SHA512_FIXED_SIGNING,
        EcCurve::Secp256k1 => &sg::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    }
}

fn ec_verify_alg(curve: EcCurve) -> &'static sg::EcdsaVerificationAlgorithm {
    match curve {
        EcCurve::P256 => &sg::ECDSA_P256_SHA256_FIXED,
        EcCurve::P384 => &sg::ECDSA_P384_SHA384_FIXED,
        EcCurve::P521 => &sg::ECDSA_P521_SHA512_FIXED,
        EcCurve::Secp256k1 => &sg::ECDSA_P256K1_SHA256_FIXED,
    }
}

/// An EC private key as PKCS#8 `PrivateKeyInfo` holding an RFC 5915 `ECPrivateKey` with
/// its public point.
fn ec_pkcs8(curve: EcCurve, d: &[u8], point: &[u8]) -> der::Result<Zeroizing<Vec<u8>>> {
    use der::Encode;
    let inner = Zeroizing::new(
        sec1::EcPrivateKey {
            private_key: d,
            parameters: None,
            public_key: Some(point),
        }
        .to_der()?,
    );
    let oid = curve.oid();
    let alg = spki::AlgorithmIdentifierRef {
        oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
        parameters: Some((&oid).into()),
    };
    Ok(Zeroizing::new(
        pkcs8::PrivateKeyInfo::new(alg, &inner).to_der()?,
    ))
}

/// ECDSA private key; the curve fixes the algorithm.
pub(super) struct EcSigner {
    curve: EcCurve,
    pair: sg::EcdsaKeyPair,
}

impl core::fmt::Debug for EcSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcSigner")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl EcSigner {
    pub(super) fn new(curve: EcCurve, d: &[u8], point: &[u8]) -> Result<Self> {
        // The key goes in as PKCS#8 with its public point: the backend then checks that
        // the point matches the scalar with one multiplication, where importing the
        // scalar and the point apart takes two (a third of the cost of import and sign).
        let mismatch = || KeyError::Invalid("EC private key does not match its public point");
        let der = ec_pkcs8(curve, d, point).map_err(|_| mismatch())?;
        let pair =
            sg::EcdsaKeyPair::from_pkcs8(ec_signing_alg(curve), &der).map_err(|_| mismatch())?;
        Ok(Self { curve, pair })
    }
}

impl PreparedSigningKey for EcSigner {
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if alg.family() != JwsFamily::Ecdsa(self.curve) {
            return Err(Error::ApiMisuse("algorithm does not fit this EC key"));
        }
        let sig = self
            .pair
            .sign(&SystemRandom::new(), msg)
            .map_err(|_| crate::crypto::backend_failure())?;
        out.extend_from_slice(sig.as_ref());
        Ok(())
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>> {
        if alg.family() != JwsFamily::Ecdsa(self.curve) {
            return Err(Error::ApiMisuse("algorithm does not fit this EC key"));
        }
        Ok(Box::new(DigestSign {
            ctx: digest::Context::new(digest_alg(alg.hash())),
            finish: Box::new(move |d, out| {
                let sig = self
                    .pair
                    .sign_digest(d)
                    .map_err(|_| crate::crypto::backend_failure())?;
                out.extend_from_slice(sig.as_ref());
                Ok(())
            }),
        }))
    }
}

type SignDigest<'a> = Box<dyn FnOnce(&digest::Digest, &mut Vec<u8>) -> Result<()> + Send + 'a>;
type VerifyDigest<'a> = Box<dyn FnOnce(&digest::Digest, &[u8]) -> Result<()> + Send + 'a>;

/// Hashes the message as it comes, then signs the digest.
struct DigestSign<'a> {
    ctx: digest::Context,
    finish: SignDigest<'a>,
}

impl SignStream for DigestSign<'_> {
    fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }
    fn finish(self: Box<Self>, out: &mut Vec<u8>) -> Result<()> {
        let d = self.ctx.finish();
        (self.finish)(&d, out)
    }
}

/// Hashes the message as it comes, then verifies over the digest.
struct DigestVerify<'a> {
    ctx: digest::Context,
    finish: VerifyDigest<'a>,
}

impl VerifyStream for DigestVerify<'_> {
    fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }
    fn finish(self: Box<Self>, sig: &[u8]) -> Result<()> {
        let d = self.ctx.finish();
        (self.finish)(&d, sig)
    }
}

/// Ed25519 signs the message itself, not a digest: hold it until the end.
/// A signature over a message given in pieces, for schemes that read the whole message
/// (Ed25519, ML-DSA): the pieces are held until `finish`.
pub(super) struct HeldSign<'a> {
    key: &'a dyn PreparedSigningKey,
    alg: JwsAlg,
    msg: Vec<u8>,
}

impl<'a> HeldSign<'a> {
    pub(super) fn new(key: &'a dyn PreparedSigningKey, alg: JwsAlg) -> Self {
        Self {
            key,
            alg,
            msg: Vec::new(),
        }
    }
}

impl SignStream for HeldSign<'_> {
    fn update(&mut self, data: &[u8]) {
        self.msg.extend_from_slice(data);
    }
    fn finish(self: Box<Self>, out: &mut Vec<u8>) -> Result<()> {
        self.key.sign(self.alg, &self.msg, out)
    }
}

/// A verification over a message given in pieces, held until `finish` (as [`HeldSign`]).
pub(super) struct HeldVerify<'a> {
    key: &'a dyn PreparedVerifyingKey,
    alg: JwsAlg,
    msg: Vec<u8>,
}

impl<'a> HeldVerify<'a> {
    pub(super) fn new(key: &'a dyn PreparedVerifyingKey, alg: JwsAlg) -> Self {
        Self {
            key,
            alg,
            msg: Vec::new(),
        }
    }
}

impl VerifyStream for HeldVerify<'_> {
    fn update(&mut self, data: &[u8]) {
        self.msg.extend_from_slice(data);
    }
    fn finish(self: Box<Self>, sig: &[u8]) -> Result<()> {
        self.key.verify(self.alg, &self.msg, sig)
    }
}

/// ECDSA public key, parsed once.
pub(super) struct EcVerifier {
    curve: EcCurve,
    key: ParsedPublicKey,
}

impl core::fmt::Debug for EcVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcVerifier")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl EcVerifier {
    pub(super) fn new(curve: EcCurve, point: &[u8]) -> Result<Self> {
        // Rejects points that are not on the curve.
        let key = ParsedPublicKey::new(ec_verify_alg(curve), point)
            .map_err(|_| KeyError::Invalid("EC point is not on the curve"))?;
        Ok(Self { curve, key })
    }
}

impl PreparedVerifyingKey for EcVerifier {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        // JWS ECDSA signatures are exactly 2 * field_len bytes (RFC 7518 section 3.4);
        // DER-encoded signatures are refused here and by the FIXED verifier.
        if alg.family() != JwsFamily::Ecdsa(self.curve) || sig.len() != 2 * self.curve.field_len() {
            return Err(Error::InvalidSignature);
        }
        self.key
            .verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>> {
        if alg.family() != JwsFamily::Ecdsa(self.curve) {
            return Err(Error::InvalidSignature);
        }
        let curve = self.curve;
        Ok(Box::new(DigestVerify {
            ctx: digest::Context::new(digest_alg(alg.hash())),
            finish: Box::new(move |d, sig| {
                if sig.len() != 2 * curve.field_len() {
                    return Err(Error::InvalidSignature);
                }
                self.key
                    .verify_digest_sig(d, sig)
                    .map_err(|_| Error::InvalidSignature)
            }),
        }))
    }
}

/// Ed25519 private key.
pub(super) struct EdSigner(sg::Ed25519KeyPair);

impl core::fmt::Debug for EdSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EdSigner").finish_non_exhaustive()
    }
}

impl EdSigner {
    pub(super) fn new(seed: &[u8], public: &[u8]) -> Result<Self> {
        let pair = sg::Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map_err(|_| KeyError::Invalid("Ed25519 private key does not match its public key"))?;
        Ok(Self(pair))
    }
}

impl PreparedSigningKey for EdSigner {
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if alg.family() != JwsFamily::Ed25519 {
            return Err(Error::ApiMisuse("algorithm does not fit an Ed25519 key"));
        }
        out.extend_from_slice(self.0.sign(msg).as_ref());
        Ok(())
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>> {
        if alg.family() != JwsFamily::Ed25519 {
            return Err(Error::ApiMisuse("algorithm does not fit an Ed25519 key"));
        }
        Ok(Box::new(HeldSign::new(self, alg)))
    }
}

/// Ed25519 public key, parsed once.
pub(super) struct EdVerifier(ParsedPublicKey);

impl core::fmt::Debug for EdVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EdVerifier").finish_non_exhaustive()
    }
}

impl EdVerifier {
    pub(super) fn new(x: &[u8]) -> Result<Self> {
        if x.len() != 32 {
            return Err(KeyError::Invalid("Ed25519 public key must be 32 bytes").into());
        }
        let key = ParsedPublicKey::new(&sg::ED25519, x)
            .map_err(|_| KeyError::Invalid("invalid Ed25519 public key"))?;
        Ok(Self(key))
    }
}

impl PreparedVerifyingKey for EdVerifier {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        if alg.family() != JwsFamily::Ed25519 || sig.len() != 64 {
            return Err(Error::InvalidSignature);
        }
        self.0
            .verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>> {
        if alg.family() != JwsFamily::Ed25519 {
            return Err(Error::InvalidSignature);
        }
        Ok(Box::new(HeldVerify::new(self, alg)))
    }
}

fn rsa_encoding(alg: JwsAlg) -> Option<&'static dyn sg::RsaEncoding> {
    Some(match alg {
        JwsAlg::Rs256 => &sg::RSA_PKCS1_SHA256,
        JwsAlg::Rs384 => &sg::RSA_PKCS1_SHA384,
        JwsAlg::Rs512 => &sg::RSA_PKCS1_SHA512,
        JwsAlg::Ps256 => &sg::RSA_PSS_SHA256,
        JwsAlg::Ps384 => &sg::RSA_PSS_SHA384,
        JwsAlg::Ps512 => &sg::RSA_PSS_SHA512,
        _ => return None,
    })
}

/// Index into the per-algorithm slots and the verification parameters.
fn rsa_params(alg: JwsAlg) -> Option<(usize, &'static sg::RsaParameters)> {
    Some(match alg {
        JwsAlg::Rs256 => (0, &sg::RSA_PKCS1_2048_8192_SHA256),
        JwsAlg::Rs384 => (1, &sg::RSA_PKCS1_2048_8192_SHA384),
        JwsAlg::Rs512 => (2, &sg::RSA_PKCS1_2048_8192_SHA512),
        JwsAlg::Ps256 => (3, &sg::RSA_PSS_2048_8192_SHA256),
        JwsAlg::Ps384 => (4, &sg::RSA_PSS_2048_8192_SHA384),
        JwsAlg::Ps512 => (5, &sg::RSA_PSS_2048_8192_SHA512),
        _ => return None,
    })
}

/// RSA private key; any RS*/PS* algorithm.
pub(super) struct RsaSigner(sg::RsaKeyPair);

impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaSigner")
            .field("bits", &(self.0.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

/// Builds and validates an RSA key pair from its JWK components (aws-lc-rs checks d and
/// the CRT parameters against n and e). Shared by signing and decryption keys.
pub(super) fn rsa_key_pair(key: &PrivateKeyMaterial<'_>) -> Result<sg::RsaKeyPair> {
    let PrivateKeyMaterial::Rsa {
        n,
        e,
        d,
        p,
        q,
        dp,
        dq,
        qi,
    } = *key
    else {
        return Err(Error::Unreachable("not an RSA key"));
    };
    let components = KeyPairComponents {
        public_key: PublicKeyComponents { n, e },
        d,
        p,
        q,
        dP: dp,
        dQ: dq,
        qInv: qi,
    };
    sg::RsaKeyPair::from_components(&components)
        .map_err(|_| KeyError::Invalid("inconsistent RSA private key").into())
}

impl RsaSigner {
    pub(super) fn new(pair: sg::RsaKeyPair) -> Self {
        Self(pair)
    }
}

impl PreparedSigningKey for RsaSigner {
    fn sign(&self, alg: JwsAlg, msg: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let encoding =
            rsa_encoding(alg).ok_or(Error::ApiMisuse("algorithm does not fit an RSA key"))?;
        let start = out.len();
        out.resize(start + self.0.public_modulus_len(), 0);
        let buf = out
            .get_mut(start..)
            .ok_or(Error::Unreachable("signature buffer"))?;
        self.0
            .sign(encoding, &SystemRandom::new(), msg, buf)
            .map_err(|_| crate::crypto::backend_failure())
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn SignStream + '_>> {
        let encoding =
            rsa_encoding(alg).ok_or(Error::ApiMisuse("algorithm does not fit an RSA key"))?;
        Ok(Box::new(DigestSign {
            ctx: digest::Context::new(digest_alg(alg.hash())),
            finish: Box::new(move |d, out| {
                let start = out.len();
                out.resize(start + self.0.public_modulus_len(), 0);
                let buf = out
                    .get_mut(start..)
                    .ok_or(Error::Unreachable("signature buffer"))?;
                self.0
                    .sign_digest(encoding, d, buf)
                    .map_err(|_| crate::crypto::backend_failure())
            }),
        }))
    }
}

/// RSA public key, parsed once per algorithm on first use (a key without a pinned `alg`
/// may verify RS* and PS* alike).
pub(super) struct RsaVerifier {
    components: PublicKeyComponents<Vec<u8>>,
    parsed: [OnceLock<Option<ParsedPublicKey>>; 6],
}

impl core::fmt::Debug for RsaVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaVerifier")
            .field("bits", &(self.components.n.len() * 8))
            .finish_non_exhaustive()
    }
}

impl RsaVerifier {
    pub(super) fn new(n: &[u8], e: &[u8]) -> Result<Self> {
        let components = PublicKeyComponents {
            n: n.to_vec(),
            e: e.to_vec(),
        };
        let this = Self {
            components,
            parsed: Default::default(),
        };
        // Parse once now so an invalid key is refused at import, not at first use.
        if this.parsed(JwsAlg::Rs256).is_none() {
            return Err(KeyError::Invalid("invalid RSA public key").into());
        }
        Ok(this)
    }

    fn parsed(&self, alg: JwsAlg) -> Option<&ParsedPublicKey> {
        let (slot, params) = rsa_params(alg)?;
        self.parsed
            .get(slot)?
            .get_or_init(|| self.components.to_parsed_public_key(params).ok())
            .as_ref()
    }
}

impl PreparedVerifyingKey for RsaVerifier {
    fn verify(&self, alg: JwsAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        let key = self.parsed(alg).ok_or(Error::InvalidSignature)?;
        key.verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }

    fn start(&self, alg: JwsAlg) -> Result<Box<dyn VerifyStream + '_>> {
        let key = self.parsed(alg).ok_or(Error::InvalidSignature)?;
        Ok(Box::new(DigestVerify {
            ctx: digest::Context::new(digest_alg(alg.hash())),
            finish: Box::new(move |d, sig| {
                key.verify_digest_sig(d, sig)
                    .map_err(|_| Error::InvalidSignature)
            }),
        }))
    }
}
