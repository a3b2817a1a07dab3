//! The tables `run` prints: one row per GEMM, then the measured peaks and the adapter.

use crate::report::Table;
use crate::results::{GemmRecord, RunResults};

/// The GEMM table and the peaks table.
pub fn tables(results: &RunResults) -> Vec<Table> {
    let mut tables = vec![gemm_table(results), peaks_table(results)];
    if !results.tuning.is_empty() {
        tables.push(tuning_table(results));
    }
    tables
}

fn gemm_table(results: &RunResults) -> Table {
    let mut table = Table::new([
        "kernel",
        "dtype",
        "MxNxK",
        "GFLOP/s median",
        "min",
        "max",
        "samples",
        "verified",
        "efficiency",
    ])
    .with_title(format!("GEMM on {}", results.adapter_label()));
    for g in &results.gemm {
        table.push_row(gemm_row(g));
    }
    table.push_note(format!(
        "Timing: {}. Efficiency = median GFLOP/s / this adapter's measured FMA peak of that dtype.",
        results.timing
    ));
    if results.adapter.software {
        table.push_note("Software adapter (device type Cpu): these are CPU figures, not a GPU's.");
    }
    table
}

fn gemm_row(g: &GemmRecord) -> Vec<String> {
    let shape = match &g.workload {
        Some(workload) => format!("{} ({workload})", g.shape.label()),
        None => g.shape.label(),
    };
    let (median, min, max) = match &g.gflops {
        Some(s) => (fmt_rate(s.median), fmt_rate(s.min), fmt_rate(s.max)),
        None => ("-".into(), "-".into(), "-".into()),
    };
    let verified = if g.verified {
        "yes".to_string()
    } else {
        format!(
            "FAILED (error {:.2e} > bound {:.2e})",
            g.max_error, g.error_bound
        )
    };
    let efficiency = g
        .efficiency
        .map(|e| format!("{:.1}%", e * 100.0))
        .unwrap_or_else(|| "-".into());
    vec![
        g.kernel.to_string(),
        g.dtype.to_string(),
        shape,
        median,
        min,
        max,
        g.samples.to_string(),
        verified,
        efficiency,
    ]
}

fn peaks_table(results: &RunResults) -> Table {
    let mut table = Table::new(["probe", "median"]).with_title("Measured peaks");
    table.push_row([
        "FMA f32".to_string(),
        format!("{} GFLOP/s", fmt_rate(results.peaks.fma_gflops.f32)),
    ]);
    if let Some(f16) = results.peaks.fma_gflops.f16 {
        table.push_row(["FMA f16".to_string(), format!("{} GFLOP/s", fmt_rate(f16))]);
    }
    table.push_row([
        "copy bandwidth".to_string(),
        format!("{} GB/s", fmt_rate(results.peaks.bandwidth_gbps)),
    ]);
    table
}

fn tuning_table(results: &RunResults) -> Table {
    let mut table = Table::new([
        "dtype",
        "class",
        "tuned kernel",
        "from",
        "GFLOP/s",
        "candidates",
        "seconds",
    ])
    .with_title("Autotuned kernels");
    for t in &results.tuning {
        table.push_row([
            t.dtype.as_str().to_string(),
            t.class.as_str().to_string(),
            t.kernel.clone(),
            t.source.to_string(),
            t.gflops.map(fmt_rate).unwrap_or_else(|| "-".into()),
            format!("{} ({} failed)", t.candidates_tried, t.candidates_failed),
            format!("{:.1}", t.seconds),
        ]);
    }
    table.push_note("GFLOP/s of the winner on the class's representative shape (square: 512^3; skinny: 32x1024x1024).");
    table
}

/// Three significant figures, without exponent for ordinary magnitudes.
pub fn fmt_rate(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}
