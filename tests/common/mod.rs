//! Shared helpers for the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::JwsAlg;
use bodyseal::jwk::Jwk;
use bodyseal::key::{KeySet, VerifyingKey};
use serde_json::Value;
use std::path::PathBuf;

/// The conformance data: `BODYSEAL_CONFORMANCE_DIR` when set, else the copy vendored in
/// `test-vectors/conformance` (provenance and licenses in its README).
pub fn conformance_dir() -> PathBuf {
    match std::env::var_os("BODYSEAL_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => project_file(VENDORED_CONFORMANCE),
    }
}

/// The vendored conformance data, relative to the project root.
pub const VENDORED_CONFORMANCE: &str = "test-vectors/conformance";

/// The project's own vector folders: every folder of `test-vectors/` except the vendored
/// conformance data (which is third-party data, run by the conformance tests).
pub fn own_vector_dirs() -> Vec<PathBuf> {
    let root = project_file("test-vectors");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && *p != project_file(VENDORED_CONFORMANCE))
        .collect();
    dirs.sort();
    dirs
}

/// Reads a JSON file below the conformance directory; a missing file fails the test.
pub fn load_conformance(rel: &str) -> Value {
    let path = conformance_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "conformance file {} is missing ({e}); set BODYSEAL_CONFORMANCE_DIR",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn project_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn all_algs() -> Vec<JwsAlg> {
    JwsAlg::ALL.to_vec()
}

/// A one-or-many JSON member as a list.
pub fn one_or_many(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

pub fn verifying_keys(jwks: &[Value]) -> KeySet {
    let mut set = KeySet::new();
    for j in jwks {
        let jwk = Jwk::from_value(j).unwrap();
        set.push(VerifyingKey::from_jwk(&jwk).unwrap()).unwrap();
    }
    set
}

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The reviewed list of deliberate disagreements: (file, tcId or case name).
pub fn exceptions() -> std::collections::HashMap<(String, String), String> {
    let text = std::fs::read_to_string(project_file("src/vectors/deviations.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let reason = e["reason"].as_str().unwrap();
            assert!(reason.len() > 20, "every exception needs a real reason");
            let id = match (&e["tcId"], &e["case"]) {
                (Value::Number(n), _) => n.to_string(),
                (_, Value::String(c)) => c.clone(),
                _ => panic!("an exception names a tcId or a case"),
            };
            (
                (e["file"].as_str().unwrap().to_owned(), id),
                reason.to_owned(),
            )
        })
        .collect()
}

/// Tally of one conformance file: passes, listed exceptions, failures.
pub struct Tally {
    file: String,
    passed: usize,
    excepted: usize,
    failures: Vec<String>,
    exceptions: std::collections::HashMap<(String, String), String>,
}

impl Tally {
    pub fn new(file: &str) -> Self {
        Tally {
            file: file.to_owned(),
            passed: 0,
            excepted: 0,
            failures: Vec::new(),
            exceptions: exceptions(),
        }
    }

    /// Records a Wycheproof case: whether bodyseal `accepted` it, against `result`.
    pub fn case(&mut self, tc_id: u64, result: &str, accepted: bool, detail: &str) {
        let agrees = match result {
            "valid" => accepted,
            "invalid" => !accepted,
            "acceptable" => true,
            other => panic!("unknown result {other}"),
        };
        self.record(&tc_id.to_string(), agrees, &format!("({result}) {detail}"));
    }

    /// Records a check by id; an id listed as an exception must disagree.
    pub fn record(&mut self, id: &str, agrees: bool, detail: &str) {
        let excepted = self
            .exceptions
            .contains_key(&(self.file.clone(), id.to_owned()));
        match (agrees, excepted) {
            (true, false) => self.passed += 1,
            (false, true) => self.excepted += 1,
            (false, false) => self.failures.push(format!("{id}: {detail}")),
            (true, true) => self
                .failures
                .push(format!("{id}: listed as an exception but now agrees")),
        }
    }

    /// Prints the counts and fails on any failure or on a file where nothing ran.
    pub fn finish(self) {
        println!(
            "conformance {}: {} passed, {} failed, 0 skipped, {} listed exceptions",
            self.file,
            self.passed,
            self.failures.len(),
            self.excepted
        );
        assert!(self.passed > 0, "{}: no case ran", self.file);
        assert!(
            self.failures.is_empty(),
            "{}:\n{}",
            self.file,
            self.failures.join("\n")
        );
    }
}

// ---- key fixtures shared by the round-trip tests -----------------------------------

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsFamily, KeyManagement, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::key::{DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey};
use std::sync::OnceLock;

/// For every JWS algorithm: the algorithm, a signing key and the matching trusted set.
pub fn signing_fixtures() -> &'static Vec<(JwsAlg, SigningKey, KeySet)> {
    static KEYS: OnceLock<Vec<(JwsAlg, SigningKey, KeySet)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = Jwk::generate(KeyKind::Rsa(2048)).unwrap();
        JwsAlg::ALL
            .iter()
            .map(|&alg| {
                let jwk = match alg.family() {
                    JwsFamily::Hmac => Jwk::generate(KeyKind::Oct(64)).unwrap(),
                    JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => {
                        Jwk::from_json(&rsa.to_json()).unwrap()
                    }
                    JwsFamily::Ecdsa(c) => Jwk::generate(KeyKind::Ec(c)).unwrap(),
                    _ => Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap(),
                };
                let public = jwk
                    .to_public()
                    .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap());
                (
                    alg,
                    SigningKey::from_jwk(&jwk).unwrap(),
                    KeySet::single(VerifyingKey::from_jwk(&public).unwrap()),
                )
            })
            .collect()
    })
}

