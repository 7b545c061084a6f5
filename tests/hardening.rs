//! The findings of the hardening review, one test each (the CLI ones are in
//! cli/tests/cli.rs): every test here fails on the code before its fix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JweAlg, JweEnc, JwsAlg, OkpCurve};
use bodyseal::crypto::{KeyKind, Provider};
use bodyseal::error::{Malformed, Part, Rejected};
use bodyseal::exchange::Exchange;
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::{self, Jwk};
use bodyseal::jws::{self, Signer};
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order};
use bodyseal::{b64, Error};
use serde_json::{json, Value};

fn oct_pair() -> (EncryptionKey, DecryptionKey) {
    let k = Jwk::generate(KeyKind::Oct(32)).unwrap();
    (
        EncryptionKey::from_jwk(&k).unwrap(),
        DecryptionKey::from_jwk(&k).unwrap(),
    )
}

fn decrypt(token: &str, keys: &DecryptionKeys, policy: &JwePolicy) -> Result<Vec<u8>, Error> {
    jwe::parse(token, &policy.limits)
        .and_then(|u| u.decrypt(keys, policy))
        .map(jwe::Decrypted::into_plaintext)
}

/// Finding 1: sixteen recipients at 100,000 PBES2 iterations each cost 1.6 million
/// derivations; the budget is per token, so the token is refused before the first.
#[test]
fn pbes2_work_is_budgeted_per_token() {
    let pw = b"correct horse battery staple";
    let to = EncryptionKey::from_password(pw);
    let mut e = Encryptor::new(JweEnc::A128CbcHs256).with_pbes2_count(100_000);
    for _ in 0..16 {
        e = e.recipient(&to, JweAlg::Pbes2Hs256A128Kw).unwrap();
    }
    let token = e.general(b"x").unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_password(pw));
    let policy = JwePolicy::new(&[JweAlg::Pbes2Hs256A128Kw], &[JweEnc::A128CbcHs256]);
    assert_eq!(
        decrypt(&token, &keys, &policy),
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "PBES2 iterations per token",
            required: 1_600_000,
            allowed: 1_000_000,
        }))
    );
    // One recipient, but three passwords to try: three derivations count.
    let one = Encryptor::new(JweEnc::A128CbcHs256)
        .with_pbes2_count(400_000)
        .recipient(&to, JweAlg::Pbes2Hs256A128Kw)
        .unwrap()
        .compact(b"x")
        .unwrap();
    let mut three = DecryptionKeys::new();
    for p in [&b"a"[..], b"b", pw] {
        three.push(DecryptionKey::from_password(p));
    }
    assert!(matches!(
        decrypt(&one, &three, &policy),
        Err(Error::Rejected(Rejected::LimitExceeded {
            required: 1_200_000,
            ..
        }))
    ));
    assert_eq!(decrypt(&one, &keys, &policy).unwrap(), b"x");
}

fn ed25519() -> (SigningKey, VerifyingKeys) {
    let jwk = Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap();
    (
        SigningKey::from_jwk(&jwk).unwrap(),
        VerifyingKeys::single(VerifyingKey::from_jwk(&jwk.to_public().unwrap()).unwrap()),
    )
}

fn verify(token: &str, keys: &VerifyingKeys, policy: &JwsPolicy) -> Result<Vec<usize>, Error> {
    jws::parse(token, &policy.limits)
        .and_then(|u| u.verify(keys, policy))
        .map(|v| v.signers().iter().map(|s| s.index).collect())
}

