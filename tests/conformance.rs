//! Conformance: every JWS and JWK case of the RFC 7520 cookbook and the Wycheproof JOSE
//! vectors, plus the Wycheproof ECDSA (P1363) and Ed25519 primitive files through the
//! crypto boundary. Valid cases must be accepted, invalid ones rejected, none skipped;
//! a case marked `acceptable` must do what `src/vectors/deviations.json` pins for it.
//! Deliberate disagreements are listed, with reasons, in the same file; an exception that
//! no longer disagrees fails too.
//!
//! The data directory is the vendored `test-vectors/conformance`, or
//! `BODYSEAL_CONFORMANCE_DIR` when set; a missing file fails the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bodyseal::alg::JwsAlg;
use bodyseal::b64;
use bodyseal::error::Part;
use bodyseal::jwk::{Jwk, JwkSet};
use bodyseal::jws;
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
use common::*;
use serde_json::Value;

fn algs_of(input: &Value) -> Vec<JwsAlg> {
    one_or_many(&input["alg"])
        .iter()
        .map(|a| a.as_str().unwrap().parse().unwrap())
        .collect()
}

/// Verifies one cookbook output form; returns the error text on failure.
fn verify_cookbook(
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
    if verified.payload() != payload {
        return Err("payload differs".into());
    }
    Ok(())
}

fn run_cookbook_jws(rel: &str) {
    let mut t = Tally::new(rel);
    let doc = load_conformance(rel);
    let input = &doc["input"];
    let payload = input["payload"].as_str().unwrap().as_bytes().to_vec();
    let jwks = one_or_many(&input["key"]);
    let algs = algs_of(input);
    let keys = verifying_keys(&jwks);
    // RFC 7520 sections 4.7 and 4.8 carry `alg` in an unprotected header, which the
    // default policy refuses: the examples are run with the opt-in.
    let policy = JwsPolicy::new(&algs)
        .require_all_signatures()
        .allow_unprotected_alg();
    let out = &doc["output"];
    if let Some(c) = out["compact"].as_str() {
        let r = verify_cookbook(c, &keys, &policy, &payload, false);
        t.record("compact", r.is_ok(), &format!("{r:?}"));
    }
    for form in ["json", "json_flat"] {
        if out[form].is_object() {
            let r = verify_cookbook(&out[form].to_string(), &keys, &policy, &payload, true);
            t.record(form, r.is_ok(), &format!("{r:?}"));
        }
    }
    // The signing step: deterministic algorithms must reproduce the published signature
    // over the published signing input; the others must verify it.
    for (i, s) in one_or_many(&doc["signing"]).iter().enumerate() {
        let (alg, jwk) = (algs[i.min(algs.len() - 1)], &jwks[i.min(jwks.len() - 1)]);
        let input = s["sig-input"].as_str().unwrap().as_bytes();
        let sig = b64::decode(s["sig"].as_str().unwrap().as_bytes(), Part::Signature).unwrap();
        let jwk = Jwk::from_value(jwk).unwrap();
        let deterministic = matches!(
            alg.family(),
            bodyseal::alg::JwsFamily::Hmac
                | bodyseal::alg::JwsFamily::RsaPkcs1
                | bodyseal::alg::JwsFamily::Ed25519
        );
        if deterministic {
            let ours = SigningKey::from_jwk(&jwk).and_then(|k| k.sign_raw(alg, input));
            t.record(
                "sign",
                ours.as_deref().ok() == Some(&sig[..]),
                &format!("{alg}: {:?}", ours.err()),
            );
        } else {
            let r = VerifyingKey::from_jwk(&jwk).and_then(|k| k.verify_raw(alg, input, &sig));
            t.record("signature", r.is_ok(), &format!("{alg}: {r:?}"));
            // And our own signature over the same input verifies with the same key.
            let ours = SigningKey::from_jwk(&jwk)
                .and_then(|k| k.sign_raw(alg, input))
                .unwrap();
            let r = VerifyingKey::from_jwk(&jwk).and_then(|k| k.verify_raw(alg, input, &ours));
            t.record("sign", r.is_ok(), &format!("{alg}: {r:?}"));
        }
    }
    t.finish();
}

