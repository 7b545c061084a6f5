//! ML-DSA (FIPS 204) in JOSE, RFC 9964 (`kty: "AKP"`): the RFC's JWK and compact JWS
//! examples (`ML_DSA_{44,65,87}.jose.json`, from the cose-wg draft repository), and the
//! Wycheproof ML-DSA files (`mldsa_*_verify_test.json`, `mldsa_*_sign_seed_test.json`,
//! `mldsa_*_sign_noseed_test.json`).
//!
//! The examples go through the JWK and JWS APIs; the Wycheproof cases through the crypto
//! boundary ([`Provider`]), as a JWS signature would. Signing is hedged, so a signature is
//! checked by verifying it, never by comparing bytes. JOSE signs with the empty context
//! and the whole message, and an `AKP` key is its seed: a Wycheproof case that needs a
//! context string, a precomputed μ without its message, or an expanded private key is not
//! run and is counted in [`Report::not_applicable`](super::Report::not_applicable), never
//! as passed.

use super::{hex, s, Run};
use crate::alg::{HashAlg, JwsAlg, JwsFamily, MlDsa};
use crate::crypto::{KeyKind, PrivateKeyMaterial, Provider, PublicKeyMaterial};
use crate::error::Part;
use crate::jwk::{Jwk, KeyParams};
use crate::key::{SigningKey, VerifyingKey, VerifyingKeys};
use crate::policy::JwsPolicy;
use crate::{b64, jws};
use serde_json::Value;

/// True for an RFC 9964 example document: an `AKP` JWK with a compact JWS.
pub(super) fn is_jose_example(doc: &Value) -> bool {
    doc.get("jwk")
        .and_then(|j| j.get("kty"))
        .and_then(Value::as_str)
        == Some("AKP")
        && doc.get("jws").is_some_and(Value::is_string)
}

/// Verifies a compact JWS with `key` through the JWS API, allowing `alg` only, and checks
/// that it carries `payload`.
fn verify_compact(
    token: &str,
    key: &VerifyingKey,
    alg: JwsAlg,
    payload: &[u8],
) -> Result<(), String> {
    let policy = JwsPolicy::new(&[alg]);
    let keys = VerifyingKeys::single(key.clone());
    let verified = jws::parse_compact(token, &policy.limits)
        .map_err(|e| format!("parse: {e}"))?
        .verify(&keys, &policy)
        .map_err(|e| format!("verify: {e}"))?;
    if verified.payload() == payload {
        Ok(())
    } else {
        Err("payload differs".into())
    }
}

/// Runs an RFC 9964 example: the JWK (thumbprint `kid`, public key, seed), the raw values,
/// the compact JWS, and a fresh signature with the same key.
pub(super) fn run_jose(doc: &Value, run: &mut Run<'_>) {
    if let Err(why) = jose_example(doc, run) {
        run.broken("document", &why);
    }
}

