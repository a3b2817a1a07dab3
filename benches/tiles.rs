//! Criterion benchmark of the tiled family's GPU-class designs (128x128 tiles, double
//! buffers, padded A rows, split K) that fit the local adapter, each beside the tiled
//! default and the autotuner's choice for the shape's class, at 1024³ and at a skinny
//! deep-K shape (64x64x16384), all in one process. Not in CI's short run: on a software
//! adapter one tiled 1024³ multiply takes seconds.
//! Criterion's "Gelem/s" reads as GFLOP/s (counted as 2MNK, whatever the padding).
//! `cargo bench --bench tiles`.

mod common;

use std::time::Duration;

use common::{Rig, bench_verified};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};
use fleetbench::measure::autotune::cache::TuneCache;
use fleetbench::measure::autotune::candidates::candidates;
use fleetbench::measure::autotune::{ShapeClass, TunePlan, tuned_kernel};

/// The tiled family's GPU-class designs that fit the adapter (and the grid's plain
/// 128-row tiles, for the larger tile alone), each beside the tiled
/// default and the autotuner's choice for the shape's class, at 1024³ and 64x64x16384.
/// One flat sample per iteration count: a design may take seconds on a software adapter.
fn tiles(c: &mut Criterion) {
    let Some(rig) = Rig::open() else { return };
    let ctx = &rig.ctx;
    let runner = rig.runner();
    let mut cache = TuneCache::load(None, &mut |_| {});
    let plan = TunePlan {
        budget: Duration::from_secs(8),
        read_cache: false,
        search: true,
    };
    let mut group = c.benchmark_group("tiles");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let skinny = GemmShape {
        m: 64,
        n: 64,
        k: 16384,
    };
    for shape in [GemmShape::square(1024), skinny] {
        let class = ShapeClass::of(shape);
        let (tuned, _) =
            tuned_kernel(runner, &mut cache, &plan, Dtype::F32, class, &|_| {}).expect("tune");
        let designs = candidates(&ctx.limits, None, None, Dtype::F32, shape)
            .into_iter()
            .filter(|k| k.family == KernelFamily::Tiled)
            .filter(|k| !k.config.options.is_plain() || k.config.tile_m() == 128);
        let kernels = [GemmKernel::tiled_default(), tuned]
            .into_iter()
            .chain(designs);
        for (i, kernel) in kernels.enumerate() {
            let name = match i {
                0 => "tiled".to_string(),
                1 => format!("tuned ({})", kernel.describe()),
                _ => kernel.describe(),
            };
            let name = format!("{name}/{}", shape.label());
            bench_verified(&mut group, runner, &name, kernel, Dtype::F32, shape);
        }
    }
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);
