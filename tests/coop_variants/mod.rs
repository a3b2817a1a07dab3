//! The cooperative-matrix kernels the autotuner can ask for, whatever an adapter reports,
//! and naga's translation of them: shared by tests/shaders.rs (naga validation, SPIR-V and
//! MSL output) and .ci/spirv-check (SPIRV-Tools' validator on that SPIR-V), so both check
//! the same variants written the same way.

#![allow(dead_code)]

use fleetbench::kernels::coop::{CoopConfig, CoopOffer, SIDES};
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};
use fleetbench::measure::autotune::candidates::candidates;

/// An offer of every configuration the kernel can express, with subgroups of up to
/// `max_subgroup` lanes: the most an adapter's report could hold.
pub fn full_offer(max_subgroup: u32) -> CoopOffer {
    let configs = SIDES
        .into_iter()
        .flat_map(|side| {
            [Dtype::F32, Dtype::F16, Dtype::F16F32].map(|dtype| CoopConfig { side, dtype })
        })
        .collect();
    CoopOffer {
        configs,
        max_subgroup,
    }
}

/// The shapes the autotuner's candidates are generated for: a square and a skinny one
/// (few rows, as in decoding).
pub fn square_and_skinny() -> [GemmShape; 2] {
    [
        GemmShape::square(1024),
        GemmShape {
            m: 16,
            n: 4096,
            k: 4096,
        },
    ]
}

/// Every distinct cooperative kernel the autotuner can ask for: each side, element type
/// and subgroup size (4-128) an offer may hold, default limits and workgroups of up to
/// 1024 invocations, square and skinny shapes.
pub fn every_coop_candidate() -> Vec<(GemmKernel, Dtype)> {
    let wide_workgroups = wgpu::Limits {
        max_compute_invocations_per_workgroup: 1024,
        max_compute_workgroup_size_x: 1024,
        ..wgpu::Limits::default()
    };
    let mut seen = Vec::new();
    for limits in [wgpu::Limits::default(), wide_workgroups] {
        for max_subgroup in [4, 8, 16, 32, 64, 128] {
            let offer = full_offer(max_subgroup);
            for dtype in [Dtype::F32, Dtype::F16, Dtype::F16F32] {
                for shape in square_and_skinny() {
                    let list = candidates(&limits, Some(32), Some(&offer), dtype, shape);
                    for kernel in list
                        .into_iter()
                        .filter(|k| k.family == KernelFamily::CoopMatrix)
                    {
                        if !seen.contains(&(kernel, dtype)) {
                            seen.push((kernel, dtype));
                        }
                    }
                }
            }
        }
    }
    seen
}

/// Parses and validates WGSL with naga (every capability allowed), panicking with naga's
/// message, named.
pub fn validate(name: &str, text: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(text)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(text)));
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(text)));
    (module, info)
}

/// A kernel validated by naga, with its pipeline constants set: what the back ends write.
pub fn with_constants(kernel: GemmKernel, dtype: Dtype) -> (naga::Module, naga::valid::ModuleInfo) {
    let name = format!("{} {dtype}", kernel.describe());
    let (module, info) = validate(&name, &kernel.source(dtype));
    let mut constants = naga::back::PipelineConstants::default();
    for (constant, value) in kernel.constants() {
        constants.insert(constant.to_string(), value);
    }
    let entry = (naga::ShaderStage::Compute, "main");
    let (module, info) =
        naga::back::pipeline_constants::process_overrides(&module, &info, Some(entry), &constants)
            .unwrap_or_else(|e| panic!("{name}: constants: {e}"));
    (module.into_owned(), info.into_owned())
}

/// The kernel as SPIR-V 1.6 words, as naga's Vulkan back end writes it.
pub fn spirv(kernel: GemmKernel, dtype: Dtype) -> Vec<u32> {
    let (module, info) = with_constants(kernel, dtype);
    spirv_of(&format!("{} {dtype}", kernel.describe()), &module, &info)
}

/// A module with its constants set (`with_constants`) as SPIR-V 1.6 words, panicking with
/// naga's message, named.
pub fn spirv_of(name: &str, module: &naga::Module, info: &naga::valid::ModuleInfo) -> Vec<u32> {
    naga::back::spv::write_vec(
        module,
        info,
        &naga::back::spv::Options {
            lang_version: (1, 6),
            ..Default::default()
        },
        Some(&naga::back::spv::PipelineOptions {
            shader_stage: naga::ShaderStage::Compute,
            entry_point: "main".into(),
        }),
    )
    .unwrap_or_else(|e| panic!("{name}: SPIR-V: {e}"))
}