#[test]
fn cookbook_jws() {
    for rel in [
        "rfc7520-cookbook/jws/4_1.rsa_v15_signature.json",
        "rfc7520-cookbook/jws/4_2.rsa-pss_signature.json",
        "rfc7520-cookbook/jws/4_3.ecdsa_signature.json",
        "rfc7520-cookbook/jws/4_4.hmac-sha2_integrity_protection.json",
        "rfc7520-cookbook/jws/4_5.signature_with_detached_content.json",
        "rfc7520-cookbook/jws/4_6.protecting_specific_header_fields.json",
        "rfc7520-cookbook/jws/4_7.protecting_content_only.json",
        "rfc7520-cookbook/jws/4_8.multiple_signatures.json",
        "rfc7520-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json",
        "rfc7520-cookbook/rfc7797/hmac-sha2_b64_false.json",
        "rfc7520-cookbook/curve25519/jws.json",
    ] {
        run_cookbook_jws(rel);
    }
}

#[test]
fn cookbook_nested_signature_layer() {
    // RFC 7520 section 6: the inner JWS (PS256) of the nesting example.
    let rel = "rfc7520-cookbook/6.nesting_signatures_and_encryption.json";
    let mut t = Tally::new(rel);
    let doc = load_conformance(rel);
    let sign = &doc["sign"];
    let keys = verifying_keys(&one_or_many(&sign["input"]["key"]));
    let policy = JwsPolicy::new(&algs_of(&sign["input"]));
    let payload = sign["input"]["payload"].as_str().unwrap().as_bytes();
    let r = verify_cookbook(
        sign["output"]["compact"].as_str().unwrap(),
        &keys,
        &policy,
        payload,
        false,
    );
    t.record("compact", r.is_ok(), &format!("{r:?}"));
    t.finish();
}

#[test]
fn cookbook_jwk() {
    for rel in [
        "rfc7520-cookbook/jwk/3_1.ec_public_key.json",
        "rfc7520-cookbook/jwk/3_2.ec_private_key.json",
        "rfc7520-cookbook/jwk/3_3.rsa_public_key.json",
        "rfc7520-cookbook/jwk/3_4.rsa_private_key.json",
        "rfc7520-cookbook/jwk/3_5.symmetric_key_mac_computation.json",
        "rfc7520-cookbook/jwk/3_6.symmetric_key_encryption.json",
    ] {
        let mut t = Tally::new(rel);
        let doc = load_conformance(rel);
        let jwk = Jwk::from_value(&doc);
        t.record("parse", jwk.is_ok(), &format!("{:?}", jwk.as_ref().err()));
        let jwk = jwk.unwrap();
        t.record(
            "round trip",
            jwk.to_value() == doc,
            "serialized JWK differs",
        );
        // Keys marked for signing load for signing (private) and verifying; the
        // encryption key is refused for signatures.
        let sig_use = doc["use"] == "sig";
        if jwk.is_private() {
            let r = SigningKey::from_jwk(&jwk);
            t.record(
                "signing key",
                r.is_ok() == sig_use,
                &format!("{:?}", r.err()),
            );
        }
        let r = VerifyingKey::from_jwk(&jwk);
        t.record(
            "verifying key",
            r.is_ok() == sig_use,
            &format!("{:?}", r.err()),
        );
        t.finish();
    }
}

fn group_keys(group: &Value) -> Result<VerifyingKeys, bodyseal::Error> {
    let v = if group["public"].is_object() {
        &group["public"]
    } else {
        &group["private"]
    };
    if v.get("keys").is_some() {
        VerifyingKeys::from_jwk_set(&JwkSet::from_value(v)?)
    } else {
        Ok(VerifyingKeys::single(VerifyingKey::from_jwk(
            &Jwk::from_value(v)?,
        )?))
    }
}

