//! Replays every fuzz corpus file (fuzz/corpus/<target>/) through the same function its
//! cargo-fuzz target calls, so `cargo test` on stable checks the corpus without nightly
//! or libFuzzer. A target whose corpus is missing or empty fails the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::PathBuf;

#[test]
fn every_fuzz_corpus_replays_without_a_crash() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut total = 0;
    for (name, run) in targets::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: empty corpus");
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name}: {} crashed", f.display());
        }
        println!("{name}: {} corpus files replayed", files.len());
        total += files.len();
    }
    assert!(total > 0);
}
