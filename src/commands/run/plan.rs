//! From `run`'s flags to a `SessionPlan`: element types the adapter can run, shapes
//! (squares, `--shape`, and a model's layer GEMMs with `--workload`), kernels, sampling,
//! probe and tuning budgets. `--quick` (and the slow GL software path) bound everything.

use std::time::Duration;

use super::RunArgs;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::kernels::probes::ProbeSpace;
use crate::kernels::workload::{self, blocks_within};
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::measure::autotune::TunePlan;
use crate::measure::peaks::ProbePlan;
use crate::measure::sampling::SamplingPlan;
use crate::measure::session::SessionPlan;

/// Kernels run when `--kernel` is not given: the baseline, the fixed tiled design and the
/// autotuner's choice.
const DEFAULT_KERNELS: [KernelId; 3] = [KernelId::Naive, KernelId::Tiled, KernelId::Tuned];
/// Seconds one tuning search may take, normally and when bounded (`--quick`, or the slow
/// GL software path). A search runs past its budget by its last candidate and the
/// finalists' re-timing (1-3 s on lavapipe), so `--quick`'s two searches get 6 s each to
/// keep it under 30 s there (BENCHMARKS.md).
const TUNE_BUDGET_SECONDS: f64 = 40.0;
const QUICK_TUNE_BUDGET_SECONDS: f64 = 6.0;

/// Turns the flags into a plan, checking them against the adapter.
pub fn plan_for(args: &RunArgs, ctx: &GpuContext, slow_gl: bool) -> Result<SessionPlan> {
    let dtypes = choose_dtypes(
        &args.dtype,
        ctx.has(wgpu::Features::SHADER_F16),
        &ctx.description.label(),
    )?;
    let bounded = args.quick || slow_gl;
    if slow_gl {
        eprintln!(
            "note: {} is the GL software path, where each shader compiles for tens of seconds; \
             running one kernel at one size unless told otherwise. Install mesa-vulkan-drivers \
             for the much faster Vulkan one.",
            ctx.description.name
        );
    }
    let shapes = shapes_for(args, ctx, &dtypes, bounded, slow_gl)?;
    let kernels = match (args.kernel.is_empty(), slow_gl) {
        (false, _) => dedup(&args.kernel),
        // Every kernel compiles once (per variant): on GL that is the whole cost.
        (true, true) => vec![KernelId::Tiled],
        (true, false) => DEFAULT_KERNELS.to_vec(),
    };
    // i8 has one kernel; asking for i8 asks for it.
    let kernels = if dtypes.contains(&Dtype::I8) && !kernels.contains(&KernelId::Dot4I8) {
        kernels.into_iter().chain([KernelId::Dot4I8]).collect()
    } else {
        kernels
    };
    let sampling = SamplingPlan {
        warmup: args.warmup.unwrap_or(if bounded { 1 } else { 2 }),
        samples: args.samples.unwrap_or(if bounded { 3 } else { 5 }),
        min_sample_seconds: if bounded { 0.02 } else { 0.05 },
        max_repeats: 1000,
    };
    let probes = ProbePlan {
        sampling,
        max_invocations: 1 << 22,
        max_copy_bytes: if bounded { 32 << 20 } else { 128 << 20 },
        target_dispatch_seconds: if bounded { 0.005 } else { 0.02 },
        space: args.probes.unwrap_or(if bounded {
            ProbeSpace::Quick
        } else {
            ProbeSpace::Full
        }),
    };
    let budget = args.tune_budget.unwrap_or(if bounded {
        QUICK_TUNE_BUDGET_SECONDS
    } else {
        TUNE_BUDGET_SECONDS
    });
    let tuning = TunePlan {
        budget: Duration::from_secs_f64(budget),
        read_cache: !args.retune,
        search: !args.no_tune,
    };
    Ok(SessionPlan {
        kernels,
        dtypes,
        shapes,
        sampling,
        probes,
        tuning,
        use_timestamps: !args.wall_clock,
        destroy_device_at_gemm: destroy_device_hook()?,
    })
}

