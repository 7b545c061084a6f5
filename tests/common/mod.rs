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
use bodyseal::key::{VerifyingKey, VerifyingKeys};
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

pub fn verifying_keys(jwks: &[Value]) -> VerifyingKeys {
    let mut set = VerifyingKeys::new();
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

/// What bodyseal does with a Wycheproof case marked `acceptable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation succeeds (and its output must equal the expected value).
    Accepted,
    /// The operation fails.
    Refused,
}

impl Outcome {
    fn of(accepted: bool) -> Self {
        if accepted {
            Outcome::Accepted
        } else {
            Outcome::Refused
        }
    }
}

/// The reviewed outcomes of the Wycheproof `acceptable` cases (section `acceptable` of
/// `src/vectors/deviations.json`): (file, tcId) to the pinned outcome and its reason.
pub fn acceptable_pins() -> std::collections::HashMap<(String, String), (Outcome, String)> {
    let text = std::fs::read_to_string(project_file("src/vectors/deviations.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut pins = std::collections::HashMap::new();
    for e in v["acceptable"].as_array().unwrap() {
        let file = e["file"].as_str().unwrap();
        let reason = e["reason"].as_str().unwrap();
        assert!(
            reason.len() > 20,
            "every pinned outcome needs a real reason"
        );
        let outcome = match e["outcome"].as_str().unwrap() {
            "accepted" => Outcome::Accepted,
            "refused" => Outcome::Refused,
            other => panic!("{file}: outcome {other} is neither accepted nor refused"),
        };
        let ids = e["tcIds"].as_array().unwrap();
        assert!(!ids.is_empty(), "{file}: a pin names its tcIds");
        for id in ids {
            let id = id.as_u64().unwrap().to_string();
            let old = pins.insert((file.to_owned(), id.clone()), (outcome, reason.to_owned()));
            assert!(old.is_none(), "{file} tcId {id} is pinned twice");
        }
    }
    pins
}

/// The pinned `acceptable` outcomes of one file, and which of them the file's run met.
pub struct AcceptablePins {
    pins: std::collections::HashMap<String, Outcome>,
    seen: std::collections::HashSet<String>,
}

impl AcceptablePins {
    pub fn for_file(file: &str) -> Self {
        AcceptablePins {
            pins: acceptable_pins()
                .into_iter()
                .filter(|((f, _), _)| f == file)
                .map(|((_, id), (outcome, _))| (id, outcome))
                .collect(),
            seen: std::collections::HashSet::new(),
        }
    }

    /// Checks an `acceptable` case: bodyseal must do what is pinned, and an accepted case
    /// must give the expected output (`output_ok`).
    pub fn check(&mut self, id: &str, accepted: bool, output_ok: bool) -> Result<(), String> {
        let now = Outcome::of(accepted);
        if accepted && !output_ok {
            return Err("acceptable case accepted with a wrong output".into());
        }
        match self.pins.get(id) {
            None => Err(format!(
                "acceptable case not pinned in src/vectors/deviations.json; bodyseal: {now:?}"
            )),
            Some(pinned) => {
                self.seen.insert(id.to_owned());
                if *pinned == now {
                    Ok(())
                } else {
                    Err(format!("pinned as {pinned:?} but bodyseal now: {now:?}"))
                }
            }
        }
    }

    /// Pins of this file that met no `acceptable` case (a wrong tcId, or a case that is
    /// now valid or invalid upstream).
    pub fn unused(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .pins
            .keys()
            .filter(|id| !self.seen.contains(*id))
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// How many pinned cases agreed.
    pub fn met(&self) -> usize {
        self.seen.len()
    }
}

/// Tally of one conformance file: passes, listed exceptions, failures.
pub struct Tally {
    file: String,
    passed: usize,
    excepted: usize,
    failures: Vec<String>,
    exceptions: std::collections::HashMap<(String, String), String>,
    acceptable: AcceptablePins,
}

impl Tally {
    pub fn new(file: &str) -> Self {
        Tally {
            file: file.to_owned(),
            passed: 0,
            excepted: 0,
            failures: Vec::new(),
            exceptions: exceptions(),
            acceptable: AcceptablePins::for_file(file),
        }
    }

    /// Records a Wycheproof case whose only output is acceptance (verification): whether
    /// bodyseal `accepted` it, against `result`.
    pub fn case(&mut self, tc_id: u64, result: &str, accepted: bool, detail: &str) {
        self.case_output(tc_id, result, accepted, true, detail);
    }

    /// Records a Wycheproof case: whether bodyseal `accepted` it and, if so, whether the
    /// output equals the expected value (`output_ok`). A `valid` case must be accepted
    /// with the right output, an `invalid` one refused, and an `acceptable` one must do
    /// what `src/vectors/deviations.json` pins for it.
    pub fn case_output(
        &mut self,
        tc_id: u64,
        result: &str,
        accepted: bool,
        output_ok: bool,
        detail: &str,
    ) {
        let id = tc_id.to_string();
        let agrees = match result {
            "valid" => accepted && output_ok,
            "invalid" => !accepted,
            "acceptable" => {
                match self.acceptable.check(&id, accepted, output_ok) {
                    Ok(()) => self.passed += 1,
                    Err(e) => self
                        .failures
                        .push(format!("{id}: (acceptable) {e}; {detail}")),
                }
                return;
            }
            other => panic!("unknown result {other}"),
        };
        self.record(&id, agrees, &format!("({result}) {detail}"));
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

    /// Prints the counts and fails on any failure, on a file where nothing ran, or on a
    /// pinned `acceptable` outcome that met no case. (A file whose cases two tallies
    /// share, `json_web_crypto_test.json`, has no `acceptable` case.)
    pub fn finish(mut self) {
        for id in self.acceptable.unused() {
            self.failures.push(format!(
                "{id}: pinned as acceptable but no such acceptable case ran"
            ));
        }
        println!(
            "conformance {}: {} passed ({} acceptable, as pinned), {} failed, 0 skipped, {} listed exceptions",
            self.file,
            self.passed,
            self.acceptable.met(),
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
pub fn signing_fixtures() -> &'static Vec<(JwsAlg, SigningKey, VerifyingKeys)> {
    static KEYS: OnceLock<Vec<(JwsAlg, SigningKey, VerifyingKeys)>> = OnceLock::new();
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
                    JwsFamily::MlDsa(set) => Jwk::generate(KeyKind::MlDsa(set)).unwrap(),
                    _ => Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519)).unwrap(),
                };
                let public = jwk
                    .to_public()
                    .unwrap_or_else(|_| Jwk::from_json(&jwk.to_json()).unwrap());
                (
                    alg,
                    SigningKey::from_jwk(&jwk).unwrap(),
                    VerifyingKeys::single(VerifyingKey::from_jwk(&public).unwrap()),
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
        // Integrated HPKE has no `enc`: tests/hpke.rs covers it.
        for &alg in JweAlg::ALL
            .iter()
            .filter(|a| **a != JweAlg::Rsa1_5 && !a.is_integrated())
        {
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
                    KeyManagement::Hpke { suite, .. } => {
                        let k = Jwk::generate(suite.key_kind().unwrap()).unwrap();
                        (
                            EncryptionKey::from_jwk(&k.to_public().unwrap()).unwrap(),
                            DecryptionKey::from_jwk(&k).unwrap(),
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