/// Finding 3: `alg` only in an unprotected header (here a flattened JWS whose protected
/// header is empty) is refused by default; the record names the signature that verified;
/// a forged entry fails the token under the all-signatures rule.
#[test]
fn alg_must_be_protected_and_the_record_names_the_verified_signature() {
    let (key, keys) = ed25519();
    let policy = JwsPolicy::new(&[JwsAlg::EdDsa]);
    // Flattened with no protected header: alg (and kid) unauthenticated.
    let payload = b64::encode(b"{}");
    let raw = key
        .sign_raw(JwsAlg::EdDsa, format!(".{payload}").as_bytes())
        .unwrap();
    let unprotected_alg = json!({
        "header": {"alg": "EdDSA"},
        "payload": payload,
        "signature": b64::encode(&raw),
    })
    .to_string();
    assert_eq!(
        verify(&unprotected_alg, &keys, &policy),
        Err(Error::Rejected(Rejected::UnprotectedAlg))
    );
    assert_eq!(
        verify(
            &unprotected_alg,
            &keys,
            &policy.clone().allow_unprotected_alg()
        ),
        Ok(vec![0])
    );

    // General JSON: a forged entry first, the trusted signature second.
    let good: Value =
        serde_json::from_str(&Signer::general(&[Signer::new(&key)], b"{}").unwrap()).unwrap();
    let mut forged = good["signatures"][0].clone();
    let mut s = b64::decode(
        forged["signature"].as_str().unwrap().as_bytes(),
        Part::Signature,
    )
    .unwrap();
    s[0] ^= 1;
    forged["signature"] = json!(b64::encode(&s));
    let two = json!({
        "payload": good["payload"],
        "signatures": [forged, good["signatures"][0]],
    })
    .to_string();
    assert_eq!(verify(&two, &keys, &policy), Ok(vec![1]));
    assert_eq!(
        verify(&two, &keys, &policy.clone().require_all_signatures()),
        Err(Error::InvalidSignature)
    );
}

/// Finding 4: a `cty` in an unprotected header declares nothing. A flattened JWS over a
/// JWE whose protected header has no `cty` is a single layer, even with
/// `"header":{"cty":"JOSE"}` beside it.
#[test]
fn only_a_protected_cty_declares_nesting() {
    let (key, keys) = ed25519();
    let (to, dk) = oct_pair();
    let inner = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::Dir)
        .unwrap()
        .compact(b"body")
        .unwrap();
    let opener = Opener::new(
        Order::EncryptThenSign,
        keys,
        JwsPolicy::new(&[JwsAlg::EdDsa]),
        DecryptionKeys::single(dk),
        JwePolicy::new(&[JweAlg::Dir], &[JweEnc::A256Gcm]),
    )
    .allow_unbound();
    let unprotected_cty = Signer::new(&key)
        .with_unprotected("cty", json!("JOSE"))
        .unwrap()
        .flattened(inner.as_bytes())
        .unwrap();
    assert!(matches!(
        opener.open(&unprotected_cty, &Exchange::Standalone),
        Err(Error::Rejected(Rejected::Nesting(_)))
    ));
    let protected_cty = Signer::new(&key)
        .with_cty("JOSE")
        .flattened(inner.as_bytes())
        .unwrap();
    assert_eq!(
        opener
            .open(&protected_cty, &Exchange::Standalone)
            .unwrap()
            .body(),
        b"body"
    );
}

fn flattened_jwe() -> (Value, DecryptionKeys, JwePolicy) {
    let (to, dk) = oct_pair();
    let token = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::A256Kw)
        .unwrap()
        .flattened(b"x")
        .unwrap();
    (
        serde_json::from_str(&token).unwrap(),
        DecryptionKeys::single(dk),
        JwePolicy::new(&[JweAlg::A256Kw], &[JweEnc::A256Gcm]),
    )
}

