//! One test per JWE defense (RFC 7516/7518 and the list).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::error::{Rejected, Unsupported};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::{Jwk, KeyAlg, KeyUse};
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
use bodyseal::policy::{JwePolicy, Limits};
use bodyseal::{b64, Error};
use serde_json::{json, Value};

fn open(token: &str, keys: &DecryptionKeys, policy: &JwePolicy) -> Result<Vec<u8>, Error> {
    Ok(jwe::parse(token, &policy.limits)?
        .decrypt(keys, policy)?
        .plaintext()
        .to_vec())
}

fn ec_pair(curve: EcCurve) -> (EncryptionKey, DecryptionKeys, Jwk) {
    let jwk = Jwk::generate(KeyKind::Ec(curve)).unwrap();
    (
        EncryptionKey::from_jwk(&jwk.to_public().unwrap()).unwrap(),
        DecryptionKeys::single(DecryptionKey::from_jwk(&jwk).unwrap()),
        jwk,
    )
}

/// Rewrites the protected header of a compact JWE (which breaks the tag unless the change
/// is refused before decryption, as these tests expect).
fn with_header(token: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut h: Value = serde_json::from_slice(
        &b64::decode(parts[0].as_bytes(), bodyseal::error::Part::Header).unwrap(),
    )
    .unwrap();
    f(&mut h);
    parts[0] = b64::encode(h.to_string().as_bytes());
    parts.join(".")
}

#[test]
fn invalid_curve_point_in_epk_is_refused() {
    let (to, keys, _) = ec_pair(EcCurve::P256);
    let token = Encryptor::new(JweEnc::A128Gcm)
        .recipient(&to, JweAlg::EcdhEs)
        .unwrap()
        .compact(b"x")
        .unwrap();
    // An epk point that is not on P-256 (Wycheproof-style invalid-curve attack).
    let bad = with_header(&token, |h| {
        let y = b64::decode(
            h["epk"]["y"].as_str().unwrap().as_bytes(),
            bodyseal::error::Part::Header,
        )
        .unwrap();
        let mut y = y.clone();
        y[31] ^= 1;
        h["epk"]["y"] = b64::encode(&y).into();
    });
    let policy = JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A128Gcm]);
    assert_eq!(open(&bad, &keys, &policy), Err(Error::DecryptionFailed));
    // An epk on another curve.
    let other = Jwk::generate(KeyKind::Ec(EcCurve::P384))
        .unwrap()
        .to_public()
        .unwrap()
        .to_value();
    let bad = with_header(&token, |h| h["epk"] = other);
    assert_eq!(open(&bad, &keys, &policy), Err(Error::DecryptionFailed));
}

#[test]
fn all_zero_x25519_secret_is_refused() {
    let jwk = Jwk::generate(KeyKind::Okp(OkpCurve::X25519)).unwrap();
    let to = EncryptionKey::from_jwk(&jwk.to_public().unwrap()).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&jwk).unwrap());
    let token = Encryptor::new(JweEnc::A128Gcm)
        .recipient(&to, JweAlg::EcdhEs)
        .unwrap()
        .compact(b"x")
        .unwrap();
    // A low-order point (here the all-zero u-coordinate) gives an all-zero shared secret.
    let bad = with_header(&token, |h| h["epk"]["x"] = b64::encode(&[0u8; 32]).into());
    let policy = JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A128Gcm]);
    assert_eq!(open(&bad, &keys, &policy), Err(Error::DecryptionFailed));
}

