//! Criterion benchmark asking what holds the tuned f32 GEMM below the FMA probe (issue 12
//! item 6), all in one process: the searched f32 FMA probe beside the autotuner's choice
//! at 1024³, and beside the subgroup family's register block varied one factor at a time
//! (FMAs per A broadcast, per B texel fetch, accumulators), and the texture family at the
//! same block (A fetched by every lane instead of broadcast). On a CPU adapter (lavapipe)
//! the host CPU's native multiply-add rates, fused and apart, run in the same process:
//! the ceiling behind the probe. Criterion's "Gelem/s" reads as GFLOP/s.
//! `cargo bench --bench limits -- --warm-up-time 1 --measurement-time 4`.

mod common;

use std::time::{Duration, Instant};

use common::{Rig, bench_probe, bench_verified, host_cpu, probe_plan};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use fleetbench::kernels::probes::ProbeSpace;
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily, TileConfig};
use fleetbench::measure::autotune::cache::TuneCache;
use fleetbench::measure::autotune::{ShapeClass, TunePlan, tuned_kernel};
use fleetbench::measure::peaks::{self, PreparedProbe};
use fleetbench::results::DeviceType;

/// Register blocks (rows, vec4 columns) of the subgroup family, per step of four K: (8, 1)
/// 32 vec4 FMAs, 8 A broadcasts, 4 B fetches; (16, 1) twice the FMAs per fetch; (8, 2)
/// twice the FMAs per broadcast; (16, 1) and (8, 2) the same 16 accumulators and 64
/// FMAs; (16, 2) both doubled.
const SUBGROUP_BLOCKS: [(u32, u32); 4] = [(8, 1), (16, 1), (8, 2), (16, 2)];

/// The FMA probe beside the tuned f32 GEMM at 1024³ and the one-factor variations.
fn limits(c: &mut Criterion) {
    let Some(rig) = Rig::open() else { return };
    let (ctx, timer) = (&rig.ctx, &rig.gemm.timer);
    let runner = rig.runner();
    let plan = probe_plan();
    let fma = peaks::fma_peak(ctx, timer, &plan, Dtype::F32, ProbeSpace::Full).expect("fma");
    eprintln!("searched f32 FMA probe: {}", fma.record.configuration);
    let probe = PreparedProbe::fma(ctx, timer, &plan, &fma.best, 4096).expect("fma probe");
    let mut cache = TuneCache::load(None, &mut |_| {});
    let tune = TunePlan {
        budget: Duration::from_secs(40),
        read_cache: false,
        search: true,
    };
    let (tuned, _) = tuned_kernel(
        runner,
        &mut cache,
        &tune,
        Dtype::F32,
        ShapeClass::Square,
        &|_| {},
    )
    .expect("tune");
    let shape = GemmShape::square(1024);
    let mut group = c.benchmark_group("limits");
    group.sample_size(10);
    bench_probe(&mut group, "fma probe", ctx, timer, &probe);
    if ctx.description.device_type == DeviceType::Cpu {
        bench_host_cpu(&mut group);
    }
    let name = format!("tuned ({})", tuned.describe());
    bench_verified(&mut group, runner, &name, tuned, Dtype::F32, shape);
    let Some(lanes) = ctx.fixed_subgroup_size() else {
        eprintln!("limits: no fixed subgroup size, the subgroup family is not varied");
        group.finish();
        return;
    };
    let base = GemmKernel::texture_subgroup_default(lanes);
    for (block_m, block_n4) in SUBGROUP_BLOCKS {
        let kernel = GemmKernel {
            config: TileConfig {
                block_m,
                block_n4,
                ..base.config
            },
            ..base
        };
        bench_verified(
            &mut group,
            runner,
            &kernel.describe(),
            kernel,
            Dtype::F32,
            shape,
        );
    }
    let texture = GemmKernel {
        config: TileConfig {
            block_m: 16,
            block_n4: 1,
            ..base.config
        },
        family: KernelFamily::Texture,
    };
    bench_verified(
        &mut group,
        runner,
        &texture.describe(),
        texture,
        Dtype::F32,
        shape,
    );
    group.finish();
}

/// The host CPU's native multiply-add rates (`host_cpu`), one thread per available core,
/// by wall time.
fn bench_host_cpu(group: &mut BenchmarkGroup<'_, WallTime>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cases = host_cpu::cases();
    if cases.is_empty() {
        eprintln!("limits: host cpu rates not measured (they need x86-64 with AVX2 and FMA)");
    }
    for case in cases {
        group.throughput(Throughput::Elements(case.flops(threads) as u64));
        group.bench_function(case.name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    case.run(threads);
                }
                start.elapsed()
            })
        });
    }
}

criterion_group!(benches, limits);
criterion_main!(benches);
