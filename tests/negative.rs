//! One test per security rule, through the public API (the data-driven cases are in
//! test-vectors/negative and run by tests/vectors.rs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JwsAlg, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::error::{KeyError, Malformed, Rejected, Unsupported};
use bodyseal::jwk::{Jwk, KeyAlg, KeyUse};
use bodyseal::jws::{self, Signer};
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::{JwsPolicy, Limits};
use bodyseal::{b64, Error};

fn ec_pair() -> (SigningKey, VerifyingKey, Jwk) {
    let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_kid("k1");
    (
        SigningKey::from_jwk(&jwk).unwrap(),
        VerifyingKey::from_jwk(&jwk.to_public().unwrap()).unwrap(),
        jwk,
    )
}

fn verify(token: &str, keys: &VerifyingKeys, policy: &JwsPolicy) -> Result<Vec<u8>, Error> {
    jws::parse(token, &policy.limits)?
        .verify(keys, policy)
        .map(|v| v.payload().to_vec())
}

#[test]
fn none_does_not_exist() {
    assert!(matches!(
        "none".parse::<JwsAlg>(),
        Err(Error::Unsupported(Unsupported::Algorithm))
    ));
    let header = b64::encode(br#"{"alg":"none"}"#);
    let token = format!("{header}.{}.", b64::encode(b"x"));
    let keys = VerifyingKeys::single(VerifyingKey::from_secret(&[7; 32]).unwrap());
    let all = JwsPolicy::new(JwsAlg::ALL);
    assert!(matches!(
        verify(&token, &keys, &all),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn empty_allowlist_accepts_nothing() {
    let (sk, vk, _) = ec_pair();
    let token = Signer::new(&sk).compact(b"x").unwrap();
    assert!(matches!(
        verify(&token, &VerifyingKeys::single(vk), &JwsPolicy::new(&[])),
        Err(Error::ApiMisuse(_))
    ));
}

#[test]
fn allowlist_is_enforced() {
    let (sk, vk, _) = ec_pair();
    let token = Signer::new(&sk).compact(b"x").unwrap();
    let r = verify(
        &token,
        &VerifyingKeys::single(vk),
        &JwsPolicy::new(&[JwsAlg::Es384, JwsAlg::Hs256]),
    );
    assert!(matches!(
        r,
        Err(Error::Rejected(Rejected::AlgNotAllowed("ES256")))
    ));
}

#[test]
fn hmac_never_keyed_with_a_public_key() {
    // Alg confusion: an HS256 token MACed with the trusted EC public key's JSON.
    let (_, vk, jwk) = ec_pair();
    let public_json = jwk.to_public().unwrap().to_json();
    let forged = Signer::new(&SigningKey::from_secret(public_json.as_bytes()).unwrap())
        .compact(b"x")
        .unwrap();
    let r = verify(
        &forged,
        &VerifyingKeys::single(vk),
        &JwsPolicy::new(&[JwsAlg::Es256, JwsAlg::Hs256]),
    );
    assert!(
        matches!(r, Err(Error::Rejected(Rejected::KeyMismatch(_)))),
        "{r:?}"
    );
}

#[test]
fn embedded_jwk_never_selects_a_key() {
    let (_, vk, _) = ec_pair();
    let attacker = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_kid("k1");
    let signer = Signer::new(&SigningKey::from_jwk(&attacker).unwrap())
        .with_header("jwk", attacker.to_public().unwrap().to_value())
        .unwrap()
        .with_header("jku", "https://attacker.invalid/jwks".into())
        .unwrap();
    let token = signer.compact(b"x").unwrap();
    let r = verify(
        &token,
        &VerifyingKeys::single(vk),
        &JwsPolicy::new(&[JwsAlg::Es256]),
    );
    assert_eq!(r, Err(Error::InvalidSignature));
}

#[test]
fn unknown_crit_rejected_known_accepted() {
    let key = SigningKey::from_secret(&[1; 32]).unwrap();
    let keys = VerifyingKeys::single(VerifyingKey::from_secret(&[1; 32]).unwrap());
    let token = Signer::new(&key)
        .with_critical_header("htm", "POST".into())
        .unwrap()
        .compact(b"x")
        .unwrap();
    let strict = JwsPolicy::new(&[JwsAlg::Hs256]);
    assert_eq!(
        verify(&token, &keys, &strict),
        Err(Error::Rejected(Rejected::UnknownCritical))
    );
    assert_eq!(
        verify(&token, &keys, &strict.clone().understand_crit("htm")).unwrap(),
        b"x"
    );
}

#[test]
fn signer_refuses_managed_header_names() {
    let key = SigningKey::from_secret(&[1; 32]).unwrap();
    for name in ["alg", "b64", "crit"] {
        assert!(matches!(
            Signer::new(&key).with_header(name, "x".into()),
            Err(Error::ApiMisuse(_))
        ));
    }
}

#[test]
fn ecdsa_der_signature_rejected() {
    let (sk, vk, _) = ec_pair();
    let token = Signer::new(&sk).compact(b"x").unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let raw = b64::decode(sig.as_bytes(), bodyseal::error::Part::Signature).unwrap();
    let int = |b: &[u8]| {
        let b: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
        let mut v = if b[0] & 0x80 != 0 { vec![0] } else { vec![] };
        v.extend(b);
        let mut out = vec![2, v.len() as u8];
        out.extend(v);
        out
    };
    let mut body = int(&raw[..32]);
    body.extend(int(&raw[32..]));
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    let forged = format!("{input}.{}", b64::encode(&der));
    assert_eq!(
        verify(
            &forged,
            &VerifyingKeys::single(vk),
            &JwsPolicy::new(&[JwsAlg::Es256])
        ),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn encryption_keys_never_sign_or_verify() {
    let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_use(KeyUse::Enc);
    assert!(matches!(
        SigningKey::from_jwk(&jwk),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    assert!(matches!(
        VerifyingKey::from_jwk(&jwk),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    let jwk = Jwk::generate(KeyKind::Oct(32))
        .unwrap()
        .with_alg(KeyAlg::parse("A256KW"));
    assert!(SigningKey::from_jwk(&jwk).is_err());
    let x = Jwk::generate(KeyKind::Okp(OkpCurve::X25519)).unwrap();
    assert!(SigningKey::from_jwk(&x).is_err());
}

#[test]
fn key_alg_pin_is_enforced_when_signing() {
    let jwk = Jwk::generate(KeyKind::Rsa(2048))
        .unwrap()
        .with_alg(KeyAlg::Jws(JwsAlg::Ps256));
    let key = SigningKey::from_jwk(&jwk).unwrap();
    assert!(matches!(
        Signer::new(&key).with_alg(JwsAlg::Rs256),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    assert!(Signer::new(&key).with_alg(JwsAlg::Ps256).is_ok());
}

#[test]
fn small_rsa_rejected() {
    // A 1024-bit modulus: all-ones is enough to trip the size rule before anything else.
    let n = b64::encode(&[0xff; 128]);
    let r = Jwk::from_json(&format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB"}}"#));
    assert!(matches!(r, Err(Error::Key(KeyError::RsaTooSmall(1024)))));
}

#[test]
fn ec_private_part_must_match_public_part() {
    let a = Jwk::generate(KeyKind::Ec(EcCurve::P384))
        .unwrap()
        .to_value();
    let b = Jwk::generate(KeyKind::Ec(EcCurve::P384))
        .unwrap()
        .to_value();
    let mut mixed = a;
    mixed["d"] = b["d"].clone();
    let jwk = Jwk::from_value(&mixed).unwrap();
    assert!(matches!(
        SigningKey::from_jwk(&jwk),
        Err(Error::Key(KeyError::Invalid(_)))
    ));
    let ed = Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519))
        .unwrap()
        .to_value();
    let mixed = serde_json::json!({"kty":"OKP","crv":"Ed25519","x": ed["x"], "d": Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap().to_value()["d"]});
    assert!(SigningKey::from_jwk(&Jwk::from_value(&mixed).unwrap()).is_err());
}

#[test]
fn limits_are_enforced() {
    let key = SigningKey::from_secret(&[1; 32]).unwrap();
    let keys = VerifyingKeys::single(VerifyingKey::from_secret(&[1; 32]).unwrap());
    let token = Signer::new(&key).compact(&[b'a'; 1000]).unwrap();
    let mut limits = Limits::default();
    limits.max_token_bytes = 100;
    let r = verify(
        &token,
        &keys,
        &JwsPolicy::new(&[JwsAlg::Hs256]).with_limits(limits),
    );
    assert!(matches!(
        r,
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "token size",
            ..
        }))
    ));
    let signers: Vec<Signer> = (0..20).map(|_| Signer::new(&key)).collect();
    let general = Signer::general(&signers, b"x").unwrap();
    let r = verify(&general, &keys, &JwsPolicy::new(&[JwsAlg::Hs256]));
    assert!(matches!(
        r,
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "signature count",
            ..
        }))
    ));
}

#[test]
fn all_signatures_rule() {
    let (sk, vk, _) = ec_pair();
    let other = SigningKey::from_jwk(
        &Jwk::generate(KeyKind::Ec(EcCurve::P256))
            .unwrap()
            .with_kid("k2"),
    )
    .unwrap();
    let token = Signer::general(&[Signer::new(&sk), Signer::new(&other)], b"x").unwrap();
    let keys = VerifyingKeys::single(vk);
    assert_eq!(
        verify(&token, &keys, &JwsPolicy::new(&[JwsAlg::Es256])).unwrap(),
        b"x"
    );
    assert!(verify(
        &token,
        &keys,
        &JwsPolicy::new(&[JwsAlg::Es256]).require_all_signatures()
    )
    .is_err());
}

#[test]
fn detached_payload_must_match() {
    let (sk, vk, _) = ec_pair();
    let keys = VerifyingKeys::single(vk);
    let policy = JwsPolicy::new(&[JwsAlg::Es256]);
    for signer in [Signer::new(&sk), Signer::new(&sk).unencoded()] {
        let token = signer.compact_detached(b"{\"a\":1}").unwrap();
        let ok = jws::parse(&token, &policy.limits).unwrap().verify_detached(
            &keys,
            &policy,
            b"{\"a\":1}",
        );
        assert!(ok.is_ok());
        let bad = jws::parse(&token, &policy.limits).unwrap().verify_detached(
            &keys,
            &policy,
            b"{\"a\":2}",
        );
        assert_eq!(bad.unwrap_err(), Error::InvalidSignature);
    }
}

#[test]
fn kid_selects_only_among_trusted_keys() {
    let (sk, _, _) = ec_pair();
    let other = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_kid("k2");
    let keys = VerifyingKeys::single(VerifyingKey::from_jwk(&other.to_public().unwrap()).unwrap());
    let token = Signer::new(&sk).compact(b"x").unwrap(); // kid k1
    assert_eq!(
        verify(&token, &keys, &JwsPolicy::new(&[JwsAlg::Es256])),
        Err(Error::Rejected(Rejected::KeyNotFound))
    );
}

#[test]
fn duplicate_header_member_rejected() {
    let key = SigningKey::from_secret(&[1; 32]).unwrap();
    let keys = VerifyingKeys::single(VerifyingKey::from_secret(&[1; 32]).unwrap());
    let h = b64::encode(br#"{"alg":"HS256","kid":"a","kid":"b"}"#);
    let p = b64::encode(b"x");
    let sig = key
        .sign_raw(JwsAlg::Hs256, format!("{h}.{p}").as_bytes())
        .unwrap();
    let token = format!("{h}.{p}.{}", b64::encode(&sig));
    assert!(matches!(
        verify(&token, &keys, &JwsPolicy::new(&[JwsAlg::Hs256])),
        Err(Error::Malformed(Malformed::DuplicateMember(_)))
    ));
}

#[test]
fn debug_output_never_contains_secrets() {
    let jwk = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let secret = jwk.to_value()["k"].as_str().unwrap().to_owned();
    let key = SigningKey::from_jwk(&jwk).unwrap();
    let vk = VerifyingKey::from_jwk(&jwk).unwrap();
    for text in [
        format!("{jwk:?}"),
        format!("{key:?}"),
        format!("{vk:?}"),
        format!("{:?}", Signer::new(&key)),
    ] {
        assert!(!text.contains(&secret), "{text}");
    }
    let rsa = Jwk::generate(KeyKind::Rsa(2048)).unwrap();
    let d = rsa.to_value()["d"].as_str().unwrap().to_owned();
    assert!(!format!("{rsa:?}").contains(&d[..20]));
}

#[test]
fn errors_never_echo_input() {
    let evil = "eyJhbGciOiJTRUNSRVQtVE9LRU4ifQ.eA.eA"; // alg "SECRET-TOKEN"
    let keys = VerifyingKeys::single(VerifyingKey::from_secret(&[1; 32]).unwrap());
    let e = verify(evil, &keys, &JwsPolicy::new(&[JwsAlg::Hs256])).unwrap_err();
    assert!(!e.to_string().contains("SECRET"), "{e}");
}