#[test]
fn pbes2_count_over_the_limit_is_refused_quickly() {
    let to = EncryptionKey::from_password(b"correct horse battery staple");
    let token = Encryptor::new(JweEnc::A128CbcHs256)
        .with_pbes2_count(1000)
        .recipient(&to, JweAlg::Pbes2Hs256A128Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let bad = with_header(&token, |h| h["p2c"] = 10_000_000.into());
    let keys = DecryptionKeys::single(DecryptionKey::from_password(
        b"correct horse battery staple",
    ));
    let policy = JwePolicy::new(&[JweAlg::Pbes2Hs256A128Kw], &[JweEnc::A128CbcHs256]);
    // The count is checked from the header, before any key is touched: the refusal is a
    // policy error, not a decryption failure after ten million PBKDF2 rounds.
    let r = open(&bad, &keys, &policy);
    assert!(
        matches!(
            r,
            Err(Error::Rejected(Rejected::LimitExceeded {
                limit: "PBES2 iteration count",
                required: 10_000_000,
                ..
            }))
        ),
        "{r:?}"
    );
    assert_eq!(open(&token, &keys, &policy).unwrap(), b"x");
}

#[test]
fn pbes2_short_salt_is_refused() {
    let to = EncryptionKey::from_password(b"pw");
    let token = Encryptor::new(JweEnc::A128CbcHs256)
        .with_pbes2_count(1000)
        .recipient(&to, JweAlg::Pbes2Hs256A128Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let bad = with_header(&token, |h| h["p2s"] = b64::encode(b"1234567").into());
    let keys = DecryptionKeys::single(DecryptionKey::from_password(b"pw"));
    let policy = JwePolicy::new(&[JweAlg::Pbes2Hs256A128Kw], &[JweEnc::A128CbcHs256]);
    assert!(matches!(
        open(&bad, &keys, &policy),
        Err(Error::Rejected(Rejected::Mismatch("p2s")))
    ));
}

#[test]
fn allowlists_for_alg_and_enc() {
    let (to, keys, _) = ec_pair(EcCurve::P256);
    let token = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::EcdhEsA256Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let r = open(
        &token,
        &keys,
        &JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A256Gcm]),
    );
    assert!(matches!(
        r,
        Err(Error::Rejected(Rejected::AlgNotAllowed("ECDH-ES+A256KW")))
    ));
    let r = open(
        &token,
        &keys,
        &JwePolicy::new(&[JweAlg::EcdhEsA256Kw], &[JweEnc::A128Gcm]),
    );
    assert!(matches!(
        r,
        Err(Error::Rejected(Rejected::AlgNotAllowed("A256GCM")))
    ));
    let r = open(&token, &keys, &JwePolicy::new(&[], &[]));
    assert!(matches!(r, Err(Error::ApiMisuse(_))));
}

#[test]
fn rsa1_5_needs_an_explicit_opt_in_and_is_never_produced() {
    let jwk = Jwk::generate(KeyKind::Rsa(2048)).unwrap();
    let to = EncryptionKey::from_jwk(&jwk.to_public().unwrap()).unwrap();
    assert!(Encryptor::new(JweEnc::A128CbcHs256)
        .recipient(&to, JweAlg::Rsa1_5)
        .unwrap()
        .compact(b"x")
        .is_err());
    // A token with alg RSA1_5 is refused by a policy that lists it without the opt-in.
    let token = Encryptor::new(JweEnc::A128CbcHs256)
        .recipient(&to, JweAlg::RsaOaep)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let forged = with_header(&token, |h| h["alg"] = "RSA1_5".into());
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&jwk).unwrap());
    let listed = JwePolicy::new(&[JweAlg::Rsa1_5, JweAlg::RsaOaep], &[JweEnc::A128CbcHs256]);
    assert!(matches!(
        open(&forged, &keys, &listed),
        Err(Error::Rejected(Rejected::AlgNotAllowed("RSA1_5")))
    ));
    // With the opt-in, a bad RSA1_5 key is a plain decryption failure (random CEK).
    assert_eq!(
        open(&forged, &keys, &listed.allow_rsa1_5()),
        Err(Error::DecryptionFailed)
    );
}

#[test]
fn key_type_must_fit_alg() {
    let oct = Jwk::generate(KeyKind::Oct(16)).unwrap();
    let to = EncryptionKey::from_jwk(&oct).unwrap();
    for alg in [
        JweAlg::A256Kw,
        JweAlg::RsaOaep,
        JweAlg::EcdhEs,
        JweAlg::A256GcmKw,
    ] {
        assert!(
            matches!(
                Encryptor::new(JweEnc::A128Gcm).recipient(&to, alg),
                Err(Error::Rejected(Rejected::KeyMismatch(_)))
            ),
            "{alg}"
        );
    }
    // dir needs a key exactly as long as the CEK.
    assert!(Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::Dir)
        .is_err());
    assert!(Encryptor::new(JweEnc::A128Gcm)
        .recipient(&to, JweAlg::Dir)
        .is_ok());
    // Signature keys never do key management.
    let ed = Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap();
    assert!(EncryptionKey::from_jwk(&ed).is_err());
    let k1 = Jwk::generate(KeyKind::Ec(EcCurve::Secp256k1)).unwrap();
    assert!(DecryptionKey::from_jwk(&k1).is_err());
}

