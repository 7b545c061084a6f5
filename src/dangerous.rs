//! Inspection without verification.
//!
//! <div class="warning">
//!
//! Nothing these functions return is verified. Use them for debugging and for displaying
//! a token (the CLI's `inspect`), **never** to decide anything: a decision needs
//! [`UnverifiedJws::verify`](crate::jws::UnverifiedJws::verify).
//!
//! </div>

use crate::b64;
use crate::error::{Malformed, Part, Result};
use crate::json;
use serde_json::Value;

/// Decodes the protected header(s) of a compact or JSON token without verifying anything:
/// a JSON object for compact and flattened tokens, an array for general JSON.
///
/// # Errors
/// [`Error::Malformed`](crate::Error::Malformed).
pub fn insecure_decode_header(token: &str) -> Result<Value> {
    let token = token.trim();
    if token.starts_with('{') {
        let doc = json::parse(token.as_bytes(), Part::Token)?;
        let decode = |entry: &Value| -> Result<Value> {
            let mut out = serde_json::Map::new();
            if let Some(p) = entry.get("protected").and_then(Value::as_str) {
                out.insert(
                    "protected".into(),
                    Value::Object(json::parse_object(
                        &b64::decode(p.as_bytes(), Part::Header)?,
                        Part::Header,
                    )?),
                );
            }
            if let Some(h) = entry.get("header") {
                out.insert("header".into(), h.clone());
            }
            Ok(Value::Object(out))
        };
        return match doc.get("signatures").and_then(Value::as_array) {
            Some(sigs) => Ok(Value::Array(
                sigs.iter().map(decode).collect::<Result<_>>()?,
            )),
            None => decode(&doc),
        };
    }
    let first = token
        .split('.')
        .next()
        .ok_or(Malformed::SegmentCount { found: 0 })?;
    let raw = b64::decode(first.as_bytes(), Part::Header)?;
    Ok(Value::Object(json::parse_object(&raw, Part::Header)?))
}

/// Decodes the payload of a compact JWS without verifying it.
///
/// # Errors
/// [`Error::Malformed`](crate::Error::Malformed).
pub fn insecure_payload(token: &str) -> Result<Vec<u8>> {
    let mut parts = token.trim().split('.');
    let (Some(_), Some(p), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed::SegmentCount {
            found: token.split('.').count(),
        }
        .into());
    };
    b64::decode(p.as_bytes(), Part::Payload)
}
