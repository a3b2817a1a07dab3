//! Compiling a compute pipeline from WGSL and override constants, with shader and
//! validation errors caught and reported as runtime errors instead of panics.

use crate::error::Result;
use crate::gpu::GpuContext;

/// A compiled compute pipeline with its bind group layout.
pub struct Compiled {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

/// Compiles `source` (entry point `main`) with `constants`.
pub fn compile(
    ctx: &GpuContext,
    label: &str,
    source: &str,
    constants: &[(&str, f64)],
) -> Result<Compiled> {
    ctx.scoped(&format!("compiling {label}"), || {
        let module = ctx
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        let pipeline = ctx
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(label),
                layout: None,
                module: &module,
                entry_point: Some("main"),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants,
                    // Kernels write every workgroup element before reading it.
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            });
        let layout = pipeline.get_bind_group_layout(0);
        Compiled { pipeline, layout }
    })
}

/// A bind group binding `buffers` to bindings 0, 1, 2, ... in order.
pub fn bind(
    ctx: &GpuContext,
    compiled: &Compiled,
    buffers: &[&wgpu::Buffer],
) -> Result<wgpu::BindGroup> {
    let resources: Vec<wgpu::BindingResource> =
        buffers.iter().map(|b| b.as_entire_binding()).collect();
    bind_resources(ctx, compiled, resources)
}

/// A bind group binding `resources` (buffers or texture views) to bindings 0, 1, 2, ...
pub fn bind_resources(
    ctx: &GpuContext,
    compiled: &Compiled,
    resources: Vec<wgpu::BindingResource<'_>>,
) -> Result<wgpu::BindGroup> {
    ctx.scoped("binding resources", || {
        let entries: Vec<wgpu::BindGroupEntry> = resources
            .into_iter()
            .enumerate()
            .map(|(i, resource)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource,
            })
            .collect();
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &compiled.layout,
            entries: &entries,
        })
    })
}
