//! Criterion benchmark of the GEMM kernels on the local adapter. GPU time comes from the
//! same timer `run` uses (timestamps where the adapter has them, cross-checked against the
//! wall clock) through `iter_custom`, so criterion's statistics see device time, not
//! submission overhead. Float families run f32 at each size, and f16 and mixed precision
//! (f16 inputs, f32 sums) at the larger one where the adapter has shader-f16, side by side.
//! The cooperative-matrix family runs in the element types the adapter offers it in (its
//! default kernel for each); elsewhere the bench says why it is left out.
//! Short mode for CI:
//! `cargo bench --bench gemm -- --warm-up-time 1 --measurement-time 2`.

mod common;

use common::{Rig, bench_verified};
use criterion::{Criterion, criterion_group, criterion_main};
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};

fn gemm(c: &mut Criterion) {
    let Some(rig) = Rig::open() else { return };
    let ctx = &rig.ctx;
    let runner = rig.runner();
    let mut group = c.benchmark_group("gemm");
    group.sample_size(10);
    let has_f16 = ctx.has(wgpu::Features::SHADER_F16);
    if !has_f16 {
        eprintln!(
            "gemm bench: f16 and f16f32 skipped, {} has no shader-f16",
            ctx.description.label()
        );
    }
    if let Some(note) = ctx.coop.note_for(Dtype::F32) {
        eprintln!("gemm bench: {note}");
    }
    for id in KernelFamily::ALL {
        for (dtype, size) in cases(id, has_f16) {
            let kernel = match id {
                KernelFamily::CoopMatrix => ctx.coop.offer().and_then(|o| o.default_kernel(dtype)),
                _ => GemmKernel::default_for(id, &ctx.limits, ctx.fixed_subgroup_size()),
            };
            let Some(kernel) = kernel else {
                continue;
            };
            let name = format!("{}-{dtype}/{size}", id.as_str());
            bench_verified(
                &mut group,
                runner,
                &name,
                kernel,
                dtype,
                GemmShape::square(size),
            );
        }
    }
    group.finish();
}

/// (element type, size) pairs to run for a family: i8 for the int8 family; f32 at both
/// sizes, then f16 and f16f32 at the larger where the adapter has shader-f16.
fn cases(family: KernelFamily, has_f16: bool) -> Vec<(Dtype, u32)> {
    if family.supports(Dtype::I8) {
        return vec![(Dtype::I8, 128), (Dtype::I8, 256)];
    }
    let mut cases = vec![(Dtype::F32, 128), (Dtype::F32, 256)];
    if has_f16 {
        cases.extend([(Dtype::F16, 256), (Dtype::F16F32, 256)]);
    }
    cases
}

criterion_group!(benches, gemm);
criterion_main!(benches);
