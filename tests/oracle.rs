//! The plaintext oracles a security review found in the streamed opener, as regression
//! tests. Holding no key, only a captured token, an attacker who changes it must get the
//! same answer however the change decrypts or parses:
//!
//! * sign-then-encrypt with A*CBC-HS*: IV' = C[i-1] XOR delta and ciphertext C[i] ||
//!   C[i+1] makes the forged first block decrypt to chosen changes of a known block. The
//!   streamed opener used to feed it to the inner JWS parser before the tag was checked
//!   (a `.` in the block gave "invalid json in header", none gave "decryption failed").
//!   Every variant must fail exactly like a bad tag, with nothing written.
//! * encrypt-then-sign: a forged outer signature over any inner token (valid, tampered,
//!   malformed) must fail exactly like a bad signature; the inner token is not even
//!   parsed before the outer signature verified.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JweAlg, JweEnc, JwsAlg};
use bodyseal::b64;
use bodyseal::error::{Error, Part};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealer};
use serde_json::{json, Value};
use std::io::Cursor;

mod common;

const CBC: [JweEnc; 3] = [
    JweEnc::A128CbcHs256,
    JweEnc::A192CbcHs384,
    JweEnc::A256CbcHs512,
];

fn exchange() -> Exchange {
    Exchange::Request(RequestBinding::new("POST", "https://pay.example/cards").unwrap())
}

/// A body long enough for several CBC blocks inside the inner JWS.
const BODY: &[u8] = br#"{"card":"4111111111111111","exp":"12/29","cvv":"123","name":"A. Patient"}"#;

struct Case {
    order: Order,
    alg: JwsAlg,
    key_index: usize,
    enc: JweEnc,
}

fn fixture(enc: JweEnc) -> &'static common::Fixture {
    common::encryption_fixtures()
        .iter()
        .find(|f| f.alg == JweAlg::A256Kw && f.enc == enc)
        .unwrap()
}

fn seal(c: &Case, outer: Outer) -> String {
    let (alg, key, _) = &common::signing_fixtures()[c.key_index];
    assert_eq!(*alg, c.alg);
    let r = fixture(c.enc);
    Sealer::new(c.order, key)
        .with_alg(c.alg)
        .unwrap()
        .with_enc(c.enc)
        .unwrap()
        .recipient(&r.to, r.alg)
        .unwrap()
        .with_outer(outer)
        .seal(BODY, &exchange())
        .unwrap()
        .token
}

fn opener(c: &Case) -> Opener {
    let (_, _, trusted) = &common::signing_fixtures()[c.key_index];
    let r = fixture(c.enc);
    Opener::new(
        c.order,
        trusted.clone(),
        JwsPolicy::new(&[c.alg]),
        r.keys.clone(),
        JwePolicy::new(&[r.alg], &[r.enc]),
    )
}

/// Both paths refuse `token` with exactly `expected`, and the streamed one writes nothing.
#[track_caller]
fn refused_alike(c: &Case, token: &str, expected: &Error) {
    let one = opener(c).open(token, &exchange());
    assert_eq!(one.as_ref().err(), Some(expected), "one-shot: {token}");
    let mut out = Vec::new();
    let streamed = opener(c).open_stream(Cursor::new(token.as_bytes()), &exchange(), &mut out);
    assert_eq!(streamed.as_ref().err(), Some(expected), "streamed: {token}");
    assert!(
        out.is_empty(),
        "the streamed opener wrote {} bytes",
        out.len()
    );
}

fn es256() -> usize {
    common::signing_fixtures()
        .iter()
        .position(|(a, _, _)| *a == JwsAlg::Es256)
        .unwrap()
}

/// The JWE members of a compact or JSON token, and a function putting changed IV and
/// ciphertext back.
fn jwe_parts(token: &str) -> (Vec<u8>, Vec<u8>) {
    if token.starts_with('{') {
        let v: Value = serde_json::from_str(token).unwrap();
        let get = |n: &str| b64::decode(v[n].as_str().unwrap().as_bytes(), Part::Token).unwrap();
        (get("iv"), get("ciphertext"))
    } else {
        let s: Vec<&str> = token.split('.').collect();
        let get = |i: usize| b64::decode(s[i].as_bytes(), Part::Token).unwrap();
        (get(2), get(3))
    }
}

fn with_iv_ct(token: &str, iv: &[u8], ct: &[u8]) -> String {
    if token.starts_with('{') {
        let mut v: Value = serde_json::from_str(token).unwrap();
        v["iv"] = json!(b64::encode(iv));
        v["ciphertext"] = json!(b64::encode(ct));
        v.to_string()
    } else {
        let mut s: Vec<String> = token.split('.').map(str::to_owned).collect();
        s[2] = b64::encode(iv);
        s[3] = b64::encode(ct);
        s.join(".")
    }
}

