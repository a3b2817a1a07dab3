//! What the GEMM benches share: the adapter they run on, and benching a verified GEMM by
//! device time (the timer `run` uses, through `iter_custom`, so criterion's statistics
//! see device time, not submission overhead), and the probe plan the probe benches use.
// Each bench compiles this module on its own and uses part of it.
#![allow(dead_code)]

pub mod host_cpu;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Throughput};
use fleetbench::gpu::GpuContext;
use fleetbench::gpu::adapter::{self, AdapterSelector};
use fleetbench::gpu::timing::Timer;
use fleetbench::kernels::probes::ProbeSpace;
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape};
use fleetbench::measure::gemm::{GemmRig, GemmRunner};
use fleetbench::measure::peaks::{PreparedProbe, ProbePlan};
use fleetbench::measure::sampling::SamplingPlan;

/// The best adapter, or None (with a note) where there is none, unless
/// `FLEETBENCH_REQUIRE_ADAPTER=1` demands one.
pub fn open_context() -> Option<GpuContext> {
    let backends = adapter::backends_to_search(None).ok()?;
    match adapter::select(adapter::discover(backends), &AdapterSelector::Best) {
        Ok(found) => GpuContext::open(found).ok(),
        Err(error) => {
            if std::env::var("FLEETBENCH_REQUIRE_ADAPTER").is_ok_and(|v| v == "1") {
                panic!("FLEETBENCH_REQUIRE_ADAPTER=1 but no adapter: {error}");
            }
            eprintln!("bench skipped: {error}");
            None
        }
    }
}

/// What a GEMM bench measures with: the device, and its timer and pipeline cache (shared
/// by every GEMM of the bench, as in `run`).
pub struct Rig {
    pub ctx: GpuContext,
    pub gemm: GemmRig,
}

impl Rig {
    /// The best adapter's rig, or None where `open_context` finds none.
    pub fn open() -> Option<Rig> {
        let ctx = open_context()?;
        let gemm = GemmRig::new(&ctx, true);
        Some(Rig { ctx, gemm })
    }

    pub fn runner(&self) -> GemmRunner<'_> {
        self.gemm.runner(&self.ctx)
    }
}

/// The probes as `run` searches them by default (full space, 128 MiB buffers), with
/// fewer samples.
pub fn probe_plan() -> ProbePlan {
    ProbePlan {
        sampling: SamplingPlan {
            warmup: 1,
            samples: 3,
            min_sample_seconds: 0.05,
            max_repeats: 1000,
        },
        max_invocations: 1 << 22,
        max_copy_bytes: 128 << 20,
        target_dispatch_seconds: 0.02,
        space: ProbeSpace::Full,
    }
}

/// Verifies one GEMM, then benches it under `name`, timed by the device timer.
pub fn bench_verified(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runner: GemmRunner<'_>,
    name: &str,
    kernel: GemmKernel,
    dtype: Dtype,
    shape: GemmShape,
) {
    let (prepared, verification) = runner
        .prepare_and_verify(kernel, dtype, shape)
        .expect("prepare and run");
    assert!(verification.verified, "{name}: verification failed");
    bench_dispatches(
        group,
        name,
        shape.flops(),
        runner.ctx,
        runner.timer,
        |pass| prepared.dispatch(pass),
    );
}

/// Benches `dispatch` (doing `work` FLOPs, operations or bytes) under `name`: `iters`
/// dispatches in one pass, timed by the device timer.
pub fn bench_dispatches(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    work: f64,
    ctx: &GpuContext,
    timer: &Timer,
    dispatch: impl Fn(&mut wgpu::ComputePass<'_>),
) {
    group.throughput(Throughput::Elements(work as u64));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let sample = timer
                .time_pass(ctx, |pass| {
                    for _ in 0..iters {
                        dispatch(pass);
                    }
                })
                .expect("timed pass");
            Duration::from_secs_f64(sample.seconds)
        })
    });
}

/// Benches one probe dispatch under `name` by device time.
pub fn bench_probe(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    ctx: &GpuContext,
    timer: &Timer,
    probe: &PreparedProbe,
) {
    bench_dispatches(group, name, probe.work, ctx, timer, |pass| {
        probe.dispatch(pass)
    });
}
