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
use common::{own_vector_dirs, project_file};
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
