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
use aws_lc_rs::cipher::{
    DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey,
    UnboundCipherKey, AES_128,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, AesKek, KeyWrap};
use aws_lc_rs::rand::fill;
use aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256;
use aws_lc_rs::{agreement, digest, hmac};
use base64_simd::URL_SAFE_NO_PAD as B64;
use bodyseal::alg::{JweAlg, JweEnc};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey};
use bodyseal::policy::{JwePolicy, Limits};
#[path = "common/runner.rs"]
mod common;

use common::{row, Row};
use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

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

/// The raw pipeline: the same key-management primitive and content encryption straight
/// from aws-lc-rs, plus base64url, with a fixed header and no checks.
struct Raw {
    alg: JweAlg,
    enc: JweEnc,
    header_b64: String,
    secret: Vec<u8>,
    rsa_pub: Option<aws_lc_rs::rsa::OaepPublicEncryptingKey>,
    rsa_priv: Option<aws_lc_rs::rsa::OaepPrivateDecryptingKey>,
    ecdh_alg: Option<&'static agreement::Algorithm>,
    peer_pub: Vec<u8>,
    my_priv: Option<agreement::PrivateKey>,
}

fn concat_kdf(z: &[u8], alg_id: &str, len: usize) -> Vec<u8> {
    let mut input = vec![0, 0, 0, 1];
    input.extend_from_slice(z);
    input.extend_from_slice(&(alg_id.len() as u32).to_be_bytes());
    input.extend_from_slice(alg_id.as_bytes());
    input.extend_from_slice(&[0; 8]);
    input.extend_from_slice(&((len * 8) as u32).to_be_bytes());
    digest::digest(&digest::SHA256, &input).as_ref()[..len].to_vec()
}

fn kw(kek: &[u8], cek: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; cek.len() + 8];
    let n = AesKek::new(&key_wrap::AES_256, kek)
        .unwrap()
        .wrap(cek, &mut out)
        .unwrap()
        .len();
    out.truncate(n);
    out
}

fn unkw(kek: &[u8], ek: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; ek.len()];
    let n = AesKek::new(&key_wrap::AES_256, kek)
        .unwrap()
        .unwrap(ek, &mut out)
        .unwrap()
        .len();
    out.truncate(n);
    out
}

impl Raw {
    fn new(alg: JweAlg, enc: JweEnc, jwk: &Jwk) -> Self {
        let header_b64 = B64.encode_to_string(format!(r#"{{"alg":"{alg}","enc":"{enc}"}}"#));
        let mut raw = Raw {
            alg,
            enc,
            header_b64,
            secret: Vec::new(),
            rsa_pub: None,
            rsa_priv: None,
            ecdh_alg: None,
            peer_pub: Vec::new(),
            my_priv: None,
        };
        match &jwk.params {
            KeyParams::Oct { k } => raw.secret = k.expose_secret().to_vec(),
            KeyParams::Rsa { n, e, .. } => {
                let der = jwk.to_pkcs8_der().unwrap();
                raw.rsa_priv = Some(
                    aws_lc_rs::rsa::OaepPrivateDecryptingKey::new(
                        aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(&der).unwrap(),
                    )
                    .unwrap(),
                );
                let public: aws_lc_rs::rsa::PublicEncryptingKey =
                    aws_lc_rs::rsa::PublicKeyComponents {
                        n: n.as_slice(),
                        e: e.as_slice(),
                    }
                    .try_into()
                    .unwrap();
                raw.rsa_pub = Some(aws_lc_rs::rsa::OaepPublicEncryptingKey::new(public).unwrap());
            }
            KeyParams::Ec {
                x, y, d: Some(d), ..
            } => {
                raw.ecdh_alg = Some(&agreement::ECDH_P256);
                raw.peer_pub = [&[4u8][..], x, y].concat();
                raw.my_priv = Some(
                    agreement::PrivateKey::from_private_key(
                        &agreement::ECDH_P256,
                        d.expose_secret(),
                    )
                    .unwrap(),
                );
            }
            KeyParams::Okp { x, d: Some(d), .. } => {
                raw.ecdh_alg = Some(&agreement::X25519);
                raw.peer_pub = x.clone();
                raw.my_priv = Some(
                    agreement::PrivateKey::from_private_key(&agreement::X25519, d.expose_secret())
                        .unwrap(),
                );
            }
            _ => unreachable!(),
        }
        raw
    }

    /// Key management, sending side: (CEK, encrypted key, ephemeral public key).
    fn wrap(&self) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut cek = vec![0u8; self.enc.cek_len()];
        fill(&mut cek).unwrap();
        match self.alg {
            JweAlg::Dir => (self.secret.clone(), Vec::new(), Vec::new()),
            JweAlg::A256Kw => {
                let ek = kw(&self.secret, &cek);
                (cek, ek, Vec::new())
            }
            JweAlg::RsaOaep256 => {
                let k = self.rsa_pub.as_ref().unwrap();
                let mut ek = vec![0u8; k.ciphertext_size()];
                k.encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut ek, None)
                    .unwrap();
                (cek, ek, Vec::new())
            }
            _ => {
                let alg = self.ecdh_alg.unwrap();
                let eph = agreement::PrivateKey::generate(alg).unwrap();
                let epk = eph.compute_public_key().unwrap().as_ref().to_vec();
                let z = agreement::agree(
                    &eph,
                    agreement::UnparsedPublicKey::new(alg, &self.peer_pub),
                    (),
                    |z| Ok(z.to_vec()),
                )
                .unwrap();
                if self.alg == JweAlg::EcdhEs {
                    (
                        concat_kdf(&z, self.enc.as_str(), self.enc.cek_len()),
                        Vec::new(),
                        epk,
                    )
                } else {
                    let kek = concat_kdf(&z, self.alg.as_str(), 32);
                    let ek = kw(&kek, &cek);
                    (cek, ek, epk)
                }
            }
        }
    }