fn jose_example(doc: &Value, run: &mut Run<'_>) -> Result<(), String> {
    let jwk_value = doc.get("jwk").ok_or("no jwk")?;
    let token = s(doc, "jws")?;
    let to_be_signed = hex(s(doc, "raw_to_be_signed")?)?;
    let raw_signature = hex(s(doc, "raw_signature")?)?;
    let raw_public = hex(s(doc, "raw_public_key")?)?;
    let seed = hex(s(doc, "priv")?)?;

    let jwk = match Jwk::from_json(&jwk_value.to_string()) {
        Ok(j) => j,
        Err(e) => {
            run.record("jwk", false, &e.to_string());
            return Ok(());
        }
    };
    let KeyParams::Akp {
        set,
        public,
        seed: jwk_seed,
    } = &jwk.params
    else {
        run.record("jwk", false, "not parsed as an AKP key");
        return Ok(());
    };
    let (set, alg) = (*set, set.jws_alg());
    run.record("jwk", true, "");

    // RFC 7638 over `alg`, `kty` and `pub` (RFC 9964 section 6).
    let thumbprint = jwk.thumbprint_b64(HashAlg::Sha256);
    run.record(
        "kid",
        jwk.kid.as_deref() == Some(thumbprint.as_str()),
        &format!("kid {:?}, thumbprint {thumbprint}", jwk.kid),
    );

    // `pub` is the raw public key, `priv` the seed, and the seed expands to `pub`.
    let derived = Provider::default()
        .keys
        .public_from_private(KeyKind::MlDsa(set), &seed);
    let key_ok = *public == raw_public
        && jwk_seed
            .as_ref()
            .is_some_and(|k| k.expose_secret() == seed.as_slice())
        && derived.as_ref().is_ok_and(|d| *d == raw_public);
    run.record(
        "public key",
        key_ok,
        &format!(
            "pub, priv or the seed's expansion differs ({:?})",
            derived.err()
        ),
    );

    // The JWS is the signing input and the signature the raw values give.
    let (input, signature) = token.rsplit_once('.').ok_or("jws is not compact")?;
    let raw_ok = input.as_bytes() == to_be_signed.as_slice()
        && b64::decode(signature.as_bytes(), Part::Signature)
            .ok()
            .as_ref()
            == Some(&raw_signature);
    run.record(
        "raw values",
        raw_ok,
        "raw_to_be_signed or raw_signature differs from jws",
    );

    let payload_b64 = core::str::from_utf8(&to_be_signed)
        .ok()
        .and_then(|t| t.split('.').nth(1))
        .ok_or("raw_to_be_signed is not a signing input")?;
    let payload = b64::decode(payload_b64.as_bytes(), Part::Payload).map_err(|e| e.to_string())?;

    let verifying = jwk
        .to_public()
        .and_then(|p| VerifyingKey::from_jwk(&p))
        .map_err(|e| e.to_string());
    let r = verifying.as_ref().map_err(Clone::clone).and_then(|k| {
        k.verify_raw(alg, &to_be_signed, &raw_signature)
            .map_err(|e| e.to_string())
    });
    run.record("signature", r.is_ok(), &format!("{alg}: {r:?}"));
    let r = verifying
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|k| verify_compact(token, k, alg, &payload));
    run.record("compact", r.is_ok(), &format!("{alg}: {r:?}"));

    // A fresh signature (hedged: it cannot equal the example's) verifies.
    let r = SigningKey::from_jwk(&jwk)
        .and_then(|k| jws::Signer::new(&k).compact(&payload))
        .map_err(|e| e.to_string())
        .and_then(|fresh| {
            let k = verifying.as_ref().map_err(Clone::clone)?;
            verify_compact(&fresh, k, alg, &payload)
        });
    run.record("sign", r.is_ok(), &format!("{alg}: {r:?}"));
    Ok(())
}

/// The parameter set a Wycheproof ML-DSA file names.
fn set_of(doc: &Value) -> Option<MlDsa> {
    match doc
        .get("algorithm")?
        .as_str()?
        .parse::<JwsAlg>()
        .ok()?
        .family()
    {
        JwsFamily::MlDsa(set) => Some(set),
        _ => None,
    }
}

/// True when JOSE cannot run a case: it has a non-empty context string (JOSE signs with
/// the empty one), or a precomputed μ without the message.
fn not_for_jose(case: &Value) -> bool {
    let ctx = case.get("ctx").and_then(Value::as_str).unwrap_or_default();
    !ctx.is_empty() || (case.get("msg").is_none() && case.get("mu").is_some())
}

/// Runs a Wycheproof ML-DSA document; false when it is not one.
pub(super) fn run_wycheproof(doc: &Value, run: &mut Run<'_>) -> bool {
    let schema = doc
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = match schema {
        "mldsa_verify_schema.json" => Kind::Verify,
        "mldsa_sign_seed_schema.json" => Kind::SignSeed,
        "mldsa_sign_noseed_schema.json" => Kind::SignExpanded,
        _ => return false,
    };
    let Some(set) = set_of(doc) else {
        run.broken("document", "`algorithm` is not an ML-DSA parameter set");
        return true;
    };
    for group in doc
        .get("testGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let cases = group
            .get("tests")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        match kind {
            // The group's key is an expanded FIPS 204 private key, which an `AKP` JWK
            // never carries (RFC 9964 section 4) and bodyseal does not load.
            Kind::SignExpanded => run.report.not_applicable += cases.len(),
            Kind::Verify => verify_group(set, group, cases, run),
            Kind::SignSeed => sign_group(set, group, cases, run),
        }
    }
    true
}

#[derive(Clone, Copy)]
enum Kind {
    Verify,
    SignSeed,
    SignExpanded,
}

fn case_id(case: &Value) -> String {
    match case.get("tcId") {
        Some(Value::String(id)) => id.clone(),
        Some(id) => id.to_string(),
        None => String::new(),
    }
}

/// Verifies `sig` over `msg` with a raw public key, through the crypto boundary: a key
/// the boundary refuses (a wrong length) is a refusal like a bad signature.
fn verify(set: MlDsa, public: &[u8], msg: &[u8], sig: &[u8]) -> crate::Result<()> {
    Provider::default()
        .keys
        .verifying_key(&PublicKeyMaterial::MlDsa { set, public })?
        .verify(set.jws_alg(), msg, sig)
}

