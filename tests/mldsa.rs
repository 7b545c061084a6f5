//! ML-DSA for JWS (RFC 9964): every serialization, detached, JWT and the detached
//! signature header; the `AKP` key rules; interop both ways with Python `cryptography`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JwsAlg, MlDsa};
use bodyseal::b64;
use bodyseal::crypto::KeyKind;
use bodyseal::detached::{DetachedSigner, DetachedVerifier};
use bodyseal::error::{Error, Malformed, Unsupported};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::jws::{self, Signer};
use bodyseal::jwt;
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
use serde_json::{json, Value};
use std::process::Command;

const BODY: &[u8] = br#"{"patient":"p-17","result":"negative"}"#;

fn pair(set: MlDsa) -> (Jwk, SigningKey, VerifyingKeys) {
    let jwk = Jwk::generate(KeyKind::MlDsa(set)).unwrap();
    let sk = SigningKey::from_jwk(&jwk).unwrap();
    let vk = VerifyingKeys::single(VerifyingKey::from_jwk(&jwk.to_public().unwrap()).unwrap());
    (jwk, sk, vk)
}

fn json_of(jwk: &Jwk) -> Value {
    serde_json::from_str(&jwk.to_json()).unwrap()
}

#[test]
fn every_serialization_detached_and_jwt_round_trip() {
    for set in MlDsa::ALL {
        let alg = set.jws_alg();
        let (_, sk, vk) = pair(set);
        let policy = JwsPolicy::new(&[alg]);
        let signer = Signer::new(&sk);
        assert_eq!(
            signer.alg(),
            alg,
            "an AKP key signs with its own parameter set"
        );
        for token in [
            signer.compact(BODY).unwrap(),
            signer.flattened(BODY).unwrap(),
            Signer::general(&[Signer::new(&sk)], BODY).unwrap(),
        ] {
            let v = jws::parse(&token, &policy.limits)
                .unwrap()
                .verify(&vk, &policy)
                .unwrap();
            assert_eq!(v.payload(), BODY);
            // One flipped bit anywhere in the signature fails.
            let mut bad: Value = if token.starts_with('{') {
                serde_json::from_str(&token).unwrap()
            } else {
                Value::Null
            };
            let forged = if bad.is_null() {
                let (head, sig) = token.rsplit_once('.').unwrap();
                let mut raw = b64::decode(sig.as_bytes(), bodyseal::error::Part::Token).unwrap();
                raw[100] ^= 1;
                format!("{head}.{}", b64::encode(&raw))
            } else {
                let sig = bad
                    .pointer("/signature")
                    .or_else(|| bad.pointer("/signatures/0/signature"))
                    .and_then(Value::as_str)
                    .unwrap()
                    .to_owned();
                let mut raw = b64::decode(sig.as_bytes(), bodyseal::error::Part::Token).unwrap();
                raw[100] ^= 1;
                let slot = if bad.get("signature").is_some() {
                    bad.pointer_mut("/signature")
                } else {
                    bad.pointer_mut("/signatures/0/signature")
                };
                *slot.unwrap() = b64::encode(&raw).into();
                bad.to_string()
            };
            let err = jws::parse(&forged, &policy.limits)
                .unwrap()
                .verify(&vk, &policy)
                .unwrap_err();
            assert!(matches!(err, Error::InvalidSignature), "{alg}: {err:?}");
        }
        // Detached (RFC 7515 appendix F), with and without b64.
        let detached = signer.compact_detached(BODY).unwrap();
        let v = jws::parse(&detached, &policy.limits)
            .unwrap()
            .verify_detached(&vk, &policy, BODY)
            .unwrap();
        assert_eq!(v.payload(), BODY);
        // JWT.
        let token = jwt::sign(
            &Signer::new(&sk),
            &json!({"sub": "p-17", "exp": 4_102_444_800_i64}),
        )
        .unwrap();
        let claims: Value = jwt::verify(&token, &vk, &policy, &jwt::Validation::new())
            .unwrap()
            .claims;
        assert_eq!(claims["sub"], "p-17");
    }
}

