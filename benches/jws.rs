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
use bodyseal::alg::JwsAlg;
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::jws::{self, Signer};
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
#[path = "common/runner.rs"]
mod common;

use common::{row, Row};
use std::hint::black_box;
use std::rc::Rc;
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

/// Fixed keys (the RFC keys shipped in test-vectors/keys), so that runs under callgrind
/// count the same setup every time.
fn jwk_for(alg: JwsAlg) -> Jwk {
    let file = match alg {
        JwsAlg::Es256 => "rfc7515_es256.json",
        JwsAlg::EdDsa => "rfc8037_ed25519.json",
        JwsAlg::Ps256 => "rfc7515_rs256.json",
        JwsAlg::Hs256 => "rfc7515_hs256.json",
        _ => unreachable!(),
    };
    let path = format!("{}/test-vectors/keys/{file}", env!("CARGO_MANIFEST_DIR"));
    Jwk::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
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

fn add_alg(rows: &mut Vec<Row>, alg: JwsAlg, size: usize, label: &str) {
    let body = Rc::new(json_body(size));
    let claims: Rc<serde_json::Value> = Rc::new(serde_json::from_slice(&body).unwrap());
    let jwk = jwk_for(alg);
    let public = jwk
        .to_public()
        .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap());

    let signer = Rc::new(
        Signer::new(&SigningKey::from_jwk(&jwk).unwrap())
            .with_alg(alg)
            .unwrap(),
    );
    let keys = Rc::new(VerifyingKeys::single(
        VerifyingKey::from_jwk(&public).unwrap(),
    ));
    let policy = Rc::new(JwsPolicy::new(&[alg]));
    let raw = Rc::new(Raw::new(alg, &jwk));
    let header_b64 = Rc::new(B64.encode_to_string(format!(r#"{{"alg":"{alg}"}}"#)));
    let jk_private = josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap();
    let jk_public = josekit::jwk::Jwk::from_bytes(public.to_json().as_bytes()).unwrap();
    let jk_sign: Rc<dyn josekit::jws::JwsSigner> = Rc::from(jk_signer(alg, &jk_private));
    let jk_verify: Rc<dyn josekit::jws::JwsVerifier> = Rc::from(jk_verifier(alg, &jk_public));
    let jk_ctx = Rc::new(josekit::jws::JwsContext::new());
    let jk_header = Rc::new(josekit::jws::JwsHeader::new());
    let (jwt_enc, jwt_dec) = jwt_keys(alg, &jwk);
    let (jwt_enc, jwt_dec) = (Rc::new(jwt_enc), Rc::new(jwt_dec));
    let jwt_header = Rc::new(jsonwebtoken::Header::new(jwt_alg(alg)));
    let validation = Rc::new(jwt_validation(alg));

    let token = Rc::new(signer.compact(&body).unwrap());
    // Every implementation accepts the same token before anything is measured.
    assert_eq!(raw.verify(&token), *body);
    assert_eq!(
        jk_ctx.deserialize_compact(&*token, &*jk_verify).unwrap().0,
        *body
    );
    jsonwebtoken::decode::<serde_json::Value>(&*token, &jwt_dec, &validation).unwrap();

    let sign = "jws_sign";
    {
        let (raw, h, b) = (raw.clone(), header_b64.clone(), body.clone());
        row(rows, sign, "ceiling", label, move || {
            drop(black_box(raw.sign(&h, black_box(&b))))
        });
    }
    {
        let (s, b) = (signer.clone(), body.clone());
        row(rows, sign, "bodyseal", label, move || {
            drop(black_box(s.compact(black_box(&b)).unwrap()))
        });
    }
    {
        let (ctx, h, k, b) = (
            jk_ctx.clone(),
            jk_header.clone(),
            jk_sign.clone(),
            body.clone(),
        );
        row(rows, sign, "josekit", label, move || {
            drop(black_box(
                ctx.serialize_compact(black_box(&b), &h, &*k).unwrap(),
            ))
        });
    }
    {
        let (h, c, k) = (jwt_header.clone(), claims.clone(), jwt_enc.clone());
        row(rows, sign, "jsonwebtoken", label, move || {
            drop(black_box(
                jsonwebtoken::encode(&h, black_box(&*c), &k).unwrap(),
            ))
        });
    }
    let verify = "jws_verify";
    {
        let (raw, t) = (raw.clone(), token.clone());
        row(rows, verify, "ceiling", label, move || {
            drop(black_box(raw.verify(black_box(&t))))
        });
    }
    {
        let (t, k, p) = (token.clone(), keys.clone(), policy.clone());
        row(rows, verify, "bodyseal", label, move || {
            drop(black_box(
                jws::parse_compact(black_box(&t), &p.limits)
                    .unwrap()
                    .verify(&k, &p)
                    .unwrap()
                    .into_payload(),
            ))
        });
    }
    {
        let (ctx, t, v) = (jk_ctx.clone(), token.clone(), jk_verify.clone());
        row(rows, verify, "josekit", label, move || {
            drop(black_box(
                ctx.deserialize_compact(black_box(&*t), &*v).unwrap(),
            ))
        });
    }
    {
        let (t, d, v) = (token.clone(), jwt_dec.clone(), validation.clone());
        row(rows, verify, "jsonwebtoken", label, move || {
            drop(black_box(
                jsonwebtoken::decode::<serde_json::Value>(black_box(&*t), &d, &v).unwrap(),
            ))
        });
    }
}

/// ES256 verify including the import of the public JWK.
fn add_import(rows: &mut Vec<Row>) {
    let body = json_body(1024);
    let jwk = jwk_for(JwsAlg::Es256);
    let public_json = Rc::new(jwk.to_public().unwrap().to_json());
    let token = Rc::new(
        Signer::new(&SigningKey::from_jwk(&jwk).unwrap())
            .compact(&body)
            .unwrap(),
    );
    let policy = Rc::new(JwsPolicy::new(&[JwsAlg::Es256]));
    let validation = Rc::new(jwt_validation(JwsAlg::Es256));
    let (label, verify) = ("ES256-import-1KiB", "jws_verify");
    {
        let (j, t) = (public_json.clone(), token.clone());
        row(rows, verify, "ceiling", label, move || {
            let v: serde_json::Value = serde_json::from_str(black_box(&j)).unwrap();
            let mut point = vec![4u8];
            B64.decode_append(v["x"].as_str().unwrap(), &mut point)
                .unwrap();
            B64.decode_append(v["y"].as_str().unwrap(), &mut point)
                .unwrap();
            let key = sg::ParsedPublicKey::new(&sg::ECDSA_P256_SHA256_FIXED, point).unwrap();
            let dot2 = t.rfind('.').unwrap();
            let dot1 = t.find('.').unwrap();
            let sig = B64.decode_to_vec(&t.as_bytes()[dot2 + 1..]).unwrap();
            key.verify_sig(&t.as_bytes()[..dot2], &sig).unwrap();
            drop(black_box(
                B64.decode_to_vec(&t.as_bytes()[dot1 + 1..dot2]).unwrap(),
            ));
        });
    }
    {
        let (j, t, p) = (public_json.clone(), token.clone(), policy.clone());
        row(rows, verify, "bodyseal", label, move || {
            let key = VerifyingKey::from_jwk(&Jwk::from_json(black_box(&j)).unwrap()).unwrap();
            let keys = VerifyingKeys::single(key);
            drop(black_box(
                jws::parse_compact(&t, &p.limits)
                    .unwrap()
                    .verify(&keys, &p)
                    .unwrap()
                    .into_payload(),
            ));
        });
    }
    {
        let (j, t) = (public_json.clone(), token.clone());
        row(rows, verify, "josekit", label, move || {
            let k = josekit::jwk::Jwk::from_bytes(black_box(j.as_bytes())).unwrap();
            let v = josekit::jws::ES256.verifier_from_jwk(&k).unwrap();
            drop(black_box(
                josekit::jws::JwsContext::new()
                    .deserialize_compact(&*t, &v)
                    .unwrap(),
            ));
        });
    }
    {
        let (j, t, v) = (public_json.clone(), token.clone(), validation.clone());
        row(rows, verify, "jsonwebtoken", label, move || {
            let k: jsonwebtoken::jwk::Jwk = serde_json::from_str(black_box(&j)).unwrap();
            let d = jsonwebtoken::DecodingKey::from_jwk(&k).unwrap();
            drop(black_box(
                jsonwebtoken::decode::<serde_json::Value>(&*t, &d, &v).unwrap(),
            ));
        });
    }
}

/// ES256 sign including the import of the private key: a private JWK for bodyseal, PKCS#8
/// for the ceiling and jsonwebtoken (the form they import fastest).
fn add_import_sign(rows: &mut Vec<Row>) {
    let body = Rc::new(json_body(1024));
    let claims: Rc<serde_json::Value> = Rc::new(serde_json::from_slice(&body).unwrap());
    let jwk = jwk_for(JwsAlg::Es256);
    let private_json = Rc::new(jwk.to_json());
    let pkcs8 = Rc::new(jwk.to_pkcs8_der().unwrap().to_vec());
    let header_b64 = Rc::new(B64.encode_to_string(r#"{"alg":"ES256"}"#));
    let (label, sign) = ("ES256-import-1KiB", "jws_sign");
    {
        let (d, h, b) = (pkcs8.clone(), header_b64.clone(), body.clone());
        row(rows, sign, "ceiling", label, move || {
            let pair =
                sg::EcdsaKeyPair::from_pkcs8(&sg::ECDSA_P256_SHA256_FIXED_SIGNING, black_box(&d))
                    .unwrap();
            let mut out = String::with_capacity(h.len() + b.len() * 4 / 3 + 400);
            out.push_str(&h);
            out.push('.');
            B64.encode_append(black_box(&b[..]), &mut out);
            let sig = pair.sign(&SystemRandom::new(), out.as_bytes()).unwrap();
            out.push('.');
            B64.encode_append(sig.as_ref(), &mut out);
            drop(black_box(out));
        });
    }
    {
        let (j, b) = (private_json.clone(), body.clone());
        row(rows, sign, "bodyseal", label, move || {
            let key = SigningKey::from_jwk(&Jwk::from_json(black_box(&j)).unwrap()).unwrap();
            drop(black_box(Signer::new(&key).compact(black_box(&b)).unwrap()));
        });
    }
    {
        let (d, c) = (pkcs8.clone(), claims.clone());
        row(rows, sign, "jsonwebtoken", label, move || {
            let pem = jsonwebtoken::EncodingKey::from_ec_der(black_box(&d));
            let h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            drop(black_box(
                jsonwebtoken::encode(&h, black_box(&*c), &pem).unwrap(),
            ));
        });
    }
}

/// ML-DSA-65 sign and verify at 1 KiB against the bare aws-lc-rs primitive with a fixed
/// header (no peer implements ML-DSA for JOSE in Rust).
fn add_mldsa(rows: &mut Vec<Row>) {
    use bodyseal::alg::MlDsa;
    let body = Rc::new(json_body(1024));
    let jwk = Jwk::generate(bodyseal::crypto::KeyKind::MlDsa(MlDsa::MlDsa65)).unwrap();
    let KeyParams::Akp {
        seed: Some(seed),
        public,
        ..
    } = &jwk.params
    else {
        unreachable!()
    };
    let pair =
        Rc::new(sg::PqdsaKeyPair::from_seed(&sg::ML_DSA_65_SIGNING, seed.expose_secret()).unwrap());
    let parsed = Rc::new(sg::ParsedPublicKey::new(&sg::ML_DSA_65, public).unwrap());
    let header_b64 = Rc::new(B64.encode_to_string(r#"{"alg":"ML-DSA-65"}"#));
    let signer = Rc::new(Signer::new(&SigningKey::from_jwk(&jwk).unwrap()));
    let keys = Rc::new(VerifyingKeys::single(
        VerifyingKey::from_jwk(&jwk.to_public().unwrap()).unwrap(),
    ));
    let policy = Rc::new(JwsPolicy::new(&[JwsAlg::MlDsa65]));
    let token = Rc::new(signer.compact(&body).unwrap());
    let label = "ML-DSA-65-1KiB";
    {
        let (p, h, b) = (pair.clone(), header_b64.clone(), body.clone());
        row(rows, "jws_sign", "ceiling", label, move || {
            let mut out = String::with_capacity(h.len() + b.len() * 4 / 3 + 4600);
            out.push_str(&h);
            out.push('.');
            B64.encode_append(black_box(&b[..]), &mut out);
            let mut sig = vec![0u8; 3309];
            p.sign(out.as_bytes(), &mut sig).unwrap();
            out.push('.');
            B64.encode_append(&sig, &mut out);
            drop(black_box(out));
        });
    }
    {
        let (s, b) = (signer.clone(), body.clone());
        row(rows, "jws_sign", "bodyseal", label, move || {
            drop(black_box(s.compact(black_box(&b)).unwrap()))
        });
    }
    {
        let (p, t) = (parsed.clone(), token.clone());
        row(rows, "jws_verify", "ceiling", label, move || {
            let dot2 = t.rfind('.').unwrap();
            let dot1 = t.find('.').unwrap();
            let sig = B64.decode_to_vec(&t.as_bytes()[dot2 + 1..]).unwrap();
            p.verify_sig(&t.as_bytes()[..dot2], &sig).unwrap();
            drop(black_box(
                B64.decode_to_vec(&t.as_bytes()[dot1 + 1..dot2]).unwrap(),
            ));
        });
    }
    {
        let (t, k, p) = (token.clone(), keys.clone(), policy.clone());
        row(rows, "jws_verify", "bodyseal", label, move || {
            drop(black_box(
                jws::parse_compact(black_box(&t), &p.limits)
                    .unwrap()
                    .verify(&k, &p)
                    .unwrap()
                    .into_payload(),
            ))
        });
    }
}

/// The rows whose label is `only` (all rows when `None`); setting up only what is asked
/// keeps the fixed cost of a callgrind run small.
fn rows(only: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    let wanted = |label: &str| only.is_none_or(|o| o == label);
    for alg in [JwsAlg::Es256, JwsAlg::EdDsa, JwsAlg::Ps256, JwsAlg::Hs256] {
        let label = format!("{alg}-1KiB");
        if wanted(&label) {
            add_alg(&mut rows, alg, 1024, &label);
        }
    }
    if wanted("ES256-1MiB") {
        add_alg(&mut rows, JwsAlg::Es256, 1 << 20, "ES256-1MiB");
    }
    if wanted("ES256-import-1KiB") {
        add_import(&mut rows);
        add_import_sign(&mut rows);
    }
    if wanted("ML-DSA-65-1KiB") {
        add_mldsa(&mut rows);
    }
    rows
}

/// Criterion by default; see `common::main` for the callgrind mode.
fn main() {
    common::main(rows, 30, Duration::from_secs(2));
}
