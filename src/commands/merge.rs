//! `fleetbench merge FILES|DIR`: gather the per-rank results files of one launched job
//! into a cluster result (per node and adapter GEMM figures, the measured cluster GFLOP/s,
//! stragglers), printed or written atomically in any `--format`. Bad input is one line
//! naming the file (exit 2); `--fail-on-straggler` exits 1 after the output is written.

use std::path::PathBuf;

use serde::Serialize;

use crate::cluster::inputs;
use crate::cluster::merge::{MergeOptions, merge};
use crate::error::{Error, Result};
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::report::{OutputArgs, Table, View, results_tables};
use crate::results::cluster::ClusterResults;

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
    #[command(flatten)]
    pub output: OutputArgs,
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
    let destination = args.output.destination()?;
    let paths = inputs::collect_paths(&args.inputs, destination.path.as_deref())?;
    let loaded = inputs::load_all(&paths, args.allow_partial)?;
    let options = MergeOptions {
        allow_partial: args.allow_partial,
        threshold: args.straggler_threshold / 100.0,
        kernel: args.kernel,
        dtype: args.dtype,
        shape: args.size,
    };
    let merged = Merged(merge(loaded.files, loaded.skipped, &options)?);
    destination.write(&merged)?;
    let merged = merged.0;
    if args.fail_on_straggler && !merged.stragglers.is_empty() {
        let named: Vec<String> = merged
            .stragglers
            .iter()
            .map(|s| {
                let reason = results_tables::reason_word(s.reason);
                format!("rank {} on {} ({reason})", s.rank, s.host)
            })
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

/// A merged cluster as `merge` shows it: JSON is the merged file itself.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct Merged(ClusterResults);

impl View for Merged {
    fn tables(&self) -> Vec<Table> {
        results_tables::cluster(&self.0)
    }
}
