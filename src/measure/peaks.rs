//! Peak probes: the device's own FMA throughput (per element type) and memory copy
//! bandwidth, so every GEMM figure is also a share of what this device can do.
//!
//! Nothing is assumed about the device's size: the FMA probe doubles the number of
//! invocations until throughput stops growing, and the loop count is calibrated so one
//! dispatch lasts long enough to time; the copy probe moves a buffer well beyond caches
//! (bounded by the adapter's binding limit).

use super::pipeline::{bind, compile};
use super::sampling::{SamplingPlan, sample};
use super::stats::Summary;
use crate::error::Result;
use crate::gpu::timing::{Timer, TimingMethod};
use crate::gpu::{GpuContext, buffers};
use crate::kernels::{Dtype, probes};

/// A measured peak: a rate summary and how it was timed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub rate: Summary,
    pub method: TimingMethod,
}

/// How hard to probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbePlan {
    pub sampling: SamplingPlan,
    /// Largest invocation count the FMA probe may try.
    pub max_invocations: u64,
    /// Largest buffer the copy probe may use.
    pub max_copy_bytes: u64,
    /// Target duration of one FMA dispatch when calibrating the loop count.
    pub target_dispatch_seconds: f64,
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct FmaParams {
    iterations: u32,
    pad: [u32; 3],
}

/// Growth below this factor when doubling invocations means the device is full.
const SATURATION_GAIN: f64 = 1.08;
const START_INVOCATIONS: u64 = 4096;

/// Measures FMA throughput in GFLOP/s for `dtype`.
pub fn fma_peak(ctx: &GpuContext, timer: &Timer, plan: &ProbePlan, dtype: Dtype) -> Result<Peak> {
    let compiled = compile(
        ctx,
        &format!("fma probe {dtype}"),
        &probes::fma_source(dtype),
        &[("WG_SIZE", f64::from(probes::FMA_WORKGROUP))],
    )?;
    let max_groups = u64::from(ctx.limits.max_compute_workgroups_per_dimension);
    let cap = plan
        .max_invocations
        .min(max_groups * u64::from(probes::FMA_WORKGROUP));
    let mut best: Option<Peak> = None;
    let mut invocations = START_INVOCATIONS.min(cap);
    loop {
        let peak = fma_at(ctx, timer, plan, &compiled, dtype, invocations)?;
        let grew = best.is_none_or(|b| peak.rate.median > b.rate.median * SATURATION_GAIN);
        if best.is_none_or(|b| peak.rate.median > b.rate.median) {
            best = Some(peak);
        }
        if !grew || invocations * 2 > cap {
            break;
        }
        invocations *= 2;
    }
    Ok(best.expect("at least one probe ran"))
}

fn fma_at(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    compiled: &super::pipeline::Compiled,
    dtype: Dtype,
    invocations: u64,
) -> Result<Peak> {
    let groups = (invocations / u64::from(probes::FMA_WORKGROUP)) as u32;
    let sink = buffers::storage_zeroed(ctx, "fma sink", probes::fma_sink_bytes(invocations, dtype));
    let mut iterations = 16u32;
    loop {
        let params = FmaParams {
            iterations,
            pad: [0; 3],
        };
        let uniform = buffers::uniform_with(ctx, "fma params", bytemuck::bytes_of(&params));
        let bind_group = bind(ctx, compiled, &[&sink, &uniform])?;
        let dispatch = |pass: &mut wgpu::ComputePass<'_>| {
            pass.set_pipeline(&compiled.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups, 1, 1);
        };
        let single = timer.time_pass(ctx, dispatch)?;
        // Grow the loop until one dispatch is long enough that launch cost is negligible.
        if single.seconds < plan.target_dispatch_seconds && iterations < (1 << 20) {
            let factor = (plan.target_dispatch_seconds / single.seconds.max(1e-6))
                .ceil()
                .clamp(2.0, 64.0);
            iterations = iterations.saturating_mul(factor as u32);
            continue;
        }
        let timings = sample(ctx, timer, &plan.sampling, dispatch)?;
        let seconds = Summary::of(&timings.seconds_per_dispatch).expect("samples were taken");
        let flops = probes::fma_flops(
            u64::from(groups) * u64::from(probes::FMA_WORKGROUP),
            iterations,
        );
        return Ok(Peak {
            rate: seconds.rate(flops / 1e9),
            method: timings.method,
        });
    }
}

/// Measures shader copy bandwidth in GB/s (bytes read plus bytes written).
pub fn copy_bandwidth(ctx: &GpuContext, timer: &Timer, plan: &ProbePlan) -> Result<Peak> {
    let limit = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size);
    let bytes = plan.max_copy_bytes.min(limit) / 16 * 16;
    let compiled = compile(
        ctx,
        "copy probe",
        probes::copy_source(),
        &[("WG_SIZE", f64::from(probes::COPY_WORKGROUP))],
    )?;
    let source = buffers::storage_zeroed(ctx, "copy source", bytes);
    let dest = buffers::storage_zeroed(ctx, "copy dest", bytes);
    let bind_group = bind(ctx, &compiled, &[&source, &dest])?;
    let vec4s = bytes / 16;
    let groups = vec4s
        .div_ceil(u64::from(probes::COPY_WORKGROUP))
        .min(u64::from(ctx.limits.max_compute_workgroups_per_dimension)) as u32;
    let dispatch = |pass: &mut wgpu::ComputePass<'_>| {
        pass.set_pipeline(&compiled.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups, 1, 1);
    };
    let timings = sample(ctx, timer, &plan.sampling, dispatch)?;
    let seconds = Summary::of(&timings.seconds_per_dispatch).expect("samples were taken");
    Ok(Peak {
        rate: seconds.rate(2.0 * bytes as f64 / 1e9),
        method: timings.method,
    })
}
