//! Every WGSL file, in every variant the host generates, parses and validates with naga:
//! no adapter needed, so shader typos fail here first on any machine. The cooperative-
//! matrix kernels, which no adapter here offers, are also translated to SPIR-V and MSL
//! (naga's Vulkan and Metal back ends), for every configuration an adapter could report;
//! .ci/spirv-check runs SPIRV-Tools' validator on that SPIR-V.

mod coop_variants;

use coop_variants::{every_coop_candidate, full_offer, square_and_skinny, validate};
use fleetbench::kernels::coop::SIDES;
use fleetbench::kernels::source;
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily, probes};
use fleetbench::measure::autotune::candidates::candidates;

/// A family's default kernel in `dtype`; the cooperative one from a full offer.
fn default_kernel(family: KernelFamily, dtype: Dtype) -> GemmKernel {
    GemmKernel::default_for(family, &wgpu::Limits::default(), Some(32))
        .or_else(|| full_offer(32).default_kernel(dtype))
        .expect("every family has a default")
}

#[test]
fn every_shader_file_validates_as_written() {
    for (name, text) in source::all_modules() {
        validate(name, &text);
    }
}

#[test]
fn f16_variants_validate() {
    for (name, text) in source::all_modules() {
        if text.contains("alias Elem = f32;") {
            validate(
                &format!("{name} (f16)"),
                &source::with_dtype(&text, Dtype::F16),
            );
        }
    }
}

/// Every FMA and dot4 probe configuration any search can compile (the wide space holds
/// the others), in every element type: the generated accumulators, widths and chains.
#[test]
fn every_probe_variant_validates() {
    let mut validated = 0;
    for dtype in Dtype::ALL {
        for variant in probes::fma_space(dtype, probes::ProbeSpace::Wide, 1024) {
            validate(&format!("fma probe {variant:?}"), &variant.source());
            validated += 1;
        }
    }
    assert!(validated > 100, "only {validated} probe variants");
}

