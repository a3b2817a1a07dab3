//! The tables of a run's results (GEMM, peaks, tuning) and of a merged cluster (summary,
//! ranks, per-node GEMM, stragglers), written once: `run` and `merge` print them in every
//! text format and the HTML report shows the same tables.

use super::{Cell, Column, Shown, Table, Unit};
use crate::kernels::Dtype;
use crate::results::cluster::{ClusterResults, StragglerReason};
use crate::results::{GemmRecord, ProbeKind, ProbeRecord, RunResults};

const GIGA: Shown = Shown::Scaled(1e-9);

/// The GEMM, peaks and (when any kernel was tuned) tuning tables of a run.
pub fn run(results: &RunResults) -> Vec<Table> {
    let mut tables = vec![gemm(results), peaks(results)];
    if !results.tuning.is_empty() {
        tables.push(tuning(results));
    }
    tables
}

/// FLOP/s from GFLOP/s: results files keep GFLOP/s, CSV writes base units.
fn flops(gflops: f64) -> Cell {
    Cell::Number(gflops * 1e9)
}

fn gemm(results: &RunResults) -> Table {
    let rate = |header: &str, key: &str| Column::number(header, key, Unit::FlopPerSecond, GIGA);
    let mut table = Table::new(
        "gemm",
        vec![
            Column::text("kernel", "kernel"),
            Column::text("geometry", "geometry").detail(),
            Column::text("workload", "workload").detail(),
            Column::text("dtype", "dtype"),
            Column::shape("MxNxK"),
            rate("GFLOP/s median", "median"),
            rate("min", "min"),
            rate("max", "max"),
            Column::number("samples", "samples", Unit::Count, Shown::Whole),
            Column::text("verified", "verified"),
            Column::number("max error", "max_error", Unit::None, Shown::Si).detail(),
            Column::number("error bound", "error_bound", Unit::None, Shown::Si).detail(),
            Column::fraction("efficiency", "efficiency"),
            Column::text("timing", "timing").detail(),
        ],
    )
    .with_title(format!("GEMM on {}", results.adapter_label()));
    for g in &results.gemm {
        table.push_row(gemm_row(g));
    }
    table.push_note(format!(
        "Timing: {}. Efficiency = median GFLOP/s / this adapter's peak of that dtype (the measured peaks table says where each comes from).",
        results.timing
    ));
    if results.adapter.software {
        table.push_note("Software adapter (device type Cpu): these are CPU figures, not a GPU's.");
    }
    for skipped in &results.skipped {
        table.push_note(format!("SKIPPED {}: {}.", skipped.label(), skipped.reason));
    }
    if !results.complete {
        table.push_note(format!(
            "INCOMPLETE: the run stopped early ({}); what it had not measured is missing.",
            results.stopped.as_deref().unwrap_or("no reason recorded")
        ));
    }
    table
}

fn gemm_row(g: &GemmRecord) -> Vec<Cell> {
    let summary = |pick: fn(&crate::results::Summary) -> f64| {
        g.gflops.as_ref().map(pick).map_or(Cell::Missing, flops)
    };
    let verified = if g.verified {
        "yes".to_string()
    } else {
        format!(
            "FAILED (error {:.2e} > bound {:.2e})",
            g.max_error, g.error_bound
        )
    };
    vec![
        g.kernel.as_str().into(),
        g.geometry.as_str().into(),
        g.workload.clone().unwrap_or_default().into(),
        g.dtype.as_str().into(),
        g.shape.into(),
        summary(|s| s.median),
        summary(|s| s.min),
        summary(|s| s.max),
        g.samples.into(),
        verified.into(),
        g.max_error.into(),
        g.error_bound.into(),
        g.efficiency.into(),
        g.timing.map(|t| t.as_str()).into(),
    ]
}

fn peaks(results: &RunResults) -> Table {
    if results.peaks.probes.is_empty() {
        return legacy_peaks(results);
    }
    let per_row = |header: &str, key: &str| Column::number(header, key, Unit::PerRow, Shown::Si);
    let mut table = Table::new(
        "peaks",
        vec![
            Column::text("probe", "probe"),
            per_row("median", "median"),
            per_row("min", "min").detail(),
            per_row("max", "max").detail(),
            Column::text("unit", "unit"),
            Column::text("configuration", "configuration").detail(),
            Column::number("tried", "candidates", Unit::Count, Shown::Whole).detail(),
            per_row("peak used", "peak_used"),
            Column::text("peak from", "peak_from"),
        ],
    )
    .with_title("Measured peaks");
    for probe in &results.peaks.probes {
        table.push_row(probe_row(results, probe));
        if let Some(gemm) = &probe.exceeded_by {
            table.push_note(format!(
                "{}: the verified GEMM {} ({} {}) beat the probe even after a wider search \
                 ({} configurations); its figure is the peak efficiencies divide by.",
                probe_name(probe),
                gemm.benchmark,
                crate::model::units::sig3(gemm.gflops),
                giga_unit(probe.dtype),
                probe.candidates,
            ));
        }
    }
    table.push_note(
        "Each probe is its best configuration of those tried. i8 counts a dot4I8Packed as \
         8 operations (4 multiplies, 4 adds). The roofline uses the copy figure.",
    );
    table
}

