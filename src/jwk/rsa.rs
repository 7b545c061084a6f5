//! The `RSA` key type (RFC 7518 section 6.3): `n`, `e` and the private members, all
//! present or all absent (two primes only).

use super::{bit_len, required_bytes, required_secret, roca, secret, KeyParams, RsaPrivate};
use crate::error::{KeyError, Malformed, Result, Unsupported};
use serde_json::{Map, Value};

/// The key-type members of a JWK of this type.
pub(super) fn parse(map: &Map<String, Value>) -> Result<KeyParams> {
    let n = required_bytes(map, "n")?;
    let e = required_bytes(map, "e")?;
    let bits = bit_len(&n);
    if bits < 2048 {
        return Err(KeyError::RsaTooSmall(bits).into());
    }
    if roca::is_vulnerable(&n) {
        return Err(
            KeyError::Invalid("RSA modulus has the ROCA fingerprint (CVE-2017-15361)").into(),
        );
    }
    if bit_len(&e) < 2 || e.last().is_some_and(|b| b & 1 == 0) {
        return Err(Malformed::InvalidMember("e").into());
    }
    if map.contains_key("oth") {
        return Err(Unsupported::Feature("multi-prime RSA (oth)").into());
    }
    let private = match secret(map, "d")? {
        None => {
            if ["p", "q", "dp", "dq", "qi"]
                .iter()
                .any(|m| map.contains_key(*m))
            {
                return Err(Malformed::MissingMember("d").into());
            }
            None
        }
        Some(d) => Some(Box::new(RsaPrivate {
            d,
            p: required_secret(map, "p")?,
            q: required_secret(map, "q")?,
            dp: required_secret(map, "dp")?,
            dq: required_secret(map, "dq")?,
            qi: required_secret(map, "qi")?,
        })),
    };
    Ok(KeyParams::Rsa { n, e, private })
}

/// Writes the key-type members.
pub(super) fn write(n: &[u8], e: &[u8], private: Option<&RsaPrivate>, m: &mut Map<String, Value>) {
    m.insert("n".into(), crate::b64::encode(n).into());
    m.insert("e".into(), crate::b64::encode(e).into());
    if let Some(p) = private {
        for (name, v) in [
            ("d", &p.d),
            ("p", &p.p),
            ("q", &p.q),
            ("dp", &p.dp),
            ("dq", &p.dq),
            ("qi", &p.qi),
        ] {
            m.insert(name.into(), crate::b64::encode(v.expose_secret()).into());
        }
    }
}
