//! Wycheproof's JOSE files (testvectors_v1): `json_web_signature`, `json_web_key`,
//! `json_web_crypto`, `json_web_encryption` and `x25519_jwk`. As their README says, the
//! vectors assume a compact-only API, so a JSON serialization goes to the compact parser.
//! A case marked `acceptable` must do what `deviations.json` pins for it.

use super::{hex, s, token_text, Run};
use crate::alg::{JweAlg, JweEnc, JwsAlg, OkpCurve};
use crate::jwk::{Jwk, JwkSet, KeyParams};
use crate::key::{DecryptionKey, DecryptionKeys, VerifyingKey, VerifyingKeys};
use crate::policy::{JwePolicy, JwsPolicy};
use crate::{jwe, jws};
use serde_json::Value;

fn group_keys(group: &Value) -> crate::Result<VerifyingKeys> {
    let v = group
        .get("public")
        .filter(|v| v.is_object())
        .or_else(|| group.get("private"))
        .unwrap_or(&Value::Null);
    if v.get("keys").is_some() {
        VerifyingKeys::from_jwk_set(&JwkSet::from_value(v)?)
    } else {
        Ok(VerifyingKeys::single(VerifyingKey::from_jwk(
            &Jwk::from_value(v)?,
        )?))
    }
}

fn x25519(private: &Value, public: &Value) -> crate::Result<Vec<u8>> {
    let private = Jwk::from_value(private)?;
    let public = Jwk::from_value(public)?;
    let (
        KeyParams::Okp {
            curve: OkpCurve::X25519,
            d: Some(d),
            ..
        },
        KeyParams::Okp {
            curve: OkpCurve::X25519,
            x: peer,
            ..
        },
    ) = (&private.params, &public.params)
    else {
        return Err(crate::Error::ApiMisuse("not an X25519 key pair"));
    };
    super::x25519(d.expose_secret(), peer)
}

/// Runs a Wycheproof document; false when it is not a JOSE file bodyseal runs.
pub(super) fn run(doc: &Value, run: &mut Run<'_>) -> bool {
    let schema = doc
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let groups = doc
        .get("testGroups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let jose = schema.starts_with("json_web_");
    let xdh = schema.starts_with("xdh_jwk")
        && groups
            .iter()
            .all(|g| g.get("curve").and_then(Value::as_str) == Some("curve25519"));
    if !jose && !xdh {
        return false;
    }
    let jws_policy = JwsPolicy::new(JwsAlg::ALL);
    for group in &groups {
        let keys = group_keys(group);
        let decryption = Jwk::from_value(group.get("private").unwrap_or(&Value::Null))
            .and_then(|j| DecryptionKey::from_jwk(&j));
        for case in group
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = case.get("tcId").map(Value::to_string).unwrap_or_default();
            let result = case.get("result").and_then(Value::as_str).unwrap_or("?");
            if let Some(token) = case.get("jws") {
                let token = token_text(token);
                let outcome = keys.clone().and_then(|k| {
                    jws::parse_compact(&token, &jws_policy.limits)?
                        .verify(&k, &jws_policy)
                        .map(|_| ())
                });
                run.wycheproof(
                    &id,
                    result,
                    outcome.is_ok(),
                    true,
                    &format!("{:?}", outcome.err()),
                );
            } else if let Some(token) = case.get("jwe") {
                let token = token_text(token);
                let encs: Vec<JweEnc> = case
                    .get("enc")
                    .and_then(Value::as_str)
                    .and_then(|e| e.parse().ok())
                    .map_or_else(|| JweEnc::ALL.to_vec(), |e| vec![e]);
                let policy = JwePolicy::new(JweAlg::ALL, &encs)
                    .allow_rsa1_5()
                    .allow_zip();
                let outcome = decryption.clone().and_then(|k| {
                    let keys = DecryptionKeys::single(k);
                    Ok(jwe::parse_compact(&token, &policy.limits)?
                        .decrypt(&keys, &policy)?
                        .into_plaintext())
                });
                // The plaintext, when the case gives one, must be the expected one.
                let output_ok = outcome.as_ref().is_ok_and(|pt| {
                    case.get("pt")
                        .and_then(Value::as_str)
                        .is_none_or(|h| hex(h).ok().as_ref() == Some(pt))
                });
                run.wycheproof(
                    &id,
                    result,
                    outcome.is_ok(),
                    output_ok,
                    &format!("{:?}", outcome.err()),
                );
            } else if xdh {
                let shared = s(case, "shared").and_then(hex);
                let out = x25519(
                    case.get("private").unwrap_or(&Value::Null),
                    case.get("public").unwrap_or(&Value::Null),
                );
                let matches = matches!((&out, &shared), (Ok(z), Ok(want)) if z == want);
                run.wycheproof(
                    &id,
                    result,
                    out.is_ok(),
                    matches,
                    &format!("{:?}", out.err()),
                );
            }
        }
    }
    true
}
