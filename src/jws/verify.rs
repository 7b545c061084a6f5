//! Verification: policy first, then trusted-key selection, then the signature.

use super::parse::{SigEntry, UnverifiedJws};
use super::{Header, Serialization};
use crate::alg::JwsAlg;
use crate::b64;
use crate::error::{Error, Part, Rejected, Result};
use crate::key::{VerifyingKey, VerifyingKeys};
use crate::policy::{JwsPolicy, SignatureRule};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Who signed: what an audit log records.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignerInfo {
    /// The `kid` of the trusted key that verified (else the header's `kid`).
    pub kid: Option<String>,
    /// The algorithm.
    pub alg: JwsAlg,
    /// Base64url SHA-256 JWK thumbprint (RFC 7638) of the trusted key.
    pub thumbprint: String,
    /// The full (now verified) header of this signature.
    pub header: Header,
    /// Which signature of the token verified: its index in `signatures` (0 for the
    /// compact and flattened serializations).
    pub index: usize,
    /// The octets of the signature that verified.
    signature: Vec<u8>,
}

impl SignerInfo {
    /// The record of `key` having verified a signature with `header`.
    pub(crate) fn new(
        key: &VerifyingKey,
        header: Header,
        index: usize,
        signature: Vec<u8>,
    ) -> Self {
        SignerInfo {
            kid: key.kid().or(header.kid()).map(str::to_owned),
            alg: header.alg(),
            thumbprint: key.thumbprint().to_owned(),
            header,
            index,
            signature,
        }
    }

    /// The octets of the signature that verified.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The integrity-protected header.
    #[must_use]
    pub fn protected(&self) -> &Map<String, Value> {
        self.header.protected()
    }

    /// A JSON record for audit logs: `{alg, kid, thumbprint, signature, header}`
    /// (`signature` is the index of the signature that verified).
    #[must_use]
    pub fn to_record(&self) -> Value {
        serde_json::json!({
            "alg": self.alg.as_str(),
            "kid": self.kid,
            "thumbprint": self.thumbprint,
            "signature": self.index,
            "header": Value::Object(self.header.protected().clone()),
        })
    }
}

/// A verified JWS: the payload and who signed it. `Debug` shows the payload's length,
/// never its bytes.
#[non_exhaustive]
pub struct Verified<'a> {
    payload: Cow<'a, [u8]>,
    signers: Vec<SignerInfo>,
    serialization: Serialization,
}

impl core::fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verified")
            .field("payload_len", &self.payload.len())
            .field("signers", &self.signers)
            .field("serialization", &self.serialization)
            .finish()
    }
}

impl<'a> Verified<'a> {
    /// The verified payload.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Takes the verified payload.
    #[must_use]
    pub fn into_payload(self) -> Cow<'a, [u8]> {
        self.payload
    }

    /// The signer that verified (the first, when several did).
    #[must_use]
    pub fn signer(&self) -> Option<&SignerInfo> {
        self.signers.first()
    }

    /// Every signature that verified (all of them under [`SignatureRule::All`]).
    #[must_use]
    pub fn signers(&self) -> &[SignerInfo] {
        &self.signers
    }

    /// The serialization the token used.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }
}

/// Ranks failures so the most informative one is reported when no signature verified:
/// a cryptographic failure beats a key-selection failure beats a policy failure.
fn rank(e: &Error) -> u8 {
    match e {
        Error::InvalidSignature => 3,
        Error::Rejected(Rejected::KeyMismatch(_) | Rejected::KeyNotFound) => 2,
        _ => 1,
    }
}

impl<'a> UnverifiedJws<'a> {
    /// Verifies with the caller's trusted keys and policy, and releases the payload.
    ///
    /// # Errors
    /// [`Rejected::PayloadPresence`] for a detached token (use
    /// [`UnverifiedJws::verify_detached`]); [`Rejected::AlgNotAllowed`],
    /// [`Rejected::UnknownCritical`], [`Rejected::KeyNotFound`], [`Rejected::KeyMismatch`];
    /// [`Error::InvalidSignature`].
    pub fn verify(self, keys: &VerifyingKeys, policy: &JwsPolicy) -> Result<Verified<'a>> {
        let Some(payload) = self.payload.clone() else {
            return Err(Rejected::PayloadPresence.into());
        };
        self.verify_inner(keys, policy, payload, false)
    }

    /// Verifies a detached JWS (RFC 7515 appendix F) against `payload`, the exact bytes
    /// received (with `b64: false`, the raw payload; otherwise the decoded payload).
    ///
    /// # Errors
    /// [`Rejected::PayloadPresence`] when the token carries a payload; otherwise as
    /// [`UnverifiedJws::verify`].
    pub fn verify_detached(
        self,
        keys: &VerifyingKeys,
        policy: &JwsPolicy,
        payload: &'a [u8],
    ) -> Result<Verified<'a>> {
        if !self.is_detached() {
            return Err(Rejected::PayloadPresence.into());
        }
        let segment: Cow<'a, [u8]> = if self.b64 {
            Cow::Owned(b64::encode(payload).into_bytes())
        } else {
            Cow::Borrowed(payload)
        };
        let mut v = self.verify_inner(keys, policy, segment, true)?;
        v.payload = Cow::Borrowed(payload);
        Ok(v)
    }

    fn verify_inner(
        self,
        keys: &VerifyingKeys,
        policy: &JwsPolicy,
        segment: Cow<'a, [u8]>,
        detached: bool,
    ) -> Result<Verified<'a>> {
        if policy.jws_algs.is_empty() {
            return Err(Error::ApiMisuse("the policy allows no algorithm"));
        }
        let serialization = self.serialization;
        let mut signers = Vec::with_capacity(1);
        let mut worst: Option<Error> = None;
        let mut input_buf = Vec::new();
        for (index, entry) in self.sigs.into_iter().enumerate() {
            let input: &[u8] = match self.compact_input {
                Some(input) if !detached => input,
                _ => {
                    input_buf.clear();
                    input_buf.reserve(entry.protected_b64.len() + 1 + segment.len());
                    input_buf.extend_from_slice(entry.protected_b64.as_bytes());
                    input_buf.push(b'.');
                    input_buf.extend_from_slice(&segment);
                    &input_buf
                }
            };
            match verify_one(entry, index, input, keys, policy) {
                Ok(info) => {
                    signers.push(info);
                    if policy.signatures == SignatureRule::AnyTrusted {
                        break;
                    }
                }
                Err(e) => {
                    if policy.signatures == SignatureRule::All {
                        return Err(e);
                    }
                    if worst.as_ref().is_none_or(|w| rank(&e) > rank(w)) {
                        worst = Some(e);
                    }
                }
            }
        }
        if signers.is_empty() {
            return Err(worst.unwrap_or(Error::InvalidSignature));
        }
        let payload = if detached {
            Cow::Borrowed(&[][..])
        } else if self.b64 {
            Cow::Owned(b64::decode(&segment, Part::Payload)?)
        } else {
            segment
        };
        Ok(Verified {
            payload,
            signers,
            serialization,
        })
    }
}

fn verify_one(
    entry: SigEntry<'_>,
    index: usize,
    input: &[u8],
    keys: &VerifyingKeys,
    policy: &JwsPolicy,
) -> Result<SignerInfo> {
    let header = entry.header;
    header.check(policy)?;
    let alg = header.alg();
    let key = keys.verify_signature(header.kid(), alg, input, &entry.signature)?;
    Ok(SignerInfo::new(key, header, index, entry.signature))
}
