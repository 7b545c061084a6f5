//! HPKE for JWE (draft-ietf-jose-hpke-encrypt-20): the draft's examples, round trips in
//! every serialization, refusals, and interoperability with Python `cryptography`.
#![cfg(feature = "hpke")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use bodyseal::alg::{EcCurve, JweAlg, JweEnc, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::error::{Malformed, Rejected, Unsupported};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::Jwk;
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
use bodyseal::policy::JwePolicy;
use bodyseal::Error;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

const INTEGRATED: [JweAlg; 6] = [
    JweAlg::Hpke0,
    JweAlg::Hpke1,
    JweAlg::Hpke2,
    JweAlg::Hpke3,
    JweAlg::Hpke4,
    JweAlg::Hpke7,
];
const KEY_ENCRYPTION: [JweAlg; 6] = [
    JweAlg::Hpke0Ke,
    JweAlg::Hpke1Ke,
    JweAlg::Hpke2Ke,
    JweAlg::Hpke3Ke,
    JweAlg::Hpke4Ke,
    JweAlg::Hpke7Ke,
];
/// The 16 example algorithms of the draft, in the order of `jose-vectors.json`.
const EXAMPLES: [&str; 16] = [
    "HPKE-0",
    "HPKE-0-KE",
    "HPKE-1",
    "HPKE-1-KE",
    "HPKE-2",
    "HPKE-2-KE",
    "HPKE-3",
    "HPKE-3-KE",
    "HPKE-4",
    "HPKE-4-KE",
    "HPKE-5",
    "HPKE-5-KE",
    "HPKE-6",
    "HPKE-6-KE",
    "HPKE-7",
    "HPKE-7-KE",
];
/// SHA-256 of the plaintext of every example (269 bytes).
const PLAINTEXT_SHA256: &str = "40f8c64c1eaaabec674c37469b1137cd1d1d4e8999b72ee6d03e77fabfcd99b4";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/conformance/hpke-jose")
}