    /// Key management, receiving side.
    fn unwrap(&self, ek: &[u8], epk: &[u8]) -> Vec<u8> {
        match self.alg {
            JweAlg::Dir => self.secret.clone(),
            JweAlg::A256Kw => unkw(&self.secret, ek),
            JweAlg::RsaOaep256 => {
                let k = self.rsa_priv.as_ref().unwrap();
                let mut out = vec![0u8; k.min_output_size()];
                let n = k
                    .decrypt(&OAEP_SHA256_MGF1SHA256, ek, &mut out, None)
                    .unwrap()
                    .len();
                out.truncate(n);
                out
            }
            _ => {
                let alg = self.ecdh_alg.unwrap();
                let z = agreement::agree(
                    self.my_priv.as_ref().unwrap(),
                    agreement::UnparsedPublicKey::new(alg, epk),
                    (),
                    |z| Ok(z.to_vec()),
                )
                .unwrap();
                if self.alg == JweAlg::EcdhEs {
                    concat_kdf(&z, self.enc.as_str(), self.enc.cek_len())
                } else {
                    unkw(&concat_kdf(&z, self.alg.as_str(), 32), ek)
                }
            }
        }
    }

    /// Returns the token and, for the decrypt side, the ephemeral key it used (a real
    /// token carries it in the header; the raw pipeline keeps the fixed header).
    fn encrypt(&self, body: &[u8]) -> (String, Vec<u8>) {
        let (cek, ek, epk) = self.wrap();
        let mut data = body.to_vec();
        let aad = self.header_b64.as_bytes();
        let (iv, tag) = if self.enc == JweEnc::A256Gcm {
            let mut iv = [0u8; 12];
            fill(&mut iv).unwrap();
            let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap());
            let tag = key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(iv),
                    Aad::from(aad),
                    &mut data,
                )
                .unwrap();
            (iv.to_vec(), tag.as_ref().to_vec())
        } else {
            let mut iv = [0u8; 16];
            fill(&mut iv).unwrap();
            let (mac_key, enc_key) = cek.split_at(16);
            let k = PaddedBlockEncryptingKey::cbc_pkcs7(
                UnboundCipherKey::new(&AES_128, enc_key).unwrap(),
            )
            .unwrap();
            k.less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
                .unwrap();
            (iv.to_vec(), cbc_tag(mac_key, aad, &iv, &data))
        };
        let mut out = String::with_capacity(self.header_b64.len() + data.len() * 4 / 3 + 600);
        out.push_str(&self.header_b64);
        for part in [&ek[..], &iv, &data, &tag] {
            out.push('.');
            B64.encode_append(part, &mut out);
        }
        (out, epk)
    }

    fn decrypt(&self, token: &str, epk: &[u8]) -> Vec<u8> {
        let d: Vec<usize> = memchr::memchr_iter(b'.', token.as_bytes()).collect();
        let (h, ek, iv, ct, tag) = (
            &token[..d[0]],
            &token[d[0] + 1..d[1]],
            &token[d[1] + 1..d[2]],
            &token[d[2] + 1..d[3]],
            &token[d[3] + 1..],
        );
        let cek = self.unwrap(&B64.decode_to_vec(ek).unwrap(), epk);
        let iv = B64.decode_to_vec(iv).unwrap();
        let mut data = B64.decode_to_vec(ct).unwrap();
        let tag = B64.decode_to_vec(tag).unwrap();
        if self.enc == JweEnc::A256Gcm {
            let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap());
            let iv: [u8; 12] = iv.try_into().unwrap();
            key.open_in_place_separate_tag(
                Nonce::assume_unique_for_key(iv),
                Aad::from(h.as_bytes()),
                &tag,
                &mut data,
            )
            .unwrap();
            data
        } else {
            let (mac_key, enc_key) = cek.split_at(16);
            assert!(aws_lc_rs::constant_time::verify_slices_are_equal(
                &cbc_tag(mac_key, h.as_bytes(), &iv, &data),
                &tag
            )
            .is_ok());
            let k = PaddedBlockDecryptingKey::cbc_pkcs7(
                UnboundCipherKey::new(&AES_128, enc_key).unwrap(),
            )
            .unwrap();
            let iv: [u8; 16] = iv.try_into().unwrap();
            let n = k
                .decrypt(&mut data, DecryptionContext::Iv128(FixedLength::from(iv)))
                .unwrap()
                .len();
            data.truncate(n);
            data
        }
    }
}

