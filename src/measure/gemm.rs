//! One GEMM benchmark: upload padded inputs, compile, run once and verify against the
//! CPU reference, then (only if verified) warm up and time it. A result that fails
//! verification carries no throughput.

use super::matrices::GemmInputs;
use super::pipeline::{bind, compile};
use super::sampling::{SamplingPlan, sample};
use super::stats::Summary;
use super::verify::{Verification, verify};
use crate::error::Result;
use crate::gpu::timing::{Timer, TimingMethod};
use crate::gpu::{GpuContext, buffers};
use crate::kernels::{Dtype, GemmKernel, GemmShape};

/// What one GEMM benchmark produced.
#[derive(Debug, Clone, PartialEq)]
pub struct GemmOutcome {
    pub kernel: GemmKernel,
    pub dtype: Dtype,
    pub shape: GemmShape,
    pub verification: Verification,
    /// GFLOP/s over the samples; None when verification failed.
    pub gflops: Option<Summary>,
    pub samples: usize,
    pub method: Option<TimingMethod>,
    pub rejected_stamps: u32,
}

/// Uniform block matching `struct Dims` in the GEMM shaders.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Dims {
    m: u32,
    n: u32,
    k: u32,
    lda: u32,
    ldb: u32,
    ldc: u32,
    pad: [u32; 2],
}

/// Runs, verifies and (if correct) times one GEMM.
pub fn bench_gemm(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &SamplingPlan,
    kernel: GemmKernel,
    dtype: Dtype,
    shape: GemmShape,
) -> Result<GemmOutcome> {
    kernel.check_limits(shape, dtype, &ctx.limits)?;
    let padded = kernel.padded(shape);
    let inputs = GemmInputs::new(shape, dtype);
    let a = buffers::storage_with(ctx, "A", &dtype.encode(&inputs.a.padded(padded.m, padded.k)));
    let b = buffers::storage_with(ctx, "B", &dtype.encode(&inputs.b.padded(padded.k, padded.n)));
    let c_bytes = u64::from(padded.m) * u64::from(padded.n) * dtype.size();
    let c = buffers::storage_zeroed(ctx, "C", c_bytes);
    let dims = Dims { m: shape.m, n: shape.n, k: shape.k, lda: padded.k, ldb: padded.n, ldc: padded.n, pad: [0; 2] };
    let uniform = buffers::uniform_with(ctx, "dims", bytemuck::bytes_of(&dims));
    let label = format!("gemm {} {dtype}", kernel.id.as_str());
    let compiled = compile(ctx, &label, &kernel.source(dtype), &kernel.constants())?;
    let bind_group = bind(ctx, &compiled, &[&a, &b, &c, &uniform])?;
    let (groups_x, groups_y) = kernel.workgroups(shape);
    let dispatch = |pass: &mut wgpu::ComputePass<'_>| {
        pass.set_pipeline(&compiled.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
    };

    // The first run compiles (on many drivers) and produces the result we verify.
    ctx.scoped(&label, || timer.time_pass(ctx, dispatch))??;
    let result = dtype.decode(&buffers::read_back(ctx, &c)?);
    let verification = verify(&inputs, &result, padded.n, dtype);
    let mut outcome = GemmOutcome {
        kernel,
        dtype,
        shape,
        verification,
        gflops: None,
        samples: 0,
        method: None,
        rejected_stamps: 0,
    };
    if !verification.verified {
        return Ok(outcome);
    }
    let timings = sample(ctx, timer, plan, dispatch)?;
    let seconds = Summary::of(&timings.seconds_per_dispatch);
    outcome.gflops = seconds.map(|s| s.rate(shape.flops() / 1e9));
    outcome.samples = timings.seconds_per_dispatch.len();
    outcome.method = Some(timings.method);
    outcome.rejected_stamps = timings.rejected_stamps;
    Ok(outcome)
}