fn probe_name(probe: &ProbeRecord) -> String {
    match (probe.probe, probe.dtype) {
        (ProbeKind::Fma, Some(Dtype::I8)) => "dot4 i8".into(),
        (ProbeKind::Fma, Some(dtype)) => format!("FMA {dtype}"),
        (ProbeKind::Fma, None) => "FMA".into(),
        (ProbeKind::Copy, _) => "copy bandwidth (read + write)".into(),
        (kind, _) => format!("{kind} bandwidth"),
    }
}

/// "GFLOP/s", or "GOP/s" for integer probes.
fn giga_unit(dtype: Option<Dtype>) -> &'static str {
    if dtype == Some(Dtype::I8) {
        "GOP/s"
    } else {
        "GFLOP/s"
    }
}

fn probe_row(results: &RunResults, probe: &ProbeRecord) -> Vec<Cell> {
    let scaled = |v: f64| Cell::Number(v * 1e9);
    let unit = match (probe.probe, probe.dtype) {
        (ProbeKind::Fma, Some(Dtype::I8)) => "OP/s",
        (ProbeKind::Fma, _) => "FLOP/s",
        _ => "B/s",
    };
    let (used, from) = match (probe.probe, probe.dtype) {
        (ProbeKind::Fma, Some(dtype)) => (
            results.peaks.fma_gflops.for_dtype(dtype).map(scaled),
            match &probe.exceeded_by {
                Some(gemm) => format!("GEMM {}", gemm.benchmark),
                None => "this probe".into(),
            },
        ),
        (ProbeKind::Copy, _) => (
            Some(scaled(results.peaks.bandwidth_gbps)),
            "this probe (roofline)".into(),
        ),
        _ => (None, String::new()),
    };
    vec![
        probe_name(probe).into(),
        scaled(probe.rate.median),
        scaled(probe.rate.min),
        scaled(probe.rate.max),
        unit.into(),
        probe.configuration.as_str().into(),
        probe.candidates.into(),
        used.unwrap_or(Cell::Missing),
        from.into(),
    ]
}

/// Files written before the searched probes keep only the figures.
fn legacy_peaks(results: &RunResults) -> Table {
    let mut table = Table::new(
        "peaks",
        vec![
            Column::text("probe", "probe"),
            Column::number("median", "median", Unit::PerRow, Shown::Si),
            Column::text("unit", "unit"),
        ],
    )
    .with_title("Measured peaks");
    let fma = &results.peaks.fma_gflops;
    table.push_row(vec!["FMA f32".into(), flops(fma.f32), "FLOP/s".into()]);
    if let Some(f16) = fma.f16 {
        table.push_row(vec!["FMA f16".into(), flops(f16), "FLOP/s".into()]);
    }
    table.push_row(vec![
        "copy bandwidth (read + write)".into(),
        Cell::Number(results.peaks.bandwidth_gbps * 1e9),
        "B/s".into(),
    ]);
    table
}

fn tuning(results: &RunResults) -> Table {
    let mut table = Table::new(
        "tuning",
        vec![
            Column::text("dtype", "dtype"),
            Column::text("class", "class"),
            Column::text("tuned kernel", "tuned_kernel"),
            Column::text("from", "source"),
            Column::number("GFLOP/s", "rate", Unit::FlopPerSecond, GIGA),
            Column::number("candidates", "candidates_tried", Unit::Count, Shown::Whole),
            Column::number("failed", "candidates_failed", Unit::Count, Shown::Whole),
            Column::number("seconds", "search", Unit::Second, Shown::Scaled(1.0)),
        ],
    )
    .with_title("Autotuned kernels");
    for t in &results.tuning {
        table.push_row(vec![
            t.dtype.as_str().into(),
            t.class.as_str().into(),
            t.kernel.as_str().into(),
            t.source.as_str().into(),
            t.gflops.map_or(Cell::Missing, flops),
            t.candidates_tried.into(),
            t.candidates_failed.into(),
            t.seconds.into(),
        ]);
    }
    table.push_note(
        "GFLOP/s of the winner on the class's representative shape (square: 512^3; skinny: 32x1024x1024).",
    );
    // One line per note, however many records (element types, shape classes) repeat it.
    let mut left_out: Vec<&String> = Vec::new();
    for note in results.tuning.iter().flat_map(|t| &t.notes) {
        if !left_out.contains(&note) {
            left_out.push(note);
        }
    }
    for note in left_out {
        table.push_note(format!("Not searched: {note}."));
    }
    table
}

