//! A whole measuring session on one device: the peak probes, then every requested GEMM,
//! gathered into a `RunResults`. Limits are checked for every benchmark before anything
//! runs, so a shape the adapter cannot hold fails at once rather than half-way through.

use indicatif::ProgressBar;

use super::gemm::{GemmOutcome, bench_gemm};
use super::peaks::{ProbePlan, copy_bandwidth, fma_peak};
use super::sampling::SamplingPlan;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::timing::{Timer, TimingMethod};
use crate::kernels::{Dtype, GemmKernel, GemmShape, KernelId};
use crate::results::{
    Environment, FmaPeaks, GemmRecord, Peaks, RunResults, SCHEMA_VERSION, ToolInfo,
};

/// Everything a session measures.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    pub kernels: Vec<KernelId>,
    pub dtypes: Vec<Dtype>,
    pub shapes: Vec<GemmShape>,
    pub sampling: SamplingPlan,
    pub probes: ProbePlan,
    pub use_timestamps: bool,
}

impl SessionPlan {
    /// The concrete kernels, in order, for this device.
    pub fn gemm_kernels(&self, ctx: &GpuContext) -> Vec<GemmKernel> {
        self.kernels
            .iter()
            .map(|&id| GemmKernel::default_for(id, &ctx.limits))
            .collect()
    }

    /// Number of progress steps: one per probe and per GEMM.
    pub fn steps(&self) -> u64 {
        (self.dtypes.len() + 1 + self.kernels.len() * self.dtypes.len() * self.shapes.len()) as u64
    }
}

/// Runs the probes and the GEMMs and returns the results file's content.
pub fn run_session(
    ctx: &GpuContext,
    plan: &SessionPlan,
    progress: &ProgressBar,
) -> Result<RunResults> {
    let kernels = plan.gemm_kernels(ctx);
    for kernel in &kernels {
        for &dtype in &plan.dtypes {
            for &shape in &plan.shapes {
                kernel.check_limits(shape, dtype, &ctx.limits)?;
            }
        }
    }
    let timer = Timer::new(ctx, plan.use_timestamps);
    let mut methods = Vec::new();
    let mut fma = FmaPeaks {
        f32: 0.0,
        f16: None,
    };
    for &dtype in &plan.dtypes {
        progress.set_message(format!("FMA peak {dtype}"));
        let peak = fma_peak(ctx, &timer, &plan.probes, dtype)?;
        methods.push(peak.method);
        match dtype {
            Dtype::F32 => fma.f32 = peak.rate.median,
            Dtype::F16 => fma.f16 = Some(peak.rate.median),
        }
        progress.inc(1);
    }
    if !plan.dtypes.contains(&Dtype::F32) {
        fma.f32 = fma_peak(ctx, &timer, &plan.probes, Dtype::F32)?.rate.median;
    }
    progress.set_message("copy bandwidth");
    let bandwidth = copy_bandwidth(ctx, &timer, &plan.probes)?;
    methods.push(bandwidth.method);
    progress.inc(1);

    let mut gemm = Vec::new();
    for kernel in &kernels {
        for &dtype in &plan.dtypes {
            for &shape in &plan.shapes {
                progress.set_message(format!("{} {dtype} {}", kernel.id.as_str(), shape.label()));
                let outcome = bench_gemm(ctx, &timer, &plan.sampling, *kernel, dtype, shape)?;
                methods.extend(outcome.method);
                gemm.push(record(&outcome, &fma));
                progress.inc(1);
            }
        }
    }
    let all_stamped = methods.iter().all(|m| *m == TimingMethod::Timestamp);
    Ok(RunResults {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        environment: Environment::current(),
        adapter: ctx.description.clone(),
        cluster: None,
        timing: if all_stamped {
            TimingMethod::Timestamp
        } else {
            TimingMethod::WallClock
        }
        .as_str()
        .into(),
        peaks: Peaks {
            fma_gflops: fma,
            bandwidth_gbps: bandwidth.rate.median,
        },
        gemm,
    })
}

fn record(outcome: &GemmOutcome, fma: &FmaPeaks) -> GemmRecord {
    let dtype = outcome.dtype.as_str();
    let efficiency = outcome
        .gflops
        .zip(fma.for_dtype(dtype))
        .filter(|(_, peak)| *peak > 0.0)
        .map(|(g, peak)| g.median / peak);
    GemmRecord {
        kernel: outcome.kernel.id.as_str().into(),
        geometry: outcome.kernel.geometry(),
        dtype: dtype.into(),
        m: outcome.shape.m,
        n: outcome.shape.n,
        k: outcome.shape.k,
        gflops: outcome.gflops,
        samples: outcome.samples,
        verified: outcome.verification.verified,
        max_error: outcome.verification.max_error,
        error_bound: outcome.verification.error_bound,
        checked_entries: outcome.verification.checked,
        efficiency,
        timing: outcome.method.map(|m| m.as_str().into()),
    }
}
