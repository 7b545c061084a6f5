//! Streaming agrees with the one-shot APIs both ways, at every size around the chunk
//! boundaries and with input arriving a few bytes at a time; tampering is refused.

use super::*;
use crate::alg::{EcCurve, JweAlg, JweEnc, JwsAlg, OkpCurve};
use crate::crypto::KeyKind;
use crate::error::Rejected;
use crate::jwe;
use crate::jwe::Encryptor;
use crate::jwk::Jwk;
use crate::jws::{self, Signer};
use crate::key::{DecryptionKey, EncryptionKey, SigningKey, VerifyingKey};
use crate::key::{DecryptionKeys, VerifyingKeys};
use crate::policy::{JwePolicy, JwsPolicy, Limits};
use std::io::{Cursor, Seek, SeekFrom};

/// Hands out at most `step` bytes per read.
struct Trickle<'a> {
    data: Cursor<&'a [u8]>,
    step: usize,
}

fn trickle(data: &[u8], step: usize) -> Trickle<'_> {
    Trickle {
        data: Cursor::new(data),
        step,
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len());
        self.data.read(&mut buf[..n])
    }
}

impl Seek for Trickle<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.data.seek(to)
    }
}

fn c(data: &[u8]) -> Cursor<&[u8]> {
    Cursor::new(data)
}

fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

const SIZES: &[usize] = &[
    0,
    1,
    2,
    3,
    4,
    16,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK + 17,
];

fn jws_keys() -> Vec<(JwsAlg, SigningKey, VerifyingKeys)> {
    let mut out = Vec::new();
    for (alg, kind) in [
        (JwsAlg::Hs256, KeyKind::Oct(32)),
        (JwsAlg::Hs512, KeyKind::Oct(64)),
        (JwsAlg::Rs256, KeyKind::Rsa(2048)),
        (JwsAlg::Ps384, KeyKind::Rsa(2048)),
        (JwsAlg::Es256, KeyKind::Ec(EcCurve::P256)),
        (JwsAlg::Es384, KeyKind::Ec(EcCurve::P384)),
        (JwsAlg::Es512, KeyKind::Ec(EcCurve::P521)),
        (JwsAlg::EdDsa, KeyKind::Okp(OkpCurve::Ed25519)),
    ] {
        let jwk = Jwk::generate(kind).unwrap();
        let public = jwk
            .to_public()
            .unwrap_or_else(|_| Jwk::from_value(&jwk.to_value()).unwrap());
        out.push((
            alg,
            SigningKey::from_jwk(&jwk).unwrap(),
            VerifyingKeys::single(VerifyingKey::from_jwk(&public).unwrap()),
        ));
    }
    out
}

fn big_policy(algs: &[JwsAlg]) -> JwsPolicy {
    JwsPolicy::new(algs).with_limits(Limits {
        max_token_bytes: usize::MAX,
        ..Limits::default()
    })
}

#[test]
fn jws_streams_agree_with_one_shot_both_ways() {
    for (alg, key, keys) in jws_keys() {
        let signer = Signer::new(&key).with_alg(alg).unwrap();
        let policy = big_policy(&[alg]);
        for &n in SIZES {
            let b = body(n);
            let mut token = Vec::new();
            sign_compact(&signer, trickle(&b[..], 4099), &mut token).unwrap();
            let token = String::from_utf8(token).unwrap();
            let v = jws::parse_compact(&token, &policy.limits)
                .unwrap()
                .verify(&keys, &policy)
                .unwrap();
            assert_eq!(v.payload(), &b[..], "{alg} {n}");
            // One-shot token, streamed verification, a few bytes at a time.
            let one_shot = signer.compact(&b).unwrap();
            let mut out = Vec::new();
            let info =
                verify_compact(trickle(one_shot.as_bytes(), 7), &keys, &policy, &mut out).unwrap();
            assert_eq!(out, b, "{alg} {n}");
            assert_eq!(info.alg, alg);
        }
    }
}

#[test]
fn jws_stream_refuses_tampering_and_policy() {
    let (alg, key, keys) = jws_keys().remove(4);
    let b = body(CHUNK + 5);
    let token = Signer::new(&key).compact(&b).unwrap();
    let policy = big_policy(&[alg]);
    // A payload character changed.
    let mut bad = token.clone().into_bytes();
    let i = bad.len() / 2;
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    let r = verify_compact(c(&bad), &keys, &policy, std::io::sink());
    assert_eq!(r.unwrap_err(), Error::InvalidSignature);
    // Not allowed; too few segments; too many.
    assert!(matches!(
        verify_compact(
            c(token.as_bytes()),
            &keys,
            &big_policy(&[JwsAlg::Es384]),
            std::io::sink()
        ),
        Err(Error::Rejected(Rejected::AlgNotAllowed(_)))
    ));
    assert!(matches!(
        verify_compact(c(b"abc"), &keys, &policy, std::io::sink()),
        Err(Error::Malformed(_))
    ));
    let extra = format!("{token}.x");
    assert!(verify_compact(c(extra.as_bytes()), &keys, &policy, std::io::sink()).is_err());
    // The token-size limit holds while streaming.
    let small = JwsPolicy::new(&[alg]);
    let huge = Signer::new(&key)
        .compact(&body(small.limits.max_token_bytes))
        .unwrap();
    assert!(matches!(
        verify_compact(c(huge.as_bytes()), &keys, &small, std::io::sink()),
        Err(Error::Rejected(Rejected::LimitExceeded { .. }))
    ));
}