/// The test hook naming the GEMM benchmark (1-based) as which the device is destroyed, to
/// test a lost device (see `measure::session`); unset in every real run.
const DESTROY_DEVICE_HOOK: &str = "FLEETBENCH_TEST_DESTROY_DEVICE_AT_GEMM";

fn destroy_device_hook() -> Result<Option<usize>> {
    let Ok(text) = std::env::var(DESTROY_DEVICE_HOOK) else {
        return Ok(None);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(Error::usage(format!(
            "{DESTROY_DEVICE_HOOK}={} is not a GEMM number from 1",
            crate::text::printable(&text)
        ))),
    }
}

/// Squares from `--sizes`, rectangles from `--shape`, and the workload's layer GEMMs;
/// the defaults when none is given.
fn shapes_for(
    args: &RunArgs,
    ctx: &GpuContext,
    dtypes: &[Dtype],
    bounded: bool,
    slow_gl: bool,
) -> Result<Vec<(GemmShape, Option<String>)>> {
    let mut shapes: Vec<(GemmShape, Option<String>)> = dedup(&args.sizes)
        .into_iter()
        .map(|s| (GemmShape::square(s), None))
        .collect();
    shapes.extend(args.shape.iter().map(|&s| (s, None)));
    if let Some(id) = &args.workload {
        shapes.extend(workload_shapes(id, args.tokens, ctx, dtypes)?);
    }
    if shapes.is_empty() {
        let defaults: &[u32] = match (bounded, slow_gl) {
            (_, true) => &[256],
            (true, false) => &[256, 512],
            (false, false) => &[256, 1024],
        };
        shapes = defaults
            .iter()
            .map(|&s| (GemmShape::square(s), None))
            .collect();
    }
    Ok(shapes)
}

/// One layer's GEMMs for a model, split into blocks where the adapter's buffers are too
/// small for the whole GEMM (labelled with the block count).
fn workload_shapes(
    id: &str,
    tokens: u32,
    ctx: &GpuContext,
    dtypes: &[Dtype],
) -> Result<Vec<(GemmShape, Option<String>)>> {
    let arch = workload::architecture(id).ok_or_else(|| {
        Error::usage(format!(
            "unknown workload '{id}'; known: {}",
            workload::known_ids()
        ))
    })?;
    let widest = dtypes.iter().map(|d| d.size()).max().unwrap_or(4);
    // Leave room for padding to whole tiles.
    let max_bytes = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size)
        / 10
        * 9;
    let mut shapes = Vec::new();
    for (name, shape) in workload::layer_gemms(&arch, tokens) {
        let (block, rows, cols) = blocks_within(shape, widest, max_bytes).ok_or_else(|| {
            Error::usage(format!(
                "{} {name} ({}) does not fit this adapter's buffers",
                arch.id,
                shape.label()
            ))
        })?;
        let label = if rows * cols == 1 {
            format!("{} {name}", arch.id)
        } else {
            format!(
                "{} {name} {} as {rows}x{cols} blocks",
                arch.id,
                shape.label()
            )
        };
        shapes.push((block, Some(label)));
    }
    Ok(shapes)
}

/// The requested element types, or f32 (plus f16 where available) by default; f16 or
/// f16f32 on an adapter without shader-f16 is a usage error.
pub fn choose_dtypes(requested: &[Dtype], has_f16: bool, adapter: &str) -> Result<Vec<Dtype>> {
    if requested.is_empty() {
        return Ok(if has_f16 {
            vec![Dtype::F32, Dtype::F16]
        } else {
            vec![Dtype::F32]
        });
    }
    let needs_f16 = |d: &&Dtype| d.required_feature().contains(wgpu::Features::SHADER_F16);
    if let Some(dtype) = requested.iter().find(needs_f16)
        && !has_f16
    {
        return Err(Error::usage(format!(
            "{dtype} needs the shader-f16 feature, which {adapter} does not have; use --dtype f32"
        )));
    }
    Ok(dedup(requested))
}

fn dedup<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}
