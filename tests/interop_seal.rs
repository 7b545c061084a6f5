//! The body-protection binding format against an independent implementation: josekit
//! (over OpenSSL) opens what bodyseal seals, checking `aud` / `iss` with thumbprints this
//! test computes itself (RFC 7638 over the JWK JSON, SHA-256 by OpenSSL), and bodyseal
//! opens nested tokens josekit builds with that binding. Both orders, three algorithm
//! sets (EC, RSA, EdDSA with X25519). Every JWS and JWE algorithm on its own is covered
//! by `interop.rs` and `interop_jwe.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsAlg, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwk::Jwk;
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Sealer};
use josekit::jwe::{JweDecrypter, JweEncrypter, JweHeader};
use josekit::jws::{JwsHeader, JwsSigner, JwsVerifier};
use serde_json::Value;

const BODY: &[u8] = br#"{"claim":"A-17","amount":"310.00"}"#;
const URI: &str = "https://payer.example/v2/claims";

struct Suite {
    jws: JwsAlg,
    jwe: JweAlg,
    enc: JweEnc,
    sender: Jwk,
    recipient: Jwk,
}

fn suites() -> Vec<Suite> {
    let g = |k| Jwk::generate(k).unwrap();
    vec![
        Suite {
            jws: JwsAlg::Es256,
            jwe: JweAlg::EcdhEsA256Kw,
            enc: JweEnc::A256Gcm,
            sender: g(KeyKind::Ec(EcCurve::P256)),
            recipient: g(KeyKind::Ec(EcCurve::P384)),
        },
        Suite {
            jws: JwsAlg::Ps256,
            jwe: JweAlg::RsaOaep256,
            enc: JweEnc::A128CbcHs256,
            sender: g(KeyKind::Rsa(2048)),
            recipient: g(KeyKind::Rsa(2048)),
        },
        Suite {
            jws: JwsAlg::EdDsa,
            jwe: JweAlg::EcdhEs,
            enc: JweEnc::A256Gcm,
            sender: g(KeyKind::Okp(OkpCurve::Ed25519)),
            recipient: g(KeyKind::Okp(OkpCurve::X25519)),
        },
    ]
}

fn jk(jwk: &Jwk) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap()
}

/// RFC 7638 + RFC 9278, computed here from the JWK's JSON members.
fn thumbprint_uri(public: &Jwk) -> String {
    let v: Value = serde_json::from_str(&public.to_json()).unwrap();
    let members: &[&str] = match v["kty"].as_str().unwrap() {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        other => panic!("{other}"),
    };
    let canonical = members
        .iter()
        .map(|m| format!("\"{m}\":\"{}\"", v[*m].as_str().unwrap()))
        .collect::<Vec<_>>()
        .join(",");
    let digest = openssl::sha::sha256(format!("{{{canonical}}}").as_bytes());
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    format!("urn:ietf:params:oauth:jwk-thumbprint:sha-256:{b64}")
}

fn jk_signer(alg: JwsAlg, jwk: &Jwk) -> Box<dyn JwsSigner> {
    use josekit::jws::*;
    match alg {
        JwsAlg::Es256 => Box::new(ES256.signer_from_jwk(&jk(jwk)).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.signer_from_jwk(&jk(jwk)).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.signer_from_jwk(&jk(jwk)).unwrap()),
        other => panic!("{other}"),
    }
}

fn jk_verifier(alg: JwsAlg, jwk: &Jwk) -> Box<dyn JwsVerifier> {
    use josekit::jws::*;
    match alg {
        JwsAlg::Es256 => Box::new(ES256.verifier_from_jwk(&jk(jwk)).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.verifier_from_jwk(&jk(jwk)).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.verifier_from_jwk(&jk(jwk)).unwrap()),
        other => panic!("{other}"),
    }
}

fn jk_encrypter(alg: JweAlg, jwk: &Jwk) -> Box<dyn JweEncrypter> {
    use josekit::jwe::*;
    match alg {
        JweAlg::EcdhEsA256Kw => Box::new(ECDH_ES_A256KW.encrypter_from_jwk(&jk(jwk)).unwrap()),
        JweAlg::RsaOaep256 => Box::new(RSA_OAEP_256.encrypter_from_jwk(&jk(jwk)).unwrap()),
        JweAlg::EcdhEs => Box::new(ECDH_ES.encrypter_from_jwk(&jk(jwk)).unwrap()),
        other => panic!("{other}"),
    }
}

fn jk_decrypter(alg: JweAlg, jwk: &Jwk) -> Box<dyn JweDecrypter> {
    use josekit::jwe::*;
    match alg {
        JweAlg::EcdhEsA256Kw => Box::new(ECDH_ES_A256KW.decrypter_from_jwk(&jk(jwk)).unwrap()),
        JweAlg::RsaOaep256 => Box::new(RSA_OAEP_256.decrypter_from_jwk(&jk(jwk)).unwrap()),
        JweAlg::EcdhEs => Box::new(ECDH_ES.decrypter_from_jwk(&jk(jwk)).unwrap()),
        other => panic!("{other}"),
    }
}

fn request() -> Exchange {
    Exchange::Request(RequestBinding::new("POST", URI).unwrap())
}

fn our_opener(order: Order, s: &Suite) -> Opener {
    Opener::new(
        order,
        VerifyingKeys::single(VerifyingKey::from_jwk(&s.sender.to_public().unwrap()).unwrap()),
        JwsPolicy::new(&[s.jws]),
        DecryptionKeys::single(DecryptionKey::from_jwk(&s.recipient).unwrap()),
        JwePolicy::new(&[s.jwe], &[s.enc]),
    )
}