fn verify_group(set: MlDsa, group: &Value, cases: &[Value], run: &mut Run<'_>) {
    let public = s(group, "publicKey").and_then(hex);
    for case in cases {
        let id = case_id(case);
        if not_for_jose(case) {
            run.report.not_applicable += 1;
            continue;
        }
        let result = case.get("result").and_then(Value::as_str).unwrap_or("?");
        let (public, msg, sig) = match (
            &public,
            s(case, "msg").and_then(hex),
            s(case, "sig").and_then(hex),
        ) {
            (Ok(p), Ok(m), Ok(g)) => (p, m, g),
            (p, m, g) => {
                let why = [p.as_ref().err(), m.as_ref().err(), g.as_ref().err()];
                run.broken(
                    &id,
                    &format!("{:?}", why.iter().flatten().collect::<Vec<_>>()),
                );
                continue;
            }
        };
        let r = verify(set, public, &msg, &sig);
        run.wycheproof(&id, result, r.is_ok(), true, &format!("{:?}", r.err()));
    }
}

fn sign_group(set: MlDsa, group: &Value, cases: &[Value], run: &mut Run<'_>) {
    let alg = set.jws_alg();
    let keys = Provider::default().keys;
    let seed = s(group, "privateSeed").and_then(hex);
    // `publicKey` is null for a seed of the wrong length: key generation must fail.
    let expected_public = match group.get("publicKey") {
        Some(Value::Null) | None => Ok(None),
        Some(_) => s(group, "publicKey").and_then(hex).map(Some),
    };
    let (seed, expected_public) = match (seed, expected_public) {
        (Ok(seed), Ok(p)) => (seed, p),
        (seed, p) => return run.broken("group", &format!("{:?} {:?}", seed.err(), p.err())),
    };
    // Key generation from the seed, and the signing key it gives (which checks the seed
    // against the public key once more).
    let derived = keys.public_from_private(KeyKind::MlDsa(set), &seed);
    let signer = derived.as_ref().map_err(Clone::clone).and_then(|public| {
        keys.signing_key(&PrivateKeyMaterial::MlDsa {
            set,
            seed: &seed,
            public,
        })
    });
    let keygen_ok = match (&derived, &expected_public) {
        (Ok(d), Some(want)) => d == want,
        _ => false,
    };
    for case in cases {
        let id = case_id(case);
        if not_for_jose(case) {
            run.report.not_applicable += 1;
            continue;
        }
        let result = case.get("result").and_then(Value::as_str).unwrap_or("?");
        let msg = match s(case, "msg").and_then(hex) {
            Ok(m) => m,
            Err(why) => {
                run.broken(&id, &why);
                continue;
            }
        };
        // A fresh signature over the message verifies with the derived key.
        let fresh = signer.as_ref().map_err(Clone::clone).and_then(|k| {
            let mut sig = Vec::new();
            k.sign(alg, &msg, &mut sig)?;
            let public = derived.as_ref().map_err(Clone::clone)?;
            verify(set, public, &msg, &sig)
        });
        // The key is the expected one and the expected signature verifies with it.
        let expected_sig = match (&expected_public, s(case, "sig").and_then(hex)) {
            (Some(public), Ok(sig)) => verify(set, public, &msg, &sig).is_ok(),
            _ => false,
        };
        let output_ok = keygen_ok && expected_sig;
        let detail = format!(
            "key generation {} (matches publicKey: {keygen_ok}), fresh signature {:?}, expected signature verifies: {expected_sig}",
            if derived.is_ok() { "succeeded" } else { "failed" },
            fresh.as_ref().err(),
        );
        run.wycheproof(&id, result, fresh.is_ok(), output_ok, &detail);
    }
}

#[cfg(test)]
mod tests {
    //! The runner on the vendored ML-DSA data: every case is run or counted apart, and a
    //! vector that no longer holds fails.

    use super::super::{Report, Run};
    use serde_json::Value;

