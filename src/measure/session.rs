//! A whole measuring session on one device: the peak probes, the autotuner where `tuned`
//! is requested, then every requested GEMM, gathered into a `RunResults`. Limits are
//! checked for every fixed kernel before anything runs, so a shape the adapter cannot hold
//! fails at once rather than half-way through.

use std::collections::HashMap;

use indicatif::ProgressBar;

use super::autotune::cache::TuneCache;
use super::autotune::{ShapeClass, TunePlan, TuneRecord, tuned_kernel};
use super::gemm::{GemmOutcome, bench_gemm};
use super::peaks::{ProbePlan, measure_peaks, settle_against_gemm};
use super::sampling::SamplingPlan;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::timing::{Timer, TimingMethod};
use crate::kernels::{Dtype, GemmKernel, GemmShape, KernelId};
use crate::results::{Environment, GemmRecord, RunResults, SCHEMA_VERSION, ToolInfo};

/// Everything a session measures.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    pub kernels: Vec<KernelId>,
    pub dtypes: Vec<Dtype>,
    /// Shapes with an optional label (e.g. "llama-3-70b qkv").
    pub shapes: Vec<(GemmShape, Option<String>)>,
    pub sampling: SamplingPlan,
    pub probes: ProbePlan,
    pub tuning: TunePlan,
    pub use_timestamps: bool,
}

/// Whether kernel `id` runs in `dtype`: `dot4-i8` runs i8 and nothing else runs i8.
pub fn runs(id: KernelId, dtype: Dtype) -> bool {
    (id == KernelId::Dot4I8) == (dtype == Dtype::I8)
}

impl SessionPlan {
    /// Number of progress steps: one per probe and per GEMM.
    pub fn steps(&self) -> u64 {
        (self.dtypes.len() + 1 + self.benchmarks().count() * self.shapes.len()) as u64
    }

    /// The (kernel, element type) pairs that run, kernel by kernel.
    fn benchmarks(&self) -> impl Iterator<Item = (KernelId, Dtype)> + '_ {
        self.kernels
            .iter()
            .flat_map(|&id| self.dtypes.iter().map(move |&dtype| (id, dtype)))
            .filter(|&(id, dtype)| runs(id, dtype))
    }

    /// Checks every fixed kernel against the adapter's limits before anything runs.
    fn check_limits(&self, ctx: &GpuContext) -> Result<()> {
        for (id, dtype) in self.benchmarks() {
            let Some(kernel) = id.fixed(&ctx.limits) else {
                continue;
            };
            for (shape, _) in &self.shapes {
                kernel.check_limits(*shape, dtype, &ctx.limits)?;
            }
        }
        Ok(())
    }
}

/// Runs the probes, the tuner and the GEMMs and returns the results file's content.
pub fn run_session(
    ctx: &GpuContext,
    plan: &SessionPlan,
    progress: &ProgressBar,
) -> Result<RunResults> {
    plan.check_limits(ctx)?;
    let timer = Timer::new(ctx, plan.use_timestamps);
    let say = |message: String| progress.set_message(message);
    let (mut peaks, mut methods) = measure_peaks(ctx, &timer, &plan.probes, &plan.dtypes, &say)?;
    progress.inc((plan.dtypes.len() + 1) as u64);

    let mut tuner = Tuner::new(plan.tuning.clone(), progress);
    let mut gemm = Vec::new();
    for (id, dtype) in plan.benchmarks() {
        for (shape, label) in &plan.shapes {
            let kernel = match id.fixed(&ctx.limits) {
                Some(kernel) => kernel,
                None => tuner.kernel_for(ctx, &timer, dtype, *shape)?,
            };
            progress.set_message(format!("{} {dtype} {}", id.as_str(), shape.label()));
            let outcome = bench_gemm(ctx, &timer, &plan.sampling, kernel, dtype, *shape)?;
            methods.extend(outcome.method);
            gemm.push(record(id, &outcome, label.clone()));
            progress.inc(1);
        }
    }
    // Efficiencies are set once the peaks are final: a GEMM may have raised one.
    methods.extend(settle_against_gemm(
        ctx,
        &timer,
        &plan.probes,
        &mut peaks,
        &mut gemm,
        &say,
    )?);
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
        },
        peaks,
        tuning: tuner.records,
        gemm,
    })
}

/// Resolves `tuned` once per element type and shape class, through the cache.
struct Tuner<'a> {
    plan: TunePlan,
    cache: Option<TuneCache>,
    chosen: HashMap<(Dtype, ShapeClass), GemmKernel>,
    records: Vec<TuneRecord>,
    progress: &'a ProgressBar,
}

impl<'a> Tuner<'a> {
    fn new(plan: TunePlan, progress: &'a ProgressBar) -> Self {
        Tuner {
            plan,
            cache: None,
            chosen: HashMap::new(),
            records: Vec::new(),
            progress,
        }
    }

    fn kernel_for(
        &mut self,
        ctx: &GpuContext,
        timer: &Timer,
        dtype: Dtype,
        shape: GemmShape,
    ) -> Result<GemmKernel> {
        let class = ShapeClass::of(shape);
        if let Some(kernel) = self.chosen.get(&(dtype, class)) {
            return Ok(*kernel);
        }
        let progress = self.progress;
        let cache = self.cache.get_or_insert_with(|| {
            TuneCache::load(TuneCache::default_path(), &mut |w| {
                progress.suspend(|| eprintln!("warning: {w}"))
            })
        });
        let say = |message: String| progress.set_message(message);
        let (kernel, record) = tuned_kernel(ctx, timer, cache, &self.plan, dtype, class, &say)?;
        self.chosen.insert((dtype, class), kernel);
        self.records.push(record);
        Ok(kernel)
    }
}

/// The record of one GEMM; its efficiency is set when the peaks are final.
fn record(id: KernelId, outcome: &GemmOutcome, workload: Option<String>) -> GemmRecord {
    let dtype = outcome.dtype;
    GemmRecord {
        kernel: id,
        geometry: outcome.kernel.describe(),
        workload,
        dtype,
        shape: outcome.shape,
        gflops: outcome.gflops,
        samples: outcome.samples,
        verified: outcome.verification.verified,
        max_error: outcome.verification.max_error,
        error_bound: outcome.verification.error_bound,
        checked_entries: outcome.verification.checked,
        efficiency: None,
        timing: outcome.method,
    }
}
