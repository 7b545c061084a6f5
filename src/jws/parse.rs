//! Compact and JSON serializations in (RFC 7515 sections 7.1 and 7.2).

use super::{Header, Serialization};
use crate::b64;
use crate::compact;
use crate::error::{Error, Malformed, Part, Result};
use crate::json;
use crate::policy::Limits;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// One signature as transmitted.
#[derive(Debug)]
pub(super) struct SigEntry<'a> {
    /// The protected header exactly as encoded (may be empty).
    pub(super) protected_b64: Cow<'a, str>,
    pub(super) header: Header,
    pub(super) signature: Vec<u8>,
}

/// A JWS whose shape and headers were checked but whose signatures were not. Nothing in
/// it is trusted; the payload is only released by [`UnverifiedJws::verify`]. `Debug`
/// shows the headers and the payload's length, never its bytes.
pub struct UnverifiedJws<'a> {
    pub(super) serialization: Serialization,
    /// The payload as transmitted (base64url text, or the raw bytes when `b64` is false);
    /// `None` when detached.
    pub(super) payload: Option<Cow<'a, [u8]>>,
    /// For compact tokens, the signing input as a slice of the token.
    pub(super) compact_input: Option<&'a [u8]>,
    pub(super) sigs: Vec<SigEntry<'a>>,
    pub(super) b64: bool,
}

impl core::fmt::Debug for UnverifiedJws<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UnverifiedJws")
            .field("serialization", &self.serialization)
            .field("payload_len", &self.payload.as_ref().map(|p| p.len()))
            .field("headers", &self.headers().collect::<Vec<_>>())
            .field("b64", &self.b64)
            .finish()
    }
}

impl UnverifiedJws<'_> {
    /// The serialization the token used.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// The (untrusted) header of each signature.
    pub fn headers(&self) -> impl Iterator<Item = &Header> {
        self.sigs.iter().map(|s| &s.header)
    }

    /// The (untrusted) header of the first signature.
    #[must_use]
    pub fn header(&self) -> Option<&Header> {
        self.sigs.first().map(|s| &s.header)
    }

    /// True when the token carries no payload: detached content (RFC 7515 appendix F),
    /// or an empty payload, which compact tokens cannot tell apart.
    #[must_use]
    pub fn is_detached(&self) -> bool {
        self.payload.as_ref().is_none_or(|p| p.is_empty())
    }
}

fn decode_header(seg: &[u8], limits: &Limits) -> Result<Map<String, Value>> {
    Limits::check("header size", seg.len(), limits.max_header_bytes)?;
    let raw = b64::decode(seg, Part::Header)?;
    json::parse_object(&raw, Part::Header)
}

/// The header of a compact token from its (base64url) first segment.
pub(crate) fn compact_header(seg: &[u8], limits: &Limits) -> Result<Header> {
    Header::parse(decode_header(seg, limits)?, Map::new())
}

/// Parses a token in any serialization: JSON when it starts with `{`, compact otherwise.
///
/// # Errors
/// As [`parse_compact`] and [`parse_json`].
pub fn parse<'a>(token: &'a str, limits: &Limits) -> Result<UnverifiedJws<'a>> {
    if token.trim_start().starts_with('{') {
        parse_json(token, limits)
    } else {
        parse_compact(token, limits)
    }
}

/// Parses the compact serialization `header.payload.signature` (payload may be empty for
/// detached content).
///
/// # Errors
/// [`Error::Malformed`] for shape errors (segment count, base64url, JSON, duplicate or
/// ill-typed members, `crit`/`b64` rules), [`Error::Unsupported`] for unknown `alg`
/// (including `none`), [`Rejected::LimitExceeded`](crate::error::Rejected::LimitExceeded).
pub fn parse_compact<'a>(token: &'a str, limits: &Limits) -> Result<UnverifiedJws<'a>> {
    Limits::check("token size", token.len(), limits.max_token_bytes)?;
    let [h, p, s] = compact::split::<3>(token.as_bytes())?;
    let header = compact_header(h, limits)?;
    let signature = compact::small(s, Part::Signature)?;
    let b64 = header.b64();
    let protected_b64 = Cow::Borrowed(
        token
            .get(..h.len())
            .ok_or(Error::Unreachable("segment bounds"))?,
    );
    let compact_input = token
        .as_bytes()
        .get(..h.len() + 1 + p.len())
        .ok_or(Error::Unreachable("segment bounds"))?;
    // An empty payload segment is either detached content (RFC 7515 appendix F) or an
    // empty payload; `verify` treats it as empty, `verify_detached` as detached.
    Ok(UnverifiedJws {
        serialization: Serialization::Compact,
        payload: Some(Cow::Borrowed(p)),
        compact_input: Some(compact_input),
        sigs: vec![SigEntry {
            protected_b64,
            header,
            signature,
        }],
        b64,
    })
}

