use super::*;
use crate::alg::HashAlg;

#[test]
fn rfc7638_example_thumbprint() {
    // RFC 7638 section 3.1.
    let jwk = Jwk::from_json(r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#).unwrap();
    assert_eq!(
        jwk.thumbprint_b64(HashAlg::Sha256),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(
        jwk.thumbprint_uri(HashAlg::Sha256),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn debug_never_prints_secrets() {
    let jwk = Jwk::from_json(r#"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXh4eHg"}"#)
        .unwrap();
    let dbg = format!("{jwk:?}");
    assert!(!dbg.contains("c2VjcmV0"), "{dbg}");
    assert!(dbg.contains("Secret(..)"));
}

#[test]
fn key_ops_duplicates_and_use_conflict_rejected() {
    let base = r#""kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA""#;
    assert!(Jwk::from_json(&format!(r#"{{{base},"key_ops":["sign","sign"]}}"#)).is_err());
    assert!(Jwk::from_json(&format!(r#"{{{base},"use":"enc","key_ops":["sign"]}}"#)).is_err());
    assert!(Jwk::from_json(&format!(
        r#"{{{base},"use":"sig","key_ops":["sign","verify"]}}"#
    ))
    .is_ok());
}

#[test]
fn generated_keys_round_trip_through_json_and_pem() {
    use crate::crypto::KeyKind;
    for kind in [
        KeyKind::Ec(EcCurve::P256),
        KeyKind::Ec(EcCurve::P384),
        KeyKind::Ec(EcCurve::P521),
        KeyKind::Ec(EcCurve::Secp256k1),
        KeyKind::Okp(OkpCurve::Ed25519),
        KeyKind::Okp(OkpCurve::X25519),
        KeyKind::Rsa(2048),
    ] {
        let jwk = Jwk::generate(kind).unwrap();
        let again = Jwk::from_json(&jwk.to_json()).unwrap();
        assert_eq!(
            again.thumbprint(HashAlg::Sha256),
            jwk.thumbprint(HashAlg::Sha256)
        );
        let pem = jwk.to_pem().unwrap();
        let from_pem = Jwk::from_pem(&pem).unwrap();
        assert_eq!(from_pem.to_json(), jwk.to_json(), "{kind:?}");
        let public = jwk.to_public().unwrap();
        let pub_pem = public.to_pem().unwrap();
        assert!(pub_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(Jwk::from_pem(&pub_pem).unwrap().to_json(), public.to_json());
    }
}

#[test]
fn jwk_set_select_by_kid_then_by_type_and_alg() {
    let set = JwkSet::from_json(
        r#"{"keys":[
        {"kty":"EC","crv":"P-256","kid":"a","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty":"oct","kid":"b","alg":"HS512","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"kty":"X448","kid":"c"}
    ]}"#,
    );
    // A mixed set is refused as a whole.
    assert!(set.is_err());
    let set = JwkSet::from_json(
        r#"{"keys":[
        {"kty":"oct","kid":"a","alg":"HS256","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"kty":"oct","kid":"b","alg":"HS512","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"kty":"OKP","crv":"X448","kid":"c","x":"AA"}
    ]}"#,
    )
    .unwrap();
    assert_eq!(set.skipped, 1);
    let kids = |kid, alg| {
        set.select(kid, alg)
            .map(|k| k.kid.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    // The one `kid` rule: a known `kid` selects its keys only, and their `alg` must fit.
    assert_eq!(kids(Some("b"), crate::alg::JwsAlg::Hs512), ["b"]);
    assert!(kids(Some("b"), crate::alg::JwsAlg::Hs256).is_empty());
    assert_eq!(kids(None, crate::alg::JwsAlg::Hs512), ["b", ""]);
    // An unknown `kid` selects the keys without one, never a key with another `kid`.
    assert_eq!(kids(Some("zz"), crate::alg::JwsAlg::Hs256), [""]);
    assert!(kids(None, crate::alg::JwsAlg::Es256).is_empty());
}