fn read(rel: &str) -> String {
    let path = dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_hpke() -> Vec<JweAlg> {
    INTEGRATED.iter().chain(&KEY_ENCRYPTION).copied().collect()
}

fn policy() -> JwePolicy {
    JwePolicy::new(&all_hpke(), JweEnc::ALL)
}

fn example_key(name: &str) -> DecryptionKeys {
    let jwk = Jwk::from_json(&read(&format!("jwks/{name}.json"))).unwrap();
    DecryptionKeys::single(DecryptionKey::from_jwk(&jwk).unwrap())
}

fn compact_example(name: &str) -> String {
    read(&format!("jwe/{name}-compact.txt")).trim().to_owned()
}

fn flattened_example(name: &str) -> Value {
    serde_json::from_str(&read(&format!("jwe/{name}-flattened.json"))).unwrap()
}

fn sha256_hex(data: &[u8]) -> String {
    openssl::sha::sha256(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decrypt(token: &str, keys: &DecryptionKeys, policy: &JwePolicy) -> bodyseal::Result<Vec<u8>> {
    Ok(jwe::parse(token, &policy.limits)?
        .decrypt(keys, policy)?
        .into_plaintext())
}

fn b64d(s: &str) -> Vec<u8> {
    B64.decode(s).unwrap()
}

/// Re-encodes the protected header of a compact token after `edit`.
fn edit_compact_header(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut header: Map<String, Value> = serde_json::from_slice(&b64d(&parts[0])).unwrap();
    edit(&mut header);
    parts[0] = B64.encode(Value::Object(header).to_string());
    parts.join(".")
}

fn flip(b64: &str, at: usize) -> String {
    let mut bytes = b64d(b64);
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
    B64.encode(bytes)
}

// ------------------------------------------------------------------ the draft's examples

#[test]
fn examples_decrypt_and_x448_is_refused() {
    let vectors: Value = serde_json::from_str(&read("jose-vectors.json")).unwrap();
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 16);
    let (mut decrypted, mut refused) = (0, 0);
    for (name, v) in EXAMPLES.iter().zip(vectors) {
        assert_eq!(v["alg"], *name);
        let compact = compact_example(name);
        let flattened = flattened_example(name);
        assert_eq!(v["compact"].as_str().unwrap(), compact, "{name}");
        assert_eq!(v["flattened"], flattened, "{name}");
        let flattened = flattened.to_string();
        if name.starts_with("HPKE-5") || name.starts_with("HPKE-6") {
            // X448: neither the algorithm nor the key is implemented.
            let jwk = Jwk::from_json(&read(&format!("jwks/{name}.json")));
            assert!(
                matches!(
                    jwk.as_ref().map(DecryptionKey::from_jwk),
                    Err(Error::Unsupported(_)) | Ok(Err(Error::Unsupported(_)))
                ),
                "{name}: X448 key"
            );
            assert!(name.parse::<JweAlg>().is_err());
            let keys = example_key("HPKE-0");
            for token in [&compact, &flattened] {
                let e = decrypt(token, &keys, &policy()).unwrap_err();
                assert!(
                    matches!(e, Error::Unsupported(Unsupported::Algorithm)),
                    "{name}: {e:?}"
                );
                refused += 1;
            }
            continue;
        }
        let alg: JweAlg = name.parse().unwrap();
        let keys = example_key(name);
        for token in [&compact, &flattened] {
            let opened = jwe::parse(token, &policy().limits)
                .unwrap()
                .decrypt(&keys, &policy())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(opened.header.alg, alg);
            assert_eq!(opened.header.enc.is_none(), alg.is_integrated(), "{name}");
            let pt = opened.into_plaintext();
            assert_eq!(pt.len(), 269, "{name}");
            assert_eq!(sha256_hex(&pt), PLAINTEXT_SHA256, "{name}");
            decrypted += 1;
        }
    }
    assert_eq!(decrypted, 24, "12 algorithms x compact and flattened");
    assert_eq!(
        refused, 8,
        "HPKE-5 and HPKE-6 (X448) x 2 modes x 2 serializations"
    );
}

#[test]
fn examples_need_the_caller_to_name_hpke() {
    let keys = example_key("HPKE-0");
    // The allowlist made from the keys leaves HPKE out.
    let fitting = JwePolicy::fitting(&keys);
    assert!(fitting.algs.iter().all(|a| !a.is_hpke()));
    let e = decrypt(&compact_example("HPKE-0"), &keys, &fitting).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Rejected(Rejected::AlgNotAllowed(_)) | Error::ApiMisuse(_)
        ),
        "{e:?}"
    );
    // Another HPKE algorithm named is not enough.
    let other = JwePolicy::new(&[JweAlg::Hpke0Ke], &[JweEnc::A128Gcm]);
    let e = decrypt(&compact_example("HPKE-0"), &keys, &other).unwrap_err();
    assert!(
        matches!(e, Error::Rejected(Rejected::AlgNotAllowed(_))),
        "{e:?}"
    );
    // Named alone (no `enc` needed for integrated encryption), it decrypts.
    let only = JwePolicy::new(&[JweAlg::Hpke0], &[]);
    assert_eq!(
        sha256_hex(&decrypt(&compact_example("HPKE-0"), &keys, &only).unwrap()),
        PLAINTEXT_SHA256
    );
}

// ------------------------------------------------------------------ round trips

fn key_kind(alg: JweAlg) -> KeyKind {
    match alg {
        JweAlg::Hpke0 | JweAlg::Hpke0Ke | JweAlg::Hpke7 | JweAlg::Hpke7Ke => {
            KeyKind::Ec(EcCurve::P256)
        }
        JweAlg::Hpke1 | JweAlg::Hpke1Ke => KeyKind::Ec(EcCurve::P384),
        JweAlg::Hpke2 | JweAlg::Hpke2Ke => KeyKind::Ec(EcCurve::P521),
        _ => KeyKind::Okp(OkpCurve::X25519),
    }
}

fn pair(alg: JweAlg, kid: &str) -> (EncryptionKey, DecryptionKey) {
    let jwk = Jwk::generate(key_kind(alg)).unwrap().with_kid(kid);
    (
        EncryptionKey::from_jwk(&jwk.to_public().unwrap()).unwrap(),
        DecryptionKey::from_jwk(&jwk).unwrap(),
    )
}

