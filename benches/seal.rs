//! Body protection: `Sealer::seal` and `Opener::open` (request binding, both orders)
//! against the same two bodyseal layers composed by hand with no binding and no exchange
//! checks (the "ceiling" here: what the nesting and binding cost on top of the layers,
//! whose own cost against raw aws-lc-rs is in the jws and jwe benches), and against
//! josekit doing the same nesting. Same runner as the other benches (criterion, or
//! `bash benches/callgrind.sh seal`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::exchange::{Exchange, ExchangePolicy, ReplayCache, RequestBinding};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::Jwk;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy, Limits};
use bodyseal::seal::{Opener, Order, Sealer};
#[path = "common/runner.rs"]
mod common;

use common::{row, Row};
use std::hint::black_box;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const URI: &str = "https://api.example.com/v1/records";

fn body(len: usize) -> Vec<u8> {
    let pattern = br#"{"k":"value","n":12345}"#;
    (0..len).map(|i| pattern[i % pattern.len()]).collect()
}

/// A replay cache that accepts everything: a bench opens the same token many times.
#[derive(Debug)]
struct NoReplayCheck;

impl ReplayCache for NoReplayCheck {
    fn check_and_record(&self, _: &str, _: u64, _: u64) -> bodyseal::Result<bool> {
        Ok(true)
    }
}

fn jk(jwk: &Jwk) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap()
}

