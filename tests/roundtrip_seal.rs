//! Property tests for body protection: seal then open returns the body, for random
//! bodies, both orders, every outer serialization, every JWS algorithm (so every
//! signing key type) and every key-management / content-encryption pair (so every
//! encryption key type); and every pair once, exhaustively. PBES2 is left out because
//! a password has no key thumbprint to bind (the sealer refuses it), RSA1_5 because it
//! is decrypt-only legacy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JweAlg, JweEnc, JwsAlg, KeyManagement};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealer};
use proptest::prelude::*;

mod common;
use common::Fixture;

fn recipients() -> Vec<&'static Fixture> {
    common::encryption_fixtures()
        .iter()
        .filter(|f| !matches!(f.alg.management(), KeyManagement::Pbes2(..)))
        .collect()
}

fn exchange() -> Exchange {
    Exchange::Request(RequestBinding::new("PUT", "https://records.example/p/7").unwrap())
}

/// Seals `body` and opens it again with a fresh opener (fresh replay cache).
fn round_trip(body: &[u8], order: Order, outer: Outer, sig: usize, rcpt: &Fixture) -> Vec<u8> {
    let (alg, key, trusted) = &common::signing_fixtures()[sig];
    let sealed = Sealer::new(order, key)
        .with_alg(*alg)
        .unwrap()
        .with_enc(rcpt.enc)
        .unwrap()
        .recipient(&rcpt.to, rcpt.alg)
        .unwrap()
        .with_outer(outer)
        .seal(body, &exchange())
        .unwrap();
    let opener = Opener::new(
        order,
        trusted.clone(),
        JwsPolicy::new(&[*alg]),
        rcpt.keys.clone(),
        JwePolicy::new(&[rcpt.alg], &[rcpt.enc]),
    );
    let opened = opener.open(&sealed.token, &exchange()).unwrap();
    assert!(opened.bound);
    assert_eq!(opened.signer.alg, *alg);
    opened.into_body()
}

#[test]
fn every_signature_algorithm_with_every_encryption_pair_in_both_orders() {
    let rs = recipients();
    let mut n = 0;
    for order in [Order::SignThenEncrypt, Order::EncryptThenSign] {
        for sig in 0..common::signing_fixtures().len() {
            for r in &rs {
                let body = format!("{order:?} {sig} {} {}", r.alg.as_str(), r.enc.as_str());
                assert_eq!(
                    round_trip(body.as_bytes(), order, Outer::Compact, sig, r),
                    body.as_bytes()
                );
                n += 1;
            }
        }
    }
    // Every signature algorithm, every key-management algorithm but RSA1_5, the three
    // PBES2 and integrated HPKE (no `enc`), every content encryption, two orders.
    let kms = JweAlg::ALL
        .iter()
        .filter(|a| {
            **a != JweAlg::Rsa1_5
                && !matches!(a.management(), KeyManagement::Pbes2(..))
                && !a.is_integrated()
        })
        .count();
    assert_eq!(kms, if cfg!(feature = "hpke") { 19 } else { 13 });
    assert_eq!(n, 2 * JwsAlg::ALL.len() * kms * JweEnc::ALL.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn seal_open_round_trip(
        body in proptest::collection::vec(any::<u8>(), 0..4096),
        sig in 0usize..1000,
        rcpt in 0usize..1000,
        ets in any::<bool>(),
        outer in 0u8..3,
    ) {
        let rs = recipients();
        let order = if ets { Order::EncryptThenSign } else { Order::SignThenEncrypt };
        let outer = match outer { 0 => Outer::Compact, 1 => Outer::Flattened, _ => Outer::General };
        let sig = sig % common::signing_fixtures().len();
        let got = round_trip(&body, order, outer, sig, rs[rcpt % rs.len()]);
        prop_assert_eq!(got, body);
    }
}
