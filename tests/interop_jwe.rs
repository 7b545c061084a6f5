//! JWE interop with josekit (over OpenSSL), both ways: for every key-management and
//! content-encryption pair, bodyseal encrypts and josekit decrypts, and josekit encrypts
//! and bodyseal decrypts (compact); and for every key-management algorithm, the flattened
//! and general JSON serializations both ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, KeyManagement, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::Jwk;
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
use bodyseal::policy::JwePolicy;
use josekit::jwe::{JweDecrypter, JweEncrypter, JweHeader, JweHeaderSet};

const PLAINTEXT: &[u8] = br#"{"patient":"12345","diagnosis":"J45.909","note":"caf\u00e9"}"#;

/// A recipient key for `alg` (several curves for ECDH-ES).
fn keys_for(alg: JweAlg, enc: JweEnc) -> Vec<Jwk> {
    let gen = |k| Jwk::generate(k).unwrap();
    match alg.management() {
        KeyManagement::Direct => vec![gen(KeyKind::Oct(enc.cek_len()))],
        KeyManagement::AesKw(n) | KeyManagement::AesGcmKw(n) => vec![gen(KeyKind::Oct(n))],
        KeyManagement::Rsa => vec![gen(KeyKind::Rsa(2048))],
        KeyManagement::EcdhEs(_) => vec![
            gen(KeyKind::Ec(EcCurve::P256)),
            gen(KeyKind::Ec(EcCurve::P384)),
            gen(KeyKind::Ec(EcCurve::P521)),
            gen(KeyKind::Okp(OkpCurve::X25519)),
        ],
        KeyManagement::Pbes2(..) => {
            vec![
                Jwk::from_json(r#"{"kty":"oct","k":"Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ"}"#)
                    .unwrap(),
            ]
        }
        _ => unreachable!(),
    }
}

macro_rules! jk_alg {
    ($alg:expr, $f:ident, $k:expr, $t:ty) => {{
        use josekit::jwe::*;
        let k = $k;
        let boxed: Box<$t> = match $alg {
            JweAlg::Dir => Box::new(Dir.$f(k).unwrap()),
            JweAlg::A128Kw => Box::new(A128KW.$f(k).unwrap()),
            JweAlg::A192Kw => Box::new(A192KW.$f(k).unwrap()),
            JweAlg::A256Kw => Box::new(A256KW.$f(k).unwrap()),
            JweAlg::A128GcmKw => Box::new(A128GCMKW.$f(k).unwrap()),
            JweAlg::A192GcmKw => Box::new(A192GCMKW.$f(k).unwrap()),
            JweAlg::A256GcmKw => Box::new(A256GCMKW.$f(k).unwrap()),
            // RSA1_5 is deprecated in josekit too; decrypting it is part of the issue.
            #[allow(deprecated)]
            JweAlg::Rsa1_5 => Box::new(RSA1_5.$f(k).unwrap()),
            JweAlg::RsaOaep => Box::new(RSA_OAEP.$f(k).unwrap()),
            JweAlg::RsaOaep256 => Box::new(RSA_OAEP_256.$f(k).unwrap()),
            JweAlg::EcdhEs => Box::new(ECDH_ES.$f(k).unwrap()),
            JweAlg::EcdhEsA128Kw => Box::new(ECDH_ES_A128KW.$f(k).unwrap()),
            JweAlg::EcdhEsA192Kw => Box::new(ECDH_ES_A192KW.$f(k).unwrap()),
            JweAlg::EcdhEsA256Kw => Box::new(ECDH_ES_A256KW.$f(k).unwrap()),
            JweAlg::Pbes2Hs256A128Kw => Box::new(PBES2_HS256_A128KW.$f(k).unwrap()),
            JweAlg::Pbes2Hs384A192Kw => Box::new(PBES2_HS384_A192KW.$f(k).unwrap()),
            JweAlg::Pbes2Hs512A256Kw => Box::new(PBES2_HS512_A256KW.$f(k).unwrap()),
            other => panic!("{other}"),
        };
        boxed
    }};
}

fn jk(jwk: &Jwk) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap()
}

fn jk_encrypter(alg: JweAlg, public: &Jwk) -> Box<dyn JweEncrypter> {
    jk_alg!(alg, encrypter_from_jwk, &jk(public), dyn JweEncrypter)
}

fn jk_decrypter(alg: JweAlg, private: &Jwk) -> Box<dyn JweDecrypter> {
    jk_alg!(alg, decrypter_from_jwk, &jk(private), dyn JweDecrypter)
}

fn is_password(alg: JweAlg) -> bool {
    matches!(alg.management(), KeyManagement::Pbes2(..))
}

