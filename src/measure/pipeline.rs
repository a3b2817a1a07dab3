//! Compiling a compute pipeline from WGSL and override constants, with shader and
//! validation errors caught and reported as runtime errors instead of panics; and the
//! cache that compiles each GEMM variant once per session.
//!
//! A GEMM pipeline depends on its variant only (kernel family, tile geometry, element
//! type): the shape reaches the shader through the `dims` uniform and the workgroup count
//! through the dispatch. So a sweep of sizes, and the autotuner measuring a candidate at
//! several shapes, compile each variant once. Split K's second pass is one more pipeline
//! per element type, shared by every split.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::Result;
use crate::gpu::GpuContext;
use crate::kernels::{Dtype, GemmKernel};

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

/// What a GEMM pipeline is compiled for; two shapes of one variant share a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GemmVariant {
    pub kernel: GemmKernel,
    pub dtype: Dtype,
}

/// A pipeline a GEMM needs: its kernel variant's, or split-K's second pass (one per
/// element type, whatever the split).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GemmPipeline {
    Kernel(GemmVariant),
    SplitKReduce(Dtype),
}

/// The GEMM pipelines a session has compiled, by variant.
pub type PipelineCache = CompileCache<GemmPipeline, Compiled>;

/// Values built once per key and shared, counting how many were built. A build that
/// fails is not kept (the error goes to the caller), so asking again tries again.
#[derive(Debug)]
pub struct CompileCache<K, V> {
    built: Mutex<Built<K, V>>,
}

#[derive(Debug)]
struct Built<K, V> {
    values: HashMap<K, Arc<V>>,
    attempts: usize,
}

impl<K, V> Default for CompileCache<K, V> {
    fn default() -> Self {
        CompileCache {
            built: Mutex::new(Built {
                values: HashMap::new(),
                attempts: 0,
            }),
        }
    }
}

impl<K: Eq + Hash, V> CompileCache<K, V> {
    /// The value for `key`, built with `build` the first time it is asked for.
    pub fn get_or_build(&self, key: K, build: impl FnOnce() -> Result<V>) -> Result<Arc<V>> {
        // Held while building, so two callers never build the same key; a panic while
        // building leaves nothing half-inserted, so the poisoned state is still sound.
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = built.values.get(&key) {
            return Ok(Arc::clone(value));
        }
        built.attempts += 1;
        let value = Arc::new(build()?);
        built.values.insert(key, Arc::clone(&value));
        Ok(value)
    }

    /// How many builds were attempted (each key once, unless a build failed).
    pub fn compilations(&self) -> usize {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .attempts
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::cell::Cell;

    #[test]
    fn each_key_is_built_once_and_shared() {
        let cache: CompileCache<(&str, u32), String> = CompileCache::default();
        let builds = Cell::new(0);
        let build = |name: &str| {
            builds.set(builds.get() + 1);
            Ok(name.to_string())
        };
        // A sweep: every size asks for both variants.
        for _size in [256, 384, 512, 640, 768] {
            for variant in [("tiled", 8), ("texture", 16)] {
                let value = cache
                    .get_or_build(variant, || build(variant.0))
                    .expect("builds");
                assert_eq!(*value, variant.0);
            }
        }
        assert_eq!(builds.get(), 2);
        assert_eq!(cache.compilations(), 2);
        assert_eq!(cache.len(), 2);
        let first = cache.get_or_build(("tiled", 8), || build("x")).unwrap();
        let again = cache.get_or_build(("tiled", 8), || build("y")).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "one shared value");
        assert_eq!(builds.get(), 2);
    }

    #[test]
    fn a_failed_build_is_reported_and_not_kept() {
        let cache: CompileCache<u32, u32> = CompileCache::default();
        let failed = cache.get_or_build(1, || Err(Error::runtime("shader rejected")));
        assert!(failed.unwrap_err().to_string().contains("shader rejected"));
        assert!(cache.is_empty());
        assert_eq!(*cache.get_or_build(1, || Ok(7)).unwrap(), 7);
        assert_eq!(cache.compilations(), 2, "the failure, then the success");
        assert_eq!(cache.len(), 1);
    }
}
