//! Compact and JSON serializations in (RFC 7516 sections 7.1 and 7.2).

use super::Serialization;
use crate::b64;
use crate::compact;
use crate::error::{Malformed, Part, Result};
use crate::json;
use crate::policy::Limits;
use serde_json::{Map, Value};

/// One recipient as transmitted.
#[derive(Debug)]
pub(super) struct Recipient {
    pub(super) header: Map<String, Value>,
    pub(super) encrypted_key: Vec<u8>,
}

/// A JWE whose shape was checked but which was not decrypted. Nothing in it is trusted.
#[derive(Debug)]
pub struct UnverifiedJwe {
    pub(super) serialization: Serialization,
    pub(super) protected_b64: String,
    pub(super) protected: std::sync::Arc<Map<String, Value>>,
    pub(super) shared: Map<String, Value>,
    pub(super) recipients: Vec<Recipient>,
    pub(super) aad_b64: Option<String>,
    pub(super) iv: Vec<u8>,
    pub(super) ciphertext: Vec<u8>,
    pub(super) tag: Vec<u8>,
}

impl UnverifiedJwe {
    /// The serialization the token used.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// The (untrusted) protected header.
    #[must_use]
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// Number of recipients.
    #[must_use]
    pub fn recipient_count(&self) -> usize {
        self.recipients.len()
    }
}

fn decode_protected(seg: &[u8], limits: &Limits) -> Result<Map<String, Value>> {
    Limits::check("header size", seg.len(), limits.max_header_bytes)?;
    if seg.is_empty() {
        return Ok(Map::new());
    }
    json::parse_object(&b64::decode(seg, Part::Header)?, Part::Header)
}

/// The header of a compact JWE from its first segment, parsed as decryption parses it.
pub(crate) fn compact_header(seg: &[u8], limits: &Limits) -> Result<super::Header> {
    super::Header::parse(
        &std::sync::Arc::new(decode_protected(seg, limits)?),
        &Map::new(),
        &Map::new(),
    )
}

/// Parses a token in any serialization: JSON when it starts with `{`, compact otherwise.
///
/// # Errors
/// As [`parse_compact`] and [`parse_json`].
pub fn parse(token: &str, limits: &Limits) -> Result<UnverifiedJwe> {
    if token.trim_start().starts_with('{') {
        parse_json(token, limits)
    } else {
        parse_compact(token, limits)
    }
}

/// Parses the compact serialization `header.encrypted_key.iv.ciphertext.tag`.
///
/// # Errors
/// [`Malformed`] for shape errors; [`crate::error::Rejected::LimitExceeded`].
pub fn parse_compact(token: &str, limits: &Limits) -> Result<UnverifiedJwe> {
    Limits::check("token size", token.len(), limits.max_token_bytes)?;
    let [h, ek, iv, ct, tag] = compact::split::<5>(token.as_bytes())?;
    let mut jwe = UnverifiedJwe::compact_head(h, ek, iv, limits)?;
    let ciphertext = b64::decode(ct, Part::Token)?;
    jwe.set_body(ciphertext, compact::small(tag, Part::Token)?);
    Ok(jwe)
}

impl UnverifiedJwe {
    /// The first three compact segments (header, encrypted key, IV, all still base64url):
    /// the ciphertext and tag come later (at once in memory, after a scan when streamed).
    pub(crate) fn compact_head(h: &[u8], ek: &[u8], iv: &[u8], limits: &Limits) -> Result<Self> {
        if h.is_empty() {
            return Err(Malformed::MissingMember("protected").into());
        }
        let protected = decode_protected(h, limits)?;
        Ok(UnverifiedJwe {
            serialization: Serialization::Compact,
            protected_b64: String::from_utf8_lossy(h).into_owned(),
            protected: protected.into(),
            shared: Map::new(),
            recipients: vec![Recipient {
                header: Map::new(),
                encrypted_key: compact::small(ek, Part::Token)?,
            }],
            aad_b64: None,
            iv: compact::small(iv, Part::Token)?,
            ciphertext: Vec::new(),
            tag: Vec::new(),
        })
    }

    /// Supplies the decoded ciphertext and tag of a compact token.
    pub(crate) fn set_body(&mut self, ciphertext: Vec<u8>, tag: Vec<u8>) {
        self.ciphertext = ciphertext;
        self.tag = tag;
    }

    /// The IV.
    pub(crate) fn iv(&self) -> &[u8] {
        &self.iv
    }

    /// True when the protected `alg` is an HPKE integrated encryption algorithm.
    pub(crate) fn integrated(&self) -> bool {
        alg_is_integrated(&self.protected)
    }
}

/// True when the protected header's `alg` is an HPKE integrated encryption algorithm.
fn alg_is_integrated(protected: &Map<String, Value>) -> bool {
    protected
        .get("alg")
        .and_then(Value::as_str)
        .and_then(|a| a.parse::<crate::alg::JweAlg>().ok())
        .is_some_and(crate::alg::JweAlg::is_integrated)
}

