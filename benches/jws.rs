//! JWS sign and verify: bodyseal against the ceiling (a minimal valid compact token built
//! straight from the aws-lc-rs primitive plus base64url, fixed header, no checks), josekit
//! and jsonwebtoken (aws_lc_rs backend), in one run. Keys are prepared beforehand except in
//! the `import` rows. `benches/ratios.py` turns criterion's estimates into ratio tables.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use aws_lc_rs::{hmac, rand::SystemRandom, signature as sg};
use base64_simd::URL_SAFE_NO_PAD as B64;
use bodyseal::alg::{EcCurve, JwsAlg, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::jws::{self, Signer};
use bodyseal::key::{KeySet, SigningKey, VerifyingKey};
use bodyseal::policy::Policy;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn json_body(len: usize) -> Vec<u8> {
    let mut s = String::from("{\"items\":[");
    let mut i = 0;
    while s.len() + 40 < len {
        s.push_str(&format!(
            "{{\"id\":{i},\"name\":\"item-{i:05}\",\"q\":{}}},",
            i % 7
        ));
        i += 1;
    }
    s.pop();
    s.push_str("],\"end\":true}");
    while s.len() < len {
        s.insert(s.len() - 1, ' ');
    }
    s.into_bytes()
}

/// The raw primitive, prepared once.
#[allow(clippy::large_enum_variant)]
enum Raw {
    Ec(sg::EcdsaKeyPair, sg::ParsedPublicKey),
    Ed(sg::Ed25519KeyPair, sg::ParsedPublicKey),
    Rsa(sg::RsaKeyPair, sg::ParsedPublicKey),
    Hmac(hmac::Key),
}

impl Raw {
    fn new(alg: JwsAlg, jwk: &Jwk) -> Self {
        let der = jwk.to_pkcs8_der();
        match (alg, &jwk.params) {
            (JwsAlg::Es256, KeyParams::Ec { x, y, .. }) => {
                let pair = sg::EcdsaKeyPair::from_pkcs8(
                    &sg::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &der.unwrap(),
                )
                .unwrap();
                let mut point = vec![4];
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                Raw::Ec(
                    pair,
                    sg::ParsedPublicKey::new(&sg::ECDSA_P256_SHA256_FIXED, point).unwrap(),
                )
            }
            (JwsAlg::EdDsa, KeyParams::Okp { x, .. }) => {
                let pair = sg::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der.unwrap()).unwrap();
                Raw::Ed(pair, sg::ParsedPublicKey::new(&sg::ED25519, x).unwrap())
            }
            (JwsAlg::Ps256, KeyParams::Rsa { n, e, .. }) => {
                let pair = sg::RsaKeyPair::from_pkcs8(&der.unwrap()).unwrap();
                let public = sg::RsaPublicKeyComponents {
                    n: n.clone(),
                    e: e.clone(),
                };
                Raw::Rsa(
                    pair,
                    public
                        .to_parsed_public_key(&sg::RSA_PSS_2048_8192_SHA256)
                        .unwrap(),
                )
            }
            (JwsAlg::Hs256, KeyParams::Oct { k }) => {
                Raw::Hmac(hmac::Key::new(hmac::HMAC_SHA256, k.expose_secret()))
            }
            _ => unreachable!(),
        }
    }

    fn sign(&self, header_b64: &str, payload: &[u8]) -> String {
        let mut out = String::with_capacity(header_b64.len() + payload.len() * 4 / 3 + 400);
        out.push_str(header_b64);
        out.push('.');
        B64.encode_append(payload, &mut out);
        let sig: Vec<u8> = match self {
            Raw::Ec(k, _) => k
                .sign(&SystemRandom::new(), out.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec(),
            Raw::Ed(k, _) => k.sign(out.as_bytes()).as_ref().to_vec(),
            Raw::Rsa(k, _) => {
                let mut s = vec![0; k.public_modulus_len()];
                k.sign(
                    &sg::RSA_PSS_SHA256,
                    &SystemRandom::new(),
                    out.as_bytes(),
                    &mut s,
                )
                .unwrap();
                s
            }
            Raw::Hmac(k) => hmac::sign(k, out.as_bytes()).as_ref().to_vec(),
        };
        out.push('.');
        B64.encode_append(&sig, &mut out);
        out
    }

    fn verify(&self, token: &str) -> Vec<u8> {
        let dot2 = token.rfind('.').unwrap();
        let dot1 = token.find('.').unwrap();
        let input = &token.as_bytes()[..dot2];
        let sig = B64.decode_to_vec(&token.as_bytes()[dot2 + 1..]).unwrap();
        match self {
            Raw::Ec(_, p) | Raw::Ed(_, p) | Raw::Rsa(_, p) => p.verify_sig(input, &sig).unwrap(),
            Raw::Hmac(k) => hmac::verify(k, input, &sig).unwrap(),
        }
        B64.decode_to_vec(&token.as_bytes()[dot1 + 1..dot2])
            .unwrap()
    }
}

fn jwk_for(alg: JwsAlg) -> Jwk {
    match alg {
        JwsAlg::Es256 => Jwk::generate(KeyKind::Ec(EcCurve::P256)),
        JwsAlg::EdDsa => Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)),
        JwsAlg::Ps256 => Jwk::generate(KeyKind::Rsa(2048)),
        JwsAlg::Hs256 => Jwk::generate(KeyKind::Oct(32)),
        _ => unreachable!(),
    }
    .unwrap()
}