/// A JWE recipient for one key-management and content-encryption pair.
pub struct Fixture {
    pub alg: JweAlg,
    pub enc: JweEnc,
    pub to: EncryptionKey,
    pub keys: DecryptionKeys,
}

/// For every key-management algorithm but RSA1_5, and every content encryption.
pub fn encryption_fixtures() -> &'static Vec<Fixture> {
    static F: OnceLock<Vec<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let rsa = Jwk::generate(KeyKind::Rsa(2048)).unwrap();
        let p384 = Jwk::generate(KeyKind::Ec(EcCurve::P384)).unwrap();
        let x25519 = Jwk::generate(KeyKind::Okp(OkpCurve::X25519)).unwrap();
        let mut out = Vec::new();
        for &alg in JweAlg::ALL.iter().filter(|a| **a != JweAlg::Rsa1_5) {
            for &enc in JweEnc::ALL {
                let (to, key) = match alg.management() {
                    KeyManagement::Direct => {
                        let k = Jwk::generate(KeyKind::Oct(enc.cek_len())).unwrap();
                        (
                            EncryptionKey::from_jwk(&k).unwrap(),
                            DecryptionKey::from_jwk(&k).unwrap(),
                        )
                    }
                    KeyManagement::AesKw(n) | KeyManagement::AesGcmKw(n) => {
                        let k = Jwk::generate(KeyKind::Oct(n)).unwrap();
                        (
                            EncryptionKey::from_jwk(&k).unwrap(),
                            DecryptionKey::from_jwk(&k).unwrap(),
                        )
                    }
                    KeyManagement::Rsa => (
                        EncryptionKey::from_jwk(&rsa.to_public().unwrap()).unwrap(),
                        DecryptionKey::from_jwk(&rsa).unwrap(),
                    ),
                    KeyManagement::EcdhEs(_) => {
                        let k = if enc.cek_len() % 2 == 0 {
                            &p384
                        } else {
                            &x25519
                        };
                        (
                            EncryptionKey::from_jwk(&k.to_public().unwrap()).unwrap(),
                            DecryptionKey::from_jwk(k).unwrap(),
                        )
                    }
                    _ => (
                        EncryptionKey::from_password(b"pw-1234"),
                        DecryptionKey::from_password(b"pw-1234"),
                    ),
                };
                out.push(Fixture {
                    alg,
                    enc,
                    to,
                    keys: DecryptionKeys::single(key),
                });
            }
        }
        out
    })
}