fn run_wycheproof_jws(rel: &str, field: &str) {
    let mut t = Tally::new(rel);
    let doc = load_conformance(rel);
    let policy = JwsPolicy::new(&all_algs());
    for group in doc["testGroups"].as_array().unwrap() {
        let keys = group_keys(group);
        for case in group["tests"].as_array().unwrap() {
            let Some(token) = case.get(field) else {
                continue;
            };
            // The vectors assume a compact-only verify API (their README): a JSON
            // serialization, given as a string or an object, goes to the compact parser.
            let token = match token {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let outcome = keys.as_ref().map_err(Clone::clone).and_then(|keys| {
                jws::parse_compact(&token, &policy.limits)?
                    .verify(keys, &policy)
                    .map(|_| ())
            });
            t.case(
                case["tcId"].as_u64().unwrap(),
                case["result"].as_str().unwrap(),
                outcome.is_ok(),
                &format!("{:?} {}", outcome.err(), case["comment"]),
            );
        }
    }
    t.finish();
}

#[test]
fn wycheproof_jws() {
    run_wycheproof_jws(
        "wycheproof/testvectors_v1/json_web_signature_test.json",
        "jws",
    );
}

#[test]
fn wycheproof_jwk() {
    run_wycheproof_jws("wycheproof/testvectors_v1/json_web_key_test.json", "jws");
}

#[test]
fn wycheproof_web_crypto_jws_cases() {
    run_wycheproof_jws("wycheproof/testvectors_v1/json_web_crypto_test.json", "jws");
}

/// The group's public key, from the raw encoding (not every group has a JWK form).
fn primitive_key(group: &Value, alg: JwsAlg) -> Result<VerifyingKey, bodyseal::Error> {
    use bodyseal::jwk::{KeyParams, OkpCurve};
    let pk = &group["publicKey"];
    let params = match alg.family() {
        bodyseal::alg::JwsFamily::Ecdsa(curve) => {
            let point = hex(pk["uncompressed"].as_str().unwrap());
            let n = curve.field_len();
            assert_eq!(point.len(), 1 + 2 * n);
            KeyParams::Ec {
                curve,
                x: point[1..1 + n].to_vec(),
                y: point[1 + n..].to_vec(),
                d: None,
            }
        }
        _ => KeyParams::Okp {
            curve: OkpCurve::Ed25519,
            x: hex(pk["pk"].as_str().unwrap()),
            d: None,
        },
    };
    VerifyingKey::from_jwk(&Jwk::new(params))
}

fn run_primitive(rel: &str, alg: JwsAlg) {
    let mut t = Tally::new(rel);
    let doc = load_conformance(rel);
    for group in doc["testGroups"].as_array().unwrap() {
        let key = primitive_key(group, alg);
        for case in group["tests"].as_array().unwrap() {
            let msg = hex(case["msg"].as_str().unwrap());
            let sig = hex(case["sig"].as_str().unwrap());
            let outcome = key
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|k| k.verify_raw(alg, &msg, &sig));
            t.case(
                case["tcId"].as_u64().unwrap(),
                case["result"].as_str().unwrap(),
                outcome.is_ok(),
                &format!("{:?} {}", outcome.err(), case["comment"]),
            );
        }
    }
    t.finish();
}

#[test]
fn wycheproof_primitive_ecdsa_p1363() {
    run_primitive(
        "wycheproof/primitives/ecdsa_secp256r1_sha256_p1363_test.json",
        JwsAlg::Es256,
    );
    run_primitive(
        "wycheproof/primitives/ecdsa_secp384r1_sha384_p1363_test.json",
        JwsAlg::Es384,
    );
    run_primitive(
        "wycheproof/primitives/ecdsa_secp521r1_sha512_p1363_test.json",
        JwsAlg::Es512,
    );
}

#[test]
fn wycheproof_primitive_ed25519() {
    run_primitive("wycheproof/primitives/ed25519_test.json", JwsAlg::Ed25519);
}

/// ML-DSA (RFC 9964): the RFC's three `AKP` JWK + compact JWS examples and the Wycheproof
/// ML-DSA verify and sign-from-seed files, through the library's runner (what
/// `bodyseal vectors check` runs). Every file must be found and run, no check may fail,
/// and every Wycheproof case is either passed or counted apart (a context string or a
/// precomputed μ, which JOSE never uses), never lost.
#[test]
fn mldsa_examples_and_wycheproof() {
    use bodyseal::vectors::{check_file, Report};
    for set in ["44", "65", "87"] {
        let mut files = vec![format!("mldsa-jose/ML_DSA_{set}.jose.json")];
        for kind in ["verify", "sign_seed"] {
            files.push(format!(
                "wycheproof/testvectors_v1/mldsa_{set}_{kind}_test.json"
            ));
        }
        for rel in files {
            let doc = load_conformance(&rel);
            let mut r = Report::default();
            check_file(&conformance_dir().join(&rel), &mut r);
            println!(
                "{rel}: {} passed, {} failed, {} not applicable to JOSE",
                r.passed,
                r.failures.len(),
                r.not_applicable
            );
            assert!(r.failures.is_empty(), "{rel}: {}", r.failures.join("\n"));
            assert_eq!(r.unrecognized, 0, "{rel}");
            if let Some(n) = doc["numberOfTests"].as_u64() {
                assert!(r.passed > 60, "{rel}: only {} cases ran", r.passed);
                assert_eq!((r.passed + r.not_applicable) as u64, n, "{rel}");
            } else {
                // kid, public key, raw values, signature, compact JWS, fresh JWS.
                assert!(r.passed >= 6, "{rel}: only {} checks ran", r.passed);
                assert_eq!(r.not_applicable, 0, "{rel}");
            }
        }
    }
}