#[test]
fn use_and_key_ops_are_honored() {
    let sig = Jwk::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .with_use(KeyUse::Sig);
    assert!(matches!(
        EncryptionKey::from_jwk(&sig.to_public().unwrap()),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    assert!(matches!(
        DecryptionKey::from_jwk(&sig),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    let mut v = Jwk::generate(KeyKind::Oct(32)).unwrap().to_value();
    v["key_ops"] = json!(["wrapKey"]);
    assert!(DecryptionKey::from_jwk(&Jwk::from_value(&v).unwrap()).is_err());
    assert!(EncryptionKey::from_jwk(&Jwk::from_value(&v).unwrap()).is_ok());
    // A key pinned to one algorithm refuses another.
    let pinned = Jwk::generate(KeyKind::Oct(32))
        .unwrap()
        .with_alg(KeyAlg::Jwe(JweAlg::A256GcmKw));
    let to = EncryptionKey::from_jwk(&pinned).unwrap();
    assert!(Encryptor::new(JweEnc::A128Gcm)
        .recipient(&to, JweAlg::A256Kw)
        .is_err());
}

#[test]
fn one_error_for_every_failure() {
    // Tag, ciphertext, IV, wrapped key, wrong key: all the same opaque error.
    let kek = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let to = EncryptionKey::from_jwk(&kek).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&kek).unwrap());
    let policy = JwePolicy::new(&[JweAlg::A256Kw], &[JweEnc::A128CbcHs256, JweEnc::A256Gcm]);
    for enc in [JweEnc::A128CbcHs256, JweEnc::A256Gcm] {
        let token = Encryptor::new(enc)
            .recipient(&to, JweAlg::A256Kw)
            .unwrap()
            .compact(&[7u8; 100])
            .unwrap();
        for seg in 1..5 {
            let mut parts: Vec<Vec<u8>> = token
                .split('.')
                .map(|p| b64::decode(p.as_bytes(), bodyseal::error::Part::Token).unwrap())
                .collect();
            let last = parts[seg].len() - 1;
            parts[seg][last] ^= 1;
            let t: Vec<String> = token
                .split('.')
                .take(1)
                .map(str::to_owned)
                .chain(parts[1..].iter().map(|p| b64::encode(p)))
                .collect();
            assert_eq!(
                open(&t.join("."), &keys, &policy),
                Err(Error::DecryptionFailed),
                "{enc} segment {seg}"
            );
        }
        // A truncated tag.
        let mut parts: Vec<&str> = token.split('.').collect();
        let short = b64::encode(&[0u8; 8]);
        parts[4] = &short;
        assert_eq!(
            open(&parts.join("."), &keys, &policy),
            Err(Error::DecryptionFailed)
        );
    }
    let other = DecryptionKeys::single(
        DecryptionKey::from_jwk(&Jwk::generate(KeyKind::Oct(32)).unwrap()).unwrap(),
    );
    let token = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::A256Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    assert_eq!(open(&token, &other, &policy), Err(Error::DecryptionFailed));
}

#[test]
fn zip_needs_opt_in_and_inflation_is_bounded() {
    let kek = Jwk::generate(KeyKind::Oct(16)).unwrap();
    let to = EncryptionKey::from_jwk(&kek).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&kek).unwrap());
    let bomb = vec![0u8; 4 << 20];
    let token = Encryptor::new(JweEnc::A128Gcm)
        .with_zip()
        .recipient(&to, JweAlg::A128Kw)
        .unwrap()
        .compact(&bomb)
        .unwrap();
    assert!(token.len() < 20_000, "4 MiB of zeros compress well");
    let policy = JwePolicy::new(&[JweAlg::A128Kw], &[JweEnc::A128Gcm]);
    assert!(matches!(
        open(&token, &keys, &policy),
        Err(Error::Rejected(Rejected::Compressed))
    ));
    let mut limits = Limits::default();
    limits.max_decompressed_bytes = 1 << 20;
    let r = open(
        &token,
        &keys,
        &policy.clone().allow_zip().with_limits(limits),
    );
    assert!(
        matches!(
            r,
            Err(Error::Rejected(Rejected::LimitExceeded {
                limit: "decompressed size",
                ..
            }))
        ),
        "{r:?}"
    );
    assert_eq!(open(&token, &keys, &policy.allow_zip()).unwrap(), bomb);
}

