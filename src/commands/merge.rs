//! `fleetbench merge FILES|DIR`: gather the per-rank results files of one launched job
//! into a cluster result (per node and adapter GEMM figures, the measured cluster GFLOP/s,
//! stragglers), printed or written atomically in any `--format`. Bad input is one line
//! naming the file (exit 2); `--fail-on-straggler` exits 1 after the output is written.

use std::path::PathBuf;

use crate::cluster::inputs;
use crate::cluster::merge::{MergeOptions, merge};
use crate::error::{Error, Result};
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::report::{self, Format, Table};
use crate::results::cluster::{ClusterResults, StragglerReason};

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Per-rank results files of `fleetbench run`, or directories holding them (*.json).
    #[arg(required = true, value_name = "FILES|DIR")]
    pub inputs: Vec<PathBuf>,
    /// Take the cluster figures on this kernel (default: the fastest verified one).
    #[arg(long, value_enum)]
    pub kernel: Option<KernelId>,
    /// Take the cluster figures on this element type (default: f32 when every rank ran it).
    #[arg(long, value_enum)]
    pub dtype: Option<Dtype>,
    /// Take the cluster figures at this size, N or MxNxK (default: the largest every rank ran).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<GemmShape>,
    /// A rank more than this many percent below the median of its adapter kind is a straggler.
    #[arg(long, default_value = "10", value_parser = parse_percent)]
    pub straggler_threshold: f64,
    /// Exit 1 (after writing the output) when any straggler is found.
    #[arg(long)]
    pub fail_on_straggler: bool,
    /// Merge what can be merged when files are bad, duplicated or missing, saying which.
    #[arg(long)]
    pub allow_partial: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// "1024" (square) or "MxNxK".
pub fn parse_size(text: &str) -> std::result::Result<GemmShape, String> {
    let bad = || format!("'{text}' is not a size N or MxNxK of positive integers");
    let parts: Vec<u32> = text
        .split(['x', 'X'])
        .map(|p| p.trim().parse::<u32>().ok().filter(|v| *v > 0))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(bad)?;
    match parts.as_slice() {
        [n] => Ok(GemmShape::square(*n)),
        [m, n, k] => Ok(GemmShape {
            m: *m,
            n: *n,
            k: *k,
        }),
        _ => Err(bad()),
    }
}

/// A percentage in [0, 100): "10" or "10%".
pub fn parse_percent(text: &str) -> std::result::Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("'{text}' is not a percentage, e.g. 10"))?;
    if (0.0..100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "'{text}' must be at least 0 and below 100 (percent)"
        ))
    }
}

pub fn execute(args: &MergeArgs) -> Result<()> {
    let paths = inputs::collect_paths(&args.inputs, args.output.as_deref())?;
    let loaded = inputs::load_all(&paths, args.allow_partial)?;
    let options = MergeOptions {
        allow_partial: args.allow_partial,
        threshold: args.straggler_threshold / 100.0,
        kernel: args.kernel,
        dtype: args.dtype,
        shape: args.size,
    };
    let merged = merge(loaded.files, loaded.skipped, &options)?;
    let text = match args.format {
        Format::Json => report::to_json(&merged)?,
        other => report::render_tables(&tables(&merged), other)?,
    };
    report::emit(&text, args.output.as_deref())?;
    if args.fail_on_straggler && !merged.stragglers.is_empty() {
        let named: Vec<String> = merged
            .stragglers
            .iter()
            .map(|s| format!("rank {} on {} ({})", s.rank, s.host, reason_word(s.reason)))
            .collect();
        return Err(Error::runtime(format!(
            "{} straggler{}: {}",
            named.len(),
            if named.len() == 1 { "" } else { "s" },
            named.join(", ")
        )));
    }
    Ok(())
}

fn reason_word(reason: StragglerReason) -> &'static str {
    match reason {
        StragglerReason::Slow => "slow",
        StragglerReason::VerificationFailed => "failed verification",
    }
}

/// GFLOP/s with enough digits to tell small (software adapter) figures apart.
fn rate(value: Option<f64>) -> String {
    match value {
        None => "-".into(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) if v.abs() >= 10.0 => format!("{v:.1}"),
        Some(v) if v.abs() >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.3}"),
    }
}

/// The summary, per-rank and per-node-and-adapter tables.
pub fn tables(merged: &ClusterResults) -> Vec<Table> {
    vec![
        summary_table(merged),
        ranks_table(merged),
        groups_table(merged),
    ]
}

fn summary_table(m: &ClusterResults) -> Table {
    let total = &m.cluster_gflops;
    let title = format!(
        "Cluster{}{}",
        m.job_id
            .as_deref()
            .map(|j| format!(" job {j}"))
            .unwrap_or_default(),
        if total.complete { "" } else { " (PARTIAL)" }
    );
    let mut table = Table::new([
        "benchmark",
        "ranks counted",
        "world size",
        "cluster GFLOP/s",
        "nodes",
        "stragglers",
    ])
    .with_title(title);
    table.push_row([
        total.benchmark.clone(),
        total.ranks_counted.to_string(),
        m.world_size.to_string(),
        rate(Some(total.total)),
        m.nodes.len().to_string(),
        m.stragglers.len().to_string(),
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
    for s in &m.stragglers {
        table.push_note(format!(
            "Straggler: rank {} on {} ({}): {}",
            s.rank, s.host, s.adapter, s.detail
        ));
    }
    for note in &m.notes {
        table.push_note(note.clone());
    }
    table
}

fn ranks_table(m: &ClusterResults) -> Table {
    let mut table = Table::new([
        "rank",
        "host",
        "local rank",
        "adapter",
        "GFLOP/s",
        "verified",
        "status",
        "file",
    ])
    .with_title(format!("Ranks on {}", m.benchmark.label()));
    for r in &m.ranks {
        let status = match m.stragglers.iter().find(|s| s.rank == r.rank) {
            Some(s) => match s.below_median_percent {
                Some(below) => format!("STRAGGLER: {below:.1}% below median"),
                None => format!("STRAGGLER: {}", reason_word(s.reason)),
            },
            None => "ok".into(),
        };
        table.push_row([
            r.rank.to_string(),
            r.host.clone(),
            r.local_rank.map_or("-".into(), |l| l.to_string()),
            r.adapter.label(),
            rate(r.gflops),
            if r.verified { "yes" } else { "NO" }.to_string(),
            status,
            r.file.clone(),
        ]);
    }
    for missing in &m.missing_ranks {
        table.push_row([
            missing.to_string(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "MISSING".into(),
            "-".into(),
        ]);
    }
    table
}

fn groups_table(m: &ClusterResults) -> Table {
    let mut table = Table::new([
        "host",
        "adapter",
        "ranks",
        "kernel",
        "dtype",
        "MxNxK",
        "GFLOP/s median",
        "min",
        "max",
        "verified ranks",
    ])
    .with_title("GEMM per node and adapter (median / min / max of the ranks' medians)");
    for g in &m.groups {
        let ranks = g
            .ranks
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        for f in &g.gemm {
            table.push_row([
                g.host.clone().unwrap_or_default(),
                g.adapter.label(),
                ranks.clone(),
                f.kernel.to_string(),
                f.dtype.to_string(),
                f.shape.label(),
                rate(f.gflops.map(|s| s.median)),
                rate(f.gflops.map(|s| s.min)),
                rate(f.gflops.map(|s| s.max)),
                format!(
                    "{} of {}",
                    f.ranks_verified,
                    f.ranks_verified + f.ranks_failed
                ),
            ]);
        }
    }
    table
}
