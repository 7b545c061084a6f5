//! The `EC` key type (RFC 7518 section 6.2): `crv`, `x`, `y` and the private `d`.

use super::{exact_len, required, required_bytes, secret, EcCurve, KeyParams, Secret};
use crate::error::Result;
use serde_json::{Map, Value};

/// The key-type members of a JWK of this type.
pub(super) fn parse(map: &Map<String, Value>) -> Result<KeyParams> {
    let curve = EcCurve::parse(required(map, "crv")?)?;
    let x = required_bytes(map, "x")?;
    let y = required_bytes(map, "y")?;
    exact_len(&x, curve.field_len(), "x")?;
    exact_len(&y, curve.field_len(), "y")?;
    let d = secret(map, "d")?;
    if let Some(d) = &d {
        exact_len(d.expose_secret(), curve.field_len(), "d")?;
    }
    Ok(KeyParams::Ec { curve, x, y, d })
}

/// Writes the key-type members.
pub(super) fn write(
    curve: EcCurve,
    x: &[u8],
    y: &[u8],
    d: Option<&Secret>,
    m: &mut Map<String, Value>,
) {
    m.insert("crv".into(), curve.as_str().into());
    m.insert("x".into(), crate::b64::encode(x).into());
    m.insert("y".into(), crate::b64::encode(y).into());
    if let Some(d) = d {
        m.insert("d".into(), crate::b64::encode(d.expose_secret()).into());
    }
}