fn jwe_policy(alg: JweAlg, enc: JweEnc) -> JwePolicy {
    JwePolicy::new(&[alg], &[enc])
        .with_limits(Limits {
            max_token_bytes: usize::MAX,
            ..Limits::default()
        })
        .allow_zip()
}

#[test]
fn jwe_streams_agree_with_one_shot_both_ways() {
    let server = Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap();
    let to = EncryptionKey::from_jwk(&server.to_public().unwrap()).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&server).unwrap());
    let alg = JweAlg::EcdhEsA256Kw;
    for enc in JweEnc::ALL.iter().copied() {
        for zip in [false, true] {
            let mut e = Encryptor::new(enc).recipient(&to, alg).unwrap();
            if zip {
                e = e.with_zip();
            }
            let policy = jwe_policy(alg, enc);
            for &n in SIZES {
                let b = body(n);
                let mut token = Vec::new();
                encrypt_compact(&e, trickle(&b[..], 5003), &mut token).unwrap();
                let token = String::from_utf8(token).unwrap();
                let d = jwe::parse_compact(&token, &policy.limits)
                    .unwrap()
                    .decrypt(&keys, &policy)
                    .unwrap();
                assert_eq!(d.plaintext(), &b[..], "{enc} {zip} {n}");
                let one_shot = e.compact(&b).unwrap();
                let mut out = Vec::new();
                decrypt_compact(trickle(one_shot.as_bytes(), 11), &keys, &policy, &mut out)
                    .unwrap();
                assert_eq!(out, b, "{enc} {zip} {n}");
            }
        }
    }
}

#[test]
fn jwe_stream_refuses_tampering_opaquely() {
    let k = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let to = EncryptionKey::from_jwk(&k).unwrap();
    let keys = DecryptionKeys::single(DecryptionKey::from_jwk(&k).unwrap());
    for enc in [JweEnc::A128CbcHs256, JweEnc::A256Gcm] {
        let e = Encryptor::new(enc).recipient(&to, JweAlg::A256Kw).unwrap();
        let token = e.compact(&body(CHUNK * 2)).unwrap();
        let policy = jwe_policy(JweAlg::A256Kw, enc);
        let dots: Vec<usize> = token.match_indices('.').map(|(i, _)| i).collect();
        // A ciphertext character, a tag character, the IV.
        for i in [dots[3] - 10, token.len() - 5, dots[2] - 3] {
            let mut bad = token.clone().into_bytes();
            bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
            let r = decrypt_compact(c(&bad), &keys, &policy, std::io::sink());
            assert_eq!(r.unwrap_err(), Error::DecryptionFailed, "{enc} at {i}");
        }
        // Another key.
        let other = Jwk::generate(KeyKind::Oct(32)).unwrap();
        let wrong = DecryptionKeys::single(DecryptionKey::from_jwk(&other).unwrap());
        assert!(decrypt_compact(c(token.as_bytes()), &wrong, &policy, std::io::sink()).is_err());
        // A truncated token.
        let cut = &token.as_bytes()[..dots[3] + 1];
        assert!(decrypt_compact(c(cut), &keys, &policy, std::io::sink()).is_err());
    }
}

/// Found by fuzzing (`jwe_decrypt`): the streaming path accepted a newline at the start of
/// the last segment, which the one-shot path refuses. No whitespace belongs to a token
/// (the CLI trims what surrounds the one it reads); both paths refuse every placement the
/// same way.
#[test]
fn whitespace_is_refused_the_same_way_everywhere_in_a_token() {
    let (alg, key, keys) = jws_keys().remove(0);
    let policy = big_policy(&[alg]);
    let jws_token = Signer::new(&key)
        .with_alg(alg)
        .unwrap()
        .compact(b"{}")
        .unwrap();
    let k = Jwk::generate(KeyKind::Oct(32)).unwrap();
    let dkeys = DecryptionKeys::single(DecryptionKey::from_jwk(&k).unwrap());
    let jwe_token = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&EncryptionKey::from_jwk(&k).unwrap(), JweAlg::Dir)
        .unwrap()
        .compact(b"{}")
        .unwrap();
    let jp = jwe_policy(JweAlg::Dir, JweEnc::A256Gcm);
    let variants = |t: &str| {
        let last = t.rfind('.').unwrap();
        vec![
            format!("{t}\n"),
            format!(" \n{t}\r\n"),
            format!("{}.\n{}", &t[..last], &t[last + 1..]),
            format!("{}\n.{}", &t[..last], &t[last + 1..]),
            format!("{} ", &t[..t.len() - 3]) + &t[t.len() - 3..],
        ]
    };
    for token in variants(&jws_token) {
        let one = jws::parse_compact(&token, &policy.limits).and_then(|u| u.verify(&keys, &policy));
        let streamed = verify_compact(c(token.as_bytes()), &keys, &policy, std::io::sink());
        assert_eq!(one.unwrap_err(), streamed.unwrap_err(), "{token:?}");
    }
    for token in variants(&jwe_token) {
        let one = jwe::parse_compact(&token, &jp.limits).and_then(|u| u.decrypt(&dkeys, &jp));
        let streamed = decrypt_compact(c(token.as_bytes()), &dkeys, &jp, std::io::sink());
        assert_eq!(one.unwrap_err(), streamed.unwrap_err(), "{token:?}");
    }
}
