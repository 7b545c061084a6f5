//! Runs the project's own vectors in `test-vectors/` (format: test-vectors/README.md).
//! Each case's `expect` names the error category, which maps one-to-one onto
//! `bodyseal::Error`; every JWS case runs through every parse path that accepts it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bodyseal::alg::{HashAlg, JweAlg, JweEnc, JwsAlg, OkpCurve};
use bodyseal::crypto::{KeyKind, PrivateKeyMaterial, Provider, PublicKeyMaterial};
use bodyseal::detached::DetachedVerifier;
use bodyseal::exchange::{Exchange, RequestBinding, ResponseBinding};
use bodyseal::jwe;
use bodyseal::jwk::{Jwk, JwkSet};
use bodyseal::jws;
use bodyseal::jwt;
use bodyseal::key::{DecryptionKey, DecryptionKeys};
use bodyseal::key::{KeySet, SigningKey, VerifyingKey};
use bodyseal::policy::JwePolicy;
use bodyseal::policy::{Limits, Policy};
use bodyseal::seal::{Opener, Order};
use bodyseal::Error;
use common::project_file;
use serde_json::Value;

fn category(r: &Result<(), Error>) -> &'static str {
    match r {
        Ok(()) => "ok",
        Err(Error::Malformed(_)) => "malformed",
        Err(Error::Unsupported(_)) => "unsupported",
        Err(Error::Rejected(_)) => "rejected",
        Err(Error::InvalidSignature) => "invalid_signature",
        Err(Error::DecryptionFailed) => "decryption_failed",
        Err(Error::Key(_)) => "key_error",
        Err(e) => panic!("unexpected error category: {e:?}"),
    }
}

fn policy(v: &Value) -> Policy {
    let algs: Vec<JwsAlg> = v["algs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().parse().unwrap())
        .collect();
    let mut p = Policy::new(&algs);
    if v["require_all_signatures"] == true {
        p = p.require_all_signatures();
    }
    if let Some(t) = v["typ"].as_str() {
        p = p.require_typ(t);
    }
    if let Some(n) = v["max_token_bytes"].as_u64() {
        let mut l = Limits::default();
        l.max_token_bytes = n as usize;
        p = p.with_limits(l);
    }
    for c in v["crit"].as_array().into_iter().flatten() {
        p = p.understand_crit(c.as_str().unwrap());
    }
    p
}

fn keys(v: &Value) -> Result<KeySet, Error> {
    let mut set = KeySet::new();
    for j in v.as_array().unwrap() {
        set.push(VerifyingKey::from_jwk(&Jwk::from_value(j)?)?)?;
    }
    Ok(set)
}

fn expected_payload(case: &Value) -> Option<Vec<u8>> {
    if let Some(p) = case["payload"].as_str() {
        return Some(p.as_bytes().to_vec());
    }
    case["payload_b64"]
        .as_str()
        .map(|p| bodyseal::b64::decode(p.as_bytes(), bodyseal::error::Part::Payload).unwrap())
}

/// Runs one JWS case through `parser`; returns the outcome and checks the payload on success.
type Parser = for<'a> fn(&'a str, &Limits) -> bodyseal::Result<jws::UnverifiedJws<'a>>;

fn run_jws(case: &Value, token: &str, parser: Parser) -> Result<(), Error> {
    let policy = policy(&case["policy"]);
    let keys = keys(&case["keys"])?;
    let unverified = parser(token, &policy.limits)?;
    let verified = match case["detached_payload"].as_str() {
        Some(d) => unverified.verify_detached(&keys, &policy, d.as_bytes())?,
        None => unverified.verify(&keys, &policy)?,
    };
    let want = expected_payload(case).expect("an ok case names its payload");
    assert_eq!(verified.payload(), &want[..], "payload");
    Ok(())
}

