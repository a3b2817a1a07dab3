//! A whole measuring session on one device: the peak probes, the autotuner where `tuned`
//! is requested, then every requested GEMM, gathered into a `RunResults`. Limits are
//! checked for every fixed kernel before anything runs, so a shape the adapter cannot hold
//! fails at once rather than half-way through.
//!
//! Faults during the GEMMs keep what was measured: a GEMM whose buffers the device will
//! not hold is recorded as skipped and the session goes on; a stop signal or a lost device
//! ends it with the results so far marked incomplete, and the error that stopped it.
//!
//! Test hook: `SessionPlan::destroy_device_at_gemm` (set by `run` from
//! `FLEETBENCH_TEST_DESTROY_DEVICE_AT_GEMM=N`) destroys the device as the Nth GEMM
//! benchmark (its tuning included) starts, to test what a lost device does.

use std::collections::HashMap;

use indicatif::ProgressBar;

use super::autotune::cache::TuneCache;
use super::autotune::{ShapeClass, TunePlan, TuneRecord, tuned_kernel};
use super::gemm::{GemmOutcome, GemmRig, GemmRunner, bench_gemm};
use super::peaks::{ProbePlan, measure_peaks, settle_against_gemm};
use super::sampling::SamplingPlan;
use super::stop;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::timing::TimingMethod;
use crate::kernels::{Dtype, GemmKernel, GemmShape, KernelId};
use crate::results::{Environment, GemmRecord, RunResults, SCHEMA_VERSION, SkippedGemm, ToolInfo};

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
    /// Test hook: destroy the device as the GEMM benchmark of this number (1-based)
    /// starts. None in every real run.
    pub destroy_device_at_gemm: Option<usize>,
}

/// What a session measured, and the error that stopped it early, if one did (then
/// `results.complete` is false and `results.stopped` says why).
#[derive(Debug)]
pub struct Measured {
    pub results: RunResults,
    pub stopped_by: Option<Error>,
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
            let Some(kernel) = id.fixed(dtype, &ctx.offer())? else {
                continue;
            };
            for (shape, _) in &self.shapes {
                kernel.check_limits(*shape, dtype, &ctx.limits)?;
            }
        }
        Ok(())
    }
}

/// Runs the probes, the tuner and the GEMMs and returns the results file's content. An
/// error before any GEMM (limits, the probes, a stop during them) is returned as is:
/// nothing was measured that a results file could hold.
pub fn run_session(
    ctx: &GpuContext,
    plan: &SessionPlan,
    progress: &ProgressBar,
) -> Result<Measured> {
    plan.check_limits(ctx)?;
    // One cache for the tuner and every GEMM: each variant compiles once per session.
    let rig = GemmRig::new(ctx, plan.use_timestamps);
    let timer = &rig.timer;
    let say = |message: String| progress.set_message(message);
    let (mut peaks, mut methods) = measure_peaks(ctx, timer, &plan.probes, &plan.dtypes, &say)
        .map_err(|e| e.during(|| "probing the peaks".into()))?;
    progress.inc((plan.dtypes.len() + 1) as u64);

    let runner = rig.runner(ctx);
    let mut tuner = Tuner::new(plan.tuning.clone(), progress);
    let mut gemm = Vec::new();
    let mut skipped = Vec::new();
    let mut stopped_by = None;
    let benchmarks = plan
        .benchmarks()
        .flat_map(|(id, dtype)| plan.shapes.iter().map(move |s| (id, dtype, s)));
    for (number, (id, dtype, (shape, label))) in (1..).zip(benchmarks) {
        if plan.destroy_device_at_gemm == Some(number) {
            ctx.destroy_for_test();
        }
        let name = format!("{} {dtype} {}", id.as_str(), shape.label());
        progress.set_message(name.clone());
        match measure_gemm(runner, plan, &mut tuner, id, dtype, *shape) {
            Ok(outcome) => {
                methods.extend(outcome.method);
                gemm.push(record(id, &outcome, label.clone()));
                say_done(progress, &name);
            }
            Err(refused @ Error::Allocation { .. }) => {
                let reason = refused.one_line();
                progress.suspend(|| eprintln!("warning: skipped {name}: {reason}"));
                skipped.push(SkippedGemm {
                    kernel: id,
                    dtype,
                    shape: *shape,
                    workload: label.clone(),
                    reason,
                });
                progress.inc(1);
            }
            Err(err) if err.ends_run() => {
                stopped_by = Some(err.during(|| format!("measuring {name}")));
                break;
            }
            Err(err) => return Err(err),
        }
    }
    // Efficiencies are set once the peaks are final: a GEMM may have raised one. A run
    // that was stopped searches no further (the device may be gone).
    let search_wider = stopped_by.is_none();
    methods.extend(
        settle_against_gemm(
            ctx,
            timer,
            &plan.probes,
            &mut peaks,
            &mut gemm,
            search_wider,
            &say,
        )
        .map_err(|e| e.during(|| "probing the peaks further".into()))?,
    );
    let all_stamped = methods.iter().all(|m| *m == TimingMethod::Timestamp);
    let results = RunResults {
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
        skipped,
        complete: stopped_by.is_none(),
        stopped: stopped_by.as_ref().map(Error::one_line),
    };
    Ok(Measured {
        results,
        stopped_by,
    })
}

/// One GEMM benchmark, its kernel resolved through the tuner when it is `tuned`; stops
/// first when a signal asked to.
fn measure_gemm(
    runner: GemmRunner<'_>,
    plan: &SessionPlan,
    tuner: &mut Tuner<'_>,
    id: KernelId,
    dtype: Dtype,
    shape: GemmShape,
) -> Result<GemmOutcome> {
    stop::check()?;
    let kernel = match id.fixed(dtype, &runner.ctx.offer())? {
        Some(kernel) => kernel,
        None => tuner.kernel_for(runner, dtype, shape)?,
    };
    bench_gemm(runner, &plan.sampling, kernel, dtype, shape)
}

/// Counts a finished GEMM; where no progress bar is drawn (stderr is not a terminal: CI
/// logs, a launcher's output files) says so in a line, so a long run shows it is moving.
fn say_done(progress: &ProgressBar, name: &str) {
    progress.inc(1);
    if progress.is_hidden() {
        let (done, all) = (progress.position(), progress.length().unwrap_or(0));
        eprintln!("measured {name} (step {done} of {all})");
    }
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
        runner: GemmRunner<'_>,
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
        let (kernel, record) = tuned_kernel(runner, cache, &self.plan, dtype, class, &say)?;
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
