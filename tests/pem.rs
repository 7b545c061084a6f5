//! PEM and DER import/export, checked against OpenSSL (through the `openssl` crate that
//! josekit already builds, vendored): keys OpenSSL writes in every container load into the
//! same JWK, keys bodyseal writes load in OpenSSL, and an X.509 certificate yields its key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, HashAlg, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::{Jwk, KeyParams};
use bodyseal::jws::{self, Signer};
use bodyseal::key::{SigningKey, VerifyingKey, VerifyingKeys};
use bodyseal::policy::JwsPolicy;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;

fn same_public(a: &Jwk, b: &Jwk) {
    assert_eq!(a.thumbprint(HashAlg::Sha256), b.thumbprint(HashAlg::Sha256));
}

fn sign_verify(private: &Jwk, public: &Jwk) {
    let key = SigningKey::from_jwk(private).unwrap();
    let token = Signer::new(&key).compact(b"pem").unwrap();
    let policy = JwsPolicy::new(&[key.alg()]);
    let keys = VerifyingKeys::single(VerifyingKey::from_jwk(public).unwrap());
    assert_eq!(
        jws::parse(&token, &policy.limits)
            .unwrap()
            .verify(&keys, &policy)
            .unwrap()
            .payload(),
        b"pem"
    );
}

#[test]
fn openssl_ec_keys_in_every_container() {
    for (nid, curve) in [
        (Nid::X9_62_PRIME256V1, EcCurve::P256),
        (Nid::SECP384R1, EcCurve::P384),
        (Nid::SECP521R1, EcCurve::P521),
        (Nid::SECP256K1, EcCurve::Secp256k1),
    ] {
        let group = EcGroup::from_curve_name(nid).unwrap();
        let ec = EcKey::generate(&group).unwrap();
        let sec1 = String::from_utf8(ec.private_key_to_pem().unwrap()).unwrap();
        assert!(sec1.contains("BEGIN EC PRIVATE KEY"));
        let pkey = PKey::from_ec_key(ec.clone()).unwrap();
        let pkcs8 = String::from_utf8(pkey.private_key_to_pem_pkcs8().unwrap()).unwrap();
        let spki = String::from_utf8(pkey.public_key_to_pem().unwrap()).unwrap();

        let a = Jwk::from_pem(&sec1).unwrap();
        let b = Jwk::from_pem(&pkcs8).unwrap();
        let c = Jwk::from_pem(&spki).unwrap();
        assert!(matches!(a.params, KeyParams::Ec { curve: c2, .. } if c2 == curve));
        same_public(&a, &b);
        same_public(&a, &c);
        sign_verify(&b, &c);
        // DER forms too.
        same_public(
            &a,
            &Jwk::from_sec1_der(&ec.private_key_to_der().unwrap()).unwrap(),
        );
        same_public(
            &a,
            &Jwk::from_spki_der(&pkey.public_key_to_der().unwrap()).unwrap(),
        );
        // And OpenSSL reads what bodyseal writes.
        let ours = b.to_pem().unwrap();
        let back = PKey::private_key_from_pem(ours.as_bytes()).unwrap();
        assert!(back.public_eq(&pkey));
        let pub_pem = c.to_pem().unwrap();
        assert!(PKey::public_key_from_pem(pub_pem.as_bytes())
            .unwrap()
            .public_eq(&pkey));
    }
}

