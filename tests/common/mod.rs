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

/// The conformance data: `BODYSEAL_CONFORMANCE_DIR`, else `../shared/conformance` beside
/// the project root.
pub fn conformance_dir() -> PathBuf {
    match std::env::var_os("BODYSEAL_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    }
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
