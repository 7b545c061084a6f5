//! JWE encrypt and decrypt: bodyseal against the raw aws-lc-rs pipeline (AES-GCM or
//! AES-CBC-HMAC seal of the same body plus base64url, the key-management step done with the
//! same primitive, no header checks) and josekit, in one run. Same runner as benches/jws.rs:
//! criterion by default, or one row N times under callgrind (benches/callgrind.sh jwe).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::rand::{fill, SystemRandom};
use base64_simd::URL_SAFE_NO_PAD as B64;
use bodyseal::alg::{JweAlg, JweEnc};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
use bodyseal::policy::{JwePolicy, Limits};
use criterion::{BenchmarkId, Criterion};
use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

struct Row {
    group: &'static str,
    imp: &'static str,
    label: String,
    run: Box<dyn FnMut()>,
}

fn row(
    rows: &mut Vec<Row>,
    group: &'static str,
    imp: &'static str,
    label: &str,
    run: impl FnMut() + 'static,
) {
    rows.push(Row {
        group,
        imp,
        label: label.to_owned(),
        run: Box::new(run),
    });
}

fn body(len: usize) -> Vec<u8> {
    let pattern = br#"{"k":"value","n":12345}"#;
    (0..len).map(|i| pattern[i % pattern.len()]).collect()
}