fn jk_signer(alg: JwsAlg, jwk: &josekit::jwk::Jwk) -> Box<dyn josekit::jws::JwsSigner> {
    use josekit::jws::*;
    match alg {
        JwsAlg::Es256 => Box::new(ES256.signer_from_jwk(jwk).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.signer_from_jwk(jwk).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.signer_from_jwk(jwk).unwrap()),
        JwsAlg::Hs256 => Box::new(HS256.signer_from_jwk(jwk).unwrap()),
        _ => unreachable!(),
    }
}

fn jk_verifier(alg: JwsAlg, jwk: &josekit::jwk::Jwk) -> Box<dyn josekit::jws::JwsVerifier> {
    use josekit::jws::*;
    match alg {
        JwsAlg::Es256 => Box::new(ES256.verifier_from_jwk(jwk).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.verifier_from_jwk(jwk).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.verifier_from_jwk(jwk).unwrap()),
        JwsAlg::Hs256 => Box::new(HS256.verifier_from_jwk(jwk).unwrap()),
        _ => unreachable!(),
    }
}

fn jwt_alg(alg: JwsAlg) -> jsonwebtoken::Algorithm {
    match alg {
        JwsAlg::Es256 => jsonwebtoken::Algorithm::ES256,
        JwsAlg::EdDsa => jsonwebtoken::Algorithm::EdDSA,
        JwsAlg::Ps256 => jsonwebtoken::Algorithm::PS256,
        JwsAlg::Hs256 => jsonwebtoken::Algorithm::HS256,
        _ => unreachable!(),
    }
}

fn jwt_keys(alg: JwsAlg, jwk: &Jwk) -> (jsonwebtoken::EncodingKey, jsonwebtoken::DecodingKey) {
    use jsonwebtoken::{DecodingKey, EncodingKey};
    if let KeyParams::Oct { k } = &jwk.params {
        return (
            EncodingKey::from_secret(k.expose_secret()),
            DecodingKey::from_secret(k.expose_secret()),
        );
    }
    let pem = jwk.to_pem().unwrap();
    let enc = match alg {
        JwsAlg::Es256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        JwsAlg::EdDsa => EncodingKey::from_ed_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .unwrap();
    let public: jsonwebtoken::jwk::Jwk =
        serde_json::from_str(&jwk.to_public().unwrap().to_json()).unwrap();
    (enc, DecodingKey::from_jwk(&public).unwrap())
}

fn jwt_validation(alg: JwsAlg) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(jwt_alg(alg));
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_aud = false;
    v
}