#[test]
fn openssl_rsa_keys_in_every_container() {
    let rsa = Rsa::generate(2048).unwrap();
    let pkcs1 = String::from_utf8(rsa.private_key_to_pem().unwrap()).unwrap();
    assert!(pkcs1.contains("BEGIN RSA PRIVATE KEY"));
    let pkcs1_pub = String::from_utf8(rsa.public_key_to_pem_pkcs1().unwrap()).unwrap();
    let pkey = PKey::from_rsa(rsa).unwrap();
    let pkcs8 = String::from_utf8(pkey.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let spki = String::from_utf8(pkey.public_key_to_pem().unwrap()).unwrap();
    let a = Jwk::from_pem(&pkcs1).unwrap();
    let b = Jwk::from_pem(&pkcs8).unwrap();
    same_public(&a, &b);
    same_public(&a, &Jwk::from_pem(&pkcs1_pub).unwrap());
    same_public(&a, &Jwk::from_pem(&spki).unwrap());
    sign_verify(&a, &Jwk::from_pem(&spki).unwrap());
    let back = PKey::private_key_from_pem(b.to_pem().unwrap().as_bytes()).unwrap();
    assert!(back.public_eq(&pkey));
    let back = PKey::private_key_from_der(&a.to_pkcs1_der().unwrap()).unwrap();
    assert!(back.public_eq(&pkey));
}

#[test]
fn openssl_rsa_1024_rejected_from_pem() {
    let rsa = Rsa::generate(1024).unwrap();
    let pem = String::from_utf8(rsa.private_key_to_pem().unwrap()).unwrap();
    assert!(matches!(
        Jwk::from_pem(&pem),
        Err(bodyseal::Error::Key(
            bodyseal::error::KeyError::RsaTooSmall(1024)
        ))
    ));
}

#[test]
fn openssl_ed25519_and_x25519() {
    for (pkey, curve) in [
        (PKey::generate_ed25519().unwrap(), "Ed25519"),
        (PKey::generate_x25519().unwrap(), "X25519"),
    ] {
        let pkcs8 = String::from_utf8(pkey.private_key_to_pem_pkcs8().unwrap()).unwrap();
        let spki = String::from_utf8(pkey.public_key_to_pem().unwrap()).unwrap();
        let a = Jwk::from_pem(&pkcs8).unwrap();
        let b = Jwk::from_pem(&spki).unwrap();
        assert_eq!(a.to_value()["crv"], curve);
        same_public(&a, &b);
        assert_eq!(
            a.to_public().unwrap().to_value()["x"].as_str().unwrap(),
            bodyseal::b64::encode(&pkey.raw_public_key().unwrap())
        );
        let back = PKey::private_key_from_pem(a.to_pem().unwrap().as_bytes()).unwrap();
        assert!(back.public_eq(&pkey));
        if curve == "Ed25519" {
            sign_verify(&a, &b);
        }
    }
}

#[test]
fn x509_certificate_public_key() {
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::x509::{X509Builder, X509NameBuilder};
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let pkey = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "bodyseal test").unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&pkey).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    b.sign(&pkey, MessageDigest::sha256()).unwrap();
    let cert = b.build();
    let pem = String::from_utf8(cert.to_pem().unwrap()).unwrap();
    let from_cert = Jwk::from_pem(&pem).unwrap();
    let from_spki =
        Jwk::from_pem(std::str::from_utf8(&pkey.public_key_to_pem().unwrap()).unwrap()).unwrap();
    same_public(&from_cert, &from_spki);
    assert!(!from_cert.is_private());
    same_public(
        &from_cert,
        &Jwk::from_x509_der(&cert.to_der().unwrap()).unwrap(),
    );
    // The key verifies what the matching private key signs.
    let private =
        Jwk::from_pem(std::str::from_utf8(&pkey.private_key_to_pem_pkcs8().unwrap()).unwrap())
            .unwrap();
    sign_verify(&private, &from_cert);
}

#[test]
fn generated_keys_read_by_openssl() {
    for kind in [KeyKind::Ec(EcCurve::P256), KeyKind::Rsa(2048)] {
        let jwk = Jwk::generate(kind).unwrap();
        let pkey = PKey::private_key_from_der(&jwk.to_pkcs8_der().unwrap()).unwrap();
        let spki = PKey::public_key_from_der(&jwk.to_spki_der().unwrap()).unwrap();
        assert!(pkey.public_eq(&spki));
    }
    let _ = JwsAlg::Es256;
}
