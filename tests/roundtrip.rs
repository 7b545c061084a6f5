//! Property tests: sign then verify returns the payload for random payloads, every key type,
//! every algorithm and every serialization; flipping any byte of the token is rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::JwsAlg;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{SigningKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
use proptest::prelude::*;

mod common;

fn keys() -> &'static Vec<(JwsAlg, SigningKey, VerifyingKeys)> {
    common::signing_fixtures()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn sign_verify_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..2048), which in 0usize..JwsAlg::ALL.len(), form in 0u8..4) {
        let (alg, key, set) = &keys()[which % keys().len()];
        let signer = Signer::new(key).with_alg(*alg).unwrap();
        let policy = JwsPolicy::new(&[*alg]);
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
    fn any_single_byte_change_is_rejected(payload in proptest::collection::vec(any::<u8>(), 1..256), which in 0usize..JwsAlg::ALL.len(), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (alg, key, set) = &keys()[which % keys().len()];
        let token = Signer::new(key).with_alg(*alg).unwrap().compact(&payload).unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(tampered) = String::from_utf8(bytes) {
            let policy = JwsPolicy::new(&[*alg]);
            let r = jws::parse(&tampered, &policy.limits).and_then(|u| u.verify(set, &policy));
            prop_assert!(r.is_err(), "accepted a tampered token");
        }
    }
}