fn body() -> Vec<u8> {
    (0..3000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn integrated_round_trips_in_every_serialization() {
    for alg in INTEGRATED {
        let (to, from) = pair(alg, "r1");
        let keys = DecryptionKeys::single(from);
        let policy = JwePolicy::new(&[alg], &[]).allow_zip();
        let e = Encryptor::hpke(alg).unwrap().recipient(&to, alg).unwrap();
        let compact = e.compact(&body()).unwrap();
        let parts: Vec<&str> = compact.split('.').collect();
        assert_eq!(parts.len(), 5);
        assert!(
            parts[2].is_empty() && parts[4].is_empty(),
            "{alg}: {compact}"
        );
        let header: Value = serde_json::from_slice(&b64d(parts[0])).unwrap();
        assert_eq!(header, json!({"alg": alg.as_str(), "kid": "r1"}));
        assert_eq!(b64d(parts[3]).len(), body().len() + 16, "{alg}: tag inside");
        assert_eq!(decrypt(&compact, &keys, &policy).unwrap(), body(), "{alg}");

        let with_aad = e.clone().with_aad(b"The Fellowship of the Ring");
        for json in [
            e.flattened(&body()).unwrap(),
            e.general(&body()).unwrap(),
            with_aad.flattened(&body()).unwrap(),
            with_aad.general(&body()).unwrap(),
        ] {
            let doc: Value = serde_json::from_str(&json).unwrap();
            assert!(
                doc.get("iv").is_none() && doc.get("tag").is_none(),
                "{json}"
            );
            assert_eq!(decrypt(&json, &keys, &policy).unwrap(), body(), "{alg}");
        }
        let zipped = e.clone().with_zip().compact(&body()).unwrap();
        assert_eq!(
            decrypt(&zipped, &keys, &policy).unwrap(),
            body(),
            "{alg} zip"
        );
        // Streaming encryption takes the same path.
        let mut out = Vec::new();
        bodyseal::stream::encrypt_compact(&e, &body()[..], &mut out).unwrap();
        let streamed = String::from_utf8(out).unwrap();
        assert_eq!(
            decrypt(&streamed, &keys, &policy).unwrap(),
            body(),
            "{alg} stream"
        );
    }
}

#[test]
fn key_encryption_round_trips_in_every_serialization() {
    for alg in KEY_ENCRYPTION {
        for enc in [JweEnc::A128Gcm, JweEnc::A256Gcm, JweEnc::A128CbcHs256] {
            let (to, from) = pair(alg, "r1");
            let keys = DecryptionKeys::single(from);
            let policy = JwePolicy::new(&[alg], &[enc]);
            let e = Encryptor::new(enc).recipient(&to, alg).unwrap();
            let compact = e.compact(&body()).unwrap();
            let header: Value =
                serde_json::from_slice(&b64d(compact.split('.').next().unwrap())).unwrap();
            assert_eq!(header["enc"], enc.as_str());
            assert!(header["ek"].is_string(), "ek protected in compact");
            assert_eq!(decrypt(&compact, &keys, &policy).unwrap(), body(), "{alg}");
            let flattened = e.clone().with_aad(b"aad").flattened(&body()).unwrap();
            assert_eq!(
                decrypt(&flattened, &keys, &policy).unwrap(),
                body(),
                "{alg}"
            );

            // Several recipients: each has its own `ek`, in its own header.
            let (to2, from2) = pair(alg, "r2");
            let ecdh = Jwk::generate(KeyKind::Ec(EcCurve::P256))
                .unwrap()
                .with_kid("r3");
            let general = e
                .clone()
                .recipient(&to2, alg)
                .unwrap()
                .recipient(
                    &EncryptionKey::from_jwk(&ecdh.to_public().unwrap()).unwrap(),
                    JweAlg::EcdhEsA256Kw,
                )
                .unwrap()
                .general(&body())
                .unwrap();
            let doc: Value = serde_json::from_str(&general).unwrap();
            let recipients = doc["recipients"].as_array().unwrap();
            assert_eq!(recipients.len(), 3);
            assert_ne!(recipients[0]["header"]["ek"], recipients[1]["header"]["ek"]);
            assert!(recipients[0]["header"]["ek"].is_string());
            let policy2 = JwePolicy::new(&[alg, JweAlg::EcdhEsA256Kw], &[enc]);
            for k in [
                keys.clone(),
                DecryptionKeys::single(from2),
                DecryptionKeys::single(DecryptionKey::from_jwk(&ecdh).unwrap()),
            ] {
                assert_eq!(decrypt(&general, &k, &policy2).unwrap(), body(), "{alg}");
            }
        }
    }
}

#[test]
fn encryptor_refuses_misuse() {
    let (to, _) = pair(JweAlg::Hpke0, "k");
    assert!(matches!(
        Encryptor::new(JweEnc::A128Gcm).recipient(&to, JweAlg::Hpke0),
        Err(Error::ApiMisuse(_))
    ));
    assert!(matches!(
        Encryptor::hpke(JweAlg::Hpke0Ke),
        Err(Error::ApiMisuse(_))
    ));
    let e = Encryptor::hpke(JweAlg::Hpke0).unwrap();
    assert!(matches!(
        e.clone().recipient(&to, JweAlg::Hpke7),
        Err(Error::ApiMisuse(_))
    ));
    let one = e.recipient(&to, JweAlg::Hpke0).unwrap();
    assert!(matches!(
        one.recipient(&to, JweAlg::Hpke0),
        Err(Error::ApiMisuse(_))
    ));
    // The key must fit the suite's KEM.
    let (x25519, _) = pair(JweAlg::Hpke3, "x");
    assert!(matches!(
        Encryptor::hpke(JweAlg::Hpke0)
            .unwrap()
            .recipient(&x25519, JweAlg::Hpke0),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
    let (p384, _) = pair(JweAlg::Hpke1, "p");
    assert!(matches!(
        Encryptor::new(JweEnc::A128Gcm).recipient(&p384, JweAlg::Hpke0Ke),
        Err(Error::Rejected(Rejected::KeyMismatch(_)))
    ));
}

// ------------------------------------------------------------------ refusals

fn assert_malformed(r: bodyseal::Result<Vec<u8>>, what: &str) {
    match r {
        Err(Error::Malformed(_)) => {}
        other => panic!("{what}: expected Malformed, got {other:?}"),
    }
}

fn assert_failed(r: bodyseal::Result<Vec<u8>>, what: &str) {
    match r {
        Err(Error::DecryptionFailed) => {}
        other => panic!("{what}: expected DecryptionFailed, got {other:?}"),
    }
}

#[test]
fn integrated_refuses_enc_ek_and_unprotected_alg() {
    let keys = example_key("HPKE-0");
    let token = compact_example("HPKE-0");
    let with_enc = edit_compact_header(&token, |h| {
        h.insert("enc".into(), "A128GCM".into());
    });
    assert_malformed(decrypt(&with_enc, &keys, &policy()), "enc with HPKE-0");
    let with_ek = edit_compact_header(&token, |h| {
        h.insert("ek".into(), B64.encode([4u8; 65]).into());
    });
    assert_malformed(decrypt(&with_ek, &keys, &policy()), "ek with HPKE-0");

    // `alg` in the unprotected header.
    let mut doc = flattened_example("HPKE-0");
    let mut header: Map<String, Value> =
        serde_json::from_slice(&b64d(doc["protected"].as_str().unwrap())).unwrap();
    let alg = header.remove("alg").unwrap();
    doc["protected"] = B64.encode(Value::Object(header).to_string()).into();
    doc["unprotected"] = json!({ "alg": alg });
    let r = decrypt(&doc.to_string(), &keys, &policy());
    assert!(matches!(r, Err(Error::Malformed(_))), "{r:?}");

    // `enc` in the shared unprotected header.
    let mut doc = flattened_example("HPKE-0");
    doc["unprotected"] = json!({ "enc": "A128GCM" });
    assert_malformed(
        decrypt(&doc.to_string(), &keys, &policy()),
        "unprotected enc",
    );
}

#[test]
fn integrated_refuses_two_recipients() {
    let keys = example_key("HPKE-0");
    let flat = flattened_example("HPKE-0");
    let mut doc = flat.clone();
    let ek = doc
        .as_object_mut()
        .unwrap()
        .remove("encrypted_key")
        .unwrap();
    doc["recipients"] = json!([{ "encrypted_key": ek }, { "encrypted_key": ek }]);
    let r = decrypt(&doc.to_string(), &keys, &policy());
    assert!(
        matches!(r, Err(Error::Malformed(Malformed::InvalidMember(_)))),
        "{r:?}"
    );
    // The general serialization with one recipient is fine.
    let mut doc = flat;
    let ek = doc
        .as_object_mut()
        .unwrap()
        .remove("encrypted_key")
        .unwrap();
    doc["recipients"] = json!([{ "encrypted_key": ek }]);
    assert_eq!(
        sha256_hex(&decrypt(&doc.to_string(), &keys, &policy()).unwrap()),
        PLAINTEXT_SHA256
    );
}

#[test]
fn integrated_refuses_iv_and_tag() {
    let keys = example_key("HPKE-0");
    let token = compact_example("HPKE-0");
    let parts: Vec<&str> = token.split('.').collect();
    let twelve = B64.encode([0u8; 12]);
    let sixteen = B64.encode([0u8; 16]);
    let with_iv = [parts[0], parts[1], &twelve, parts[3], parts[4]].join(".");
    assert_malformed(decrypt(&with_iv, &keys, &policy()), "compact iv");
    let with_tag = [parts[0], parts[1], parts[2], parts[3], &sixteen].join(".");
    assert_malformed(decrypt(&with_tag, &keys, &policy()), "compact tag");
    for (member, value) in [("iv", &twelve), ("tag", &sixteen), ("iv", &String::new())] {
        let mut doc = flattened_example("HPKE-0");
        doc[member] = value.clone().into();
        assert_malformed(decrypt(&doc.to_string(), &keys, &policy()), member);
    }
}

#[test]
fn psk_id_is_refused() {
    // Unprotected: refused as malformed, in both modes.
    for name in ["HPKE-0", "HPKE-0-KE"] {
        let keys = example_key(name);
        let mut doc = flattened_example(name);
        doc["unprotected"] = json!({ "psk_id": "cHNr" });
        assert_malformed(decrypt(&doc.to_string(), &keys, &policy()), name);
        let mut doc = flattened_example(name);
        doc["header"] = json!({ "psk_id": "cHNr" });
        assert_malformed(decrypt(&doc.to_string(), &keys, &policy()), name);
        // Protected: the PSK mode is not implemented.
        let token = edit_compact_header(&compact_example(name), |h| {
            h.insert("psk_id".into(), "cHNr".into());
        });
        let r = decrypt(&token, &keys, &policy());
        assert!(
            matches!(r, Err(Error::Unsupported(Unsupported::Feature(_)))),
            "{name}: {r:?}"
        );
    }
}

#[test]
fn key_encryption_refuses_missing_ek_and_enc() {
    let keys = example_key("HPKE-0-KE");
    let token = compact_example("HPKE-0-KE");
    let no_ek = edit_compact_header(&token, |h| {
        h.remove("ek");
    });
    assert_malformed(decrypt(&no_ek, &keys, &policy()), "no ek");
    let no_enc = edit_compact_header(&token, |h| {
        h.remove("enc");
    });
    assert_malformed(decrypt(&no_enc, &keys, &policy()), "no enc");
}

#[test]
fn tampering_gives_decryption_failed() {
    let mut cases = 0;
    for name in [
        "HPKE-0",
        "HPKE-3",
        "HPKE-4",
        "HPKE-2",
        "HPKE-0-KE",
        "HPKE-4-KE",
    ] {
        let keys = example_key(name);
        let token = compact_example(name);
        let parts: Vec<&str> = token.split('.').collect();
        // Encrypted key (integrated: the encapsulated key; its first byte too), ciphertext.
        for (seg, at) in [(1, 0), (1, 10), (3, 0), (3, 200), (3, 1000)] {
            let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
            p[seg] = flip(&p[seg], at);
            assert_failed(
                decrypt(&p.join("."), &keys, &policy()),
                &format!("{name} {seg}"),
            );
            cases += 1;
        }
        // A truncated encrypted key.
        let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        let mut ek = b64d(&p[1]);
        ek.pop();
        p[1] = B64.encode(ek);
        assert_failed(decrypt(&p.join("."), &keys, &policy()), name);
        // The JWE AAD of the JSON form.
        let mut doc = flattened_example(name);
        doc["aad"] = B64.encode("The Two Towers").into();
        assert_failed(decrypt(&doc.to_string(), &keys, &policy()), name);
        cases += 2;
        if name.ends_with("-KE") {
            // The `ek` header (protected, so the header changes too) and the content tag.
            let tampered = edit_compact_header(&token, |h| {
                let ek = h["ek"].as_str().unwrap().to_owned();
                h.insert("ek".into(), flip(&ek, 20).into());
            });
            assert_failed(decrypt(&tampered, &keys, &policy()), "ek header");
            let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
            p[4] = flip(&p[4], 3);
            assert_failed(decrypt(&p.join("."), &keys, &policy()), "tag");
            // `ek` moved to an unprotected header: the protected header changed, the
            // content no longer authenticates.
            let mut doc = flattened_example(name);
            let mut h: Map<String, Value> =
                serde_json::from_slice(&b64d(doc["protected"].as_str().unwrap())).unwrap();
            let ek = h.remove("ek").unwrap();
            doc["protected"] = B64.encode(Value::Object(h).to_string()).into();
            doc["header"] = json!({ "ek": ek });
            assert_failed(decrypt(&doc.to_string(), &keys, &policy()), "moved ek");
            cases += 3;
        }
    }
    assert!(cases >= 40);
}

#[test]
fn wrong_key_of_the_same_curve_fails() {
    // HPKE-0 token, HPKE-7's P-256 key under the expected kid and alg.
    let token = compact_example("HPKE-0");
    let mut jwk: Value = serde_json::from_str(&read("jwks/HPKE-7.json")).unwrap();
    jwk["alg"] = "HPKE-0".into();
    jwk["kid"] = "KfvD-eYaynUKba0ow-v9uoEV-twV6mYDyiAOWO6LoPM".into();
    let keys =
        DecryptionKeys::single(DecryptionKey::from_jwk(&Jwk::from_value(&jwk).unwrap()).unwrap());
    assert_failed(decrypt(&token, &keys, &policy()), "wrong key");
    // The key's `alg` names the other mode: no candidate.
    let keys = example_key("HPKE-0-KE");
    let r = decrypt(&token, &keys, &policy());
    assert!(matches!(r, Err(Error::Rejected(_))), "{r:?}");
}

// ------------------------------------------------------------------ Python interop

const PY_HPKE: &str = r#"
import base64, json, sys
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives import hpke

def b64d(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def mac(h, k, d):
    m = hmac.HMAC(k, h()); m.update(d); return m.finalize()
def extract(h, salt, ikm): return mac(h, salt or b"\0" * h.digest_size, ikm)
def expand(h, prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = mac(h, prk, t + info + bytes([i])); out += t; i += 1
    return out[:n]
def lx(h, sid, salt, label, ikm): return extract(h, salt, b"HPKE-v1" + sid + label + ikm)
def le(h, sid, prk, label, info, n):
    return expand(h, prk, n.to_bytes(2, "big") + b"HPKE-v1" + sid + label + info, n)
KEMS = {0x10: (hashes.SHA256, 32), 0x11: (hashes.SHA384, 48), 0x12: (hashes.SHA512, 64), 0x20: (hashes.SHA256, 32)}
KDFS = {1: hashes.SHA256, 2: hashes.SHA384, 3: hashes.SHA512}
AEADS = {1: (AESGCM, 16), 2: (AESGCM, 32), 3: (ChaCha20Poly1305, 32)}
SUITES = {"0": (0x10, 1, 1), "1": (0x11, 2, 2), "2": (0x12, 3, 2), "3": (0x20, 1, 1), "4": (0x20, 1, 3), "7": (0x10, 1, 2)}
CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
def private(jwk):
    if jwk["kty"] == "EC": return ec.derive_private_key(int.from_bytes(b64d(jwk["d"]), "big"), CURVES[jwk["crv"]])
    return x25519.X25519PrivateKey.from_private_bytes(b64d(jwk["d"]))
def pub_bytes(pk):
    if isinstance(pk, ec.EllipticCurvePublicKey):
        return pk.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return pk.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
def open_(suite, sk, enc, ct, info, aad):
    kem, kdf, aead = suite
    kh, ns = KEMS[kem]
    if isinstance(sk, ec.EllipticCurvePrivateKey):
        dh = sk.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(sk.curve, enc))
    else:
        dh = sk.exchange(x25519.X25519PublicKey.from_public_bytes(enc))
    ksid = b"KEM" + kem.to_bytes(2, "big")
    ss = le(kh, ksid, lx(kh, ksid, b"", b"eae_prk", dh), b"shared_secret", enc + pub_bytes(sk.public_key()), ns)
    h = KDFS[kdf]; cls, nk = AEADS[aead]
    sid = b"HPKE" + kem.to_bytes(2, "big") + kdf.to_bytes(2, "big") + aead.to_bytes(2, "big")
    ctx = b"\0" + lx(h, sid, b"", b"psk_id_hash", b"") + lx(h, sid, b"", b"info_hash", info)
    secret = lx(h, sid, ss, b"secret", b"")
    return cls(le(h, sid, secret, b"key", ctx, nk)).decrypt(le(h, sid, secret, b"base_nonce", ctx, 12), ct, aad)
LIB = {0x10: "P256", 0x11: "P384", 0x12: "P521", 0x20: "X25519"}
LKDF = {1: "HKDF_SHA256", 2: "HKDF_SHA384", 3: "HKDF_SHA512"}
LAEAD = {1: "AES_128_GCM", 2: "AES_256_GCM", 3: "CHACHA20_POLY1305"}

jwk = json.load(open(sys.argv[1]))
sk = private(jwk)
for line in open(sys.argv[2]).read().split():
    if line.startswith("{"):
        doc = json.loads(line)
        prot, ek_b, iv, ct, tag = doc["protected"], doc.get("encrypted_key", ""), doc.get("iv", ""), doc["ciphertext"], doc.get("tag", "")
        aad = (prot + "." + doc["aad"]).encode() if "aad" in doc else prot.encode()
        extra = dict(doc.get("header", {}), **doc.get("unprotected", {}))
    else:
        prot, ek_b, iv, ct, tag = line.split(".")
        aad = prot.encode()
        extra = {}
    hdr = json.loads(b64d(prot))
    assert not set(hdr) & set(extra)
    hdr.update(extra)
    num = hdr["alg"].split("-")[1]
    suite = SUITES[num]
    if hdr["alg"].endswith("-KE"):
        info = b"JOSE-HPKE rcpt\xff" + hdr["enc"].encode() + b"\xff"
        s = hpke.Suite(getattr(hpke.KEM, LIB[suite[0]]), getattr(hpke.KDF, LKDF[suite[1]]), getattr(hpke.AEAD, LAEAD[suite[2]]))
        cek = s.decrypt(b64d(hdr["ek"]) + b64d(ek_b), sk, info=info)
        assert cek == open_(suite, sk, b64d(hdr["ek"]), b64d(ek_b), info, b"")
        pt = AESGCM(cek).decrypt(b64d(iv), b64d(ct) + b64d(tag), aad)
    else:
        assert "enc" not in hdr and iv == "" and tag == ""
        pt = open_(suite, sk, b64d(ek_b), b64d(ct), b"", aad)
    sys.stdout.write(pt.hex() + "\n")
"#;

#[test]
fn python_cryptography_decrypts_what_bodyseal_encrypts() {
    let tmp = std::env::temp_dir().join(format!("bodyseal-hpke-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let script = tmp.join("open.py");
    std::fs::write(&script, PY_HPKE).unwrap();
    let mut checked = 0;
    for alg in all_hpke() {
        let jwk = Jwk::generate(key_kind(alg)).unwrap().with_kid("py");
        let to = EncryptionKey::from_jwk(&jwk.to_public().unwrap()).unwrap();
        let e = if alg.is_integrated() {
            Encryptor::hpke(alg).unwrap()
        } else {
            Encryptor::new(JweEnc::A256Gcm)
        }
        .recipient(&to, alg)
        .unwrap();
        let tokens = [
            e.compact(&body()).unwrap(),
            e.flattened(&body()).unwrap(),
            e.clone().with_aad(b"interop").flattened(&body()).unwrap(),
        ];
        let key_path = tmp.join(format!("{alg}.jwk"));
        let tokens_path = tmp.join(format!("{alg}.txt"));
        std::fs::write(&key_path, jwk.to_json()).unwrap();
        std::fs::write(&tokens_path, tokens.join("\n")).unwrap();
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg(&key_path)
            .arg(&tokens_path)
            .output()
            .expect("python3 must be installed for this test");
        assert!(
            out.status.success(),
            "{alg}: python3 failed (is `cryptography` >= 48 installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected: String = body().iter().map(|b| format!("{b:02x}")).collect();
        let lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(lines.len(), tokens.len(), "{alg}");
        for l in lines {
            assert_eq!(l, expected, "{alg}");
            checked += 1;
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(checked, 36);
}

/// `bodyseal vectors check` runs the draft's vector list: every supported token decrypts
/// (compact and flattened agree), and the four X448 entries are refused and counted apart.
#[test]
fn vectors_check_runs_the_drafts_examples() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/conformance/hpke-jose/jose-vectors.json");
    let report = bodyseal::vectors::check_paths(&[file]).unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!((report.passed, report.unsupported), (24, 4));
}
