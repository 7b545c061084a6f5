//! Detached signatures in an HTTP header: the body stays plaintext and is verified as
//! received, with the same exchange binding as sealed bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JwsAlg, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::detached::{DetachedSigner, DetachedVerifier};
use bodyseal::error::{Error, Rejected};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwk::Jwk;
use bodyseal::jws::Signer;
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;

const BODY: &[u8] = br#"{"amount":"10.00","to":"DE89370400440532013000"}"#;

fn keys(kind: KeyKind) -> (SigningKey, VerifyingKeys) {
    let jwk = Jwk::generate(kind).unwrap();
    (
        SigningKey::from_jwk(&jwk).unwrap(),
        VerifyingKeys::single(VerifyingKey::from_jwk(&jwk.to_public().unwrap()).unwrap()),
    )
}

fn req() -> Exchange {
    Exchange::Request(RequestBinding::new("POST", "https://bank.example/transfers").unwrap())
}

fn verifier(keys: VerifyingKeys) -> DetachedVerifier {
    DetachedVerifier::new(keys, JwsPolicy::new(&[JwsAlg::Es256, JwsAlg::EdDsa]))
}

#[test]
fn detached_signatures_verify_against_the_exact_body_with_and_without_b64() {
    for kind in [KeyKind::Ec(EcCurve::P256), KeyKind::Okp(OkpCurve::Ed25519)] {
        for unencoded in [false, true] {
            let (sk, vk) = keys(kind);
            let mut signer = DetachedSigner::new(&sk);
            if unencoded {
                signer = signer.unencoded();
            }
            let sig = signer.sign(BODY, &req()).unwrap();
            let (_, rest) = sig.token.split_once('.').unwrap();
            assert!(rest.starts_with('.'), "the payload segment is empty");
            let v = verifier(vk);
            let ok = v.verify(&sig.token, BODY, &req()).unwrap();
            assert_eq!(ok.stamp.jti.as_deref(), Some(sig.jti.as_str()));
            assert_eq!(ok.signer.header.b64(), !unencoded);
        }
    }
}

#[test]
fn a_tampered_body_is_refused() {
    let (sk, vk) = keys(KeyKind::Ec(EcCurve::P256));
    for unencoded in [false, true] {
        let mut signer = DetachedSigner::new(&sk);
        if unencoded {
            signer = signer.unencoded();
        }
        let sig = signer.sign(BODY, &req()).unwrap();
        let mut body = BODY.to_vec();
        body[12] ^= 1;
        let v = verifier(vk.clone());
        assert_eq!(
            v.verify(&sig.token, &body, &req()).unwrap_err(),
            Error::InvalidSignature
        );
        // A trailing newline is a different body too.
        let mut longer = BODY.to_vec();
        longer.push(b'\n');
        assert_eq!(
            v.verify(&sig.token, &longer, &req()).unwrap_err(),
            Error::InvalidSignature
        );
    }
}

#[test]
fn detached_signatures_are_bound_to_the_exchange_and_not_replayable() {
    let (sk, vk) = keys(KeyKind::Ec(EcCurve::P256));
    let sig = DetachedSigner::new(&sk).sign(BODY, &req()).unwrap();
    let v = verifier(vk);
    let other =
        Exchange::Request(RequestBinding::new("POST", "https://bank.example/refunds").unwrap());
    assert_eq!(
        v.verify(&sig.token, BODY, &other).unwrap_err(),
        Error::Rejected(Rejected::Binding("htu"))
    );
    assert!(v.verify(&sig.token, BODY, &req()).is_ok());
    assert_eq!(
        v.verify(&sig.token, BODY, &req()).unwrap_err(),
        Error::Rejected(Rejected::Replay)
    );
}

#[test]
fn an_attached_or_json_token_is_not_a_detached_signature() {
    let (sk, vk) = keys(KeyKind::Ec(EcCurve::P256));
    let attached = Signer::new(&sk).compact(BODY).unwrap();
    let v = verifier(vk);
    assert_eq!(
        v.verify(&attached, BODY, &Exchange::Standalone)
            .unwrap_err(),
        Error::Rejected(Rejected::PayloadPresence)
    );
    let json = Signer::new(&sk).flattened_detached(BODY).unwrap();
    assert!(matches!(
        v.verify(&json, BODY, &Exchange::Standalone),
        Err(Error::Malformed(_))
    ));
}