fn jwe_policy(v: &Value) -> JwePolicy {
    let list = |name: &str| -> Vec<String> {
        v[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    };
    let algs: Vec<JweAlg> = list("algs").iter().map(|a| a.parse().unwrap()).collect();
    let encs: Vec<JweEnc> = list("encs").iter().map(|a| a.parse().unwrap()).collect();
    let mut p = JwePolicy::new(&algs, &encs);
    if v["allow_rsa1_5"] == true {
        p = p.allow_rsa1_5();
    }
    if v["allow_zip"] == true {
        p = p.allow_zip();
    }
    p
}

fn jwe_keys(v: &Value) -> Result<DecryptionKeys, Error> {
    let mut set = DecryptionKeys::new();
    for j in v.as_array().unwrap() {
        set.push(match j["password"].as_str() {
            Some(pw) => DecryptionKey::from_password(pw.as_bytes()),
            None => DecryptionKey::from_jwk(&Jwk::from_value(j)?)?,
        });
    }
    Ok(set)
}

fn run_jwe(
    case: &Value,
    token: &str,
    parser: fn(&str, &Limits) -> bodyseal::Result<jwe::UnverifiedJwe>,
) -> Result<(), Error> {
    let policy = jwe_policy(&case["policy"]);
    let keys = jwe_keys(&case["keys"])?;
    let opened = parser(token, &policy.limits)?.decrypt(&keys, &policy)?;
    let want = bodyseal::b64::decode(
        case["plaintext_b64"].as_str().unwrap().as_bytes(),
        bodyseal::error::Part::Payload,
    )
    .unwrap();
    assert_eq!(opened.plaintext(), &want[..], "plaintext");
    Ok(())
}

/// The finer reason of a body-protection refusal, as the vectors name it.
fn reason(e: &Error) -> String {
    use bodyseal::error::Rejected;
    match e {
        Error::Rejected(Rejected::Nesting(_)) => "nesting".into(),
        Error::Rejected(Rejected::Binding(m)) => format!("binding:{m}"),
        Error::Rejected(Rejected::Missing(m)) => format!("missing:{m}"),
        Error::Rejected(Rejected::Expired) => "expired".into(),
        Error::Rejected(Rejected::NotYetValid) => "not_yet_valid".into(),
        Error::Rejected(Rejected::Replay) => "replay".into(),
        other => format!("{other:?}"),
    }
}

fn exchange(v: &Value) -> Exchange {
    if let Some(r) = v.get("request") {
        let mut b = RequestBinding::new(r["method"].as_str().unwrap(), r["uri"].as_str().unwrap())
            .unwrap()
            .at(r["at"].as_u64().unwrap());
        for (name, value) in r["headers"].as_object().into_iter().flatten() {
            b = b.with_header(name, value.as_str().unwrap());
        }
        Exchange::Request(b)
    } else if let Some(r) = v.get("response") {
        Exchange::Response(
            ResponseBinding::new(
                r["request_jti"].as_str().unwrap(),
                r["request_digest"].as_str().unwrap(),
                u16::try_from(r["status"].as_u64().unwrap()).unwrap(),
            )
            .at(r["at"].as_u64().unwrap()),
        )
    } else {
        Exchange::Standalone
    }
}

fn token_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Runs a `seal` case: opens the input, checks the body (and media type); when the case
/// says so, opens it again and expects a replay refusal.
fn run_seal(case: &Value) -> Vec<(String, Result<(), Error>)> {
    let order: Order = case["order"].as_str().unwrap().parse().unwrap();
    let build = || -> Result<Opener, Error> {
        let mut o = Opener::new(
            order,
            keys(&case["signer_keys"])?,
            policy(&case["jws_policy"]),
            jwe_keys(&case["decryption_keys"])?,
            jwe_policy(&case["jwe_policy"]),
        );
        if case["allow_unbound"] == true {
            o = o.allow_unbound();
        }
        Ok(o)
    };
    let opener = match build() {
        Ok(o) => o,
        Err(e) => return vec![("keys".into(), Err(e))],
    };
    let token = token_text(&case["input"]);
    let ex = exchange(&case["exchange"]);
    let first = opener.open(&token, &ex).map(|opened| {
        assert_eq!(
            opened.body(),
            case["body"].as_str().unwrap().as_bytes(),
            "body"
        );
        if let Some(m) = case["media_type"].as_str() {
            assert_eq!(opened.media_type().as_deref(), Some(m), "media type");
        }
    });
    let mut out = vec![("open".to_owned(), first)];
    if case["replay"] == "rejected" {
        out.push((
            "open again".to_owned(),
            opener.open(&token, &ex).map(|_| ()),
        ));
    }
    out
}

fn run_detached(case: &Value) -> Result<(), Error> {
    let v = DetachedVerifier::new(keys(&case["signer_keys"])?, policy(&case["jws_policy"]));
    v.verify(
        case["signature"].as_str().unwrap(),
        case["body"].as_str().unwrap().as_bytes(),
        &exchange(&case["exchange"]),
    )
    .map(|_| ())
}

/// Compares an outcome with the case's `expect` and, for refusals, its `reason`.
fn judge(case: &Value, step: &str, r: &Result<(), Error>) -> &'static str {
    if step == "open again" {
        return match r {
            Err(e) if reason(e) == "replay" => "ok",
            _ => "replay accepted",
        };
    }
    let got = category(r);
    match (r, case["reason"].as_str()) {
        (Err(e), Some(want)) if reason(e) != want => "rejected for another reason",
        _ => got,
    }
}