fn key_file(name: &str) -> Jwk {
    let path = format!("{}/test-vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    Jwk::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Fixed keys: the RFC keys shipped in test-vectors/keys, or fixed bytes.
fn key_for(alg: JweAlg, enc: JweEnc) -> Jwk {
    let oct = |n: usize| {
        Jwk::from_json(&format!(
            r#"{{"kty":"oct","k":"{}"}}"#,
            B64.encode_to_string(vec![7u8; n])
        ))
        .unwrap()
    };
    match alg {
        JweAlg::Dir => oct(enc.cek_len()),
        JweAlg::A256Kw => oct(32),
        JweAlg::RsaOaep256 => key_file("rfc7515_rs256.json"),
        JweAlg::EcdhEsA256Kw => key_file("rfc7515_es256.json"),
        JweAlg::EcdhEs => Jwk::from_json(
            r#"{"kty":"OKP","crv":"X25519","d":"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}"#,
        )
        .unwrap(),
        _ => unreachable!(),
    }
}

fn public(jwk: &Jwk) -> Jwk {
    jwk.to_public()
        .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap())
}

/// The raw pipeline for `dir`/`A256KW`+A256GCM: seal with the primitive, base64url the parts.
struct RawGcm {
    key: LessSafeKey,
    header_b64: String,
}

impl RawGcm {
    fn encrypt(&self, body: &[u8]) -> String {
        let mut iv = [0u8; 12];
        fill(&mut iv).unwrap();
        let mut data = body.to_vec();
        let tag = self
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(iv),
                Aad::from(self.header_b64.as_bytes()),
                &mut data,
            )
            .unwrap();
        let mut out = String::with_capacity(self.header_b64.len() + data.len() * 4 / 3 + 64);
        out.push_str(&self.header_b64);
        out.push_str("..");
        B64.encode_append(iv, &mut out);
        out.push('.');
        B64.encode_append(&data, &mut out);
        out.push('.');
        B64.encode_append(tag.as_ref(), &mut out);
        out
    }

    fn decrypt(&self, token: &str) -> Vec<u8> {
        let mut parts = token.split('.');
        let (h, _, iv, ct, tag) = (
            parts.next().unwrap(),
            parts.next(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let iv: [u8; 12] = B64.decode_to_vec(iv).unwrap().try_into().unwrap();
        let mut data = B64.decode_to_vec(ct).unwrap();
        let tag = B64.decode_to_vec(tag).unwrap();
        self.key
            .open_in_place_separate_tag(
                Nonce::assume_unique_for_key(iv),
                Aad::from(h.as_bytes()),
                &tag,
                &mut data,
            )
            .unwrap();
        data
    }
}

fn jk_alg_enc(alg: JweAlg, public: &Jwk) -> Box<dyn josekit::jwe::JweEncrypter> {
    use josekit::jwe::*;
    let k = josekit::jwk::Jwk::from_bytes(public.to_json().as_bytes()).unwrap();
    match alg {
        JweAlg::Dir => Box::new(Dir.encrypter_from_jwk(&k).unwrap()),
        JweAlg::A256Kw => Box::new(A256KW.encrypter_from_jwk(&k).unwrap()),
        JweAlg::RsaOaep256 => Box::new(RSA_OAEP_256.encrypter_from_jwk(&k).unwrap()),
        JweAlg::EcdhEsA256Kw => Box::new(ECDH_ES_A256KW.encrypter_from_jwk(&k).unwrap()),
        JweAlg::EcdhEs => Box::new(ECDH_ES.encrypter_from_jwk(&k).unwrap()),
        _ => unreachable!(),
    }
}

fn jk_alg_dec(alg: JweAlg, private: &Jwk) -> Box<dyn josekit::jwe::JweDecrypter> {
    use josekit::jwe::*;
    let k = josekit::jwk::Jwk::from_bytes(private.to_json().as_bytes()).unwrap();
    match alg {
        JweAlg::Dir => Box::new(Dir.decrypter_from_jwk(&k).unwrap()),
        JweAlg::A256Kw => Box::new(A256KW.decrypter_from_jwk(&k).unwrap()),
        JweAlg::RsaOaep256 => Box::new(RSA_OAEP_256.decrypter_from_jwk(&k).unwrap()),
        JweAlg::EcdhEsA256Kw => Box::new(ECDH_ES_A256KW.decrypter_from_jwk(&k).unwrap()),
        JweAlg::EcdhEs => Box::new(ECDH_ES.decrypter_from_jwk(&k).unwrap()),
        _ => unreachable!(),
    }
}

fn add(rows: &mut Vec<Row>, alg: JweAlg, enc: JweEnc, size: usize, label: &str) {
    let body = Rc::new(body(size));
    let jwk = key_for(alg, enc);
    let encryptor = Rc::new(
        Encryptor::new(enc)
            .recipient(&EncryptionKey::from_jwk(&public(&jwk)).unwrap(), alg)
            .unwrap(),
    );
    let keys = Rc::new(DecryptionKeys::single(
        DecryptionKey::from_jwk(&jwk).unwrap(),
    ));
    let mut limits = Limits::default();
    limits.max_token_bytes = 64 << 20;
    let policy = Rc::new(JwePolicy::new(&[alg], &[enc]).with_limits(limits));
    let token = Rc::new(encryptor.compact(&body).unwrap());
    let jk_ctx = Rc::new(josekit::jwe::JweContext::new());
    let jk_enc: Rc<dyn josekit::jwe::JweEncrypter> = Rc::from(jk_alg_enc(alg, &public(&jwk)));
    let jk_dec: Rc<dyn josekit::jwe::JweDecrypter> = Rc::from(jk_alg_dec(alg, &jwk));
    let mut jk_header = josekit::jwe::JweHeader::new();
    jk_header.set_content_encryption(enc.as_str());
    let jk_header = Rc::new(jk_header);
    assert_eq!(
        jk_ctx.deserialize_compact(&*token, &*jk_dec).unwrap().0,
        *body
    );

    // The raw pipeline: for dir and A256KW with A256GCM, seal with the primitive (plus the
    // key wrap for A256KW); for the others, the content step alone is the same GCM seal,
    // and the key-management step is measured by bodyseal and josekit only.
    let raw = if enc == JweEnc::A256Gcm {
        let cek = match &jwk.params {
            KeyParams::Oct { k } if alg == JweAlg::Dir => k.expose_secret().to_vec(),
            _ => vec![9u8; 32],
        };
        let header_b64 = B64.encode_to_string(format!(r#"{{"alg":"{alg}","enc":"A256GCM"}}"#));
        Some(Rc::new(RawGcm {
            key: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap()),
            header_b64,
        }))
    } else {
        None
    };
    if let Some(raw) = &raw {
        let (r, b) = (raw.clone(), body.clone());
        let kek =
            aws_lc_rs::key_wrap::AesKek::new(&aws_lc_rs::key_wrap::AES_256, &[7u8; 32]).unwrap();
        let wrap = alg == JweAlg::A256Kw;
        let _ = &kek;
        row(rows, "jwe_encrypt", "ceiling", label, move || {
            if wrap {
                use aws_lc_rs::key_wrap::KeyWrap;
                let mut cek = [0u8; 32];
                fill(&mut cek).unwrap();
                let mut out = [0u8; 40];
                let kek =
                    aws_lc_rs::key_wrap::AesKek::new(&aws_lc_rs::key_wrap::AES_256, &[7u8; 32])
                        .unwrap();
                black_box(kek.wrap(&cek, &mut out).unwrap());
            }
            drop(black_box(r.encrypt(black_box(&b))));
        });
        let r = raw.clone();
        let t = Rc::new(r.encrypt(&body));
        row(rows, "jwe_decrypt", "ceiling", label, move || {
            if wrap {
                use aws_lc_rs::key_wrap::KeyWrap;
                let mut out = [0u8; 40];
                let kek =
                    aws_lc_rs::key_wrap::AesKek::new(&aws_lc_rs::key_wrap::AES_256, &[7u8; 32])
                        .unwrap();
                black_box(kek.unwrap(&[1u8; 40], &mut out).ok());
            }
            drop(black_box(r.decrypt(black_box(&t))));
        });
    }
    {
        let (e, b) = (encryptor.clone(), body.clone());
        row(rows, "jwe_encrypt", "bodyseal", label, move || {
            drop(black_box(e.compact(black_box(&b)).unwrap()))
        });
    }
    {
        let (ctx, h, k, b) = (
            jk_ctx.clone(),
            jk_header.clone(),
            jk_enc.clone(),
            body.clone(),
        );
        row(rows, "jwe_encrypt", "josekit", label, move || {
            drop(black_box(
                ctx.serialize_compact(black_box(&b), &h, &*k).unwrap(),
            ))
        });
    }
    {
        let (t, k, p) = (token.clone(), keys.clone(), policy.clone());
        row(rows, "jwe_decrypt", "bodyseal", label, move || {
            drop(black_box(
                jwe::parse_compact(black_box(&t), &p.limits)
                    .unwrap()
                    .decrypt(&k, &p)
                    .unwrap()
                    .into_plaintext(),
            ))
        });
    }
    {
        let (ctx, t, d) = (jk_ctx.clone(), token.clone(), jk_dec.clone());
        row(rows, "jwe_decrypt", "josekit", label, move || {
            drop(black_box(
                ctx.deserialize_compact(black_box(&*t), &*d).unwrap(),
            ))
        });
    }
    let _ = SystemRandom::new();
}

fn rows(only: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    let cases: [(JweAlg, JweEnc, usize, &str); 8] = [
        (JweAlg::Dir, JweEnc::A256Gcm, 1024, "dir+A256GCM-1KiB"),
        (JweAlg::A256Kw, JweEnc::A256Gcm, 1024, "A256KW+A256GCM-1KiB"),
        (
            JweAlg::RsaOaep256,
            JweEnc::A256Gcm,
            1024,
            "RSA-OAEP-256+A256GCM-1KiB",
        ),
        (
            JweAlg::EcdhEsA256Kw,
            JweEnc::A256Gcm,
            1024,
            "ECDH-ES+A256KW+A256GCM-1KiB",
        ),
        (
            JweAlg::EcdhEs,
            JweEnc::A256Gcm,
            1024,
            "ECDH-ES(X25519)+A256GCM-1KiB",
        ),
        (
            JweAlg::Dir,
            JweEnc::A128CbcHs256,
            1024,
            "dir+A128CBC-HS256-1KiB",
        ),
        (JweAlg::Dir, JweEnc::A256Gcm, 1 << 20, "dir+A256GCM-1MiB"),
        (JweAlg::Dir, JweEnc::A256Gcm, 16 << 20, "dir+A256GCM-16MiB"),
    ];
    for (alg, enc, size, label) in cases {
        if only.is_none_or(|o| o == label) {
            add(&mut rows, alg, enc, size, label);
        }
    }
    rows
}

fn main() {
    if let Ok(name) = std::env::var("BODYSEAL_BENCH_ROW") {
        let mut rows = rows(name.rsplit('/').next());
        let iters: usize = std::env::var("BODYSEAL_BENCH_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let r = rows
            .iter_mut()
            .find(|r| format!("{}/{}/{}", r.group, r.imp, r.label) == name)
            .unwrap_or_else(|| panic!("no row {name}"));
        for _ in 0..iters {
            (r.run)();
        }
        return;
    }
    let mut rows = rows(None);
    if std::env::args().any(|a| a == "--list-rows") {
        for r in &rows {
            println!("{}/{}/{}", r.group, r.imp, r.label);
        }
        return;
    }
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for r in &mut rows {
        let mut g = c.benchmark_group(format!("{}/{}", r.group, r.label));
        g.bench_function(BenchmarkId::new(r.imp, &r.label), |b| b.iter(&mut r.run));
        g.finish();
    }
    c.final_summary();
}
