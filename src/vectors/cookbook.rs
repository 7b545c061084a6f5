//! The RFC 7520 cookbook files (JWK, JWS, JWE, the section 6 nesting example, RFC 7797 and
//! the curve25519 additions), as the IETF JOSE cookbook repository publishes them.

use super::{one_or_many, s, token_text, Run};
use crate::alg::{JweAlg, JweEnc, JwsAlg, JwsFamily};
use crate::error::Part;
use crate::jwk::Jwk;
use crate::key::{DecryptionKey, DecryptionKeys, SigningKey, VerifyingKey, VerifyingKeys};
use crate::policy::{JwePolicy, JwsPolicy};
use crate::{b64, jwe, jws};
use serde_json::Value;

fn algs_of(input: &Value) -> Vec<JwsAlg> {
    one_or_many(input.get("alg"))
        .iter()
        .filter_map(|a| a.as_str().and_then(|a| a.parse().ok()))
        .collect()
}

fn verify(
    token: &str,
    keys: &VerifyingKeys,
    policy: &JwsPolicy,
    payload: &[u8],
    json: bool,
) -> Result<(), String> {
    let parsed = if json {
        jws::parse_json(token, &policy.limits)
    } else {
        jws::parse_compact(token, &policy.limits)
    }
    .map_err(|e| format!("parse: {e}"))?;
    let verified = if parsed.is_detached() {
        parsed.verify_detached(keys, policy, payload)
    } else {
        parsed.verify(keys, policy)
    }
    .map_err(|e| format!("verify: {e}"))?;
    if verified.payload() == payload {
        Ok(())
    } else {
        Err("payload differs".into())
    }
}

