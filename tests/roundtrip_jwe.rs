//! Property tests for JWE: encrypt then decrypt returns the plaintext for random bodies,
//! every key-management algorithm bodyseal produces, every content encryption and every
//! serialization; flipping any bit of a compact token is rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::jwe::{self, Encryptor};
use bodyseal::policy::JwePolicy;
use proptest::prelude::*;

mod common;

use common::Fixture;

fn fixtures() -> &'static Vec<Fixture> {
    common::encryption_fixtures()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn encrypt_decrypt_round_trip(body in proptest::collection::vec(any::<u8>(), 0..2048), which in 0usize..1000, form in 0u8..3, zip in any::<bool>()) {
        let f = &fixtures()[which % fixtures().len()];
        let mut e = Encryptor::new(f.enc).with_pbes2_count(1000).recipient(&f.to, f.alg).unwrap();
        if zip {
            e = e.with_zip();
        }
        let token = match form {
            0 => e.compact(&body).unwrap(),
            1 => e.flattened(&body).unwrap(),
            _ => e.general(&body).unwrap(),
        };
        let policy = JwePolicy::new(&[f.alg], &[f.enc]).allow_zip();
        let opened = jwe::parse(&token, &policy.limits).unwrap().decrypt(&f.keys, &policy).unwrap();
        prop_assert_eq!(opened.plaintext(), &body[..]);
    }

    #[test]
    fn any_bit_flip_is_rejected(body in proptest::collection::vec(any::<u8>(), 1..256), which in 0usize..1000, pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let f = &fixtures()[which % fixtures().len()];
        let token = Encryptor::new(f.enc).with_pbes2_count(1000).recipient(&f.to, f.alg).unwrap().compact(&body).unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(t) = String::from_utf8(bytes) {
            let policy = JwePolicy::new(&[f.alg], &[f.enc]);
            let r = jwe::parse(&t, &policy.limits).and_then(|u| u.decrypt(&f.keys, &policy));
            prop_assert!(r.is_err(), "accepted a tampered token");
        }
    }
}

/// The protected header of a compact JWE with nothing per message is encoded once per
/// encryptor; a header changed after a first use is encoded again.
#[test]
fn a_cached_compact_header_follows_the_encryptor() {
    use bodyseal::alg::{JweAlg, JweEnc};
    use bodyseal::crypto::KeyKind;
    use bodyseal::jwe::Encryptor;
    use bodyseal::jwk::Jwk;
    use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
    use bodyseal::policy::JwePolicy;
    let k = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&k).unwrap());
    let policy = JwePolicy::new(&[JweAlg::Dir], &[JweEnc::A256Gcm]);
    let e = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&EncryptionKey::from_jwk(&k).unwrap(), JweAlg::Dir)
        .unwrap();
    let (a, b) = (e.compact(b"1").unwrap(), e.compact(b"2").unwrap());
    let head = |t: &str| t.split('.').next().unwrap().to_owned();
    assert_eq!(head(&a), head(&b));
    assert_ne!(a, b, "a fresh IV each time");
    let e = e.with_cty("application/json");
    let c = e.compact(b"3").unwrap();
    assert_ne!(head(&a), head(&c));
    let d = jwe::parse(&c, &policy.limits)
        .unwrap()
        .decrypt(&keys, &policy)
        .unwrap();
    assert_eq!(d.header.cty.as_deref(), Some("application/json"));
    assert_eq!(d.plaintext(), b"3");
}