fn our_sealer(order: Order, s: &Suite) -> Sealer {
    Sealer::new(order, &SigningKey::from_jwk(&s.sender).unwrap())
        .with_alg(s.jws)
        .unwrap()
        .with_enc(s.enc)
        .unwrap()
        .recipient(
            &EncryptionKey::from_jwk(&s.recipient.to_public().unwrap()).unwrap(),
            s.jwe,
        )
        .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The exchange members josekit's tokens carry.
fn exchange_claims(h: &mut JwsHeader, jti: &str) {
    h.set_claim("iat", Some(now().into())).unwrap();
    h.set_claim("jti", Some(jti.into())).unwrap();
    h.set_claim("htm", Some("POST".into())).unwrap();
    h.set_claim("htu", Some(URI.into())).unwrap();
}

#[test]
fn josekit_opens_what_bodyseal_seals() {
    for s in suites() {
        let sender_pub = s.sender.to_public().unwrap();
        let recipient_pub = s.recipient.to_public().unwrap();

        // Sign-then-encrypt: JWE(cty JOSE) around a JWS naming the recipient in aud.
        let sealed = our_sealer(Order::SignThenEncrypt, &s)
            .seal(BODY, &request())
            .unwrap();
        let (inner, jwe_header) =
            josekit::jwe::deserialize_compact(&sealed.token, &*jk_decrypter(s.jwe, &s.recipient))
                .unwrap();
        assert_eq!(jwe_header.content_type(), Some("JOSE"));
        let (body, jws_header) =
            josekit::jws::deserialize_compact(&inner, &*jk_verifier(s.jws, &sender_pub)).unwrap();
        assert_eq!(body, BODY, "{}", s.jws);
        assert_eq!(
            jws_header.claim("aud"),
            Some(&Value::from(thumbprint_uri(&recipient_pub)))
        );
        assert_eq!(jws_header.claim("htu"), Some(&Value::from(URI)));
        assert_eq!(jws_header.claim("htm"), Some(&Value::from("POST")));

        // Encrypt-then-sign: JWS(cty JOSE) around a JWE naming the signer in iss.
        let sealed = our_sealer(Order::EncryptThenSign, &s)
            .seal(BODY, &request())
            .unwrap();
        let (inner, jws_header) =
            josekit::jws::deserialize_compact(&sealed.token, &*jk_verifier(s.jws, &sender_pub))
                .unwrap();
        assert_eq!(jws_header.content_type(), Some("JOSE"));
        assert_eq!(
            jws_header.claim("jti"),
            Some(&Value::from(sealed.jti.as_str()))
        );
        let (body, jwe_header) = josekit::jwe::deserialize_compact(
            std::str::from_utf8(&inner).unwrap(),
            &*jk_decrypter(s.jwe, &s.recipient),
        )
        .unwrap();
        assert_eq!(body, BODY);
        assert_eq!(
            jwe_header.claim("iss"),
            Some(&Value::from(thumbprint_uri(&sender_pub)))
        );
    }
}

#[test]
fn bodyseal_opens_what_josekit_seals_with_the_binding() {
    for s in suites() {
        let sender_pub = s.sender.to_public().unwrap();
        let recipient_pub = s.recipient.to_public().unwrap();

        let mut h = JwsHeader::new();
        exchange_claims(&mut h, "jk-ste");
        h.set_claim("aud", Some(thumbprint_uri(&recipient_pub).into()))
            .unwrap();
        let inner =
            josekit::jws::serialize_compact(BODY, &h, &*jk_signer(s.jws, &s.sender)).unwrap();
        let mut eh = JweHeader::new();
        eh.set_content_encryption(s.enc.as_str());
        eh.set_content_type("JOSE");
        let token = josekit::jwe::serialize_compact(
            inner.as_bytes(),
            &eh,
            &*jk_encrypter(s.jwe, &recipient_pub),
        )
        .unwrap();
        let opened = our_opener(Order::SignThenEncrypt, &s)
            .open(&token, &request())
            .unwrap();
        assert_eq!(opened.body(), BODY);
        assert!(opened.bound);

        let mut eh = JweHeader::new();
        eh.set_content_encryption(s.enc.as_str());
        eh.set_claim("iss", Some(thumbprint_uri(&sender_pub).into()))
            .unwrap();
        let inner =
            josekit::jwe::serialize_compact(BODY, &eh, &*jk_encrypter(s.jwe, &recipient_pub))
                .unwrap();
        let mut h = JwsHeader::new();
        exchange_claims(&mut h, "jk-ets");
        h.set_content_type("JOSE");
        let token =
            josekit::jws::serialize_compact(inner.as_bytes(), &h, &*jk_signer(s.jws, &s.sender))
                .unwrap();
        let opened = our_opener(Order::EncryptThenSign, &s)
            .open(&token, &request())
            .unwrap();
        assert_eq!(opened.body(), BODY);
        assert!(opened.bound);
    }
}

#[test]
fn josekit_nested_tokens_without_the_binding_need_the_opt_in() {
    let s = &suites()[0];
    let recipient_pub = s.recipient.to_public().unwrap();
    let mut h = JwsHeader::new();
    exchange_claims(&mut h, "jk-unbound");
    let inner = josekit::jws::serialize_compact(BODY, &h, &*jk_signer(s.jws, &s.sender)).unwrap();
    let mut eh = JweHeader::new();
    eh.set_content_encryption(s.enc.as_str());
    eh.set_content_type("JWT");
    let token = josekit::jwe::serialize_compact(
        inner.as_bytes(),
        &eh,
        &*jk_encrypter(s.jwe, &recipient_pub),
    )
    .unwrap();
    let opener = our_opener(Order::SignThenEncrypt, s);
    assert!(opener.open(&token, &request()).is_err());
    let opened = opener.allow_unbound().open(&token, &request()).unwrap();
    assert!(!opened.bound);
}
