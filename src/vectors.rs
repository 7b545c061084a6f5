//! Runs test-vector files: the project's own format (`test-vectors/`, documented in its
//! README), the RFC 7520 cookbook, the Wycheproof JOSE files (`json_web_signature`,
//! `json_web_key`, `json_web_crypto`, `json_web_encryption`, `x25519_jwk`), and ML-DSA
//! (the RFC 9964 examples and the Wycheproof `mldsa_*` files). This is what
//! `bodyseal vectors check` runs, so that other implementations' authors and auditors
//! can replay the vectors against bodyseal from the shell.
//!
//! Vector files are untrusted input: a malformed file is a failure, never a panic.
//! Cases where bodyseal deliberately disagrees with the published data are listed with
//! reasons in `deviations.json` (shipped in the library); such a case counts as passed
//! and is reported as a deviation, and a listed case that no longer disagrees fails.
//! Wycheproof cases marked `acceptable` (upstream allows either outcome) are pinned there
//! too, each to what bodyseal does (accepts with the expected output, or refuses), with a
//! reason: a case that behaves otherwise, or is not pinned, fails.
//! Wycheproof ML-DSA cases that need what JOSE never uses (a context string, a
//! precomputed μ, an expanded private key) are not run and are counted apart.

mod cookbook;
#[cfg(feature = "hpke")]
mod hpke;
mod mldsa;
mod own;
mod wycheproof;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The outcome of running vector files.
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
pub struct Report {
    /// Checks that agreed with the vectors (deviations included).
    pub passed: usize,
    /// One line per check that disagreed.
    pub failures: Vec<String>,
    /// One line per reviewed deviation (counted in `passed`).
    pub deviations: Vec<String>,
    /// Wycheproof cases marked `acceptable` that did what `deviations.json` pins for them
    /// (counted in `passed`).
    pub acceptable: usize,
    /// Files that are not vector files (schemas, documentation) or hold only algorithms
    /// bodyseal does not implement: not run, and not counted.
    pub unrecognized: usize,
    /// Cases of a recognized file that need an interface JOSE never uses (an ML-DSA
    /// context string, a precomputed μ without its message, an expanded ML-DSA private
    /// key): not run, and not counted in `passed`.
    pub not_applicable: usize,
    /// Cases of a recognized file whose algorithm bodyseal does not implement (the X448
    /// suites of HPKE), each checked to be refused as unsupported: not counted in
    /// `passed`.
    pub unsupported: usize,
}

/// Adds every `*.json` file under `path` (or `path` itself), sorted.
///
/// # Errors
/// When a directory cannot be read.
pub fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            collect_files(&e, out)?;
        }
    } else if path.extension().is_some_and(|x| x == "json") {
        out.push(path.to_owned());
    }
    Ok(())
}

struct Deviation {
    file: String,
    case: String,
    reason: String,
}

/// The reviewed deviations, parsed once.
fn deviations() -> &'static [Deviation] {
    static LIST: std::sync::OnceLock<Vec<Deviation>> = std::sync::OnceLock::new();
    LIST.get_or_init(parse_deviations)
}

fn parse_deviations() -> Vec<Deviation> {
    let doc: Value =
        serde_json::from_str(include_str!("vectors/deviations.json")).unwrap_or(Value::Null);
    doc.get("exceptions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let case = match (e.get("case"), e.get("tcId")) {
                        (Some(Value::String(c)), _) => c.clone(),
                        (_, Some(id)) => id.to_string(),
                        _ => return None,
                    };
                    Some(Deviation {
                        file: e.get("file")?.as_str()?.to_owned(),
                        case,
                        reason: e.get("reason")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The pinned outcome of a Wycheproof `acceptable` case: file, tcId, and whether bodyseal
/// accepts it.
struct Pin {
    file: String,
    case: String,
    accepted: bool,
}

/// The pinned `acceptable` outcomes, parsed once.
fn pins() -> &'static [Pin] {
    static LIST: std::sync::OnceLock<Vec<Pin>> = std::sync::OnceLock::new();
    LIST.get_or_init(parse_pins)
}

fn parse_pins() -> Vec<Pin> {
    let doc: Value =
        serde_json::from_str(include_str!("vectors/deviations.json")).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for e in doc
        .get("acceptable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(file), Some(outcome), Some(ids)) = (
            e.get("file").and_then(Value::as_str),
            e.get("outcome").and_then(Value::as_str),
            e.get("tcIds").and_then(Value::as_array),
        ) else {
            continue;
        };
        let accepted = match outcome {
            "accepted" => true,
            "refused" => false,
            _ => continue,
        };
        out.extend(ids.iter().map(|id| Pin {
            file: file.to_owned(),
            case: id.to_string(),
            accepted,
        }));
    }
    out
}

fn said(accepted: bool) -> &'static str {
    if accepted {
        "accepted"
    } else {
        "refused"
    }
}

/// Records the checks of one file.
pub(crate) struct Run<'a> {
    name: String,
    pub(crate) report: &'a mut Report,
    deviations: &'static [Deviation],
    pins: &'static [Pin],
}