/// The summary, ranks, per-node GEMM and stragglers tables of a merged cluster.
pub fn cluster(merged: &ClusterResults) -> Vec<Table> {
    vec![
        cluster_summary(merged),
        ranks(merged),
        groups(merged),
        stragglers(merged),
    ]
}

/// "slow" or "failed verification".
pub fn reason_word(reason: StragglerReason) -> &'static str {
    match reason {
        StragglerReason::Slow => "slow",
        StragglerReason::VerificationFailed => "failed verification",
    }
}

fn cluster_summary(m: &ClusterResults) -> Table {
    let total = &m.cluster_gflops;
    let title = format!(
        "Cluster{}{}",
        m.job_id
            .as_deref()
            .map(|j| format!(" job {j}"))
            .unwrap_or_default(),
        if total.complete { "" } else { " (PARTIAL)" }
    );
    let count = |header: &str, key: &str| Column::number(header, key, Unit::Count, Shown::Whole);
    let mut table = Table::new(
        "cluster",
        vec![
            Column::text("benchmark", "benchmark"),
            count("ranks counted", "ranks_counted"),
            count("world size", "world_size"),
            Column::number("cluster GFLOP/s", "cluster", Unit::FlopPerSecond, GIGA),
            count("nodes", "nodes"),
            count("stragglers", "stragglers"),
        ],
    )
    .with_title(title);
    table.push_row(vec![
        total.benchmark.as_str().into(),
        total.ranks_counted.into(),
        m.world_size.into(),
        flops(total.total),
        m.nodes.len().into(),
        m.stragglers.len().into(),
    ]);
    table.push_note(format!("Benchmark chosen by {}.", m.benchmark.chosen_by));
    for e in &total.excluded {
        table.push_note(format!(
            "Rank {} is NOT in the cluster total: {}.",
            e.rank, e.reason
        ));
    }
    for line in &m.skipped {
        table.push_note(format!("Skipped: {line}"));
    }
    for note in &m.notes {
        table.push_note(note.clone());
    }
    table
}

fn ranks(m: &ClusterResults) -> Table {
    let mut table = Table::new(
        "ranks",
        vec![
            Column::number("rank", "rank", Unit::None, Shown::Whole),
            Column::text("host", "host"),
            Column::number("local rank", "local_rank", Unit::None, Shown::Whole),
            Column::text("adapter", "adapter"),
            Column::number("GFLOP/s", "rate", Unit::FlopPerSecond, GIGA),
            Column::text("verified", "verified"),
            Column::text("status", "status"),
            Column::text("failed", "failed").detail(),
            Column::text("file", "file").detail(),
        ],
    )
    .with_title(format!("Ranks on {}", m.benchmark.label()));
    for r in &m.ranks {
        let straggler =
            m.stragglers
                .iter()
                .find(|s| s.rank == r.rank)
                .map(|s| match s.below_median_percent {
                    Some(below) => format!("STRAGGLER: {below:.1}% below median"),
                    None => format!("STRAGGLER: {}", reason_word(s.reason)),
                });
        let partial = m
            .partial_ranks
            .contains(&r.rank)
            .then(|| "PARTIAL: stopped early".to_string());
        let status = [partial, straggler]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let status = if status.is_empty() {
            "ok".to_string()
        } else {
            status.join("; ")
        };
        table.push_row(vec![
            r.rank.into(),
            r.host.as_str().into(),
            r.local_rank.into(),
            r.adapter.label().into(),
            r.gflops.map_or(Cell::Missing, flops),
            if r.verified { "yes" } else { "NO" }.into(),
            status.into(),
            r.failed.join(", ").into(),
            r.file.as_str().into(),
        ]);
    }
    for &missing in &m.missing_ranks {
        let mut row = vec![Cell::Missing; table.columns.len()];
        row[0] = missing.into();
        row[6] = "MISSING".into();
        table.push_row(row);
    }
    table
}

