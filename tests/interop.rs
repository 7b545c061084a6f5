//! Interop with josekit (an independent implementation over OpenSSL): for every JWS
//! algorithm both implement, bodyseal signs and josekit verifies, and josekit signs and
//! bodyseal verifies, in compact, flattened JSON and general JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{JwsAlg, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
use josekit::jws::{JwsHeader, JwsHeaderSet, JwsSigner, JwsVerifier};

const PAYLOAD: &[u8] =
    br#"{"order":"A-1001","items":[{"sku":"x","qty":2}],"note":"caf\u00e9 \u2713"}"#;

fn kind_for(alg: JwsAlg) -> KeyKind {
    use bodyseal::alg::JwsFamily::*;
    match alg.family() {
        Hmac => KeyKind::Oct(alg.hash().output_len()),
        RsaPkcs1 | RsaPss => KeyKind::Rsa(2048),
        Ecdsa(c) => KeyKind::Ec(c),
        Ed25519 => KeyKind::Okp(OkpCurve::Ed25519),
        _ => unreachable!(),
    }
}

fn jk(jwk: &Jwk) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(jwk.to_json().as_bytes()).unwrap()
}

fn jk_signer(alg: JwsAlg, jwk: &Jwk) -> Box<dyn JwsSigner> {
    use josekit::jws::*;
    let k = jk(jwk);
    match alg {
        JwsAlg::Hs256 => Box::new(HS256.signer_from_jwk(&k).unwrap()),
        JwsAlg::Hs384 => Box::new(HS384.signer_from_jwk(&k).unwrap()),
        JwsAlg::Hs512 => Box::new(HS512.signer_from_jwk(&k).unwrap()),
        JwsAlg::Rs256 => Box::new(RS256.signer_from_jwk(&k).unwrap()),
        JwsAlg::Rs384 => Box::new(RS384.signer_from_jwk(&k).unwrap()),
        JwsAlg::Rs512 => Box::new(RS512.signer_from_jwk(&k).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.signer_from_jwk(&k).unwrap()),
        JwsAlg::Ps384 => Box::new(PS384.signer_from_jwk(&k).unwrap()),
        JwsAlg::Ps512 => Box::new(PS512.signer_from_jwk(&k).unwrap()),
        JwsAlg::Es256 => Box::new(ES256.signer_from_jwk(&k).unwrap()),
        JwsAlg::Es384 => Box::new(ES384.signer_from_jwk(&k).unwrap()),
        JwsAlg::Es512 => Box::new(ES512.signer_from_jwk(&k).unwrap()),
        JwsAlg::Es256K => Box::new(ES256K.signer_from_jwk(&k).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.signer_from_jwk(&k).unwrap()),
        other => panic!("josekit has no {other}"),
    }
}

