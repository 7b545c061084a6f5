//! `bodyseal inspect`: the decoded headers of every layer that can be seen without a key,
//! clearly marked unverified. Nothing is verified or decrypted.

use crate::args::InArg;
use crate::error::{CliResult, Failure};
use crate::io::{self, Privacy};
use bodyseal::b64;
use bodyseal::error::Part;
use serde_json::{json, Map, Value};

/// Nested layers followed at most this deep.
const MAX_DEPTH: usize = 8;

fn decode_json(seg: &str) -> Value {
    b64::decode(seg.as_bytes(), Part::Header)
        .ok()
        .and_then(|raw| serde_json::from_slice::<Value>(&raw).ok())
        .unwrap_or_else(|| json!({"error": "not base64url JSON"}))
}

/// Whether a (protected) header declares a nested token: the library's rule.
fn nested(header: &Value) -> bool {
    bodyseal::nesting::declares_nesting(header.get("cty").and_then(Value::as_str))
}

/// Appends the layers of `token` to `out`.
fn layers(token: &str, out: &mut Vec<Value>) {
    if out.len() >= MAX_DEPTH {
        return;
    }
    if token.starts_with('{') {
        let Ok(doc) = serde_json::from_str::<Map<String, Value>>(token) else {
            out.push(json!({"error": "not a JOSE JSON serialization"}));
            return;
        };
        let protected = doc
            .get("protected")
            .and_then(Value::as_str)
            .map(decode_json);
        if doc.contains_key("ciphertext") {
            let recipients: Vec<Value> = match doc.get("recipients").and_then(Value::as_array) {
                Some(rs) => rs
                    .iter()
                    .map(|r| r.get("header").cloned().unwrap_or(Value::Null))
                    .collect(),
                None => vec![doc.get("header").cloned().unwrap_or(Value::Null)],
            };
            out.push(json!({
                "type": "JWE",
                "serialization": if doc.contains_key("recipients") { "general" } else { "flattened" },
                "protected": protected,
                "unprotected": doc.get("unprotected"),
                "recipients": recipients,
                "content": "encrypted: inner layers are not visible without the key",
            }));
            return;
        }
        if !doc.contains_key("signatures") && !doc.contains_key("signature") {
            out.push(json!({"error": "a JSON document that is neither a JWS nor a JWE"}));
            return;
        }
        let sigs: Vec<Value> = match doc.get("signatures").and_then(Value::as_array) {
            Some(ss) => ss
                .iter()
                .map(|s| {
                    json!({
                        "protected": s.get("protected").and_then(Value::as_str).map(decode_json),
                        "header": s.get("header"),
                    })
                })
                .collect(),
            None => vec![json!({"protected": protected, "header": doc.get("header")})],
        };
        let first = sigs
            .first()
            .and_then(|s| s.get("protected"))
            .cloned()
            .unwrap_or(Value::Null);
        let payload = doc
            .get("payload")
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.push(json!({
            "type": "JWS",
            "serialization": if doc.contains_key("signatures") { "general" } else { "flattened" },
            "signatures": sigs,
            "payload_b64_chars": payload.len(),
        }));
        follow(&first, payload, out);
        return;
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.as_slice() {
        [h, p, _] => {
            let header = decode_json(h);
            out.push(json!({
                "type": "JWS",
                "serialization": "compact",
                "protected": header,
                "payload": if p.is_empty() { "detached" } else { "attached" },
                "payload_b64_chars": p.len(),
            }));
            follow(&header, p, out);
        }
        [h, ek, iv, _, tag] => out.push(json!({
            "type": "JWE",
            "serialization": "compact",
            "protected": decode_json(h),
            "encrypted_key_bytes": ek.len() * 3 / 4,
            "iv_bytes": iv.len() * 3 / 4,
            "tag_bytes": tag.len() * 3 / 4,
            "content": "encrypted: inner layers are not visible without the key",
        })),
        _ => out.push(json!({"error": format!("not a JOSE token ({} segments)", parts.len())})),
    }
}

/// Follows a JWS payload that declares a nested token.
fn follow(header: &Value, payload_b64: &str, out: &mut Vec<Value>) {
    if !nested(header) {
        return;
    }
    let b64 = header.get("b64") != Some(&Value::Bool(false));
    let inner = if b64 {
        b64::decode(payload_b64.as_bytes(), Part::Payload)
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
    } else {
        Some(payload_b64.to_owned())
    };
    if let Some(inner) = inner {
        layers(&inner, out);
    }
}

pub(crate) fn run(a: InArg) -> CliResult<()> {
    let text = io::read_text(a.input.as_deref())?;
    let mut found = Vec::new();
    // Whitespace may surround the outer token (a file's newline); inner layers have none.
    layers(text.trim(), &mut found);
    if found.iter().all(|l| l.get("error").is_some()) {
        return Err(Failure::usage("input is not a JWS or JWE"));
    }
    let report = json!({
        "unverified": true,
        "warning": "decoded without verifying or decrypting anything; do not trust these values",
        "layers": found,
    });
    let text = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    io::write_all(None, Privacy::Public, text.as_bytes())
}
