//! Runs the project's own vectors in `test-vectors/` (format: test-vectors/README.md; the
//! vendored conformance data in `test-vectors/conformance/` is not the project's format)
//! through the library's runner, `bodyseal::vectors` (what `bodyseal vectors check`
//! runs): every case through every API path that accepts it, the outcome category and,
//! for body protection, the reason. Also checks that the runner notices a vector that no
//! longer holds, and that a malformed vector file is a failure, not a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bodyseal::vectors::{check_file, check_paths, Report};
use common::{conformance_dir, own_vector_dirs, project_file};
use serde_json::Value;

#[test]
fn all_shipped_vectors_pass() {
    // The project's own folders; the vendored third-party data in test-vectors/conformance
    // is run by the conformance tests and, through the same runner, by the CLI test.
    let dirs = own_vector_dirs();
    for want in ["keys", "negative", "rfc", "seal"] {
        assert!(
            dirs.contains(&project_file("test-vectors").join(want)),
            "{want}: {dirs:?}"
        );
    }
    let report = check_paths(&dirs).unwrap();
    println!(
        "test-vectors: {} passed, {} failed",
        report.passed,
        report.failures.len()
    );
    assert!(report.failures.is_empty(), "{}", report.failures.join("\n"));
    assert!(report.deviations.is_empty(), "{:?}", report.deviations);
    // 28 RFC files, 88 negative cases, 44 body-protection cases, 5 RFC keys; each case
    // runs through one or more paths.
    assert!(report.passed >= 270, "only {} checks ran", report.passed);
}

fn check_mutated(rel: &str, change: impl FnOnce(&mut Value)) -> Report {
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(project_file(rel)).unwrap()).unwrap();
    change(&mut case);
    let dir = std::env::temp_dir().join(format!("bodyseal-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{n}-{}", rel.replace('/', "_")));
    std::fs::write(&path, case.to_string()).unwrap();
    let mut report = Report::default();
    check_file(&path, &mut report);
    std::fs::remove_file(&path).unwrap();
    report
}

#[test]
fn a_vector_that_no_longer_holds_fails() {
    let r = check_mutated("test-vectors/seal/sign-then-encrypt_forwarded.json", |c| {
        c["reason"] = "binding:iss".into();
    });
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
    let r = check_mutated("test-vectors/rfc/rfc7515_a_1_hs256.json", |c| {
        c["expect"] = "invalid_signature".into();
    });
    assert!(!r.failures.is_empty());
    let r = check_mutated("test-vectors/negative/jwe_alg_not_allowed.json", |c| {
        c["expect"] = "ok".into();
    });
    assert!(!r.failures.is_empty());
    // A body that differs from what the token holds.
    let r = check_mutated(
        "test-vectors/seal/sign-then-encrypt_es256-ecdh_request.json",
        |c| {
            c["body"] = "something else".into();
        },
    );
    assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
}

#[test]
fn a_malformed_vector_file_is_a_failure_not_a_panic() {
    for change in [
        (|c: &mut Value| c["kind"] = "nonsense".into()) as fn(&mut Value),
        |c| c["keys"] = Value::Null,
        |c| c["policy"]["algs"] = 5.into(),
        |c| c["input"] = Value::Null,
    ] {
        let r = check_mutated("test-vectors/rfc/rfc7515_a_1_hs256.json", change);
        assert!(!r.failures.is_empty());
    }
}

/// Runs a Wycheproof document under its upstream relative path (the runner finds the
/// pinned `acceptable` outcomes by that path).
fn check_wycheproof(rel: &str, doc: &Value) -> Report {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let root = std::env::temp_dir().join(format!("bodyseal-pins-{}-{n}", std::process::id()));
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, doc.to_string()).unwrap();
    let mut report = Report::default();
    check_file(&path, &mut report);
    std::fs::remove_dir_all(&root).unwrap();
    report
}

/// The runner passes a Wycheproof `acceptable` case only when bodyseal does what
/// src/vectors/deviations.json pins for it; an unpinned case, a pin on a case that is not
/// `acceptable`, and a case that now behaves otherwise each fail.
#[test]
fn acceptable_wycheproof_cases_are_pinned() {
    let rel = "wycheproof/testvectors_v1/x25519_jwk_test.json";
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(conformance_dir().join(rel)).unwrap())
            .unwrap();
    let cases = || doc["testGroups"][0]["tests"].as_array().unwrap().iter();
    let acceptable = cases().filter(|c| c["result"] == "acceptable").count();
    let r = check_wycheproof(rel, &doc);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.acceptable, acceptable);
    assert!(acceptable > 200);
    let zero = |c: &&Value| {
        c["flags"]
            .as_array()
            .unwrap()
            .contains(&"ZeroSharedSecret".into())
    };
    // Pinned: refused (an all-zero secret) and accepted (a twist point).
    let refused = cases()
        .position(|c| c["result"] == "acceptable" && zero(&c))
        .unwrap();
    let accepted = cases()
        .position(|c| c["result"] == "acceptable" && !zero(&c))
        .unwrap();
    let valid = cases().position(|c| c["result"] == "valid").unwrap();
    let mutated = |change: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        change(&mut d["testGroups"][0]["tests"]);
        let r = check_wycheproof(rel, &d);
        assert_eq!(r.failures.len(), 1, "{:?}", r.failures);
        r.failures[0].clone()
    };
    // The accepted case with a low-order peer: now refused.
    let f = mutated(&|t| t[accepted]["public"] = t[refused]["public"].clone());
    assert!(
        f.contains("pinned as accepted but bodyseal now refused"),
        "{f}"
    );
    // The refused case with the keys and secret of a valid case: now accepted.
    let f = mutated(&|t| {
        for k in ["private", "public", "shared"] {
            t[refused][k] = t[valid][k].clone();
        }
    });
    assert!(
        f.contains("pinned as refused but bodyseal now accepted"),
        "{f}"
    );
    // An acceptable case that no pin names.
    let f = mutated(&|t| t[accepted]["tcId"] = 100_000.into());
    assert!(f.contains("not pinned"), "{f}");
    // A pinned case that upstream now marks valid.
    let f = mutated(&|t| t[accepted]["result"] = "valid".into());
    assert!(f.contains("marked valid"), "{f}");
}