/// The size of an unprotected header as JSON, under the per-header limit.
fn header_size(header: &Map<String, Value>, limits: &Limits) -> Result<usize> {
    if header.is_empty() {
        return Ok(0);
    }
    let size = serde_json::to_vec(header).map_or(usize::MAX, |v| v.len());
    Limits::check("header size", size, limits.max_header_bytes)?;
    Ok(size)
}

fn opt_str<'v>(obj: &'v Map<String, Value>, name: &'static str) -> Result<Option<&'v str>> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn opt_obj(obj: &Map<String, Value>, name: &'static str) -> Result<Map<String, Value>> {
    match obj.get(name) {
        None => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn recipient(obj: &Map<String, Value>) -> Result<Recipient> {
    Ok(Recipient {
        header: opt_obj(obj, "header")?,
        encrypted_key: match opt_str(obj, "encrypted_key")? {
            Some(ek) => b64::decode(ek.as_bytes(), Part::Token)?,
            None => Vec::new(),
        },
    })
}

/// Parses the general or flattened JSON serialization.
///
/// # Errors
/// As [`parse_compact`]; also [`Malformed::DuplicateMember`] for a repeated member
/// anywhere in the document.
pub fn parse_json(token: &str, limits: &Limits) -> Result<UnverifiedJwe> {
    Limits::check("token size", token.len(), limits.max_token_bytes)?;
    let cap = json::Cap {
        items: limits.max_recipients,
        limit: "recipient count",
    };
    let Value::Object(doc) = json::parse_capped(token.as_bytes(), Part::Token, Some(cap))? else {
        return Err(Malformed::Json { part: Part::Token }.into());
    };
    let protected_b64 = opt_str(&doc, "protected")?.unwrap_or("").to_owned();
    let protected = decode_protected(protected_b64.as_bytes(), limits)?;
    let shared = opt_obj(&doc, "unprotected")?;
    let mut total = protected_b64
        .len()
        .saturating_add(header_size(&shared, limits)?);
    let (serialization, recipients) = match doc.get("recipients") {
        Some(Value::Array(items)) => {
            if doc.contains_key("header") || doc.contains_key("encrypted_key") || items.is_empty() {
                return Err(Malformed::InvalidMember("recipients").into());
            }
            Limits::check("recipient count", items.len(), limits.max_recipients)?;
            let r = items
                .iter()
                .map(|v| {
                    v.as_object()
                        .ok_or(Malformed::InvalidMember("recipients").into())
                        .and_then(recipient)
                })
                .collect::<Result<Vec<_>>>()?;
            (Serialization::General, r)
        }
        Some(_) => return Err(Malformed::InvalidMember("recipients").into()),
        None => (Serialization::Flattened, vec![recipient(&doc)?]),
    };
    for r in &recipients {
        total = total.saturating_add(header_size(&r.header, limits)?);
    }
    Limits::check("total header size", total, limits.max_total_header_bytes)?;
    let field = |name: &'static str| -> Result<Vec<u8>> {
        b64::decode(
            opt_str(&doc, name)?
                .ok_or(Malformed::MissingMember(name))?
                .as_bytes(),
            Part::Token,
        )
    };
    let aad_b64 = opt_str(&doc, "aad")?.map(str::to_owned);
    // RFC 7516 section 7.2.1: `aad` is absent when there is no AAD; an empty one would be
    // authenticated as `protected || '.'`, a second encoding of the same token.
    if aad_b64.as_deref() == Some("") {
        return Err(Malformed::InvalidMember("aad").into());
    }
    if let Some(a) = &aad_b64 {
        b64::decode(a.as_bytes(), Part::Token)?;
    }
    // HPKE integrated encryption: the IV and tag are empty, so the `iv` and `tag`
    // members are absent (RFC 7516 section 7.2.1), never present and empty.
    // An `alg` this build does not know may be an integrated one: the members may then
    // be absent, and decryption refuses the algorithm as unsupported.
    let unknown_alg = protected
        .get("alg")
        .and_then(Value::as_str)
        .is_some_and(|a| a.parse::<crate::alg::JweAlg>().is_err());
    let (iv, tag) = if alg_is_integrated(&protected) {
        if doc.contains_key("iv") || doc.contains_key("tag") {
            return Err(
                Malformed::InvalidMember("iv or tag with HPKE integrated encryption").into(),
            );
        }
        (Vec::new(), Vec::new())
    } else if unknown_alg && !doc.contains_key("iv") && !doc.contains_key("tag") {
        (Vec::new(), Vec::new())
    } else {
        (field("iv")?, field("tag")?)
    };
    Ok(UnverifiedJwe {
        serialization,
        protected_b64,
        protected: protected.into(),
        shared,
        recipients,
        aad_b64,
        iv,
        ciphertext: field("ciphertext")?,
        tag,
    })
}
