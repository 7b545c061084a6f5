//! Wycheproof primitive vectors for JWE through bodyseal's crypto boundary
//! (`bodyseal::crypto::Provider`): AES key wrap, AES-GCM, A*CBC-HS*, RSA-OAEP (SHA-1 and
//! SHA-256), ECDH on P-256/P-384/P-521 (keys as JWK, SPKI and raw points) and X25519 (raw
//! and JWK). Cases outside the JOSE profile (AES-GCM IVs other than 96 bits or tags other
//! than 128 bits, RFC 7518 section 5.3; RSA-OAEP labels, which JOSE never uses) must be
//! refused by the API and are counted apart, never as passes. Cases marked `acceptable`
//! (either outcome is allowed upstream) must do what `src/vectors/deviations.json` pins
//! for each of them, and give the expected output when accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, OkpCurve};
use bodyseal::crypto::{Decapsulate, PrivateKeyMaterial, Provider, PublicKeyMaterial};
use bodyseal::jwk::{Jwk, KeyParams};
use common::*;
use serde_json::Value;

struct Tally {
    file: String,
    passed: usize,
    out_of_profile: usize,
    failures: Vec<String>,
    acceptable: AcceptablePins,
}

impl Tally {
    fn new(file: &str) -> Self {
        Tally {
            file: file.into(),
            passed: 0,
            out_of_profile: 0,
            failures: vec![],
            acceptable: AcceptablePins::for_file(file),
        }
    }
    /// `accepted` and `output_ok` (the output equals the expected value when accepted). A
    /// case marked `acceptable` must do what `src/vectors/deviations.json` pins for it.
    fn case(&mut self, case: &Value, accepted: bool, output_ok: bool) {
        let result = case["result"].as_str().unwrap();
        let agrees = match result {
            "valid" => Ok(accepted && output_ok),
            "invalid" => Ok(!accepted),
            "acceptable" => self
                .acceptable
                .check(&case["tcId"].to_string(), accepted, output_ok)
                .map(|()| true),
            other => panic!("unknown result {other}"),
        };
        match agrees {
            Ok(true) => self.passed += 1,
            Ok(false) => self.failures.push(format!(
                "tcId {} ({result}) {}",
                case["tcId"], case["comment"]
            )),
            Err(e) => self.failures.push(format!(
                "tcId {} (acceptable) {e}; {} {}",
                case["tcId"], case["flags"], case["comment"]
            )),
        }
    }
    fn finish(mut self) {
        for id in self.acceptable.unused() {
            self.failures.push(format!(
                "tcId {id}: pinned as acceptable but no such acceptable case ran"
            ));
        }
        println!(
            "conformance {}: {} passed ({} acceptable, as pinned), {} failed, 0 skipped, {} out of the JOSE profile (refused)",
            self.file,
            self.passed,
            self.acceptable.met(),
            self.failures.len(),
            self.out_of_profile
        );
        assert!(self.passed > 0);
        assert!(
            self.failures.is_empty(),
            "{}:\n{}",
            self.file,
            self.failures.join("\n")
        );
    }
}

fn h(case: &Value, name: &str) -> Vec<u8> {
    hex(case[name].as_str().unwrap())
}

fn groups(doc: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap().iter().map(move |t| (g, t)))
}

#[test]
fn aes_key_wrap() {
    let rel = "wycheproof/primitives/aes_wrap_test.json";
    let (doc, p, mut t) = (load_conformance(rel), Provider::default(), Tally::new(rel));
    for (_, c) in groups(&doc) {
        let (key, msg, ct) = (h(c, "key"), h(c, "msg"), h(c, "ct"));
        let unwrapped = p.jwe.aes_kw_unwrap(&key, &ct);
        let wrapped = p.jwe.aes_kw_wrap(&key, &msg);
        let accepted = unwrapped.is_ok();
        let output_ok = unwrapped.as_ref().ok().map(|v| v.as_slice()) == Some(&msg[..])
            && wrapped.as_deref().ok() == Some(&ct[..]);
        t.case(c, accepted, output_ok);
    }
    t.finish();
}

