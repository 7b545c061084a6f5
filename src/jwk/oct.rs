//! The `oct` key type (RFC 7518 section 6.4): the secret `k`.

use super::{required_secret, KeyParams, Secret};
use crate::error::{Malformed, Result};
use serde_json::{Map, Value};

/// The key-type members of a JWK of this type.
pub(super) fn parse(map: &Map<String, Value>) -> Result<KeyParams> {
    let k = required_secret(map, "k")?;
    if k.expose_secret().is_empty() {
        return Err(Malformed::InvalidMember("k").into());
    }
    Ok(KeyParams::Oct { k })
}

/// Writes the key-type members.
pub(super) fn write(k: &Secret, m: &mut Map<String, Value>) {
    m.insert("k".into(), crate::b64::encode(k.expose_secret()).into());
}