/// Finding 5: the shared and per-recipient unprotected headers of a JSON JWE are under
/// the header limit, and all headers together under the total.
#[test]
fn every_jwe_header_is_under_the_limits() {
    let (doc, keys, policy) = flattened_jwe();
    let big = "x".repeat(20 << 10);
    for member in ["unprotected", "header"] {
        let mut d = doc.clone();
        d[member]["x-big"] = json!(big);
        assert!(
            matches!(
                decrypt(&d.to_string(), &keys, &policy),
                Err(Error::Rejected(Rejected::LimitExceeded {
                    limit: "header size",
                    ..
                }))
            ),
            "{member}"
        );
    }
    // Five headers of 15 KiB each: every one fits, together they do not.
    let mut d = doc.clone();
    let part = "y".repeat(15 << 10);
    d["unprotected"]["x-a"] = json!(part);
    d["header"]["x-b"] = json!(part);
    let mut general = json!({
        "protected": d["protected"],
        "unprotected": d["unprotected"],
        "iv": d["iv"], "ciphertext": d["ciphertext"], "tag": d["tag"],
        "recipients": [],
    });
    for _ in 0..4 {
        general["recipients"]
            .as_array_mut()
            .unwrap()
            .push(json!({"header": d["header"], "encrypted_key": d["encrypted_key"]}));
    }
    assert!(matches!(
        decrypt(&general.to_string(), &keys, &policy),
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "total header size",
            ..
        }))
    ));
}

/// Finding 6: `dir` (and direct ECDH-ES) with several recipients is refused when
/// decrypting, as when encrypting.
#[test]
fn several_recipients_with_dir_are_refused() {
    let (to, dk) = oct_pair();
    let (to2, _) = oct_pair();
    let token = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&to, JweAlg::A256Kw)
        .unwrap()
        .recipient(&to2, JweAlg::A256Kw)
        .unwrap()
        .general(b"x")
        .unwrap();
    let mut doc: Value = serde_json::from_str(&token).unwrap();
    // The second recipient claims `dir`.
    doc["recipients"][1]["header"]["alg"] = json!("dir");
    doc["recipients"][1]
        .as_object_mut()
        .unwrap()
        .remove("encrypted_key");
    let keys = DecryptionKeys::single(dk);
    let policy = JwePolicy::new(&[JweAlg::A256Kw, JweAlg::Dir], &[JweEnc::A256Gcm]);
    assert_eq!(decrypt(&token, &keys, &policy).unwrap(), b"x");
    assert_eq!(
        decrypt(&doc.to_string(), &keys, &policy),
        Err(Error::Malformed(Malformed::InvalidMember("recipients")))
    );
}

/// Finding 7: what prints and what is wiped.
#[test]
fn payloads_print_as_lengths_and_key_json_is_wiped() {
    let (key, keys) = ed25519();
    let token = Signer::new(&key).compact(b"card 4111111111111111").unwrap();
    let policy = JwsPolicy::new(&[JwsAlg::EdDsa]);
    // A derived Debug would print the bytes as a list of numbers.
    let as_list = |bytes: &[u8]| {
        format!("{:?}", &bytes[..6])
            .trim_end_matches(']')
            .to_owned()
    };
    let parsed = jws::parse(&token, &policy.limits).unwrap();
    let encoded = token.split('.').nth(1).unwrap().as_bytes();
    let shown = format!("{parsed:?}");
    assert!(
        !shown.contains(&as_list(encoded)) && shown.contains("payload_len"),
        "{shown}"
    );
    let verified = parsed.verify(&keys, &policy).unwrap();
    let shown = format!("{verified:?}");
    assert!(
        !shown.contains(&as_list(b"card 4111111111111111")) && shown.contains("payload_len"),
        "{shown}"
    );
    let secret = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let mut v = secret.to_value();
    let k = v["k"].as_str().unwrap().to_owned();
    jwk::wipe(&mut v);
    assert!(!v.to_string().contains(&k));
    assert_eq!(v["k"], json!(""));
}