fn aead_file(rel: &str, enc_for: impl Fn(usize) -> Option<JweEnc>) {
    let (doc, p, mut t) = (load_conformance(rel), Provider::default(), Tally::new(rel));
    for (g, c) in groups(&doc) {
        let (key, iv, aad, msg, ct, tag) = (
            h(c, "key"),
            h(c, "iv"),
            h(c, "aad"),
            h(c, "msg"),
            h(c, "ct"),
            h(c, "tag"),
        );
        let enc = enc_for(key.len()).unwrap();
        let mut data = ct.clone();
        let opened = p.jwe.decrypt(enc, &key, &iv, &aad, &mut data, &tag);
        let in_profile = match enc {
            JweEnc::A128Gcm | JweEnc::A192Gcm | JweEnc::A256Gcm => {
                g["ivSize"] == 96 && g["tagSize"] == 128
            }
            _ => true,
        };
        if !in_profile {
            assert!(
                opened.is_err(),
                "tcId {}: an out-of-profile case was accepted",
                c["tcId"]
            );
            t.out_of_profile += 1;
            continue;
        }
        let mut sealed = msg.clone();
        let sealed_tag = p.jwe.encrypt(enc, &key, &iv, &aad, &mut sealed);
        let output_ok = data == msg && sealed == ct && sealed_tag.as_deref().ok() == Some(&tag[..]);
        t.case(c, opened.is_ok(), output_ok);
    }
    t.finish();
}

#[test]
fn aes_gcm() {
    aead_file(
        "wycheproof/primitives/aes_gcm_test.json",
        JweEnc::gcm_for_key_len,
    );
}

#[test]
fn aes_cbc_hmac_sha2() {
    aead_file("wycheproof/primitives/a128cbc_hs256_test.json", |_| {
        Some(JweEnc::A128CbcHs256)
    });
    aead_file("wycheproof/primitives/a192cbc_hs384_test.json", |_| {
        Some(JweEnc::A192CbcHs384)
    });
    aead_file("wycheproof/primitives/a256cbc_hs512_test.json", |_| {
        Some(JweEnc::A256CbcHs512)
    });
}

fn rsa_file(rel: &str, alg: JweAlg) {
    let (doc, p, mut t) = (load_conformance(rel), Provider::default(), Tally::new(rel));
    for g in doc["testGroups"].as_array().unwrap() {
        let jwk = Jwk::from_value(&g["privateKeyJwk"]).unwrap();
        let KeyParams::Rsa {
            n,
            e,
            private: Some(pr),
        } = &jwk.params
        else {
            panic!("RSA key")
        };
        let key = p
            .keys
            .decryption_key(&PrivateKeyMaterial::Rsa {
                n,
                e,
                d: pr.d.expose_secret(),
                p: pr.p.expose_secret(),
                q: pr.q.expose_secret(),
                dp: pr.dp.expose_secret(),
                dq: pr.dq.expose_secret(),
                qi: pr.qi.expose_secret(),
            })
            .unwrap();
        for c in g["tests"].as_array().unwrap() {
            let ct = h(c, "ct");
            let out = key.decapsulate(Decapsulate::RsaKey {
                alg,
                encrypted_key: &ct,
            });
            if !h(c, "label").is_empty() {
                // JOSE uses no OAEP label; with the label dropped, decryption must fail.
                assert!(out.is_err(), "tcId {}", c["tcId"]);
                t.out_of_profile += 1;
                continue;
            }
            t.case(
                c,
                out.is_ok(),
                out.as_ref().ok().map(|v| v.as_slice()) == Some(&h(c, "msg")[..]),
            );
        }
    }
    t.finish();
}

#[test]
fn rsa_oaep() {
    rsa_file(
        "wycheproof/primitives/rsa_oaep_2048_sha1_mgf1sha1_test.json",
        JweAlg::RsaOaep,
    );
    rsa_file(
        "wycheproof/primitives/rsa_oaep_2048_sha256_mgf1sha256_test.json",
        JweAlg::RsaOaep256,
    );
}

