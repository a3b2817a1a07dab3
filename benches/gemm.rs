//! Criterion benchmark of the GEMM kernels on the local adapter. GPU time comes from the
//! same timer `run` uses (timestamps where the adapter has them, cross-checked against the
//! wall clock) through `iter_custom`, so criterion's statistics see device time, not
//! submission overhead. Short mode for CI:
//! `cargo bench --bench gemm -- --warm-up-time 1 --measurement-time 2`.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fleetbench::gpu::GpuContext;
use fleetbench::gpu::adapter::{self, AdapterSelector};
use fleetbench::gpu::timing::Timer;
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};
use fleetbench::measure::gemm::PreparedGemm;
use fleetbench::measure::pipeline::PipelineCache;

fn open_context() -> Option<GpuContext> {
    let backends = adapter::backends_to_search(None).ok()?;
    match adapter::select(adapter::discover(backends), &AdapterSelector::Best) {
        Ok(found) => GpuContext::open(found).ok(),
        Err(error) => {
            if std::env::var("FLEETBENCH_REQUIRE_ADAPTER").is_ok_and(|v| v == "1") {
                panic!("FLEETBENCH_REQUIRE_ADAPTER=1 but no adapter: {error}");
            }
            eprintln!("gemm bench skipped: {error}");
            None
        }
    }
}

fn gemm(c: &mut Criterion) {
    let Some(ctx) = open_context() else { return };
    let timer = Timer::new(&ctx, true);
    let pipelines = PipelineCache::default();
    let mut group = c.benchmark_group("gemm");
    group.sample_size(10);
    for id in KernelFamily::ALL {
        for size in [128u32, 256] {
            let shape = GemmShape::square(size);
            let Some(kernel) = GemmKernel::default_for(id, &ctx.limits, ctx.fixed_subgroup_size())
            else {
                continue;
            };
            // Float families run f32; the int8 family runs i8.
            let dtype = if id.supports(Dtype::F32) {
                Dtype::F32
            } else {
                Dtype::I8
            };
            let prepared = PreparedGemm::new(&ctx, &pipelines, kernel, dtype, shape).expect("prepare");
            let verification = prepared.run_and_verify(&ctx, &timer).expect("run");
            assert!(
                verification.verified,
                "{} {size}: verification failed",
                id.as_str()
            );
            group.throughput(Throughput::Elements(shape.flops() as u64));
            group.bench_function(format!("{}-{dtype}/{size}", id.as_str()), |b| {
                b.iter_custom(|iters| {
                    let sample = timer
                        .time_pass(&ctx, |pass| {
                            for _ in 0..iters {
                                prepared.dispatch(pass);
                            }
                        })
                        .expect("timed pass");
                    Duration::from_secs_f64(sample.seconds)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, gemm);
criterion_main!(benches);