fn trusted(jwks: &[Value]) -> Result<VerifyingKeys, String> {
    let mut set = VerifyingKeys::new();
    for j in jwks {
        let jwk = Jwk::from_value(j).map_err(|e| e.to_string())?;
        let public = jwk.to_public().unwrap_or(jwk);
        set.push(VerifyingKey::from_jwk(&public).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    Ok(set)
}

fn run_jws(doc: &Value, run: &mut Run<'_>) -> Result<(), String> {
    let input = doc.get("input").ok_or("no input")?;
    let payload = s(input, "payload")?.as_bytes().to_vec();
    let jwks = one_or_many(input.get("key"));
    let algs = algs_of(input);
    let keys = trusted(&jwks)?;
    // RFC 7520 sections 4.7 and 4.8 carry `alg` in an unprotected header, which the
    // default policy refuses: the examples are run with the opt-in.
    let policy = JwsPolicy::new(&algs)
        .require_all_signatures()
        .allow_unprotected_alg();
    let out = doc.get("output").ok_or("no output")?;
    if let Some(c) = out.get("compact").and_then(Value::as_str) {
        let r = verify(c, &keys, &policy, &payload, false);
        run.record("compact", r.is_ok(), &format!("{r:?}"));
    }
    for form in ["json", "json_flat"] {
        if let Some(v) = out.get(form).filter(|v| v.is_object()) {
            let r = verify(&v.to_string(), &keys, &policy, &payload, true);
            run.record(form, r.is_ok(), &format!("{r:?}"));
        }
    }
    for (i, step) in one_or_many(doc.get("signing")).iter().enumerate() {
        let (Some(alg), Some(jwk)) = (
            algs.get(i.min(algs.len().saturating_sub(1))),
            jwks.get(i.min(jwks.len().saturating_sub(1))),
        ) else {
            return Err("signing step without algorithm or key".into());
        };
        let signing_input = s(step, "sig-input")?.as_bytes();
        let sig =
            b64::decode(s(step, "sig")?.as_bytes(), Part::Signature).map_err(|e| e.to_string())?;
        let jwk = Jwk::from_value(jwk).map_err(|e| e.to_string())?;
        let deterministic = matches!(
            alg.family(),
            JwsFamily::Hmac | JwsFamily::RsaPkcs1 | JwsFamily::Ed25519
        );
        let ours = SigningKey::from_jwk(&jwk).and_then(|k| k.sign_raw(*alg, signing_input));
        if deterministic {
            run.record(
                "sign",
                ours.as_deref().ok() == Some(&sig[..]),
                &format!("{alg}: signature differs"),
            );
        } else {
            let public = jwk.to_public().map_err(|e| e.to_string())?;
            let key = VerifyingKey::from_jwk(&public).map_err(|e| e.to_string())?;
            let r = key.verify_raw(*alg, signing_input, &sig);
            run.record("signature", r.is_ok(), &format!("{alg}: {r:?}"));
            let r = ours.and_then(|o| key.verify_raw(*alg, signing_input, &o));
            run.record("sign", r.is_ok(), &format!("{alg}: {r:?}"));
        }
    }
    Ok(())
}

fn run_jwe(doc: &Value, run: &mut Run<'_>) -> Result<(), String> {
    let input = doc.get("input").ok_or("no input")?;
    let plaintext = s(input, "plaintext")?.as_bytes();
    // 5_13's input says "A128CBC-H256" (an upstream typo); the protected header has the
    // registered name.
    let enc: JweEnc = s(input, "enc")?
        .parse()
        .ok()
        .or_else(|| {
            doc.get("encrypting_content")
                .and_then(|e| e.get("protected"))
                .and_then(|p| p.get("enc"))
                .and_then(Value::as_str)
                .and_then(|e| e.parse().ok())
        })
        .ok_or("unknown enc")?;
    let policy = JwePolicy::new(JweAlg::ALL, &[enc])
        .allow_rsa1_5()
        .allow_zip();
    let key_sets: Vec<DecryptionKeys> = match input.get("pwd").and_then(Value::as_str) {
        Some(pwd) => vec![DecryptionKeys::single(DecryptionKey::from_password(
            pwd.as_bytes(),
        ))],
        None => one_or_many(input.get("key"))
            .iter()
            .map(|k| {
                Jwk::from_value(k)
                    .and_then(|j| DecryptionKey::from_jwk(&j))
                    .map(DecryptionKeys::single)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?,
    };
    let out = doc.get("output").ok_or("no output")?;
    for (i, keys) in key_sets.iter().enumerate() {
        let mut forms: Vec<(&str, String)> = Vec::new();
        if let Some(c) = out.get("compact").and_then(Value::as_str) {
            forms.push(("compact", c.to_owned()));
        }
        for f in ["json", "json_flat"] {
            if let Some(v) = out.get(f).filter(|v| v.is_object()) {
                forms.push((f, token_text(v)));
            }
        }
        for (form, token) in forms {
            let r = jwe::parse(&token, &policy.limits).and_then(|u| u.decrypt(keys, &policy));
            let ok = r.as_ref().is_ok_and(|d| d.plaintext() == plaintext);
            run.record(&format!("{form}#key{i}"), ok, &format!("{:?}", r.err()));
        }
    }
    Ok(())
}

/// True for a JWK of a curve that bodyseal does not implement.
fn not_implemented(doc: &Value) -> bool {
    matches!(
        doc.get("crv").and_then(Value::as_str),
        Some("X448" | "Ed448")
    )
}

fn run_jwk(doc: &Value, run: &mut Run<'_>) {
    let jwk = match Jwk::from_value(doc) {
        Ok(j) => j,
        // Curves bodyseal does not implement (X448, Ed448) are not run and not counted,
        // like other unimplemented algorithms. An `AKP` (ML-DSA) key is run like any other.
        Err(crate::Error::Unsupported(_)) if not_implemented(doc) => {
            run.report.unrecognized += 1;
            return;
        }
        Err(e) => return run.record("parse", false, &e.to_string()),
    };
    run.record("parse", true, "");
    run.record(
        "round trip",
        jwk.to_value() == *doc,
        "serialized JWK differs",
    );
    // A key marked for encryption is refused for signatures; one marked for signatures,
    // or not marked at all, loads.
    let sig_use = doc
        .get("use")
        .and_then(Value::as_str)
        .is_none_or(|u| u == "sig");
    if jwk.is_private() {
        let r = SigningKey::from_jwk(&jwk);
        run.record(
            "signing key",
            r.is_ok() == sig_use,
            &format!("{:?}", r.err()),
        );
    }
    let r = VerifyingKey::from_jwk(&jwk);
    run.record(
        "verifying key",
        r.is_ok() == sig_use,
        &format!("{:?}", r.err()),
    );
}

/// Runs a cookbook document; false when it is not one.
pub(super) fn run(doc: &Value, run: &mut Run<'_>) -> bool {
    let result = if doc.get("kty").is_some() {
        run_jwk(doc, run);
        Ok(())
    } else if let (Some(sign), Some(encrypt)) = (doc.get("sign"), doc.get("encrypt")) {
        // RFC 7520 section 6: the inner JWS and the JWE around it.
        run_jws(sign, run).and_then(|()| run_jwe(encrypt, run))
    } else if doc
        .get("input")
        .is_some_and(|i| i.get("plaintext").is_some())
    {
        run_jwe(doc, run)
    } else if doc.get("input").is_some_and(|i| i.get("payload").is_some()) {
        run_jws(doc, run)
    } else {
        return false;
    };
    if let Err(why) = result {
        run.broken("document", &why);
    }
    true
}