#[test]
fn cbc_block_forgeries_fail_like_a_bad_tag_on_both_paths() {
    let mut variants = 0;
    for enc in CBC {
        for outer in [Outer::Compact, Outer::Flattened, Outer::General] {
            let c = Case {
                order: Order::SignThenEncrypt,
                alg: JwsAlg::Es256,
                key_index: es256(),
                enc,
            };
            let token = seal(&c, outer);
            assert!(opener(&c).open(&token, &exchange()).is_ok());
            let (iv, ct) = jwe_parts(&token);
            let blocks: Vec<&[u8]> = ct.chunks(16).collect();
            assert!(blocks.len() >= 6, "{}", blocks.len());
            // Every block position, and every value of one byte of the forged block
            // (some of them put a `.` or a `{` where the inner parser would see it).
            for i in 0..blocks.len() - 1 {
                let prev = if i == 0 { &iv[..] } else { blocks[i - 1] };
                let (j, deltas): (usize, Vec<u8>) = if i == 1 {
                    (3, (0..=255).collect())
                } else {
                    (i % 16, vec![0, 1, b'.' ^ b'e', 0x80])
                };
                for d in deltas {
                    let mut forged_iv = prev.to_vec();
                    forged_iv[j] ^= d;
                    let forged_ct = [blocks[i], blocks[i + 1]].concat();
                    let forged = with_iv_ct(&token, &forged_iv, &forged_ct);
                    refused_alike(&c, &forged, &Error::DecryptionFailed);
                    variants += 1;
                }
            }
            // The IV alone changed, for comparison: the same answer.
            let mut iv2 = iv.clone();
            iv2[0] ^= 1;
            refused_alike(&c, &with_iv_ct(&token, &iv2, &ct), &Error::DecryptionFailed);
        }
    }
    assert!(variants > 3 * 3 * 256, "{variants}");
}

/// An outer compact JWS or flattened JSON over `inner`, signed by nobody.
fn forged_outer(real: &str, inner: &[u8], json: bool) -> String {
    let (protected, signature) = if real.starts_with('{') {
        let v: Value = serde_json::from_str(real).unwrap();
        (
            v["protected"].as_str().unwrap().to_owned(),
            v["signature"].as_str().unwrap().to_owned(),
        )
    } else {
        let s: Vec<&str> = real.split('.').collect();
        (s[0].to_owned(), s[2].to_owned())
    };
    let payload = b64::encode(inner);
    if json {
        json!({"protected": protected, "payload": payload, "signature": signature}).to_string()
    } else {
        format!("{protected}.{payload}.{signature}")
    }
}

#[test]
fn a_forged_outer_signature_fails_like_a_bad_signature_whatever_the_inner_token() {
    for enc in [JweEnc::A128CbcHs256, JweEnc::A256Gcm] {
        for json in [false, true] {
            let c = Case {
                order: Order::EncryptThenSign,
                alg: JwsAlg::Es256,
                key_index: es256(),
                enc,
            };
            let real = seal(
                &c,
                if json {
                    Outer::Flattened
                } else {
                    Outer::Compact
                },
            );
            assert!(opener(&c).open(&real, &exchange()).is_ok());
            // The real inner JWE, then changed, then malformed in each way the review
            // saw answered differently.
            let inner = if json {
                let v: Value = serde_json::from_str(&real).unwrap();
                b64::decode(v["payload"].as_str().unwrap().as_bytes(), Part::Payload).unwrap()
            } else {
                let s: Vec<&str> = real.split('.').collect();
                b64::decode(s[1].as_bytes(), Part::Payload).unwrap()
            };
            let text = String::from_utf8(inner.clone()).unwrap();
            let mut flipped = inner.clone();
            let mid = flipped.len() / 2;
            flipped[mid] = if flipped[mid] == b'A' { b'B' } else { b'A' };
            let variants: Vec<Vec<u8>> = vec![
                // The same inner token under a signature of another payload.
                format!("{text}.x").into_bytes(),
                flipped,
                format!("!!{}", &text[2..]).into_bytes(),
                b"a.b.c".to_vec(),
                b"not a token".to_vec(),
                vec![0xff, 0xfe, b'.', 0],
                Vec::new(),
            ];
            for v in variants {
                refused_alike(&c, &forged_outer(&real, &v, json), &Error::InvalidSignature);
            }
            // The real inner token with a signature that is not the signer's.
            let mut s: Vec<String> = forged_outer(&real, &inner, false)
                .split('.')
                .map(str::to_owned)
                .collect();
            let sig = b64::decode(s[2].as_bytes(), Part::Signature).unwrap();
            let mut bad = sig.clone();
            bad[0] ^= 1;
            s[2] = b64::encode(&bad);
            refused_alike(&c, &s.join("."), &Error::InvalidSignature);
        }
    }
}