impl Run<'_> {
    /// Records check `id`; `detail` explains a disagreement.
    pub(crate) fn record(&mut self, id: &str, agrees: bool, detail: &str) {
        let listed = self
            .deviations
            .iter()
            .find(|d| d.case == id && self.name.replace('\\', "/").ends_with(&d.file));
        match (agrees, listed) {
            (true, None) => self.report.passed += 1,
            (false, Some(d)) => {
                self.report.passed += 1;
                self.report
                    .deviations
                    .push(format!("{} {id}: {}", self.name, d.reason));
            }
            (false, None) => self
                .report
                .failures
                .push(format!("{} {id}: {detail}", self.name)),
            (true, Some(_)) => self.report.failures.push(format!(
                "{} {id}: listed as a deviation but now agrees",
                self.name
            )),
        }
    }

    /// Records a Wycheproof case: whether bodyseal `accepted` it and, if so, whether its
    /// output is the expected one (`output_ok`). A `valid` case must be accepted with the
    /// expected output, an `invalid` one refused, and an `acceptable` one must do what
    /// `deviations.json` pins for it.
    pub(crate) fn wycheproof(
        &mut self,
        id: &str,
        result: &str,
        accepted: bool,
        output_ok: bool,
        detail: &str,
    ) {
        let name = self.name.replace('\\', "/");
        let pin = self
            .pins
            .iter()
            .find(|p| p.case == id && name.ends_with(&p.file));
        let agrees = match (result, pin) {
            ("valid", None) => accepted && output_ok,
            ("invalid", None) => !accepted,
            ("acceptable", Some(p)) if accepted && !output_ok => {
                return self.report.failures.push(format!(
                    "{} {id}: (acceptable, pinned {}) accepted with a wrong output",
                    self.name,
                    said(p.accepted)
                ));
            }
            ("acceptable", Some(p)) if p.accepted == accepted => {
                self.report.passed += 1;
                self.report.acceptable += 1;
                return;
            }
            ("acceptable", Some(p)) => {
                return self.report.failures.push(format!(
                    "{} {id}: (acceptable) pinned as {} but bodyseal now {}: {detail}",
                    self.name,
                    said(p.accepted),
                    said(accepted)
                ));
            }
            ("acceptable", None) => {
                return self.report.failures.push(format!(
                    "{} {id}: (acceptable) not pinned in deviations.json; bodyseal {}: {detail}",
                    self.name,
                    said(accepted)
                ));
            }
            (_, Some(_)) => {
                return self.report.failures.push(format!(
                    "{} {id}: pinned as an acceptable case but marked {result}",
                    self.name
                ));
            }
            (_, None) => {
                return self
                    .report
                    .failures
                    .push(format!("{} {id}: unknown result {result}", self.name));
            }
        };
        self.record(id, agrees, &format!("({result}) {detail}"));
    }

    /// Records a failure to read the file or a case.
    pub(crate) fn broken(&mut self, id: &str, what: &str) {
        self.report
            .failures
            .push(format!("{} {id}: unreadable vector: {what}", self.name));
    }
}

/// True for the HPKE JOSE draft's vector list (run with the `hpke` feature only).
#[cfg(feature = "hpke")]
fn hpke_list(doc: &Value) -> bool {
    hpke::is_vector_list(doc)
}

#[cfg(not(feature = "hpke"))]
fn hpke_list(_: &Value) -> bool {
    false
}

/// Runs one file, adding to `report`.
pub fn check_file(path: &Path, report: &mut Report) {
    let name = path.display().to_string();
    let doc = match std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    {
        Some(d) => d,
        None => {
            report.failures.push(format!("{name}: not readable JSON"));
            return;
        }
    };
    let mut run = Run {
        name,
        report,
        deviations: deviations(),
        pins: pins(),
    };
    if doc.get("kind").is_some() {
        own::run(&doc, &mut run);
    } else if doc.get("testGroups").is_some() {
        if !(mldsa::run_wycheproof(&doc, &mut run) || wycheproof::run(&doc, &mut run)) {
            run.report.unrecognized += 1;
        }
    } else if mldsa::is_jose_example(&doc) {
        mldsa::run_jose(&doc, &mut run);
    } else if hpke_list(&doc) {
        #[cfg(feature = "hpke")]
        hpke::run(&doc, &mut run);
    } else if !cookbook::run(&doc, &mut run) {
        run.report.unrecognized += 1;
    }
}

/// Runs every vector file under `paths`.
///
/// # Errors
/// When a directory cannot be read.
pub fn check_paths(paths: &[PathBuf]) -> std::io::Result<Report> {
    let mut files = Vec::new();
    for p in paths {
        collect_files(p, &mut files)?;
    }
    let mut report = Report::default();
    for f in &files {
        check_file(f, &mut report);
    }
    Ok(report)
}

// ---- shared helpers ----------------------------------------------------------------

/// A string member, or a description of what is wrong.
pub(crate) fn s<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{name}` is not a string"))
}

/// Hex to bytes.
pub(crate) fn hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return Err("odd-length hex".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            core::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| "invalid hex".to_owned())
        })
        .collect()
}

/// A member that holds one value or an array of them.
pub(crate) fn one_or_many(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

/// X25519 of the private scalar `d` with the peer's public key, through the boundary.
pub(crate) fn x25519(d: &[u8], peer: &[u8]) -> crate::Result<Vec<u8>> {
    use crate::alg::OkpCurve;
    use crate::crypto::{Decapsulate, KeyKind, PrivateKeyMaterial, Provider, PublicKeyMaterial};
    let p = Provider::default();
    let x = p
        .keys
        .public_from_private(KeyKind::Okp(OkpCurve::X25519), d)?;
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

/// A token given as a string (compact) or an object (JSON serialization).
pub(crate) fn token_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