fn add(rows: &mut Vec<Row>, order: Order, size: usize, label: &str) {
    let client = Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap();
    let server = Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap();
    let body = Rc::new(body(size));
    let (alg, enc, kw) = (JwsAlg::Es256, JweEnc::A256Gcm, JweAlg::EcdhEsA256Kw);
    let signing = SigningKey::from_jwk(&client).unwrap();
    let to_server = EncryptionKey::from_jwk(&server.to_public().unwrap()).unwrap();
    let trusted =
        VerifyingKeys::single(VerifyingKey::from_jwk(&client.to_public().unwrap()).unwrap());
    let mine = DecryptionKeys::single(DecryptionKey::from_jwk(&server).unwrap());
    let mut limits = Limits::default();
    limits.max_token_bytes = 64 << 20;
    let jws_policy = JwsPolicy::new(&[alg]).with_limits(limits);
    let jwe_policy = JwePolicy::new(&[kw], &[enc]).with_limits(limits);
    let exchange = Rc::new(Exchange::Request(RequestBinding::new("POST", URI).unwrap()));

    let sealer = Rc::new(
        Sealer::new(order, &signing)
            .recipient(&to_server, kw)
            .unwrap(),
    );
    let opener = Rc::new(
        Opener::new(
            order,
            trusted.clone(),
            jws_policy.clone(),
            mine.clone(),
            jwe_policy.clone(),
        )
        .with_exchange_policy(ExchangePolicy::default().with_replay_cache(Arc::new(NoReplayCheck))),
    );
    let token = Rc::new(sealer.seal(&body, &exchange).unwrap().token);
    assert_eq!(opener.open(&token, &exchange).unwrap().body(), &body[..]);
    let group = |s: &'static str| s;
    let (seal_g, open_g) = match order {
        Order::SignThenEncrypt => (group("seal_ste"), group("open_ste")),
        _ => (group("seal_ets"), group("open_ets")),
    };

    // bodyseal's Sealer and Opener.
    {
        let (s, b, e) = (sealer.clone(), body.clone(), exchange.clone());
        row(rows, seal_g, "bodyseal", label, move || {
            drop(black_box(s.seal(black_box(&b), &e).unwrap()))
        });
    }
    {
        let (o, t, e) = (opener.clone(), token.clone(), exchange.clone());
        row(rows, open_g, "bodyseal", label, move || {
            drop(black_box(o.open(black_box(&t), &e).unwrap().into_body()))
        });
    }

    // The layers by hand: no aud/iss, no exchange members, no checks.
    let signer = Rc::new(Signer::new(&signing));
    let encryptor = Rc::new(
        Encryptor::new(enc)
            .with_cty("JOSE")
            .recipient(&to_server, kw)
            .unwrap(),
    );
    let (hand_seal, hand_token): (Box<dyn FnMut()>, String) = match order {
        Order::SignThenEncrypt => {
            let (s, e, b) = (signer.clone(), encryptor.clone(), body.clone());
            let t = e.compact(s.compact(&b).unwrap().as_bytes()).unwrap();
            (
                Box::new(move || {
                    let inner = s.compact(black_box(&b)).unwrap();
                    drop(black_box(e.compact_owned(inner.into_bytes()).unwrap()))
                }),
                t,
            )
        }
        _ => {
            let (s, b) = (signer.clone(), body.clone());
            let e = Rc::new(Encryptor::new(enc).recipient(&to_server, kw).unwrap());
            let t = s.compact(e.compact(&b).unwrap().as_bytes()).unwrap();
            (
                Box::new(move || {
                    let inner = e.compact(black_box(&b)).unwrap();
                    drop(black_box(s.compact(inner.as_bytes()).unwrap()))
                }),
                t,
            )
        }
    };
    row(rows, seal_g, "ceiling", label, hand_seal);
    {
        let (trusted, mine, jp, ep) = (
            trusted.clone(),
            mine.clone(),
            jws_policy.clone(),
            jwe_policy.clone(),
        );
        let t = hand_token;
        row(rows, open_g, "ceiling", label, move || {
            let body = match order {
                Order::SignThenEncrypt => {
                    let inner = jwe::parse_compact(black_box(&t), &ep.limits)
                        .unwrap()
                        .decrypt(&mine, &ep)
                        .unwrap();
                    let text = String::from_utf8(inner.into_plaintext()).unwrap();
                    jws::parse_compact(&text, &jp.limits)
                        .unwrap()
                        .verify(&trusted, &jp)
                        .unwrap()
                        .into_payload()
                        .into_owned()
                }
                _ => {
                    let v = jws::parse_compact(black_box(&t), &jp.limits)
                        .unwrap()
                        .verify(&trusted, &jp)
                        .unwrap();
                    let text = std::str::from_utf8(v.payload()).unwrap().to_owned();
                    jwe::parse_compact(&text, &ep.limits)
                        .unwrap()
                        .decrypt(&mine, &ep)
                        .unwrap()
                        .into_plaintext()
                }
            };
            drop(black_box(body))
        });
    }

    // josekit, the same nesting (with the aud or iss member written and checked).
    let jk_signer: Rc<dyn josekit::jws::JwsSigner> =
        Rc::new(josekit::jws::ES256.signer_from_jwk(&jk(&client)).unwrap());
    let jk_verifier: Rc<dyn josekit::jws::JwsVerifier> = Rc::new(
        josekit::jws::ES256
            .verifier_from_jwk(&jk(&client.to_public().unwrap()))
            .unwrap(),
    );
    let jk_enc: Rc<dyn josekit::jwe::JweEncrypter> = Rc::new(
        josekit::jwe::ECDH_ES_A256KW
            .encrypter_from_jwk(&jk(&server.to_public().unwrap()))
            .unwrap(),
    );
    let jk_dec: Rc<dyn josekit::jwe::JweDecrypter> = Rc::new(
        josekit::jwe::ECDH_ES_A256KW
            .decrypter_from_jwk(&jk(&server))
            .unwrap(),
    );
    let binding = Rc::new(String::from(
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:x",
    ));
    let jk_seal = {
        let (s, e, b, bind) = (
            jk_signer.clone(),
            jk_enc.clone(),
            body.clone(),
            binding.clone(),
        );
        move || -> String {
            let mut jh = josekit::jws::JwsHeader::new();
            let mut eh = josekit::jwe::JweHeader::new();
            eh.set_content_encryption("A256GCM");
            match order {
                Order::SignThenEncrypt => {
                    jh.set_claim("aud", Some(bind.as_str().into())).unwrap();
                    eh.set_content_type("JOSE");
                    let inner = josekit::jws::serialize_compact(&b, &jh, &*s).unwrap();
                    josekit::jwe::serialize_compact(inner.as_bytes(), &eh, &*e).unwrap()
                }
                _ => {
                    eh.set_claim("iss", Some(bind.as_str().into())).unwrap();
                    jh.set_content_type("JOSE");
                    let inner = josekit::jwe::serialize_compact(&b, &eh, &*e).unwrap();
                    josekit::jws::serialize_compact(inner.as_bytes(), &jh, &*s).unwrap()
                }
            }
        }
    };
    let jk_token = jk_seal();
    let jk_seal = jk_seal;
    row(rows, seal_g, "josekit", label, move || {
        drop(black_box(jk_seal()))
    });
    {
        let (v, d, bind) = (jk_verifier.clone(), jk_dec.clone(), binding.clone());
        let t = jk_token;
        row(rows, open_g, "josekit", label, move || {
            let body = match order {
                Order::SignThenEncrypt => {
                    let (inner, _) = josekit::jwe::deserialize_compact(black_box(&t), &*d).unwrap();
                    let (body, h) = josekit::jws::deserialize_compact(&inner, &*v).unwrap();
                    assert_eq!(h.claim("aud").and_then(|a| a.as_str()), Some(bind.as_str()));
                    body
                }
                _ => {
                    let (inner, _) = josekit::jws::deserialize_compact(black_box(&t), &*v).unwrap();
                    let (body, h) = josekit::jwe::deserialize_compact(
                        std::str::from_utf8(&inner).unwrap(),
                        &*d,
                    )
                    .unwrap();
                    assert_eq!(h.claim("iss").and_then(|a| a.as_str()), Some(bind.as_str()));
                    body
                }
            };
            drop(black_box(body))
        });
    }
}

fn rows(only: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    for (order, size, label) in [
        (
            Order::SignThenEncrypt,
            1024,
            "ES256+ECDH-ES+A256KW+A256GCM-1KiB",
        ),
        (
            Order::EncryptThenSign,
            1024,
            "ES256+ECDH-ES+A256KW+A256GCM-1KiB",
        ),
        (
            Order::SignThenEncrypt,
            1 << 20,
            "ES256+ECDH-ES+A256KW+A256GCM-1MiB",
        ),
        (
            Order::EncryptThenSign,
            1 << 20,
            "ES256+ECDH-ES+A256KW+A256GCM-1MiB",
        ),
        (
            Order::SignThenEncrypt,
            16 << 20,
            "ES256+ECDH-ES+A256KW+A256GCM-16MiB",
        ),
        (
            Order::EncryptThenSign,
            16 << 20,
            "ES256+ECDH-ES+A256KW+A256GCM-16MiB",
        ),
    ] {
        if only.is_none_or(|o| o == label) {
            add(&mut rows, order, size, label);
        }
    }
    rows
}

fn main() {
    common::main(rows, 20, Duration::from_secs(2));
}