fn ec_point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut p = vec![4];
    p.extend_from_slice(x);
    p.extend_from_slice(y);
    p
}

/// ECDH through the boundary: the private key's d and public point, the peer's material.
fn ecdh(
    p: &Provider,
    curve: EcCurve,
    d: &[u8],
    peer: PublicKeyMaterial<'_>,
) -> Result<Vec<u8>, bodyseal::Error> {
    let n = curve.field_len();
    // Wycheproof writes scalars as signed big-endian integers (a leading 00 when the top
    // bit is set).
    let d: Vec<u8> = d.iter().copied().skip_while(|b| *b == 0).collect();
    if d.len() > n {
        return Err(bodyseal::Error::ApiMisuse("scalar too long"));
    }
    let mut d_pad = vec![0u8; n - d.len()];
    d_pad.extend_from_slice(&d);
    let point = p
        .keys
        .public_from_private(bodyseal::crypto::KeyKind::Ec(curve), &d_pad)?;
    let key = p.keys.decryption_key(&PrivateKeyMaterial::Ec {
        curve,
        d: &d_pad,
        point: &point,
    })?;
    key.decapsulate(Decapsulate::Ecdh { peer: &peer })
        .map(|z| z.to_vec())
}

#[test]
fn ecdh_webcrypto_jwk() {
    for (file, curve) in [
        ("p256", EcCurve::P256),
        ("p384", EcCurve::P384),
        ("p521", EcCurve::P521),
    ] {
        let name = match file {
            "p256" => "secp256r1",
            "p384" => "secp384r1",
            _ => "secp521r1",
        };
        let rel = format!("wycheproof/primitives/ecdh_{name}_webcrypto_test.json");
        let (doc, p, mut t) = (
            load_conformance(&rel),
            Provider::default(),
            Tally::new(&rel),
        );
        for (_, c) in groups(&doc) {
            let out = (|| {
                let private = Jwk::from_value(&c["private"])?;
                let public = Jwk::from_value(&c["public"])?;
                let KeyParams::Ec { d: Some(d), .. } = &private.params else {
                    return Err(bodyseal::Error::ApiMisuse("not EC"));
                };
                let KeyParams::Ec {
                    curve: pc, x, y, ..
                } = &public.params
                else {
                    return Err(bodyseal::Error::ApiMisuse("not EC"));
                };
                let point = ec_point(x, y);
                ecdh(
                    &p,
                    curve,
                    d.expose_secret(),
                    PublicKeyMaterial::Ec {
                        curve: *pc,
                        point: &point,
                    },
                )
            })();
            t.case(
                c,
                out.is_ok(),
                out.as_deref().ok() == Some(&h(c, "shared")[..]),
            );
        }
        t.finish();
    }
}

#[test]
fn ecdh_p256_spki_and_points() {
    let p = Provider::default();
    let rel = "wycheproof/primitives/ecdh_secp256r1_test.json";
    let (doc, mut t) = (load_conformance(rel), Tally::new(rel));
    for (_, c) in groups(&doc) {
        let out = Jwk::from_spki_der(&h(c, "public")).and_then(|pubk| {
            let KeyParams::Ec { curve, x, y, .. } = &pubk.params else {
                return Err(bodyseal::Error::ApiMisuse("not EC"));
            };
            let point = ec_point(x, y);
            ecdh(
                &p,
                EcCurve::P256,
                &h(c, "private"),
                PublicKeyMaterial::Ec {
                    curve: *curve,
                    point: &point,
                },
            )
        });
        t.case(
            c,
            out.is_ok(),
            out.as_deref().ok() == Some(&h(c, "shared")[..]),
        );
    }
    t.finish();
    let rel = "wycheproof/primitives/ecdh_secp256r1_ecpoint_test.json";
    let (doc, mut t) = (load_conformance(rel), Tally::new(rel));
    for (_, c) in groups(&doc) {
        let point = h(c, "public");
        let out = ecdh(
            &p,
            EcCurve::P256,
            &h(c, "private"),
            PublicKeyMaterial::Ec {
                curve: EcCurve::P256,
                point: &point,
            },
        );
        t.case(
            c,
            out.is_ok(),
            out.as_deref().ok() == Some(&h(c, "shared")[..]),
        );
    }
    t.finish();
}