fn opt_str<'v>(obj: &'v Map<String, Value>, name: &'static str) -> Result<Option<&'v str>> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn entry(obj: &Map<String, Value>, limits: &Limits) -> Result<SigEntry<'static>> {
    let protected_b64 = opt_str(obj, "protected")?;
    let unprotected = match obj.get("header") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(Malformed::InvalidMember("header").into()),
    };
    // RFC 7515 section 7.2.1: at least one of the two must be present.
    if protected_b64.is_none() && unprotected.is_none() {
        return Err(Malformed::MissingMember("protected").into());
    }
    if let Some(u) = &unprotected {
        let size = serde_json::to_vec(u).map(|v| v.len()).unwrap_or(usize::MAX);
        Limits::check("header size", size, limits.max_header_bytes)?;
    }
    let protected = match protected_b64 {
        Some(p) => decode_header(p.as_bytes(), limits)?,
        None => Map::new(),
    };
    let header = Header::parse(protected, unprotected.unwrap_or_default())?;
    let signature = b64::decode(
        opt_str(obj, "signature")?
            .ok_or(Malformed::MissingMember("signature"))?
            .as_bytes(),
        Part::Signature,
    )?;
    Ok(SigEntry {
        protected_b64: Cow::Owned(protected_b64.unwrap_or("").to_owned()),
        header,
        signature,
    })
}

/// Parses the general or flattened JSON serialization.
///
/// # Errors
/// As [`parse_compact`]; also [`Malformed::DuplicateMember`] for a repeated member
/// anywhere in the document, and a mix of general and flattened members.
pub fn parse_json<'a>(token: &'a str, limits: &Limits) -> Result<UnverifiedJws<'a>> {
    Limits::check("token size", token.len(), limits.max_token_bytes)?;
    let cap = json::Cap {
        items: limits.max_signatures,
        limit: "signature count",
    };
    let Value::Object(doc) = json::parse_capped(token.as_bytes(), Part::Token, Some(cap))? else {
        return Err(Malformed::Json { part: Part::Token }.into());
    };
    let payload = opt_str(&doc, "payload")?.map(|p| Cow::Owned(p.as_bytes().to_vec()));
    let (serialization, sigs) = match doc.get("signatures") {
        Some(Value::Array(items)) => {
            if ["signature", "protected", "header"]
                .iter()
                .any(|m| doc.contains_key(*m))
            {
                return Err(Malformed::InvalidMember("signatures").into());
            }
            if items.is_empty() {
                return Err(Malformed::InvalidMember("signatures").into());
            }
            Limits::check("signature count", items.len(), limits.max_signatures)?;
            let sigs = items
                .iter()
                .map(|v| {
                    v.as_object()
                        .ok_or(Malformed::InvalidMember("signatures").into())
                        .and_then(|o| entry(o, limits))
                })
                .collect::<Result<Vec<_>>>()?;
            (Serialization::General, sigs)
        }
        Some(_) => return Err(Malformed::InvalidMember("signatures").into()),
        None => (Serialization::Flattened, vec![entry(&doc, limits)?]),
    };
    let total = sigs.iter().fold(0usize, |sum, s| {
        let unprotected =
            serde_json::to_vec(s.header.unprotected()).map_or(usize::MAX, |v| v.len());
        sum.saturating_add(s.protected_b64.len())
            .saturating_add(unprotected)
    });
    Limits::check("total header size", total, limits.max_total_header_bytes)?;
    let b64 = sigs.first().is_none_or(|s| s.header.b64());
    // RFC 7797 section 3: every signature must agree on b64.
    if sigs.iter().any(|s| s.header.b64() != b64) {
        return Err(Malformed::InvalidMember("b64").into());
    }
    Ok(UnverifiedJws {
        serialization,
        payload,
        compact_input: None,
        sigs,
        b64,
    })
}
