//! One GEMM benchmark: upload padded inputs, take the variant's pipeline (compiled once
//! per session, see `pipeline`), run once and verify against the CPU reference, then
//! (only if verified) warm up and time it. A result that fails verification carries no
//! throughput. A kernel that splits K dispatches twice per multiply (the partial sums,
//! then the pass adding them into C), and both are in every run and every timing.

use super::matrices::GemmInputs;
use std::sync::Arc;

use super::pipeline::{
    Compiled, GemmPipeline, GemmVariant, PipelineCache, bind, bind_resources, compile,
};
use super::sampling::{SamplingPlan, Timings, sample};
use super::stats::Summary;
use super::verify::{Verification, verify};
use crate::error::Result;
use crate::gpu::timing::{Timer, TimingMethod};
use crate::gpu::{GpuContext, buffers};
use crate::kernels::{Dtype, GemmKernel, GemmShape, SPLIT_K_REDUCE_WG};

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

/// Uniform block matching `struct Dims` in shaders/gemm_dims.wgsl (every GEMM shader).
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

/// What every GEMM measured on one device shares: the device, its timer, and the
/// pipelines compiled so far (so a sweep of sizes and the autotuner compile each variant
/// once).
#[derive(Clone, Copy)]
pub struct GemmRunner<'a> {
    pub ctx: &'a GpuContext,
    pub timer: &'a Timer,
    pub pipelines: &'a PipelineCache,
}

/// What a `GemmRunner` borrows besides the device, owned: the device's timer and one
/// pipeline cache for every GEMM measured with it.
pub struct GemmRig {
    pub timer: Timer,
    pub pipelines: PipelineCache,
}

impl GemmRig {
    /// A timer for `ctx` (timestamps where it has them and `prefer_timestamps`) and an
    /// empty pipeline cache.
    pub fn new(ctx: &GpuContext, prefer_timestamps: bool) -> Self {
        GemmRig {
            timer: Timer::new(ctx, prefer_timestamps),
            pipelines: PipelineCache::default(),
        }
    }

    /// The runner measuring on `ctx` with this timer and cache.
    pub fn runner<'a>(&'a self, ctx: &'a GpuContext) -> GemmRunner<'a> {
        GemmRunner {
            ctx,
            timer: &self.timer,
            pipelines: &self.pipelines,
        }
    }
}

impl GemmRunner<'_> {
    /// Prepares one GEMM and runs it once against the CPU reference.
    pub fn prepare_and_verify(
        self,
        kernel: GemmKernel,
        dtype: Dtype,
        shape: GemmShape,
    ) -> Result<(PreparedGemm, Verification)> {
        let prepared = PreparedGemm::new(self.ctx, self.pipelines, kernel, dtype, shape)?;
        let verification = prepared.run_and_verify(self.ctx, self.timer)?;
        Ok((prepared, verification))
    }

    /// Times a prepared GEMM's dispatches under `plan`.
    pub fn sample(self, plan: &SamplingPlan, prepared: &PreparedGemm) -> Result<Timings> {
        sample(self.ctx, self.timer, plan, |p| prepared.dispatch(p))
    }
}

/// A GEMM ready to dispatch: inputs uploaded, pipeline compiled, buffers bound.
pub struct PreparedGemm {
    pub kernel: GemmKernel,
    pub dtype: Dtype,
    pub shape: GemmShape,
    inputs: GemmInputs,
    c: wgpu::Buffer,
    compiled: Arc<Compiled>,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32),
    /// Split-K's second pass, when the kernel splits K.
    reduce: Option<ReducePass>,
}

/// Split-K's second pass: sums the partial C blocks of the first into C.
struct ReducePass {
    compiled: Arc<Compiled>,
    bind_group: wgpu::BindGroup,
    groups: u32,
}

impl PreparedGemm {
    /// Checks limits, uploads inputs and takes the kernel's pipeline from `pipelines`
    /// (compiling it there the first time).
    pub fn new(
        ctx: &GpuContext,
        pipelines: &PipelineCache,
        kernel: GemmKernel,
        dtype: Dtype,
        shape: GemmShape,
    ) -> Result<Self> {
        kernel.check_limits(shape, dtype, &ctx.limits)?;
        if !kernel.family.supports(dtype) {
            return Err(crate::error::Error::usage(format!(
                "the {} kernel does not run in {dtype}",
                kernel.family.as_str()
            )));
        }
        let needed = kernel.family.required_features() | dtype.required_feature();
        if !ctx.has(needed) {
            return Err(crate::error::Error::usage(format!(
                "{} {dtype} needs features {needed:?}, which {} lacks",
                kernel.family.as_str(),
                ctx.description.label()
            )));
        }
        let padded = kernel.padded(shape);
        let inputs = GemmInputs::new(shape, dtype);
        // A device out of memory, or refusing a buffer this large, fails in here.
        let allocation = ctx.error_scopes();
        let a = Input::upload(
            kernel.family.reads_a_as_texture(),
            ctx,
            dtype,
            "A",
            (padded.m, padded.k),
            &inputs.a.padded(padded.m, padded.k),
        );
        let b = Input::upload(
            kernel.family.reads_b_as_texture(),
            ctx,
            dtype,
            "B",
            (padded.k, padded.n),
            &b_layout(kernel, &inputs.b.padded(padded.k, padded.n), padded),
        );
        let c_bytes = u64::from(padded.m) * u64::from(padded.n) * dtype.output_size();
        let c = buffers::storage_zeroed(ctx, "C", c_bytes);
        let splits = kernel.splits();
        // With K split, the first pass writes one partial C per split, summed into C after.
        let partials = (splits > 1)
            .then(|| buffers::storage_zeroed(ctx, "partial C", c_bytes * u64::from(splits)));
        let dims = Dims {
            m: shape.m,
            n: shape.n,
            k: shape.k,
            lda: padded.k,
            ldb: padded.n,
            ldc: padded.n,
            pad: [0; 2],
        };
        let uniform = buffers::uniform_with(ctx, "dims", bytemuck::bytes_of(&dims));
        allocation.allocated(&format!("{} {}", label(kernel, dtype), shape.label()))?;
        let variant = GemmPipeline::Kernel(GemmVariant { kernel, dtype });
        let compiled = pipelines.get_or_build(variant, || {
            compile(
                ctx,
                &label(kernel, dtype),
                &kernel.source(dtype),
                &kernel.constants(),
            )
        })?;
        let resources = vec![
            a.binding(),
            b.binding(),
            partials.as_ref().unwrap_or(&c).as_entire_binding(),
            uniform.as_entire_binding(),
        ];
        let bind_group = bind_resources(ctx, &compiled, resources)?;
        let groups = kernel.workgroups(shape);
        let reduce = match &partials {
            Some(partials) => Some(ReducePass::new(
                ctx, pipelines, kernel, dtype, shape, partials, &c,
            )?),
            None => None,
        };
        Ok(PreparedGemm {
            kernel,
            dtype,
            shape,
            inputs,
            c,
            compiled,
            bind_group,
            groups,
            reduce,
        })
    }