fn bench_alg(c: &mut Criterion, alg: JwsAlg, size: usize, label: &str) {
    let body = json_body(size);
    let claims: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let jwk = jwk_for(alg);
    let public = jwk
        .to_public()
        .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap());

    let signer = Signer::new(&SigningKey::from_jwk(&jwk).unwrap())
        .with_alg(alg)
        .unwrap();
    let keys = KeySet::single(VerifyingKey::from_jwk(&public).unwrap());
    let policy = Policy::new(&[alg]);
    let raw = Raw::new(alg, &jwk);
    let header_b64 = B64.encode_to_string(format!(r#"{{"alg":"{alg}"}}"#));
    let jk_private = josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap();
    let jk_public = josekit::jwk::Jwk::from_bytes(public.to_json().as_bytes()).unwrap();
    let jk_sign = jk_signer(alg, &jk_private);
    let jk_verify = jk_verifier(alg, &jk_public);
    let jk_ctx = josekit::jws::JwsContext::new();
    let jk_header = josekit::jws::JwsHeader::new();
    let (jwt_enc, jwt_dec) = jwt_keys(alg, &jwk);
    let jwt_header = jsonwebtoken::Header::new(jwt_alg(alg));
    let validation = jwt_validation(alg);

    let token = signer.compact(&body).unwrap();
    // Every implementation accepts the same token before anything is timed.
    assert_eq!(raw.verify(&token), body);
    assert_eq!(
        jk_ctx.deserialize_compact(&token, &*jk_verify).unwrap().0,
        body
    );
    jsonwebtoken::decode::<serde_json::Value>(&token, &jwt_dec, &validation).unwrap();

    let mut g = c.benchmark_group(format!("jws_sign/{label}"));
    g.bench_function(BenchmarkId::new("ceiling", label), |b| {
        b.iter(|| raw.sign(&header_b64, black_box(&body)))
    });
    g.bench_function(BenchmarkId::new("bodyseal", label), |b| {
        b.iter(|| signer.compact(black_box(&body)).unwrap())
    });
    g.bench_function(BenchmarkId::new("josekit", label), |b| {
        b.iter(|| {
            jk_ctx
                .serialize_compact(black_box(&body), &jk_header, &*jk_sign)
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("jsonwebtoken", label), |b| {
        b.iter(|| jsonwebtoken::encode(&jwt_header, black_box(&claims), &jwt_enc).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group(format!("jws_verify/{label}"));
    g.bench_function(BenchmarkId::new("ceiling", label), |b| {
        b.iter(|| raw.verify(black_box(&token)))
    });
    g.bench_function(BenchmarkId::new("bodyseal", label), |b| {
        b.iter(|| {
            jws::parse_compact(black_box(&token), &policy.limits)
                .unwrap()
                .verify(&keys, &policy)
                .unwrap()
                .into_payload()
        })
    });
    g.bench_function(BenchmarkId::new("josekit", label), |b| {
        b.iter(|| {
            jk_ctx
                .deserialize_compact(black_box(&token), &*jk_verify)
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("jsonwebtoken", label), |b| {
        b.iter(|| {
            jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &jwt_dec, &validation)
                .unwrap()
        })
    });
    g.finish();
}

/// ES256 verify including the import of the public JWK.
fn bench_import(c: &mut Criterion) {
    let body = json_body(1024);
    let jwk = jwk_for(JwsAlg::Es256);
    let public_json = jwk.to_public().unwrap().to_json();
    let token = Signer::new(&SigningKey::from_jwk(&jwk).unwrap())
        .compact(&body)
        .unwrap();
    let policy = Policy::new(&[JwsAlg::Es256]);
    let validation = jwt_validation(JwsAlg::Es256);
    let label = "ES256-import-1KiB";
    let mut g = c.benchmark_group(format!("jws_verify/{label}"));
    g.bench_function(BenchmarkId::new("ceiling", label), |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_str(black_box(&public_json)).unwrap();
            let mut point = vec![4u8];
            B64.decode_append(v["x"].as_str().unwrap(), &mut point)
                .unwrap();
            B64.decode_append(v["y"].as_str().unwrap(), &mut point)
                .unwrap();
            let key = sg::ParsedPublicKey::new(&sg::ECDSA_P256_SHA256_FIXED, point).unwrap();
            let dot2 = token.rfind('.').unwrap();
            let dot1 = token.find('.').unwrap();
            let sig = B64.decode_to_vec(&token.as_bytes()[dot2 + 1..]).unwrap();
            key.verify_sig(&token.as_bytes()[..dot2], &sig).unwrap();
            B64.decode_to_vec(&token.as_bytes()[dot1 + 1..dot2])
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("bodyseal", label), |b| {
        b.iter(|| {
            let key =
                VerifyingKey::from_jwk(&Jwk::from_json(black_box(&public_json)).unwrap()).unwrap();
            let keys = KeySet::single(key);
            jws::parse_compact(&token, &policy.limits)
                .unwrap()
                .verify(&keys, &policy)
                .unwrap()
                .into_payload()
        })
    });
    g.bench_function(BenchmarkId::new("josekit", label), |b| {
        b.iter(|| {
            let k = josekit::jwk::Jwk::from_bytes(black_box(public_json.as_bytes())).unwrap();
            let v = josekit::jws::ES256.verifier_from_jwk(&k).unwrap();
            josekit::jws::JwsContext::new()
                .deserialize_compact(&token, &v)
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("jsonwebtoken", label), |b| {
        b.iter(|| {
            let k: jsonwebtoken::jwk::Jwk = serde_json::from_str(black_box(&public_json)).unwrap();
            let d = jsonwebtoken::DecodingKey::from_jwk(&k).unwrap();
            jsonwebtoken::decode::<serde_json::Value>(&token, &d, &validation).unwrap()
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    for alg in [JwsAlg::Es256, JwsAlg::EdDsa, JwsAlg::Ps256, JwsAlg::Hs256] {
        bench_alg(c, alg, 1024, &format!("{alg}-1KiB"));
    }
    bench_alg(c, JwsAlg::Es256, 1 << 20, "ES256-1MiB");
    bench_import(c);
}

criterion_group! {
    name = jws_benches;
    config = Criterion::default().sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(jws_benches);
