//! Property tests: sign then verify returns the payload for random payloads, every key type,
//! every algorithm and every serialization; flipping any byte of the token is rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JwsAlg, JwsFamily, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{KeySet, SigningKey, VerifyingKey};
use bodyseal::policy::Policy;
use proptest::prelude::*;
use std::sync::OnceLock;

fn keys() -> &'static Vec<(JwsAlg, SigningKey, KeySet)> {
    static KEYS: OnceLock<Vec<(JwsAlg, SigningKey, KeySet)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = Jwk::generate(KeyKind::Rsa(2048)).unwrap();
        JwsAlg::ALL
            .iter()
            .map(|&alg| {
                let jwk = match alg.family() {
                    JwsFamily::Hmac => Jwk::generate(KeyKind::Oct(64)).unwrap(),
                    JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => {
                        Jwk::from_json(&rsa.to_json()).unwrap()
                    }
                    JwsFamily::Ecdsa(c) => Jwk::generate(KeyKind::Ec(c)).unwrap(),
                    _ => Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap(),
                };
                let public = jwk
                    .to_public()
                    .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap());
                (
                    alg,
                    SigningKey::from_jwk(&jwk).unwrap(),
                    KeySet::single(VerifyingKey::from_jwk(&public).unwrap()),
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn sign_verify_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..2048), which in 0usize..15, form in 0u8..4) {
        let (alg, key, set) = &keys()[which % keys().len()];
        let signer = Signer::new(key).with_alg(*alg).unwrap();
        let policy = Policy::new(&[*alg]);
        let token = match form {
            0 => signer.compact(&payload).unwrap(),
            1 => signer.flattened(&payload).unwrap(),
            2 => Signer::general(std::slice::from_ref(&signer), &payload).unwrap(),
            _ => signer.compact_detached(&payload).unwrap(),
        };
        let parsed = jws::parse(&token, &policy.limits).unwrap();
        let verified = if form == 3 { parsed.verify_detached(set, &policy, &payload) } else { parsed.verify(set, &policy) };
        let verified = verified.unwrap();
        prop_assert_eq!(verified.payload(), &payload[..]);
    }

    #[test]
    fn any_single_byte_change_is_rejected(payload in proptest::collection::vec(any::<u8>(), 1..256), which in 0usize..15, pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (alg, key, set) = &keys()[which % keys().len()];
        let token = Signer::new(key).with_alg(*alg).unwrap().compact(&payload).unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(tampered) = String::from_utf8(bytes) {
            let policy = Policy::new(&[*alg]);
            let r = jws::parse(&tampered, &policy.limits).and_then(|u| u.verify(set, &policy));
            prop_assert!(r.is_err(), "accepted a tampered token");
        }
    }
}