fn jk_verifier(alg: JwsAlg, jwk: &Jwk) -> Box<dyn JwsVerifier> {
    use josekit::jws::*;
    let k = jk(jwk);
    match alg {
        JwsAlg::Hs256 => Box::new(HS256.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Hs384 => Box::new(HS384.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Hs512 => Box::new(HS512.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Rs256 => Box::new(RS256.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Rs384 => Box::new(RS384.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Rs512 => Box::new(RS512.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Ps256 => Box::new(PS256.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Ps384 => Box::new(PS384.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Ps512 => Box::new(PS512.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Es256 => Box::new(ES256.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Es384 => Box::new(ES384.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Es512 => Box::new(ES512.verifier_from_jwk(&k).unwrap()),
        JwsAlg::Es256K => Box::new(ES256K.verifier_from_jwk(&k).unwrap()),
        JwsAlg::EdDsa => Box::new(EdDSA.verifier_from_jwk(&k).unwrap()),
        other => panic!("josekit has no {other}"),
    }
}

/// The algorithms josekit implements (all of bodyseal's but RFC 9864's `Ed25519` name).
const SHARED: &[JwsAlg] = &[
    JwsAlg::Hs256,
    JwsAlg::Hs384,
    JwsAlg::Hs512,
    JwsAlg::Rs256,
    JwsAlg::Rs384,
    JwsAlg::Rs512,
    JwsAlg::Ps256,
    JwsAlg::Ps384,
    JwsAlg::Ps512,
    JwsAlg::Es256,
    JwsAlg::Es384,
    JwsAlg::Es512,
    JwsAlg::Es256K,
    JwsAlg::EdDsa,
];

struct Pair {
    private: Jwk,
    public: Jwk,
}

fn pair(alg: JwsAlg) -> Pair {
    let private = Jwk::generate(kind_for(alg))
        .unwrap()
        .with_kid(format!("interop-{alg}"));
    let public = private
        .to_public()
        .unwrap_or_else(|_| Jwk::from_json(&private.to_json()).unwrap());
    Pair { private, public }
}

fn ours_verify(alg: JwsAlg, p: &Pair, token: &str) -> Vec<u8> {
    let keys = VerifyingKeys::single(VerifyingKey::from_jwk(&p.public).unwrap());
    let policy = JwsPolicy::new(&[alg]);
    jws::parse(token, &policy.limits)
        .and_then(|u| u.verify(&keys, &policy))
        .unwrap_or_else(|e| panic!("{alg}: bodyseal rejected josekit's token: {e}\n{token}"))
        .payload()
        .to_vec()
}

#[test]
fn bodyseal_signs_josekit_verifies() {
    let mut checked = 0;
    for &alg in SHARED {
        let p = pair(alg);
        let signer = Signer::new(&SigningKey::from_jwk(&p.private).unwrap())
            .with_alg(alg)
            .unwrap();
        let verifier = jk_verifier(alg, &p.public);
        let ctx = josekit::jws::JwsContext::new();

        let compact = signer.compact(PAYLOAD).unwrap();
        let (payload, header) = ctx
            .deserialize_compact(&compact, &*verifier)
            .unwrap_or_else(|e| panic!("{alg} compact: {e}"));
        assert_eq!(payload, PAYLOAD, "{alg}");
        assert_eq!(header.algorithm(), Some(alg.as_str()));

        let flat = signer.flattened(PAYLOAD).unwrap();
        let (payload, _) = ctx
            .deserialize_json(&flat, &*verifier)
            .unwrap_or_else(|e| panic!("{alg} flattened: {e}"));
        assert_eq!(payload, PAYLOAD, "{alg}");

        let general = Signer::general(std::slice::from_ref(&signer), PAYLOAD).unwrap();
        let (payload, _) = ctx
            .deserialize_json(&general, &*verifier)
            .unwrap_or_else(|e| panic!("{alg} general: {e}"));
        assert_eq!(payload, PAYLOAD, "{alg}");
        checked += 3;
    }
    assert_eq!(checked, SHARED.len() * 3);
}

#[test]
fn josekit_signs_bodyseal_verifies() {
    let mut checked = 0;
    for &alg in SHARED {
        let p = pair(alg);
        let signer = jk_signer(alg, &p.private);
        let ctx = josekit::jws::JwsContext::new();

        let mut header = JwsHeader::new();
        header.set_key_id(p.private.kid.clone().unwrap());
        let compact = ctx.serialize_compact(PAYLOAD, &header, &*signer).unwrap();
        assert_eq!(ours_verify(alg, &p, &compact), PAYLOAD);

        let mut set = JwsHeaderSet::new();
        set.set_key_id(p.private.kid.clone().unwrap(), true);
        let flat = ctx
            .serialize_flattened_json(PAYLOAD, &set, &*signer)
            .unwrap();
        assert_eq!(ours_verify(alg, &p, &flat), PAYLOAD);

        let general = ctx
            .serialize_general_json(PAYLOAD, &[(&set, &*signer)])
            .unwrap();
        assert_eq!(ours_verify(alg, &p, &general), PAYLOAD);
        checked += 3;
    }
    assert_eq!(checked, SHARED.len() * 3);
}

#[test]
fn unencoded_payload_interop() {
    // RFC 7797 both ways, HS256 and ES256.
    for alg in [JwsAlg::Hs256, JwsAlg::Es256] {
        let p = pair(alg);
        let mut ctx = josekit::jws::JwsContext::new();
        ctx.add_acceptable_critical("b64");
        let ours = Signer::new(&SigningKey::from_jwk(&p.private).unwrap())
            .with_alg(alg)
            .unwrap()
            .unencoded();
        // josekit's JSON deserializer always base64url-decodes the payload, so the
        // unencoded direction bodyseal -> josekit goes through the compact form.
        let compact = ours.compact(PAYLOAD).unwrap();
        let (payload, header) = ctx
            .deserialize_compact(&compact, &*jk_verifier(alg, &p.public))
            .unwrap();
        assert_eq!(payload, PAYLOAD);
        assert_eq!(header.base64url_encode_payload(), Some(false));

        // josekit writes an unencoded payload into JSON without escaping it (invalid
        // JSON), so the direction josekit -> bodyseal also uses the compact form.
        let mut header = JwsHeader::new();
        header.set_base64url_encode_payload(false);
        header.set_critical(&vec!["b64"]);
        let theirs = ctx
            .serialize_compact(PAYLOAD, &header, &*jk_signer(alg, &p.private))
            .unwrap();
        assert_eq!(ours_verify(alg, &p, &theirs), PAYLOAD);
    }
}

#[test]
fn ed25519_fully_specified_name_uses_the_same_signature() {
    // josekit knows only `EdDSA`; an RFC 9864 `Ed25519` signature is the same bytes, so a
    // token bodyseal signs under `Ed25519` verifies with josekit once the header says EdDSA.
    let p = pair(JwsAlg::EdDsa);
    let key = SigningKey::from_jwk(&p.private).unwrap();
    let input = b"header.payload";
    let a = key.sign_raw(JwsAlg::Ed25519, input).unwrap();
    let b = key.sign_raw(JwsAlg::EdDsa, input).unwrap();
    assert_eq!(
        a, b,
        "Ed25519 is deterministic and identical under both names"
    );
    let v = jk_verifier(JwsAlg::EdDsa, &p.public);
    v.verify(input, &a).unwrap();
}