fn cbc_tag(mac_key: &[u8], aad: &[u8], iv: &[u8], ct: &[u8]) -> Vec<u8> {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, mac_key));
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ct);
    ctx.update(&((aad.len() as u64) * 8).to_be_bytes());
    ctx.sign().as_ref()[..16].to_vec()
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

    let raw = Rc::new(Raw::new(alg, enc, &jwk));
    {
        let (r, b) = (raw.clone(), body.clone());
        row(rows, "jwe_encrypt", "ceiling", label, move || {
            drop(black_box(r.encrypt(black_box(&b))))
        });
    }
    {
        let r = raw.clone();
        let (t, epk) = r.encrypt(&body);
        assert_eq!(r.decrypt(&t, &epk), *body);
        row(rows, "jwe_decrypt", "ceiling", label, move || {
            drop(black_box(r.decrypt(black_box(&t), &epk)))
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
}

/// HPKE-0 (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) by hand over aws-lc-rs,
/// RFC 9180 base mode with the empty info and the JWE AAD: the ceiling of the `HPKE-0`
/// rows. The constant parts of the key schedule are computed once.
#[cfg(feature = "hpke")]
mod raw_hpke {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
    use aws_lc_rs::{agreement, hmac};

    const KEM_SUITE: &[u8] = b"KEM\x00\x10";
    const SUITE: &[u8] = b"HPKE\x00\x10\x00\x01\x00\x01";

    fn extract(salt: &[u8], suite: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
        let zeros = [0u8; 32];
        let key = hmac::Key::new(
            hmac::HMAC_SHA256,
            if salt.is_empty() { &zeros } else { salt },
        );
        let mut ctx = hmac::Context::with_key(&key);
        for part in [b"HPKE-v1".as_slice(), suite, label, ikm] {
            ctx.update(part);
        }
        ctx.sign().as_ref().try_into().unwrap()
    }

    fn expand(prk: &[u8], suite: &[u8], label: &[u8], info: &[&[u8]], len: usize) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, prk);
        let mut ctx = hmac::Context::with_key(&key);
        for part in [&(len as u16).to_be_bytes()[..], b"HPKE-v1", suite, label] {
            ctx.update(part);
        }
        for part in info {
            ctx.update(part);
        }
        ctx.update(&[1]);
        ctx.sign().as_ref()[..len].to_vec()
    }

    /// The key schedule's constant context: mode 0, the empty psk_id and info.
    pub fn ks_context() -> Vec<u8> {
        let mut c = vec![0u8];
        c.extend_from_slice(&extract(b"", SUITE, b"psk_id_hash", b""));
        c.extend_from_slice(&extract(b"", SUITE, b"info_hash", b""));
        c
    }

    fn key_schedule(dh: &[u8], enc: &[u8], pk_r: &[u8], ks: &[u8]) -> (LessSafeKey, [u8; 12]) {
        let eae_prk = extract(b"", KEM_SUITE, b"eae_prk", dh);
        let shared = expand(&eae_prk, KEM_SUITE, b"shared_secret", &[enc, pk_r], 32);
        let secret = extract(&shared, SUITE, b"secret", b"");
        let key = expand(&secret, SUITE, b"key", &[ks], 16);
        let nonce = expand(&secret, SUITE, b"base_nonce", &[ks], 12);
        (
            LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &key).unwrap()),
            nonce.try_into().unwrap(),
        )
    }

    /// Seals `data` in place (tag appended) to `pk_r`; returns the encapsulated key.
    pub fn seal(pk_r: &[u8], ks: &[u8], aad: &[u8], data: &mut Vec<u8>) -> Vec<u8> {
        let sk_e = agreement::PrivateKey::generate(&agreement::ECDH_P256).unwrap();
        let enc = sk_e.compute_public_key().unwrap().as_ref().to_vec();
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, pk_r);
        let dh = agreement::agree(&sk_e, peer, (), |z| Ok(z.to_vec())).unwrap();
        let (key, nonce) = key_schedule(&dh, &enc, pk_r, ks);
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), data)
            .unwrap();
        enc
    }

    /// Opens `data` (ciphertext and tag) in place.
    pub fn open(
        sk_r: &agreement::PrivateKey,
        pk_r: &[u8],
        ks: &[u8],
        enc: &[u8],
        aad: &[u8],
        data: &mut Vec<u8>,
    ) {
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, enc);
        let dh = agreement::agree(sk_r, peer, (), |z| Ok(z.to_vec())).unwrap();
        let (key, nonce) = key_schedule(&dh, enc, pk_r, ks);
        let n = key
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), data)
            .unwrap()
            .len();
        data.truncate(n);
    }
}

