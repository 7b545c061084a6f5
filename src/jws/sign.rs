//! Signing: a [`Signer`] is a prepared key plus an encoded protected header, reused for
//! every payload.

use crate::alg::JwsAlg;
use crate::b64;
use crate::error::{Error, Result};
use crate::key::SigningKey;
use serde_json::{Map, Value};

/// Header names the builder sets itself.
const MANAGED: &[&str] = &["alg", "b64", "crit"];

/// Signs payloads with one key and one header.
///
/// ```
/// use bodyseal::{jwk::Jwk, crypto::KeyKind, alg::EcCurve, key::SigningKey, jws::Signer};
/// let key = SigningKey::from_jwk(&Jwk::generate(KeyKind::Ec(EcCurve::P256))?.with_kid("k1"))?;
/// let signer = Signer::new(&key).with_typ("example+jws");
/// let token = signer.compact(br#"{"amount":42}"#)?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), bodyseal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    key: SigningKey,
    alg: JwsAlg,
    protected: Map<String, Value>,
    unprotected: Option<Map<String, Value>>,
    crit: Vec<String>,
    b64: bool,
    protected_b64: String,
}

impl Signer {
    /// A signer using the key's algorithm and `kid`.
    #[must_use]
    pub fn new(key: &SigningKey) -> Self {
        let mut protected = Map::new();
        if let Some(kid) = key.kid() {
            protected.insert("kid".into(), kid.into());
        }
        let mut s = Signer {
            key: key.clone(),
            alg: key.alg(),
            protected,
            unprotected: None,
            crit: Vec::new(),
            b64: true,
            protected_b64: String::new(),
        };
        s.encode();
        s
    }

    fn encode(&mut self) {
        let mut h = self.protected.clone();
        h.insert("alg".into(), self.alg.as_str().into());
        if !self.crit.is_empty() {
            h.insert(
                "crit".into(),
                self.crit.iter().map(|c| Value::from(c.as_str())).collect(),
            );
        }
        if !self.b64 {
            h.insert("b64".into(), false.into());
        }
        let json = Value::Object(h).to_string();
        self.protected_b64 = b64::encode(json.as_bytes());
    }

    /// Uses `alg` instead of the key's default.
    ///
    /// # Errors
    /// [`Rejected::KeyMismatch`](crate::error::Rejected::KeyMismatch) when `alg` does not
    /// fit the key or its `alg` member.
    pub fn with_alg(mut self, alg: JwsAlg) -> Result<Self> {
        self.key.check_alg(alg)?;
        self.alg = alg;
        self.encode();
        Ok(self)
    }