fn x25519(p: &Provider, d: &[u8], peer: &[u8]) -> Result<Vec<u8>, bodyseal::Error> {
    let x = p
        .keys
        .public_from_private(bodyseal::crypto::KeyKind::Okp(OkpCurve::X25519), d)?;
    let key = p.keys.decryption_key(&PrivateKeyMaterial::Okp {
        curve: OkpCurve::X25519,
        d,
        x: &x,
    })?;
    key.decapsulate(Decapsulate::Ecdh {
        peer: &PublicKeyMaterial::Okp {
            curve: OkpCurve::X25519,
            x: peer,
        },
    })
    .map(|z| z.to_vec())
}

#[test]
fn x25519_raw_and_jwk() {
    let p = Provider::default();
    let rel = "wycheproof/primitives/x25519_test.json";
    let (doc, mut t) = (load_conformance(rel), Tally::new(rel));
    for (_, c) in groups(&doc) {
        let out = x25519(&p, &h(c, "private"), &h(c, "public"));
        t.case(
            c,
            out.is_ok(),
            out.as_deref().ok() == Some(&h(c, "shared")[..]),
        );
    }
    t.finish();
    let rel = "wycheproof/testvectors_v1/x25519_jwk_test.json";
    let (doc, mut t) = (load_conformance(rel), Tally::new(rel));
    for (_, c) in groups(&doc) {
        let out = (|| {
            let private = Jwk::from_value(&c["private"])?;
            let public = Jwk::from_value(&c["public"])?;
            let KeyParams::Okp {
                curve: OkpCurve::X25519,
                d: Some(d),
                ..
            } = &private.params
            else {
                return Err(bodyseal::Error::ApiMisuse("not X25519"));
            };
            let KeyParams::Okp {
                curve: OkpCurve::X25519,
                x,
                ..
            } = &public.params
            else {
                return Err(bodyseal::Error::ApiMisuse("not X25519"));
            };
            x25519(&p, d.expose_secret(), x)
        })();
        t.case(
            c,
            out.is_ok(),
            out.as_deref().ok() == Some(&h(c, "shared")[..]),
        );
    }
    t.finish();
}

/// PBES2's key derivation (PBKDF2-HMAC-SHA2) through the boundary. The Wycheproof files
/// pair it with AES-CBC (PKCS#5 PBES2) rather than JOSE's AES-KW, so the CBC step is done by
/// OpenSSL, an independent implementation, and what is checked is our derived key.
#[test]
fn pbes2_key_derivation() {
    use bodyseal::alg::HashAlg;
    use openssl::symm::{decrypt, Cipher};
    for (file, hash, len, cipher) in [
        (
            "pbes2_hmacsha256_aes_128_test.json",
            HashAlg::Sha256,
            16,
            Cipher::aes_128_cbc(),
        ),
        (
            "pbes2_hmacsha384_aes_192_test.json",
            HashAlg::Sha384,
            24,
            Cipher::aes_192_cbc(),
        ),
        (
            "pbes2_hmacsha512_aes_256_test.json",
            HashAlg::Sha512,
            32,
            Cipher::aes_256_cbc(),
        ),
    ] {
        let rel = format!("wycheproof/primitives/{file}");
        let (doc, p, mut t) = (
            load_conformance(&rel),
            Provider::default(),
            Tally::new(&rel),
        );
        for (_, c) in groups(&doc) {
            let mut key = vec![0u8; len];
            let iterations = u32::try_from(c["iterationCount"].as_u64().unwrap()).unwrap();
            let derived =
                p.jwe
                    .pbkdf2(hash, &h(c, "password"), &h(c, "salt"), iterations, &mut key);
            let out = derived
                .ok()
                .and_then(|()| decrypt(cipher, &key, Some(&h(c, "iv")), &h(c, "ct")).ok());
            t.case(c, out.is_some(), out.as_deref() == Some(&h(c, "msg")[..]));
        }
        t.finish();
    }
}
