//! The `OKP` key type (RFC 8037 section 2): `crv` (Ed25519 or X25519), `x` and the
//! private `d`.

use super::{exact_len, required, required_bytes, secret, KeyParams, OkpCurve, Secret};
use crate::error::Result;
use serde_json::{Map, Value};

/// The key-type members of a JWK of this type.
pub(super) fn parse(map: &Map<String, Value>) -> Result<KeyParams> {
    let curve = OkpCurve::parse(required(map, "crv")?)?;
    let x = required_bytes(map, "x")?;
    exact_len(&x, 32, "x")?;
    let d = secret(map, "d")?;
    if let Some(d) = &d {
        exact_len(d.expose_secret(), 32, "d")?;
    }
    Ok(KeyParams::Okp { curve, x, d })
}

/// Writes the key-type members.
pub(super) fn write(curve: OkpCurve, x: &[u8], d: Option<&Secret>, m: &mut Map<String, Value>) {
    m.insert("crv".into(), curve.as_str().into());
    m.insert("x".into(), crate::b64::encode(x).into());
    if let Some(d) = d {
        m.insert("d".into(), crate::b64::encode(d.expose_secret()).into());
    }
}
