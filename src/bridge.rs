//! The measured bridge: what a results file (one GPU from `run`, or a cluster from
//! `merge`) contributes to a projection. It reads the seam (`results`) and
//! hands the model two numbers: the measured achieved FLOP/s, so a fleet can be expressed
//! in "equivalents of what was measured", and, for a single GPU, the measured GEMM
//! efficiency (achieved over the device's own FMA peak), which `--mfu measured` uses as
//! the fleet's utilisation. The model never sees wgpu; the engine never sees fleets.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::kernels::Dtype;
use crate::model::DType;
use crate::results::{ClusterResults, GemmRecord, ResultsFile, RunResults};

/// The figure a projection borrows from a measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// What was measured, e.g. "llvmpipe (vulkan, software)" or "cluster of 2 ranks".
    pub label: String,
    /// The benchmark the figures come from, e.g. "tuned f32 1024x1024x1024".
    pub benchmark: String,
    pub dtype: Dtype,
    /// Achieved FLOP/s (median) of that benchmark: one GPU, or the cluster's total.
    pub flops_per_s: f64,
    /// Achieved over the device's own measured FMA peak; None for a cluster.
    pub efficiency: Option<f64>,
    /// True when the adapter is a CPU rasteriser; None when not recorded (clusters).
    pub software: Option<bool>,
}

/// The measured figure to bridge for a fleet computing in `fleet_dtype`: for 16-bit and
/// narrower fleet types the local f16 result when one was verified, else f32.
pub fn measured(file: &ResultsFile, fleet_dtype: DType) -> Result<Measured> {
    match file {
        ResultsFile::Run(run) => from_run(run, fleet_dtype),
        ResultsFile::Cluster(cluster) => from_cluster(cluster),
    }
}

/// The best verified result of the preferred local dtype: largest problem first, then
/// fastest kernel (small problems understate a device).
pub fn from_run(run: &RunResults, fleet_dtype: DType) -> Result<Measured> {
    let narrow = !matches!(fleet_dtype, DType::Fp64 | DType::Fp32 | DType::Tf32);
    let order: &[Dtype] = if narrow {
        &[Dtype::F16, Dtype::F32]
    } else {
        &[Dtype::F32]
    };
    let best = order
        .iter()
        .find_map(|&dtype| best_verified(&run.gemm, dtype))
        .ok_or_else(|| {
            let names: Vec<&str> = order.iter().map(|d| d.as_str()).collect();
            Error::usage(format!(
                "the results have no verified {} GEMM to project from",
                names.join(" or ")
            ))
        })?;
    let median = best.gflops.map(|g| g.median).unwrap_or(0.0);
    Ok(Measured {
        label: run.adapter.label(),
        benchmark: best.label(),
        dtype: best.dtype,
        flops_per_s: median * 1e9,
        efficiency: best.efficiency,
        software: Some(run.adapter.software),
    })
}

fn best_verified(gemm: &[GemmRecord], dtype: Dtype) -> Option<&GemmRecord> {
    let work = |g: &GemmRecord| g.shape.flops();
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
        dtype: cluster.benchmark.dtype,
        flops_per_s: total.total * 1e9,
        efficiency: None,
        software: None,
    })
}