/// Bytes of the scalar a global's type is built from (through arrays and vectors); None
/// for textures.
fn scalar_width(module: &naga::Module, name: &str) -> Option<u8> {
    let global = module
        .global_variables
        .iter()
        .map(|(_, g)| g)
        .find(|g| g.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no global `{name}`"));
    let mut ty = global.ty;
    loop {
        match module.types[ty].inner {
            naga::TypeInner::Array { base, .. } => ty = base,
            naga::TypeInner::Vector { scalar, .. } | naga::TypeInner::Scalar(scalar) => {
                return Some(scalar.width);
            }
            _ => return None,
        }
    }
}

/// Mixed precision in every float family: f16 inputs (buffers, or rgba16float textures),
/// an f32 C; pure f16 keeps an f16 C.
#[test]
fn mixed_variants_read_f16_and_write_f32() {
    for id in KernelFamily::ALL
        .into_iter()
        .filter(|f| f.supports(Dtype::F16F32))
    {
        let kernel = default_kernel(id, Dtype::F16F32);
        let name = format!("{} f16f32", id.as_str());
        let text = kernel.source(Dtype::F16F32);
        validate(&name, &text);
        let module = naga::front::wgsl::parse_str(&text).expect("parses");
        assert_eq!(scalar_width(&module, "c"), Some(4), "{name}: C is f32");
        for input in ["a", "b"] {
            match scalar_width(&module, input) {
                Some(width) => assert_eq!(width, 2, "{name}: {input} is f16"),
                None => assert!(text.contains("rgba16float"), "{name}: {input} texture"),
            }
        }
        let pure = default_kernel(id, Dtype::F16).source(Dtype::F16);
        let pure = naga::front::wgsl::parse_str(&pure).expect("parses");
        assert_eq!(
            scalar_width(&pure, "c"),
            Some(2),
            "{} f16: C is f16",
            id.as_str()
        );
    }
}

#[test]
fn every_kernel_source_validates_in_every_dtype() {
    for id in KernelFamily::ALL {
        for dtype in Dtype::ALL.into_iter().filter(|d| id.supports(*d)) {
            let kernel = default_kernel(id, dtype);
            validate(&format!("{} {dtype}", id.as_str()), &kernel.source(dtype));
        }
    }
}

/// Every kernel the autotuner can compile: each subgroup width an adapter may report, with
/// generous and with default limits, square and skinny shapes, every dtype.
#[test]
fn every_autotuner_candidate_validates() {
    let generous = wgpu::Limits {
        max_compute_workgroup_storage_size: 64 * 1024,
        max_compute_invocations_per_workgroup: 1024,
        max_compute_workgroup_size_x: 1024,
        max_compute_workgroup_size_y: 1024,
        ..wgpu::Limits::default()
    };
    let shapes = square_and_skinny();
    let mut seen = std::collections::HashSet::new();
    for limits in [wgpu::Limits::default(), generous] {
        for subgroup in [
            None,
            Some(4),
            Some(8),
            Some(16),
            Some(32),
            Some(64),
            Some(128),
        ] {
            for dtype in Dtype::ALL {
                for shape in shapes {
                    for kernel in candidates(&limits, subgroup, None, dtype, shape) {
                        let text = kernel.source(dtype);
                        if seen.insert(text.clone()) {
                            validate(&format!("{} {dtype}", kernel.describe()), &text);
                        }
                    }
                }
            }
        }
    }
    assert!(
        seen.len() > 50,
        "only {} distinct candidates generated",
        seen.len()
    );
}

/// The tiled family's GPU-class designs (128x128 tiles, double buffers, padded A rows,
/// split K) as the autotuner generates them for an adapter with room for all of them, in
/// every float type, and split K's second pass in each: every one validates.
#[test]
fn every_gpu_class_tiled_design_and_the_split_k_pass_validate() {
    let roomy = wgpu::Limits {
        max_compute_workgroup_storage_size: 64 * 1024,
        ..wgpu::Limits::default()
    };
    let deep = GemmShape {
        m: 64,
        n: 64,
        k: 16384,
    };
    let designs: Vec<GemmKernel> = candidates(&roomy, None, None, Dtype::F32, deep)
        .into_iter()
        .filter(|k| k.family == KernelFamily::Tiled && !k.config.options.is_plain())
        .collect();
    let has = |what: fn(&GemmKernel) -> bool| designs.iter().any(what);
    assert!(has(|k| k.config.options.double_buffer));
    assert!(has(|k| k.config.options.pad_a4 > 0));
    assert!(has(|k| k.splits() > 1));
    assert!(has(|k| k.config.tile_m() == 128 && k.config.tile_n() == 128));
    let floats = [Dtype::F32, Dtype::F16, Dtype::F16F32];
    for dtype in floats {
        for kernel in &designs {
            validate(
                &format!("{} {dtype}", kernel.describe()),
                &kernel.source(dtype),
            );
        }
        let reduce = GemmKernel::split_k_reduce_source(dtype);
        validate(&format!("split-K reduce {dtype}"), &reduce);
    }
    let text = designs[0].source(Dtype::F32);
    assert!(text.contains("const STAGES: u32 = ") && text.contains("const PAD_A4: u32 = "));
}

/// Every cooperative kernel the autotuner can ask for, whatever an adapter reports (each
/// side, element type and subgroup size; default and generous limits; square and skinny
/// shapes): it validates, and with its constants set it translates to SPIR-V (what
/// Vulkan compiles) and to MSL 2.3 (Metal's simdgroup matrices need it).
#[test]
fn every_coop_candidate_validates_and_translates_to_spirv_and_msl() {
    let mut per_config = std::collections::HashMap::new();
    for (kernel, dtype) in every_coop_candidate() {
        translate_coop(kernel, dtype);
        *per_config.entry((kernel.config.tile_k, dtype)).or_insert(0) += 1;
    }
    // Every side in every element type was reached, each with several geometries.
    assert_eq!(per_config.len(), SIDES.len() * 3, "{per_config:?}");
    assert!(per_config.values().all(|&n| n >= 10), "{per_config:?}");
}

/// Writes one cooperative kernel as SPIR-V and as MSL, panicking with naga's message when
/// a step fails.
fn translate_coop(kernel: GemmKernel, dtype: Dtype) {
    let name = format!("{} {dtype}", kernel.describe());
    let (module, info) = coop_variants::with_constants(kernel, dtype);
    assert!(
        !coop_variants::spirv_of(&name, &module, &info).is_empty(),
        "{name}"
    );
    let (msl, _) = naga::back::msl::write_string(
        &module,
        &info,
        &naga::back::msl::Options {
            lang_version: (2, 3),
            ..Default::default()
        },
        &naga::back::msl::PipelineOptions {
            entry_point: Some((naga::ShaderStage::Compute, "main".into())),
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{name}: MSL: {e}"));
    assert!(
        msl.contains("simdgroup_multiply_accumulate"),
        "{name}: {msl}"
    );
}

#[test]
fn a_broken_shader_is_rejected() {
    let broken = source::gemm_module(source::GEMM_NAIVE).replace("acc = fma(", "acc = fmaa(");
    assert!(naga::front::wgsl::parse_str(&broken).is_err());
}