fn ours_enc_key(alg: JweAlg, jwk: &Jwk) -> EncryptionKey {
    if is_password(alg) {
        EncryptionKey::from_password(b"correct horse battery staple")
    } else {
        EncryptionKey::from_jwk(
            &jwk.to_public()
                .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap()),
        )
        .unwrap()
    }
}

fn ours_dec_keys(alg: JweAlg, jwk: &Jwk) -> DecryptionKeys {
    DecryptionKeys::single(if is_password(alg) {
        DecryptionKey::from_password(b"correct horse battery staple")
    } else {
        DecryptionKey::from_jwk(jwk).unwrap()
    })
}

fn public(jwk: &Jwk) -> Jwk {
    jwk.to_public()
        .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap())
}

fn policy(alg: JweAlg, enc: JweEnc) -> JwePolicy {
    JwePolicy::new(&[alg], &[enc]).allow_rsa1_5()
}

#[test]
fn every_alg_and_enc_both_ways_compact() {
    let mut checked = 0;
    // josekit has no HPKE: tests/hpke.rs checks it against Python `cryptography`.
    for &alg in JweAlg::ALL.iter().filter(|a| !a.is_hpke()) {
        for &enc in JweEnc::ALL {
            for jwk in keys_for(alg, enc) {
                let ctx = josekit::jwe::JweContext::new();
                // bodyseal -> josekit (bodyseal never produces RSA1_5).
                if alg != JweAlg::Rsa1_5 {
                    let ours = Encryptor::new(enc)
                        .with_pbes2_count(1000)
                        .recipient(&ours_enc_key(alg, &jwk), alg)
                        .unwrap()
                        .compact(PLAINTEXT)
                        .unwrap();
                    let (pt, _) = ctx
                        .deserialize_compact(&ours, &*jk_decrypter(alg, &jwk))
                        .unwrap_or_else(|e| panic!("josekit refused bodyseal's {alg}/{enc}: {e}"));
                    assert_eq!(pt, PLAINTEXT);
                    checked += 1;
                }
                // josekit -> bodyseal.
                let mut header = JweHeader::new();
                header.set_content_encryption(enc.as_str());
                let theirs = ctx
                    .serialize_compact(PLAINTEXT, &header, &*jk_encrypter(alg, &public(&jwk)))
                    .unwrap();
                let p = policy(alg, enc);
                let pt = jwe::parse(&theirs, &p.limits)
                    .and_then(|u| u.decrypt(&ours_dec_keys(alg, &jwk), &p))
                    .unwrap_or_else(|e| panic!("bodyseal refused josekit's {alg}/{enc}: {e}"));
                assert_eq!(pt.plaintext(), PLAINTEXT);
                checked += 1;
            }
        }
    }
    println!("interop JWE compact: {checked} checks");
    assert!(checked > 200);
}

#[test]
fn every_alg_both_ways_json() {
    let enc = JweEnc::A256Gcm;
    for &alg in JweAlg::ALL.iter().filter(|a| !a.is_hpke()) {
        let jwk = keys_for(alg, enc).remove(0);
        let ctx = josekit::jwe::JweContext::new();
        if alg != JweAlg::Rsa1_5 {
            let e = Encryptor::new(enc)
                .with_pbes2_count(1000)
                .with_aad(b"extra")
                .recipient(&ours_enc_key(alg, &jwk), alg)
                .unwrap();
            for token in [
                e.flattened(PLAINTEXT).unwrap(),
                e.general(PLAINTEXT).unwrap(),
            ] {
                let (pt, _) = ctx
                    .deserialize_json(&token, &*jk_decrypter(alg, &jwk))
                    .unwrap_or_else(|err| {
                        panic!("josekit refused bodyseal's JSON {alg}: {err}\n{token}")
                    });
                assert_eq!(pt, PLAINTEXT);
            }
        }
        let mut shared = JweHeaderSet::new();
        shared.set_content_encryption(enc.as_str(), true);
        let encrypter = jk_encrypter(alg, &public(&jwk));
        let p = policy(alg, enc);
        let flat = ctx
            .serialize_flattened_json(PLAINTEXT, Some(&shared), None, Some(b"extra"), &*encrypter)
            .unwrap();
        let general = ctx
            .serialize_general_json(
                PLAINTEXT,
                Some(&shared),
                &[(None, &*encrypter)],
                Some(b"extra"),
            )
            .unwrap();
        for token in [flat, general] {
            let pt = jwe::parse(&token, &p.limits)
                .and_then(|u| u.decrypt(&ours_dec_keys(alg, &jwk), &p))
                .unwrap_or_else(|e| panic!("bodyseal refused josekit's JSON {alg}: {e}\n{token}"));
            assert_eq!(pt.plaintext(), PLAINTEXT);
        }
    }
}
