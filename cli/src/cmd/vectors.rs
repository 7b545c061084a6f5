//! `bodyseal vectors check`: runs vector files through the library's runner.

use crate::error::{CliResult, Failure};
use bodyseal::vectors;
use std::path::PathBuf;

pub(crate) fn check(paths: &[PathBuf]) -> CliResult<()> {
    let mut files = Vec::new();
    for p in paths {
        vectors::collect_files(p, &mut files).map_err(|e| Failure::io(p, &e))?;
    }
    if files.is_empty() {
        return Err(Failure::usage("no .json vector files found"));
    }
    let mut report = vectors::Report::default();
    for f in &files {
        vectors::check_file(f, &mut report);
    }
    for failure in &report.failures {
        crate::io::say(&format!("FAIL {failure}"));
    }
    for d in &report.deviations {
        crate::io::say(&format!("deviation (reviewed, counted as passed): {d}"));
    }
    if report.unrecognized > 0 {
        crate::io::say(&format!(
            "{} files were not vector files and were not run",
            report.unrecognized
        ));
    }
    if report.not_applicable > 0 {
        crate::io::say(&format!(
            "{} cases need what JOSE never uses (an ML-DSA context string, external mu or \
             an expanded private key) and were not run",
            report.not_applicable
        ));
    }
    if report.unsupported > 0 {
        crate::io::say(&format!(
            "{} cases use algorithms bodyseal does not implement (X448), were refused as \
             unsupported and are not counted",
            report.unsupported
        ));
    }
    crate::io::say(&format!(
        "{} passed, {} failed",
        report.passed,
        report.failures.len()
    ));
    if report.failures.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: format!("{} vector cases failed", report.failures.len()),
            hint: None,
            code: 1,
        })
    }
}
