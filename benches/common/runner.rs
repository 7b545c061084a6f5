//! The runner both benches share: a list of rows, measured by criterion, or one row run a
//! fixed number of times for `valgrind --tool=callgrind` (benches/callgrind.sh).

use criterion::{BenchmarkId, Criterion};
use std::time::Duration;

/// One measured operation, named `group/impl/label`.
pub struct Row {
    pub group: &'static str,
    pub imp: &'static str,
    pub label: String,
    pub run: Box<dyn FnMut()>,
}

/// Adds a row.
pub fn row(
    rows: &mut Vec<Row>,
    group: &'static str,
    imp: &'static str,
    label: &str,
    run: impl FnMut() + 'static,
) {
    rows.push(Row {
        group,
        imp,
        label: label.to_owned(),
        run: Box::new(run),
    });
}

/// Runs the bench: `rows(only)` builds the rows whose label is `only` (all when `None`).
///
/// * `BODYSEAL_BENCH_ROW=group/impl/label BODYSEAL_BENCH_ITERS=N`: that row N times.
/// * `--list-rows`: the row names.
/// * otherwise: criterion with `sample_size` samples of `measure` each.
pub fn main(rows: fn(Option<&str>) -> Vec<Row>, sample_size: usize, measure: Duration) {
    if let Ok(name) = std::env::var("BODYSEAL_BENCH_ROW") {
        let mut rows = rows(name.rsplit('/').next());
        let iters: usize = std::env::var("BODYSEAL_BENCH_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let r = rows
            .iter_mut()
            .find(|r| format!("{}/{}/{}", r.group, r.imp, r.label) == name)
            .unwrap_or_else(|| panic!("no row {name}"));
        for _ in 0..iters {
            (r.run)();
        }
        return;
    }
    let mut rows = rows(None);
    if std::env::args().any(|a| a == "--list-rows") {
        for r in &rows {
            println!("{}/{}/{}", r.group, r.imp, r.label);
        }
        return;
    }
    let mut c = Criterion::default()
        .sample_size(sample_size)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(measure)
        .configure_from_args();
    for r in &mut rows {
        let mut g = c.benchmark_group(format!("{}/{}", r.group, r.label));
        g.bench_function(BenchmarkId::new(r.imp, &r.label), |b| b.iter(&mut r.run));
        g.finish();
    }
    c.final_summary();
}