/// Finding 11: `"aad": ""` is a second encoding of a token without AAD (RFC 7516
/// section 7.2.1 says the member is absent then); it is refused, and the encryptor never
/// writes it.
#[test]
fn an_empty_aad_member_is_refused() {
    let k = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&k).unwrap());
    let policy = JwePolicy::new(&[JweAlg::Dir], &[JweEnc::A256Gcm]);
    // Made by hand: AAD = protected || '.' || "" under the real key, so the tag is right.
    let protected = b64::encode(br#"{"alg":"dir","enc":"A256GCM"}"#);
    let cek = b64::decode(k.to_value()["k"].as_str().unwrap().as_bytes(), Part::Jwk).unwrap();
    let iv = [7u8; 12];
    let mut data = b"x".to_vec();
    let aad = format!("{protected}.");
    let tag = Provider::default()
        .jwe
        .encrypt(JweEnc::A256Gcm, &cek, &iv, aad.as_bytes(), &mut data)
        .unwrap();
    let token = json!({
        "protected": protected,
        "aad": "",
        "iv": b64::encode(&iv),
        "ciphertext": b64::encode(&data),
        "tag": b64::encode(&tag),
    })
    .to_string();
    assert_eq!(
        decrypt(&token, &keys, &policy),
        Err(Error::Malformed(Malformed::InvalidMember("aad")))
    );
    let written = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&EncryptionKey::from_jwk(&k).unwrap(), JweAlg::Dir)
        .unwrap()
        .with_aad(b"")
        .flattened(b"x")
        .unwrap();
    assert!(!written.contains("\"aad\""), "{written}");
    assert_eq!(decrypt(&written, &keys, &policy).unwrap(), b"x");
}

/// Finding 13: the signature and recipient counts are refused while the JSON is read, at
/// the first entry over the limit (what follows is never parsed).
#[test]
fn counts_are_refused_while_parsing() {
    let entries = vec![r#"{"protected":"e30","signature":""}"#; 17].join(",");
    let jws_doc = format!(r#"{{"payload":"","signatures":[{entries}, this is not JSON"#);
    assert!(matches!(
        jws::parse(&jws_doc, &JwsPolicy::new(&[JwsAlg::EdDsa]).limits),
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "signature count",
            ..
        }))
    ));
    let recipients = vec![r#"{"encrypted_key":""}"#; 17].join(",");
    let jwe_doc = format!(r#"{{"protected":"e30","recipients":[{recipients}, nonsense"#);
    assert!(matches!(
        jwe::parse(
            &jwe_doc,
            &JwePolicy::new(&[JweAlg::Dir], &[JweEnc::A256Gcm]).limits
        ),
        Err(Error::Rejected(Rejected::LimitExceeded {
            limit: "recipient count",
            ..
        }))
    ));
}

/// An EC private key whose public point belongs to another key is refused for every
/// curve, the signing and the decryption key alike: the point never goes unchecked.
#[test]
fn an_ec_private_key_with_another_keys_point_is_refused() {
    use bodyseal::alg::EcCurve;
    use bodyseal::jwk::KeyParams;
    for curve in [
        EcCurve::P256,
        EcCurve::P384,
        EcCurve::P521,
        EcCurve::Secp256k1,
    ] {
        let a = Jwk::generate(KeyKind::Ec(curve)).unwrap();
        let b = Jwk::generate(KeyKind::Ec(curve)).unwrap();
        assert!(SigningKey::from_jwk(&a).is_ok(), "{curve:?}");
        let mut mixed: Value = serde_json::from_str(&a.to_json()).unwrap();
        let b_json: Value = serde_json::from_str(&b.to_json()).unwrap();
        mixed["x"] = b_json["x"].clone();
        mixed["y"] = b_json["y"].clone();
        let mixed = Jwk::from_json(&mixed.to_string()).unwrap();
        assert!(matches!(mixed.params, KeyParams::Ec { .. }));
        let err = SigningKey::from_jwk(&mixed).unwrap_err();
        assert!(matches!(err, Error::Key(_)), "{curve:?}: {err:?}");
        if curve != EcCurve::Secp256k1 {
            let err = DecryptionKey::from_jwk(&mixed).unwrap_err();
            assert!(matches!(err, Error::Key(_)), "{curve:?}: {err:?}");
        }
    }
}