#[test]
fn zip_must_be_protected_and_known() {
    let kek = Jwk::generate(KeyKind::Oct(16)).unwrap();
    let to = EncryptionKey::from_jwk(&kek).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&kek).unwrap());
    let token = Encryptor::new(JweEnc::A128Gcm)
        .recipient(&to, JweAlg::A128Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let bad = with_header(&token, |h| h["zip"] = "GZIP".into());
    let policy = JwePolicy::new(&[JweAlg::A128Kw], &[JweEnc::A128Gcm]).allow_zip();
    assert!(matches!(
        open(&bad, &keys, &policy),
        Err(Error::Unsupported(Unsupported::Feature(_)))
    ));
}

#[test]
fn unknown_crit_and_none_are_refused() {
    let kek = Jwk::generate(KeyKind::Oct(16)).unwrap();
    let to = EncryptionKey::from_jwk(&kek).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&kek).unwrap());
    let token = Encryptor::new(JweEnc::A128Gcm)
        .with_header("exp", 1.into())
        .unwrap()
        .recipient(&to, JweAlg::A128Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let bad = with_header(&token, |h| h["crit"] = json!(["exp"]));
    let policy = JwePolicy::new(&[JweAlg::A128Kw], &[JweEnc::A128Gcm]);
    assert_eq!(
        open(&bad, &keys, &policy),
        Err(Error::Rejected(Rejected::UnknownCritical))
    );
    let none = with_header(&token, |h| h["alg"] = "none".into());
    assert!(matches!(
        open(&none, &keys, &policy),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn multi_recipient_and_aad() {
    let (to_a, keys_a, _) = ec_pair(EcCurve::P384);
    let rsa = Jwk::generate(KeyKind::Rsa(2048)).unwrap().with_kid("b");
    let to_b = EncryptionKey::from_jwk(&rsa.to_public().unwrap()).unwrap();
    let keys_b = DecryptionKeys::single(DecryptionKey::from_jwk(&rsa).unwrap());
    let token = Encryptor::new(JweEnc::A256CbcHs512)
        .with_aad(b"bound to request 42")
        .recipient(&to_a, JweAlg::EcdhEsA192Kw)
        .unwrap()
        .recipient(&to_b, JweAlg::RsaOaep256)
        .unwrap()
        .general(b"to both")
        .unwrap();
    let policy = JwePolicy::new(
        &[JweAlg::EcdhEsA192Kw, JweAlg::RsaOaep256],
        &[JweEnc::A256CbcHs512],
    );
    assert_eq!(open(&token, &keys_a, &policy).unwrap(), b"to both");
    assert_eq!(open(&token, &keys_b, &policy).unwrap(), b"to both");
    // Changing the AAD breaks the tag.
    let mut v: Value = serde_json::from_str(&token).unwrap();
    v["aad"] = b64::encode(b"bound to request 43").into();
    assert_eq!(
        open(&v.to_string(), &keys_a, &policy),
        Err(Error::DecryptionFailed)
    );
    // dir and ECDH-ES direct cannot have several recipients.
    let dir = EncryptionKey::from_jwk(&Jwk::generate(KeyKind::Oct(64)).unwrap()).unwrap();
    let r = Encryptor::new(JweEnc::A256CbcHs512)
        .recipient(&dir, JweAlg::Dir)
        .unwrap()
        .recipient(&to_b, JweAlg::RsaOaep256)
        .unwrap()
        .general(b"x");
    assert!(matches!(r, Err(Error::ApiMisuse(_))));
}

#[test]
fn debug_never_prints_keys() {
    let jwk = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let k = jwk.to_value()["k"].as_str().unwrap().to_owned();
    let d = DecryptionKey::from_jwk(&jwk).unwrap();
    let e = EncryptionKey::from_jwk(&jwk).unwrap();
    let p = DecryptionKey::from_password(b"hunter2-password");
    for s in [format!("{d:?}"), format!("{e:?}"), format!("{p:?}")] {
        assert!(!s.contains(&k) && !s.contains("hunter2"), "{s}");
    }
}
