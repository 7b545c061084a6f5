//! The `AKP` key type (RFC 9964): an ML-DSA public key `pub` and, for a private key, its
//! 32-byte seed `priv`. The key's `alg` is required and names the parameter set.

use super::{required_bytes, secret, KeyParams, Secret};
use crate::alg::{JwsAlg, KeyAlg, MlDsa};
use crate::b64;
use crate::error::{Malformed, Result, Unsupported};
use serde_json::{Map, Value};

/// The parameter set an `AKP` key's `alg` names.
fn set_of(alg: &str) -> Result<MlDsa> {
    match alg.parse::<JwsAlg>() {
        Ok(JwsAlg::MlDsa44) => Ok(MlDsa::MlDsa44),
        Ok(JwsAlg::MlDsa65) => Ok(MlDsa::MlDsa65),
        Ok(JwsAlg::MlDsa87) => Ok(MlDsa::MlDsa87),
        _ => Err(Unsupported::Algorithm.into()),
    }
}

/// The key-type members of an `AKP` JWK.
pub(super) fn parse(map: &Map<String, Value>) -> Result<KeyParams> {
    let alg = match map.get("alg") {
        Some(Value::String(a)) => a,
        Some(_) => return Err(Malformed::InvalidMember("alg").into()),
        None => return Err(Malformed::MissingMember("alg").into()),
    };
    let set = set_of(alg)?;
    let public = required_bytes(map, "pub")?;
    if public.len() != set.public_len() {
        return Err(Malformed::InvalidMember("pub").into());
    }
    // RFC 9964 section 4: `priv` is the seed; an expanded private key is refused.
    let seed = secret(map, "priv")?;
    if seed
        .as_ref()
        .is_some_and(|s| s.expose_secret().len() != MlDsa::SEED_LEN)
    {
        return Err(Malformed::InvalidMember("priv").into());
    }
    Ok(KeyParams::Akp { set, public, seed })
}

/// Writes the key-type members (`alg` too: an `AKP` key always carries it).
pub(super) fn write(set: MlDsa, public: &[u8], seed: Option<&Secret>, m: &mut Map<String, Value>) {
    m.insert("alg".into(), set.jws_alg().as_str().into());
    m.insert("pub".into(), b64::encode(public).into());
    if let Some(seed) = seed {
        m.insert("priv".into(), b64::encode(seed.expose_secret()).into());
    }
}

/// The `alg` member the key must carry.
pub(super) fn key_alg(set: MlDsa) -> KeyAlg {
    KeyAlg::Jws(set.jws_alg())
}