/// HPKE-0 integrated encryption at 1 KiB: bodyseal against [`raw_hpke`].
#[cfg(feature = "hpke")]
fn add_hpke(rows: &mut Vec<Row>) {
    let label = "HPKE-0-1KiB";
    let alg = JweAlg::Hpke0;
    let body = Rc::new(body(1024));
    let jwk = Jwk::generate(bodyseal::jwk::KeyKind::Ec(bodyseal::alg::EcCurve::P256)).unwrap();
    let KeyParams::Ec {
        x, y, d: Some(d), ..
    } = &jwk.params
    else {
        unreachable!()
    };
    let pk_r = Rc::new([&[4u8][..], x, y].concat());
    let sk_r = Rc::new(
        agreement::PrivateKey::from_private_key(&agreement::ECDH_P256, d.expose_secret()).unwrap(),
    );
    let ks = Rc::new(raw_hpke::ks_context());
    let header_b64 = Rc::new(B64.encode_to_string(r#"{"alg":"HPKE-0"}"#));
    let encryptor = Rc::new(
        Encryptor::hpke(alg)
            .unwrap()
            .recipient(&EncryptionKey::from_jwk(&public(&jwk)).unwrap(), alg)
            .unwrap(),
    );
    let keys = Rc::new(DecryptionKeys::single(
        DecryptionKey::from_jwk(&jwk).unwrap(),
    ));
    let policy = Rc::new(JwePolicy::new(&[alg], &[]));
    let token = Rc::new(encryptor.compact(&body).unwrap());
    let raw_encrypt = {
        let (p, k, h) = (pk_r.clone(), ks.clone(), header_b64.clone());
        move |b: &[u8]| -> String {
            let mut data = b.to_vec();
            let enc = raw_hpke::seal(&p, &k, h.as_bytes(), &mut data);
            let mut out = String::with_capacity(h.len() + (enc.len() + data.len()) * 4 / 3 + 8);
            out.push_str(&h);
            out.push('.');
            B64.encode_append(&enc, &mut out);
            out.push_str("..");
            B64.encode_append(&data, &mut out);
            out.push('.');
            out
        }
    };
    let raw_decrypt = {
        let (s, p, k) = (sk_r.clone(), pk_r.clone(), ks.clone());
        move |t: &str| -> Vec<u8> {
            let d: Vec<usize> = memchr::memchr_iter(b'.', t.as_bytes()).collect();
            let enc = B64.decode_to_vec(&t[d[0] + 1..d[1]]).unwrap();
            let mut data = B64.decode_to_vec(&t[d[2] + 1..d[3]]).unwrap();
            raw_hpke::open(&s, &p, &k, &enc, &t.as_bytes()[..d[0]], &mut data);
            data
        }
    };
    // Each side opens the other's token before anything is measured.
    assert_eq!(raw_decrypt(&token), *body);
    let theirs = raw_encrypt(&body);
    assert_eq!(
        jwe::parse_compact(&theirs, &policy.limits)
            .unwrap()
            .decrypt(&keys, &policy)
            .unwrap()
            .into_plaintext(),
        *body
    );
    {
        let b = body.clone();
        row(rows, "jwe_encrypt", "ceiling", label, move || {
            drop(black_box(raw_encrypt(black_box(&b))))
        });
    }
    {
        let t = token.clone();
        row(rows, "jwe_decrypt", "ceiling", label, move || {
            drop(black_box(raw_decrypt(black_box(&t))))
        });
    }
    {
        let (e, b) = (encryptor.clone(), body.clone());
        row(rows, "jwe_encrypt", "bodyseal", label, move || {
            drop(black_box(e.compact(black_box(&b)).unwrap()))
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
            "ECDH-ES-X25519+A256GCM-1KiB",
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
    #[cfg(feature = "hpke")]
    if only.is_none_or(|o| o == "HPKE-0-1KiB") {
        add_hpke(&mut rows);
    }
    rows
}

/// Criterion by default; see `common::main` for the callgrind mode.
fn main() {
    common::main(rows, 20, Duration::from_secs(2));
}