/// The `x-jws-signature` header: a detached JWS bound to the exchange. ML-DSA-87's is
/// about 6 KB of base64url, which the docs say (near common 8 KB header limits).
#[test]
fn the_detached_signature_header_carries_ml_dsa() {
    let exchange =
        || Exchange::Request(RequestBinding::new("POST", "https://lab.example/results").unwrap());
    for set in MlDsa::ALL {
        let (_, sk, vk) = pair(set);
        let sig = DetachedSigner::new(&sk).sign(BODY, &exchange()).unwrap();
        let verifier = DetachedVerifier::new(vk, JwsPolicy::new(&[set.jws_alg()]));
        let ok = verifier.verify(&sig.token, BODY, &exchange()).unwrap();
        assert_eq!(ok.stamp.jti.as_deref(), Some(sig.jti.as_str()));
        assert!(verifier.verify(&sig.token, b"{}", &exchange()).is_err());
        let expected = b64::encoded_len(set.signature_len());
        assert!(sig.token.len() > expected, "{set:?}");
        if set == MlDsa::MlDsa87 {
            assert!(
                (6000..8192).contains(&sig.token.len()),
                "{}",
                sig.token.len()
            );
        }
    }
}

#[test]
fn akp_keys_follow_rfc_9964() {
    let (jwk, _, _) = pair(MlDsa::MlDsa65);
    let full = json_of(&jwk);
    assert_eq!(full["kty"], "AKP");
    assert_eq!(full["alg"], "ML-DSA-65");
    assert_eq!(
        b64::decode(
            full["priv"].as_str().unwrap().as_bytes(),
            bodyseal::error::Part::Jwk
        )
        .unwrap()
        .len(),
        32,
        "priv is the seed"
    );
    let parse = |v: &Value| Jwk::from_json(&v.to_string());

    // `alg` is required and names the parameter set.
    let mut v = full.clone();
    v.as_object_mut().unwrap().remove("alg");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::Malformed(Malformed::MissingMember("alg"))
    ));
    let mut v = full.clone();
    v["alg"] = "ES256".into();
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::Unsupported(Unsupported::Algorithm)
    ));
    // A `pub` of another parameter set's length.
    let mut v = full.clone();
    v["alg"] = "ML-DSA-44".into();
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::Malformed(Malformed::InvalidMember("pub"))
    ));
    // An expanded private key (4032 bytes for ML-DSA-65) is refused: only the seed.
    let mut v = full.clone();
    v["priv"] = b64::encode(&[7u8; 4032]).into();
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::Malformed(Malformed::InvalidMember("priv"))
    ));
    // A seed that does not expand to `pub` never signs.
    let (other, _, _) = pair(MlDsa::MlDsa65);
    let mut v = full.clone();
    v["pub"] = json_of(&other)["pub"].clone();
    let mixed = parse(&v).unwrap();
    assert!(matches!(
        SigningKey::from_jwk(&mixed).unwrap_err(),
        Error::Key(_)
    ));
    // A public key verifies only with its own parameter set.
    let public = jwk.to_public().unwrap();
    assert!(!public.is_private());
    assert!(json_of(&public).get("priv").is_none());
    let vk = VerifyingKey::from_jwk(&public).unwrap();
    let token = Signer::new(&SigningKey::from_jwk(&jwk).unwrap())
        .compact(BODY)
        .unwrap();
    let policy = JwsPolicy::new(&[JwsAlg::MlDsa65, JwsAlg::MlDsa44]);
    assert!(jws::parse_compact(&token, &policy.limits)
        .unwrap()
        .verify(&VerifyingKeys::single(vk), &policy)
        .is_ok());
    // A signature key never does key management, as either side.
    assert!(matches!(
        bodyseal::key::EncryptionKey::from_jwk(&public).unwrap_err(),
        Error::Rejected(_)
    ));
    assert!(matches!(
        bodyseal::key::DecryptionKey::from_jwk(&jwk).unwrap_err(),
        Error::Rejected(_)
    ));
    // The thumbprint members are alg, kty and pub, in that order (RFC 9964 section 6).
    let input = jwk.thumbprint_input();
    assert!(input.starts_with(r#"{"alg":"ML-DSA-65","kty":"AKP","pub":""#));
    assert!(!input.contains("priv"));
}

#[test]
fn pkcs8_holds_the_seed_and_spki_the_public_key() {
    for set in MlDsa::ALL {
        let (jwk, _, _) = pair(set);
        let der = jwk.to_pkcs8_der().unwrap();
        // RFC 9881: seed [0] IMPLICIT OCTET STRING (SIZE (32)) inside the OCTET STRING.
        assert_eq!(der.len(), 54);
        let again = Jwk::from_pkcs8_der(&der).unwrap();
        assert_eq!(json_of(&again), json_of(&jwk));
        let spki = jwk.to_spki_der().unwrap();
        let public = Jwk::from_spki_der(&spki).unwrap();
        assert_eq!(json_of(&public), json_of(&jwk.to_public().unwrap()));
        // The expandedKey and both forms of the private key CHOICE are refused.
        let head = &der[2..18]; // version and algorithm identifier
        for private in [
            vec![0x04, 8, 1, 2, 3, 4, 5, 6, 7, 8],
            [&[0x30, 36, 0x04, 32][..], &[9u8; 32][..]].concat(),
        ] {
            let mut key = vec![0x04, private.len() as u8];
            key.extend_from_slice(&private);
            let mut doc = vec![0x30, (head.len() + key.len()) as u8];
            doc.extend_from_slice(head);
            doc.extend_from_slice(&key);
            let err = Jwk::from_pkcs8_der(&doc).unwrap_err();
            assert!(
                matches!(err, Error::Unsupported(Unsupported::Feature(_))),
                "{set:?}: {err:?}"
            );
        }
    }
}

fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 is required for the interop tests");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const PY_VERIFY: &str = r#"
import base64, json, sys
from cryptography.hazmat.primitives.asymmetric import mldsa
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
jwk, token = json.loads(sys.argv[1]), sys.argv[2]
h, p, s = token.split(".")
cls = {"ML-DSA-44": mldsa.MLDSA44PublicKey, "ML-DSA-65": mldsa.MLDSA65PublicKey,
       "ML-DSA-87": mldsa.MLDSA87PublicKey}[jwk["alg"]]
assert json.loads(d(h))["alg"] == jwk["alg"]
cls.from_public_bytes(d(jwk["pub"])).verify(d(s), (h + "." + p).encode())
sys.stdout.write(d(p).decode())
"#;

const PY_SIGN: &str = r#"
import base64, json, sys
from cryptography.hazmat.primitives.asymmetric import mldsa
e = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
alg, payload = sys.argv[1], sys.argv[2].encode()
cls = {"ML-DSA-44": mldsa.MLDSA44PrivateKey, "ML-DSA-65": mldsa.MLDSA65PrivateKey,
       "ML-DSA-87": mldsa.MLDSA87PrivateKey}[alg]
key = cls.generate()
seed = key.private_bytes_raw()
jwk = {"kty": "AKP", "alg": alg, "pub": e(key.public_key().public_bytes_raw()), "priv": e(seed)}
si = e(json.dumps({"alg": alg}).encode()) + "." + e(payload)
print(json.dumps({"jwk": jwk, "token": si + "." + e(key.sign(si.encode()))}))
"#;

/// Python `cryptography` (OpenSSL's ML-DSA) verifies what bodyseal signs, and bodyseal
/// verifies what it signs, imports its seed and derives the same public key.
#[test]
fn interop_with_python_cryptography_both_ways() {
    let text = std::str::from_utf8(BODY).unwrap();
    for set in MlDsa::ALL {
        let alg = set.jws_alg();
        let (jwk, sk, _) = pair(set);
        let token = Signer::new(&sk).compact(BODY).unwrap();
        let public = jwk.to_public().unwrap().to_json();
        assert_eq!(python(PY_VERIFY, &[&public, &token]), text, "{alg}");

        let out: Value = serde_json::from_str(&python(PY_SIGN, &[alg.as_str(), text])).unwrap();
        let theirs = Jwk::from_json(&out["jwk"].to_string()).unwrap();
        let keys =
            VerifyingKeys::single(VerifyingKey::from_jwk(&theirs.to_public().unwrap()).unwrap());
        let policy = JwsPolicy::new(&[alg]);
        let v = jws::parse_compact(out["token"].as_str().unwrap(), &policy.limits)
            .unwrap()
            .verify(&keys, &policy)
            .unwrap();
        assert_eq!(v.payload(), BODY);
        // The seed Python generated expands to the same public key here.
        assert!(SigningKey::from_jwk(&theirs).is_ok());
        let KeyParams::Akp { public, .. } = &theirs.params else {
            panic!("not an AKP key")
        };
        assert_eq!(public.len(), set.public_len());
    }
}
