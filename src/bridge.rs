//! The measured bridge: what a results file (one GPU from `run`, or a cluster from
//! `merge`) contributes to a projection. It reads the seam (`results`, `cluster`) and
//! hands the model two numbers: the measured achieved FLOP/s, so a fleet can be expressed
//! in "equivalents of what was measured", and, for a single GPU, the measured GEMM
//! efficiency (achieved over the device's own FMA peak), which `--mfu measured` uses as
//! the fleet's utilisation. The model never sees wgpu; the engine never sees fleets.

use std::path::Path;

use serde::Serialize;

use crate::cluster::merge::ClusterResults;
use crate::error::{Error, Result};
use crate::model::DType;
use crate::results::{GemmRecord, RunResults, SCHEMA_VERSION};

/// The figure a projection borrows from a measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// What was measured, e.g. "llvmpipe (vulkan, software)" or "cluster of 2 ranks".
    pub label: String,
    /// The benchmark the figures come from, e.g. "tuned f32 1024x1024x1024".
    pub benchmark: String,
    pub dtype: String,
    /// Achieved FLOP/s (median) of that benchmark: one GPU, or the cluster's total.
    pub flops_per_s: f64,
    /// Achieved over the device's own measured FMA peak; None for a cluster.
    pub efficiency: Option<f64>,
    /// True when the adapter is a CPU rasteriser; None when not recorded (clusters).
    pub software: Option<bool>,
}

/// A results file as read for projecting.
pub enum MeasuredFile {
    Run(Box<RunResults>),
    Cluster(Box<ClusterResults>),
}

/// Reads a results file (from `run` or `merge`), with one-line errors naming the file.
pub fn load(path: &Path) -> Result<MeasuredFile> {
    let fail = |what: String| Error::usage(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| fail(format!("not a JSON results file ({e})")))?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(SCHEMA_VERSION)) {
        return Err(fail(format!(
            "schema_version {} is not {SCHEMA_VERSION}; re-run with this fleetbench",
            version.map_or("missing".to_string(), |v| v.to_string())
        )));
    }
    let parsed = if value.get("kind").and_then(serde_json::Value::as_str) == Some("cluster") {
        serde_json::from_value(value).map(|c| MeasuredFile::Cluster(Box::new(c)))
    } else {
        serde_json::from_value(value).map(|r| MeasuredFile::Run(Box::new(r)))
    };
    parsed.map_err(|e| fail(format!("not a fleetbench results file ({e})")))
}

impl MeasuredFile {
    /// The measured figure to bridge for a fleet computing in `fleet_dtype`: for 16-bit
    /// and narrower fleet types the local f16 result when one was verified, else f32.
    pub fn measured(&self, fleet_dtype: DType) -> Result<Measured> {
        match self {
            MeasuredFile::Run(run) => from_run(run, fleet_dtype),
            MeasuredFile::Cluster(cluster) => from_cluster(cluster),
        }
    }
}

/// The best verified result of the preferred local dtype: largest problem first, then
/// fastest kernel (small problems understate a device).
pub fn from_run(run: &RunResults, fleet_dtype: DType) -> Result<Measured> {
    let narrow = !matches!(fleet_dtype, DType::Fp64 | DType::Fp32 | DType::Tf32);
    let order: &[&str] = if narrow { &["f16", "f32"] } else { &["f32"] };
    let best = order
        .iter()
        .find_map(|dtype| best_verified(&run.gemm, dtype))
        .ok_or_else(|| {
            Error::usage(format!(
                "the results have no verified {} GEMM to project from",
                order.join(" or ")
            ))
        })?;
    let median = best.gflops.map(|g| g.median).unwrap_or(0.0);
    Ok(Measured {
        label: run.adapter.label(),
        benchmark: format!(
            "{} {} {}x{}x{}",
            best.kernel, best.dtype, best.m, best.n, best.k
        ),
        dtype: best.dtype.clone(),
        flops_per_s: median * 1e9,
        efficiency: best.efficiency,
        software: Some(run.adapter.software),
    })
}

fn best_verified<'a>(gemm: &'a [GemmRecord], dtype: &str) -> Option<&'a GemmRecord> {
    let work = |g: &GemmRecord| f64::from(g.m) * f64::from(g.n) * f64::from(g.k);
    let median = |g: &GemmRecord| g.gflops.map_or(0.0, |s| s.median);
    gemm.iter()
        .filter(|g| g.verified && g.dtype == dtype && median(g) > 0.0 && g.workload.is_none())
        .max_by(|a, b| {
            work(a)
                .total_cmp(&work(b))
                .then(median(a).total_cmp(&median(b)))
        })
}

fn from_cluster(cluster: &ClusterResults) -> Result<Measured> {
    let total = &cluster.cluster_gflops;
    if !total.complete {
        return Err(Error::usage(format!(
            "the merged file's cluster total misses ranks ({} of {} counted); merge all ranks first",
            total.ranks_counted, total.ranks_expected
        )));
    }
    Ok(Measured {
        label: format!("cluster of {} ranks", total.ranks_counted),
        benchmark: total.benchmark.clone(),
        dtype: cluster.benchmark.dtype.clone(),
        flops_per_s: total.total * 1e9,
        efficiency: None,
        software: None,
    })
}
