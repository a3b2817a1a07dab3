//! `fleetbench merge FILES|DIR`: gather the per-rank results files of one launched job
//! into a cluster result (per node and adapter GEMM figures, the measured cluster GFLOP/s,
//! stragglers), printed or written atomically in any `--format`. Bad input is one line
//! naming the file (exit 2); `--fail-on-straggler` exits 1 after the output is written.

use std::path::PathBuf;

use serde::Serialize;

use crate::cluster::inputs;
use crate::cluster::merge::{MergeOptions, merge};
use crate::commands::ValueError;
use crate::commands::run::parse_shape;
use crate::error::{Error, Result};
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::report::{OutputArgs, Table, View, results_tables};
use crate::results::cluster::ClusterResults;
use crate::text::printable;

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

/// "1024" (square), or a shape MxNxK exactly as `run --shape` reads it.
pub fn parse_size(text: &str) -> std::result::Result<GemmShape, ValueError> {
    match text.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(GemmShape::square(n)),
        _ if text.contains(['x', 'X', '*']) => parse_shape(text),
        _ => Err(ValueError::NotASize {
            given: printable(text),
        }),
    }
}

/// A percentage in [0, 100): "10" or "10%".
pub fn parse_percent(text: &str) -> std::result::Result<f64, ValueError> {
    let given = || printable(text);
    let Ok(value) = text.trim().trim_end_matches('%').parse::<f64>() else {
        return Err(ValueError::NotAPercentage { given: given() });
    };
    if (0.0..100.0).contains(&value) {
        Ok(value)
    } else {
        Err(ValueError::PercentageOutOfRange { given: given() })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing both parsers side by side: `--size` refused the `*` that
    /// `run --shape` accepts, so a shape written for one was an error in the other.
    #[test]
    fn a_size_is_a_square_or_a_shape_as_run_reads_it() {
        assert_eq!(parse_size("1024"), Ok(GemmShape::square(1024)));
        for text in ["3X5*7", "64 x 32 x 16", "4096x2048x1024"] {
            assert_eq!(parse_size(text), parse_shape(text), "{text}");
        }
        for bad in ["0", "5x7", "x", "1\n2"] {
            let err = parse_size(bad).unwrap_err().to_string();
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
