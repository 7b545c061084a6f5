//! Writes the test PKI the wire and proxy tests use (`test-vectors/tls/`): a CA and a
//! server certificate for `localhost` and `IP:127.0.0.1`, signed by it, with P-256 keys.
//! rcgen's default validity (1975 to 4096) keeps the fixture valid.
//!
//! Usage: `cargo run -p bodyseal-wire --example test_pki -- DIR`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: test_pki DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "bodyseal test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "bodyseal test server");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem() + &ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    println!(
        "wrote ca.pem, server.pem (chain) and server.key to {}",
        dir.display()
    );
}