    /// Records one multiply: the kernel's dispatch, and with K split, the pass summing
    /// the partial results (so every timing covers both).
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.compiled.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups.0, self.groups.1, self.kernel.splits());
        if let Some(reduce) = &self.reduce {
            pass.set_pipeline(&reduce.compiled.pipeline);
            pass.set_bind_group(0, &reduce.bind_group, &[]);
            pass.dispatch_workgroups(reduce.groups, 1, 1);
        }
    }

    /// Runs once (which also compiles, on many drivers) and checks C against the reference.
    pub fn run_and_verify(&self, ctx: &GpuContext, timer: &Timer) -> Result<Verification> {
        ctx.scoped(&label(self.kernel, self.dtype), || {
            timer.time_pass(ctx, |p| self.dispatch(p))
        })??;
        let result = self.dtype.decode(&buffers::read_back(ctx, &self.c)?);
        let ldc = self.kernel.padded(self.shape).n;
        Ok(verify(&self.inputs, &result, ldc, self.dtype))
    }
}

impl ReducePass {
    fn new(
        ctx: &GpuContext,
        pipelines: &PipelineCache,
        kernel: GemmKernel,
        dtype: Dtype,
        shape: GemmShape,
        partials: &wgpu::Buffer,
        c: &wgpu::Buffer,
    ) -> Result<Self> {
        let compiled = pipelines.get_or_build(GemmPipeline::SplitKReduce(dtype), || {
            compile(
                ctx,
                &format!("gemm split-K reduce {dtype}"),
                &GemmKernel::split_k_reduce_source(dtype),
                &[("WG", f64::from(SPLIT_K_REDUCE_WG))],
            )
        })?;
        Ok(ReducePass {
            bind_group: bind(ctx, &compiled, &[partials, c])?,
            groups: kernel.split_k_reduce_workgroups(shape, &ctx.limits),
            compiled,
        })
    }
}

/// An input matrix as the kernel reads it: a storage buffer or a storage texture.
enum Input {
    Buffer(wgpu::Buffer),
    Texture(wgpu::TextureView),
}

impl Input {
    fn upload(
        as_texture: bool,
        ctx: &GpuContext,
        dtype: Dtype,
        label: &str,
        (rows, cols): (u32, u32),
        values: &[f32],
    ) -> Input {
        let bytes = dtype.encode(values);
        if as_texture {
            let texture = buffers::storage_texture_with(
                ctx,
                label,
                dtype.texel_format(),
                (cols / 4, rows),
                &bytes,
            );
            Input::Texture(texture.create_view(&Default::default()))
        } else {
            Input::Buffer(buffers::storage_with(ctx, label, &bytes))
        }
    }

    fn binding(&self) -> wgpu::BindingResource<'_> {
        match self {
            Input::Buffer(buffer) => buffer.as_entire_binding(),
            Input::Texture(view) => wgpu::BindingResource::TextureView(view),
        }
    }
}

/// B as the kernel reads it: row-major K x N, or for `dot4` transposed (N x K) so that
/// the four i8 values packed into one u32 run along K.
fn b_layout(kernel: GemmKernel, b: &[f32], padded: GemmShape) -> Vec<f32> {
    if kernel.family != crate::kernels::KernelFamily::Dot4 {
        return b.to_vec();
    }
    let (k, n) = (padded.k as usize, padded.n as usize);
    (0..n)
        .flat_map(|col| (0..k).map(move |row| b[row * n + col]))
        .collect()
}

fn label(kernel: GemmKernel, dtype: Dtype) -> String {
    format!("gemm {} {dtype}", kernel.family.as_str())
}

/// Runs, verifies and (if correct) times one GEMM.
pub fn bench_gemm(
    runner: GemmRunner<'_>,
    plan: &SamplingPlan,
    kernel: GemmKernel,
    dtype: Dtype,
    shape: GemmShape,
) -> Result<GemmOutcome> {
    let (prepared, verification) = runner.prepare_and_verify(kernel, dtype, shape)?;
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
    let timings = runner.sample(plan, &prepared)?;
    outcome.gflops =
        Summary::of(&timings.seconds_per_dispatch).map(|s| s.rate(shape.flops() / 1e9));
    outcome.samples = timings.seconds_per_dispatch.len();
    outcome.method = Some(timings.method);
    outcome.rejected_stamps = timings.rejected_stamps;
    Ok(outcome)
}