    fn vendored(rel: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test-vectors/conformance")
            .join(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    fn check(doc: &Value) -> Report {
        let mut report = Report::default();
        let mut run = Run {
            name: "test".into(),
            report: &mut report,
            deviations: &[],
            pins: &[],
        };
        if super::is_jose_example(doc) {
            super::run_jose(doc, &mut run);
        } else {
            assert!(super::run_wycheproof(doc, &mut run), "not recognized");
        }
        report
    }

    /// The cases JOSE cannot run, counted from the data.
    fn apart(doc: &Value) -> usize {
        let cases = doc["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap());
        cases
            .filter(|c| c["ctx"].as_str().is_some_and(|x| !x.is_empty()) || c.get("msg").is_none())
            .count()
    }

    #[test]
    fn every_vendored_case_runs_or_is_counted_apart() {
        for set in ["44", "65", "87"] {
            for kind in ["verify", "sign_seed"] {
                let doc = vendored(&format!(
                    "wycheproof/testvectors_v1/mldsa_{set}_{kind}_test.json"
                ));
                let r = check(&doc);
                assert!(r.failures.is_empty(), "{set} {kind}: {:?}", r.failures);
                assert_eq!(r.not_applicable, apart(&doc), "{set} {kind}");
                assert!(r.passed > 60, "{set} {kind}: {}", r.passed);
                assert_eq!(
                    Some((r.passed + r.not_applicable) as u64),
                    doc["numberOfTests"].as_u64(),
                    "{set} {kind}"
                );
            }
            let r = check(&vendored(&format!("mldsa-jose/ML_DSA_{set}.jose.json")));
            assert!(r.failures.is_empty(), "{set}: {:?}", r.failures);
            assert_eq!((r.passed, r.not_applicable), (7, 0), "{set}");
        }
    }

    /// The index of the first case of group `g` matching `pick`.
    fn find(doc: &Value, g: usize, pick: impl Fn(&Value) -> bool) -> usize {
        doc["testGroups"][g]["tests"]
            .as_array()
            .unwrap()
            .iter()
            .position(pick)
            .unwrap()
    }

    fn flip_hex(v: &mut Value) {
        let mut s = v.as_str().unwrap().to_owned();
        let last = if s.ends_with('0') { "1" } else { "0" };
        s.replace_range(s.len() - 1.., last);
        *v = s.into();
    }

    #[test]
    fn a_vector_that_no_longer_holds_fails() {
        let doc = vendored("wycheproof/testvectors_v1/mldsa_44_verify_test.json");
        let plain = |c: &Value| c.get("ctx").is_none();
        let valid = find(&doc, 0, |c| plain(c) && c["result"] == "valid");
        let invalid = find(&doc, 0, |c| plain(c) && c["result"] == "invalid");
        // A valid signature with one bit changed.
        let mut d = doc.clone();
        flip_hex(&mut d["testGroups"][0]["tests"][valid]["msg"]);
        assert_eq!(check(&d).failures.len(), 1);
        // An invalid case now labelled valid.
        let mut d = doc.clone();
        d["testGroups"][0]["tests"][invalid]["result"] = "valid".into();
        assert_eq!(check(&d).failures.len(), 1);

        let doc = vendored("wycheproof/testvectors_v1/mldsa_44_sign_seed_test.json");
        let g = doc["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .position(|g| g["publicKey"].is_string())
            .unwrap();
        let runnable = |d: &Value| {
            d["testGroups"][g]["tests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| !super::not_for_jose(c))
                .count()
        };
        assert!(runnable(&doc) > 0);
        // The seed no longer gives `publicKey`: every case of the group fails.
        let mut d = doc.clone();
        flip_hex(&mut d["testGroups"][g]["privateSeed"]);
        assert_eq!(check(&d).failures.len(), runnable(&doc));
        // An expected signature that no longer verifies.
        let mut d = doc.clone();
        let c = find(&doc, g, |c| !super::not_for_jose(c));
        flip_hex(&mut d["testGroups"][g]["tests"][c]["sig"]);
        assert_eq!(check(&d).failures.len(), 1);
        // A seed of the wrong length that is labelled valid fails: key generation refuses it.
        let bad = doc["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .position(|g| g["publicKey"].is_null())
            .unwrap();
        let mut d = doc.clone();
        d["testGroups"][bad]["tests"][0]["result"] = "valid".into();
        assert_eq!(check(&d).failures.len(), 1);

        let doc = vendored("mldsa-jose/ML_DSA_65.jose.json");
        let mut d = doc.clone();
        d["jwk"]["kid"] = "not-the-thumbprint".into();
        // Not the thumbprint, and no longer the `kid` the JWS names.
        let r = check(&d);
        assert_eq!(r.failures.len(), 2, "{:?}", r.failures);
        assert!(r.failures[0].contains("kid"), "{:?}", r.failures);
        let mut d = doc.clone();
        let jws = doc["jws"].as_str().unwrap();
        let (input, sig) = jws.rsplit_once('.').unwrap();
        let sig = if sig.starts_with('A') {
            sig.replacen('A', "B", 1)
        } else {
            format!("A{}", &sig[1..])
        };
        d["jws"] = format!("{input}.{sig}").into();
        // The raw values no longer match, and the JWS does not verify.
        assert_eq!(check(&d).failures.len(), 2, "{:?}", check(&d).failures);
    }

    #[test]
    fn expanded_key_files_are_counted_apart() {
        let mut doc = vendored("wycheproof/testvectors_v1/mldsa_87_sign_seed_test.json");
        doc["schema"] = "mldsa_sign_noseed_schema.json".into();
        let r = check(&doc);
        assert_eq!((r.passed, r.failures.len()), (0, 0));
        assert_eq!(Some(r.not_applicable as u64), doc["numberOfTests"].as_u64());
    }
}