    /// Sets `kid` (RFC 7515 section 4.1.4).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.protected
            .insert("kid".into(), Value::String(kid.into()));
        self.encode();
        self
    }

    /// Sets `typ` (RFC 7515 section 4.1.9).
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.protected
            .insert("typ".into(), Value::String(typ.into()));
        self.encode();
        self
    }

    /// Sets `cty` (RFC 7515 section 4.1.10).
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
        self.protected
            .insert("cty".into(), Value::String(cty.into()));
        self.encode();
        self
    }

    /// Adds a protected header member.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for `alg`, `b64` and `crit`, which have their own methods.
    pub fn with_header(mut self, name: impl Into<String>, value: Value) -> Result<Self> {
        let name = name.into();
        if MANAGED.contains(&name.as_str()) {
            return Err(Error::ApiMisuse(
                "alg, b64 and crit are set by their own methods",
            ));
        }
        self.protected.insert(name, value);
        self.encode();
        Ok(self)
    }

    /// Adds several protected header members, encoding the header once.
    ///
    /// # Errors
    /// As [`Signer::with_header`].
    pub fn with_headers(mut self, members: Map<String, Value>) -> Result<Self> {
        if members.keys().any(|k| MANAGED.contains(&k.as_str())) {
            return Err(Error::ApiMisuse(
                "alg, b64 and crit are set by their own methods",
            ));
        }
        self.protected.extend(members);
        self.encode();
        Ok(self)
    }

    /// Adds a protected header member and lists it in `crit`, so that verifiers that do
    /// not understand it must reject the token.
    ///
    /// # Errors
    /// As [`Signer::with_header`].
    pub fn with_critical_header(self, name: impl Into<String>, value: Value) -> Result<Self> {
        let name = name.into();
        let mut s = self.with_header(name.clone(), value)?;
        if !s.crit.contains(&name) {
            s.crit.push(name);
        }
        s.encode();
        Ok(s)
    }

    /// Adds an unprotected header member (JSON serializations only).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for a name already in the protected header or managed by the
    /// builder.
    pub fn with_unprotected(mut self, name: impl Into<String>, value: Value) -> Result<Self> {
        let name = name.into();
        if MANAGED.contains(&name.as_str()) || self.protected.contains_key(&name) {
            return Err(Error::ApiMisuse(
                "unprotected names must differ from protected ones",
            ));
        }
        self.unprotected
            .get_or_insert_with(Map::new)
            .insert(name, value);
        Ok(self)
    }

    /// Uses the unencoded payload option (RFC 7797): `b64: false`, listed in `crit`.
    #[must_use]
    pub fn unencoded(mut self) -> Self {
        self.b64 = false;
        if !self.crit.iter().any(|c| c == "b64") {
            self.crit.insert(0, "b64".into());
        }
        self.encode();
        self
    }

    /// What streaming needs: the encoded protected header, the key, the algorithm and
    /// whether the payload is base64url-encoded.
    pub(crate) fn stream_parts(&self) -> (&str, &SigningKey, JwsAlg, bool) {
        (&self.protected_b64, &self.key, self.alg, self.b64)
    }

    /// The algorithm.
    #[must_use]
    pub fn alg(&self) -> JwsAlg {
        self.alg
    }

    /// The encoded protected header.
    #[must_use]
    pub fn protected_b64(&self) -> &str {
        &self.protected_b64
    }

    fn signature(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut sig = Vec::with_capacity(512);
        self.key.sign_into(self.alg, input, &mut sig)?;
        Ok(sig)
    }

    /// The compact serialization and the signature's octets.
    pub(crate) fn compact_signed(
        &self,
        payload: &[u8],
        detached: bool,
    ) -> Result<(String, Vec<u8>)> {
        if self.unprotected.is_some() {
            return Err(Error::ApiMisuse(
                "the compact serialization has no unprotected header",
            ));
        }
        if !self.b64
            && !detached
            && (payload.contains(&b'.') || core::str::from_utf8(payload).is_err())
        {
            return Err(Error::ApiMisuse(
                "an unencoded payload with '.' or non-UTF-8 bytes needs a detached or JSON serialization",
            ));
        }
        let payload_len = if self.b64 {
            b64::encoded_len(payload.len())
        } else {
            payload.len()
        };
        let mut out = String::with_capacity(self.protected_b64.len() + payload_len + 2 + 700);
        out.push_str(&self.protected_b64);
        out.push('.');
        if self.b64 {
            b64::encode_into(payload, &mut out);
            let sig = self.signature(out.as_bytes())?;
            if detached {
                out.truncate(self.protected_b64.len() + 1);
            }
            out.push('.');
            b64::encode_into(&sig, &mut out);
            Ok((out, sig))
        } else {
            let mut input = Vec::with_capacity(self.protected_b64.len() + 1 + payload.len());
            input.extend_from_slice(self.protected_b64.as_bytes());
            input.push(b'.');
            input.extend_from_slice(payload);
            let sig = self.signature(&input)?;
            if !detached {
                // Checked above: valid UTF-8 without '.'.
                out.push_str(
                    core::str::from_utf8(payload).map_err(|_| Error::Unreachable("utf-8"))?,
                );
            }
            out.push('.');
            b64::encode_into(&sig, &mut out);
            Ok((out, sig))
        }
    }

    /// Compact serialization `header.payload.signature`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when an unprotected header was set, or when an unencoded
    /// payload contains `.` or is not UTF-8.
    pub fn compact(&self, payload: &[u8]) -> Result<String> {
        self.compact_signed(payload, false).map(|(t, _)| t)
    }

    /// Compact serialization with detached content, `header..signature` (RFC 7515
    /// appendix F).
    ///
    /// # Errors
    /// As [`Signer::compact`].
    pub fn compact_detached(&self, payload: &[u8]) -> Result<String> {
        self.compact_signed(payload, true).map(|(t, _)| t)
    }

    /// One entry of the `signatures` array (or the flattened members), over the payload
    /// segment `seg`.
    fn json_entry(&self, seg: &[u8]) -> Result<(Map<String, Value>, Vec<u8>)> {
        let mut input = Vec::with_capacity(self.protected_b64.len() + 1 + seg.len());
        input.extend_from_slice(self.protected_b64.as_bytes());
        input.push(b'.');
        input.extend_from_slice(seg);
        let sig = self.signature(&input)?;
        let mut m = Map::new();
        m.insert("protected".into(), self.protected_b64.clone().into());
        if let Some(u) = &self.unprotected {
            m.insert("header".into(), Value::Object(u.clone()));
        }
        m.insert("signature".into(), b64::encode(&sig).into());
        Ok((m, sig))
    }

    fn payload_segment(b64_flag: bool, payload: &[u8]) -> Result<Vec<u8>> {
        if b64_flag {
            Ok(b64::encode(payload).into_bytes())
        } else if core::str::from_utf8(payload).is_ok() {
            Ok(payload.to_vec())
        } else {
            Err(Error::ApiMisuse(
                "an unencoded payload in JSON must be UTF-8",
            ))
        }
    }

    /// The flattened JSON serialization and the signature's octets.
    pub(crate) fn flattened_signed(
        &self,
        payload: &[u8],
        detached: bool,
    ) -> Result<(String, Vec<u8>)> {
        let seg = Self::payload_segment(self.b64, payload)?;
        let (mut m, sig) = self.json_entry(&seg)?;
        if !detached {
            m.insert(
                "payload".into(),
                String::from_utf8(seg)
                    .map_err(|_| Error::Unreachable("utf-8"))?
                    .into(),
            );
        }
        Ok((Value::Object(m).to_string(), sig))
    }

    /// Flattened JSON serialization (RFC 7515 section 7.2.2).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] when an unencoded payload is not UTF-8.
    pub fn flattened(&self, payload: &[u8]) -> Result<String> {
        self.flattened_signed(payload, false).map(|(t, _)| t)
    }

    /// Flattened JSON serialization without the `payload` member.
    ///
    /// # Errors
    /// As [`Signer::flattened`].
    pub fn flattened_detached(&self, payload: &[u8]) -> Result<String> {
        self.flattened_signed(payload, true).map(|(t, _)| t)
    }

    /// The general JSON serialization and the first signature's octets.
    pub(crate) fn general_signed(
        signers: &[Signer],
        payload: &[u8],
        detached: bool,
    ) -> Result<(String, Vec<u8>)> {
        let first = signers
            .first()
            .ok_or(Error::ApiMisuse("general JSON needs at least one signer"))?;
        if signers.iter().any(|s| s.b64 != first.b64) {
            return Err(Error::ApiMisuse("every signer must agree on b64"));
        }
        let seg = Self::payload_segment(first.b64, payload)?;
        let mut first_sig = Vec::new();
        let mut sigs = Vec::with_capacity(signers.len());
        for s in signers {
            let (entry, sig) = s.json_entry(&seg)?;
            if first_sig.is_empty() {
                first_sig = sig;
            }
            sigs.push(Value::Object(entry));
        }
        let mut m = Map::new();
        if !detached {
            m.insert(
                "payload".into(),
                String::from_utf8(seg)
                    .map_err(|_| Error::Unreachable("utf-8"))?
                    .into(),
            );
        }
        m.insert("signatures".into(), Value::Array(sigs));
        Ok((Value::Object(m).to_string(), first_sig))
    }

    /// General JSON serialization with one signature per signer (RFC 7515 section 7.2.1).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for an empty list or signers that disagree on `b64`.
    pub fn general(signers: &[Signer], payload: &[u8]) -> Result<String> {
        Self::general_signed(signers, payload, false).map(|(t, _)| t)
    }

    /// General JSON serialization without the `payload` member.
    ///
    /// # Errors
    /// As [`Signer::general`].
    pub fn general_detached(signers: &[Signer], payload: &[u8]) -> Result<String> {
        Self::general_signed(signers, payload, true).map(|(t, _)| t)
    }
}