fn run_case(name: &str, case: &Value) -> Vec<(String, &'static str)> {
    let mut outcomes = Vec::new();
    match case["kind"].as_str().unwrap() {
        "jwe" => {
            let (token, json) = match &case["input"] {
                Value::String(s) => (s.clone(), false),
                other => (other.to_string(), true),
            };
            let specific = if json {
                jwe::parse_json
            } else {
                jwe::parse_compact
            };
            outcomes.push((
                "specific parser".to_owned(),
                category(&run_jwe(case, &token, specific)),
            ));
            outcomes.push((
                "jwe::parse".to_owned(),
                category(&run_jwe(case, &token, jwe::parse)),
            ));
        }
        "aead" => {
            let h = |n: &str| common::hex(case[n].as_str().unwrap());
            let enc: JweEnc = case["enc"].as_str().unwrap().parse().unwrap();
            let p = Provider::default();
            let mut data = h("ciphertext");
            let r = p
                .jwe
                .open(enc, &h("key"), &h("iv"), &h("aad"), &mut data, &h("tag"));
            if r.is_ok() {
                assert_eq!(data, h("plaintext"), "{name}: plaintext");
            }
            outcomes.push(("open".to_owned(), category(&r)));
            if case["expect"] == "ok" {
                let mut data = h("plaintext");
                let tag = p
                    .jwe
                    .seal(enc, &h("key"), &h("iv"), &h("aad"), &mut data)
                    .unwrap();
                let ok = data == h("ciphertext") && tag == h("tag");
                outcomes.push(("seal".to_owned(), if ok { "ok" } else { "mismatch" }));
            }
        }
        "x25519" => {
            let h = |n: &str| common::hex(case[n].as_str().unwrap());
            let p = Provider::default();
            let d = h("private");
            let x = p
                .keys
                .public_from_private(KeyKind::Okp(OkpCurve::X25519), &d)
                .unwrap();
            let key = p
                .keys
                .decryption_key(&PrivateKeyMaterial::Okp {
                    curve: OkpCurve::X25519,
                    d: &d,
                    x: &x,
                })
                .unwrap();
            let peer = h("public");
            let z = key.agree(&PublicKeyMaterial::Okp {
                curve: OkpCurve::X25519,
                x: &peer,
            });
            let ok = z
                .as_ref()
                .is_ok_and(|z| z.as_slice() == h("shared").as_slice());
            outcomes.push(("agree".to_owned(), if ok { "ok" } else { "mismatch" }));
        }
        "jws" => {
            let (token, json) = match &case["input"] {
                Value::String(s) => (s.clone(), false),
                other => (other.to_string(), true),
            };
            let specific: Parser = if json {
                jws::parse_json
            } else {
                jws::parse_compact
            };
            outcomes.push((
                "specific parser".to_owned(),
                category(&run_jws(case, &token, specific)),
            ));
            outcomes.push((
                "jws::parse".to_owned(),
                category(&run_jws(case, &token, jws::parse)),
            ));
            if case["sign_reproducible"] == true {
                // Deterministic algorithms: re-signing the same input gives the same token.
                let jwk = Jwk::from_value(&case["keys"][0]).unwrap();
                let key = SigningKey::from_jwk(&jwk).unwrap();
                let (input, sig) = token.rsplit_once('.').unwrap();
                let alg: JwsAlg = case["policy"]["algs"][0].as_str().unwrap().parse().unwrap();
                let ours = bodyseal::b64::encode(&key.sign_raw(alg, input.as_bytes()).unwrap());
                outcomes.push((
                    "re-sign".to_owned(),
                    if ours == sig { "ok" } else { "mismatch" },
                ));
            }
        }
        "jwt" => {
            let v = &case["validation"];
            let mut val = jwt::Validation::new()
                .at(v["now"].as_i64().unwrap())
                .leeway(v["leeway"].as_u64().unwrap());
            for i in v["iss"].as_array().into_iter().flatten() {
                val = val.issuer(i.as_str().unwrap());
            }
            for a in v["aud"].as_array().into_iter().flatten() {
                val = val.audience(a.as_str().unwrap());
            }
            if let Some(s) = v["sub"].as_str() {
                val = val.subject(s);
            }
            if let Some(t) = v["typ"].as_str() {
                val = val.typ(t);
            }
            let r = keys(&case["keys"]).and_then(|k| {
                jwt::verify::<Value>(
                    case["input"].as_str().unwrap(),
                    &k,
                    &policy(&case["policy"]),
                    &val,
                )
                .map(|_| ())
            });
            outcomes.push(("jwt::verify".to_owned(), category(&r)));
        }
        "jwk" => {
            let j = &case["jwk"];
            let r = match case["use_as"].as_str().unwrap() {
                "sign" => Jwk::from_value(j)
                    .and_then(|k| SigningKey::from_jwk(&k))
                    .map(|_| ()),
                "verify" => Jwk::from_value(j)
                    .and_then(|k| VerifyingKey::from_jwk(&k))
                    .map(|_| ()),
                "set" => JwkSet::from_value(j)
                    .and_then(|s| KeySet::from_jwk_set(&s))
                    .map(|_| ()),
                other => panic!("{name}: use_as {other}"),
            };
            outcomes.push(("jwk".to_owned(), category(&r)));
            if case["use_as"] != "set" {
                // The same key read from JSON text.
                let r = Jwk::from_json(&j.to_string()).map(|_| ());
                if case["expect"] == "malformed" {
                    outcomes.push(("Jwk::from_json".to_owned(), category(&r)));
                }
            }
        }
        "jwk_thumbprint" => {
            let jwk = Jwk::from_value(&case["jwk"]).unwrap();
            let hash = match case["hash"].as_str().unwrap() {
                "SHA-256" => HashAlg::Sha256,
                "SHA-384" => HashAlg::Sha384,
                _ => HashAlg::Sha512,
            };
            let ok = jwk.thumbprint_b64(hash) == case["thumbprint"].as_str().unwrap()
                && jwk
                    .thumbprint_uri(hash)
                    .ends_with(case["thumbprint"].as_str().unwrap());
            outcomes.push(("thumbprint".to_owned(), if ok { "ok" } else { "mismatch" }));
        }
        "seal" => {
            for (step, r) in run_seal(case) {
                let verdict = judge(case, &step, &r);
                outcomes.push((step, verdict));
            }
        }
        "detached" => {
            let r = run_detached(case);
            outcomes.push(("verify".to_owned(), judge(case, "verify", &r)));
        }
        other => panic!("{name}: unknown kind {other}"),
    }
    outcomes
}

#[test]
fn all_vectors() {
    let mut passed = 0;
    let mut failed = Vec::new();
    for dir in [
        "test-vectors/rfc",
        "test-vectors/negative",
        "test-vectors/seal",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(project_file(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{dir} is empty");
        for path in files {
            let case: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let expect = case["expect"].as_str().unwrap();
            for (path_name, got) in run_case(&name, &case) {
                let want = if ["re-sign", "thumbprint", "open again"].contains(&path_name.as_str())
                {
                    "ok"
                } else {
                    expect
                };
                if got == want {
                    passed += 1;
                } else {
                    failed.push(format!(
                        "{name} via {path_name}: expected {want}, got {got}"
                    ));
                }
            }
        }
    }
    println!("test-vectors: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