fn groups(m: &ClusterResults) -> Table {
    let rate = |header: &str, key: &str| Column::number(header, key, Unit::FlopPerSecond, GIGA);
    let count = |header: &str, key: &str| Column::number(header, key, Unit::Count, Shown::Whole);
    let mut table = Table::new(
        "gemm_per_node",
        vec![
            Column::text("host", "host"),
            Column::text("adapter", "adapter"),
            Column::text("ranks", "ranks"),
            Column::text("kernel", "kernel"),
            Column::text("dtype", "dtype"),
            Column::shape("MxNxK"),
            rate("GFLOP/s median", "median"),
            rate("min", "min"),
            rate("max", "max"),
            count("verified ranks", "ranks_verified"),
            count("failed ranks", "ranks_failed"),
        ],
    )
    .with_title("GEMM per node and adapter (median / min / max of the ranks' medians)");
    for g in &m.groups {
        let ranks: Vec<String> = g.ranks.iter().map(u32::to_string).collect();
        for f in &g.gemm {
            let summary = |pick: fn(&crate::results::Summary) -> f64| {
                f.gflops.as_ref().map(pick).map_or(Cell::Missing, flops)
            };
            table.push_row(vec![
                g.host.clone().unwrap_or_default().into(),
                g.adapter.label().into(),
                ranks.join(" ").into(),
                f.kernel.as_str().into(),
                f.dtype.as_str().into(),
                f.shape.into(),
                summary(|s| s.median),
                summary(|s| s.min),
                summary(|s| s.max),
                f.ranks_verified.into(),
                f.ranks_failed.into(),
            ]);
        }
    }
    table
}

fn stragglers(m: &ClusterResults) -> Table {
    let mut table = Table::new(
        "stragglers",
        vec![
            Column::number("rank", "rank", Unit::None, Shown::Whole),
            Column::text("host", "host"),
            Column::text("adapter", "adapter"),
            Column::text("reason", "reason"),
            Column::fraction("below median", "below_median"),
            Column::text("detail", "detail"),
        ],
    )
    .with_title("Stragglers");
    for s in &m.stragglers {
        table.push_row(vec![
            s.rank.into(),
            s.host.as_str().into(),
            s.adapter.as_str().into(),
            reason_word(s.reason).into(),
            s.below_median_percent.map(|p| p / 100.0).into(),
            s.detail.as_str().into(),
        ]);
    }
    if m.stragglers.is_empty() {
        table.push_note("No straggler.");
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExceedingGemm, Summary};

    fn run_with_probes() -> RunResults {
        let text = include_str!("../../tests/fixtures/run-0.1.0-c7203a2.json");
        let mut run: RunResults = serde_json::from_str(text).expect("fixture");
        let rate = |median: f64| Summary {
            median,
            min: median * 0.9,
            max: median * 1.1,
        };
        run.peaks.fma_gflops.f16 = Some(9.0);
        run.peaks.probes = vec![
            ProbeRecord {
                probe: ProbeKind::Fma,
                dtype: Some(Dtype::F16),
                rate: rate(7.0),
                configuration: "16 x vec4 accumulators 4 deep, workgroup 64".into(),
                candidates: 40,
                exceeded_by: Some(ExceedingGemm {
                    benchmark: "tuned f16 512x512x512".into(),
                    gflops: 9.0,
                }),
            },
            ProbeRecord {
                probe: ProbeKind::Copy,
                dtype: None,
                rate: rate(run.peaks.bandwidth_gbps),
                configuration: "4 vec4 per invocation, strided, workgroup 256".into(),
                candidates: 4,
                exceeded_by: None,
            },
        ];
        run
    }

    #[test]
    fn a_gemm_above_its_probe_is_named_in_a_column_and_a_note() {
        let table = peaks(&run_with_probes());
        let f16 = &table.rows[0];
        assert_eq!(f16[0], Cell::from("FMA f16"));
        // The probe's own figure, then the figure used, and where it comes from.
        assert_eq!(f16[1], Cell::Number(7.0e9));
        assert_eq!(f16[7], Cell::Number(9.0e9));
        assert_eq!(f16[8], Cell::from("GEMM tuned f16 512x512x512"));
        assert!(
            table
                .notes
                .iter()
                .any(|n| n.contains("tuned f16 512x512x512") && n.contains("wider search")),
            "{:?}",
            table.notes
        );
        let copy = &table.rows[1];
        assert_eq!(copy[8], Cell::from("this probe (roofline)"));
    }

    #[test]
    fn files_without_probe_records_keep_their_three_columns() {
        let text = include_str!("../../tests/fixtures/run-0.1.0-c7203a2.json");
        let run: RunResults = serde_json::from_str(text).expect("fixture");
        let table = peaks(&run);
        assert_eq!(table.columns.len(), 3);
        assert_eq!(table.rows.len(), 3);
    }
}
