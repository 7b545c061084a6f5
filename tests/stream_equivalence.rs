//! The streamed and one-shot paths give the same result for every input: the same body,
//! or an error of the same class. Random bodies over every signature algorithm and every
//! key-management / content-encryption pair, both orders, compact and JSON outers, with
//! random tampering of the token; and the one-layer paths the same way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::KeyManagement;
use bodyseal::error::{Error, Rejected};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jws::{self, Signer};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealer};
use bodyseal::stream;
use proptest::prelude::*;
use std::io::Cursor;

mod common;
use common::Fixture;

fn recipients() -> Vec<&'static Fixture> {
    common::encryption_fixtures()
        .iter()
        .filter(|f| !matches!(f.alg.management(), KeyManagement::Pbes2(..)))
        .collect()
}

fn exchange() -> Exchange {
    Exchange::Request(RequestBinding::new("POST", "https://records.example/p?q=1").unwrap())
}

/// Equal errors, two refusals of the same limit counting as equal whatever size each
/// measured (the streamed path stops counting at the limit).
fn same_class(a: &Error, b: &Error) -> bool {
    match (a, b) {
        (
            Error::Rejected(Rejected::LimitExceeded { limit: x, .. }),
            Error::Rejected(Rejected::LimitExceeded { limit: y, .. }),
        ) => x == y,
        _ => a == b,
    }
}

fn agree(one: Result<Vec<u8>, Error>, streamed: Result<Vec<u8>, Error>, what: &str) {
    match (one, streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
        (Err(a), Err(b)) => assert!(same_class(&a, &b), "one-shot {a:?}, streamed {b:?}: {what}"),
        (a, b) => panic!("one-shot {:?}, streamed {:?}: {what}", a.err(), b.err()),
    }
}

/// A change to a token: none, or one ASCII byte replaced, inserted or removed, or the
/// token cut, at a position given as a fraction of its length.
#[derive(Debug, Clone)]
enum Tamper {
    None,
    Replace(f64, u8),
    Insert(f64, u8),
    Remove(f64),
    Cut(f64),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let byte = prop_oneof![
        Just(b'.'),
        Just(b' '),
        Just(b'\n'),
        Just(b'{'),
        Just(b'A'),
        Just(b'_'),
        0x20u8..0x7f
    ];
    prop_oneof![
        2 => Just(Tamper::None),
        4 => (0.0..1.0f64, byte.clone()).prop_map(|(p, b)| Tamper::Replace(p, b)),
        2 => (0.0..1.0f64, byte).prop_map(|(p, b)| Tamper::Insert(p, b)),
        1 => (0.0..1.0f64).prop_map(Tamper::Remove),
        1 => (0.0..1.0f64).prop_map(Tamper::Cut),
    ]
}

fn apply(token: &str, t: &Tamper) -> String {
    let mut b = token.as_bytes().to_vec();
    let at = |p: f64, n: usize| ((p * n as f64) as usize).min(n.saturating_sub(1));
    match *t {
        Tamper::None => {}
        Tamper::Replace(p, c) => {
            let i = at(p, b.len());
            b[i] = if b[i] == c { b'B' } else { c };
        }
        Tamper::Insert(p, c) => b.insert(at(p, b.len() + 1), c),
        Tamper::Remove(p) => {
            b.remove(at(p, b.len()));
        }
        Tamper::Cut(p) => b.truncate(at(p, b.len())),
    }
    String::from_utf8(b).unwrap()
}

fn outer(i: usize) -> Outer {
    [Outer::Compact, Outer::Flattened, Outer::General][i]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn open_and_open_stream_agree(
        ste in any::<bool>(),
        out in 0..3usize,
        sig in 0..common::signing_fixtures().len(),
        rcpt in 0..recipients().len(),
        body in proptest::collection::vec(any::<u8>(), 0..700),
        t in tamper(),
    ) {
        let order = if ste { Order::SignThenEncrypt } else { Order::EncryptThenSign };
        let (alg, key, trusted) = &common::signing_fixtures()[sig];
        let r = recipients()[rcpt];
        let sealed = Sealer::new(order, key)
            .with_alg(*alg).unwrap()
            .with_enc(r.enc).unwrap()
            .recipient(&r.to, r.alg).unwrap()
            .with_outer(outer(out))
            .seal(&body, &exchange())
            .unwrap();
        let token = apply(&sealed.token, &t);
        // Two openers: each has its own replay cache.
        let opener = || Opener::new(
            order,
            trusted.clone(),
            JwsPolicy::new(&[*alg]),
            r.keys.clone(),
            JwePolicy::new(&[r.alg], &[r.enc]),
        );
        let one = opener().open(&token, &exchange()).map(|o| o.into_body());
        let mut streamed_body = Vec::new();
        let streamed = opener()
            .open_stream(Cursor::new(token.as_bytes()), &exchange(), &mut streamed_body)
            .map(|_| streamed_body);
        let untouched = matches!(t, Tamper::None);
        prop_assert!(!untouched || one.is_ok(), "{:?}", one);
        agree(one, streamed, &format!("{order:?} {alg} {} {} {t:?}", r.alg, r.enc));
    }

    #[test]
    fn one_layer_paths_agree(
        sig in 0..common::signing_fixtures().len(),
        rcpt in 0..recipients().len(),
        body in proptest::collection::vec(any::<u8>(), 0..700),
        t in tamper(),
    ) {
        let (alg, key, trusted) = &common::signing_fixtures()[sig];
        let policy = JwsPolicy::new(&[*alg]);
        let token = apply(&Signer::new(key).with_alg(*alg).unwrap().compact(&body).unwrap(), &t);
        let one = jws::parse_compact(&token, &policy.limits)
            .and_then(|u| u.verify(trusted, &policy))
            .map(|v| v.payload().to_vec());
        let mut out = Vec::new();
        let streamed = stream::verify_compact(Cursor::new(token.as_bytes()), trusted, &policy, &mut out)
            .map(|_| out);
        agree(one, streamed, &format!("JWS {alg} {t:?}"));

        let r = recipients()[rcpt];
        let policy = JwePolicy::new(&[r.alg], &[r.enc]);
        let token = apply(
            &Encryptor::new(r.enc).recipient(&r.to, r.alg).unwrap().compact(&body).unwrap(),
            &t,
        );
        let one = jwe::parse_compact(&token, &policy.limits)
            .and_then(|u| u.decrypt(&r.keys, &policy))
            .map(|d| d.into_plaintext());
        let mut out = Vec::new();
        let streamed = stream::decrypt_compact(Cursor::new(token.as_bytes()), &r.keys, &policy, &mut out)
            .map(|_| out);
        agree(one, streamed, &format!("JWE {} {} {t:?}", r.alg, r.enc));
    }
}
