//! SPIRV-Tools' validator (Vulkan 1.3 rules) on the SPIR-V naga writes for every
//! cooperative-matrix kernel the autotuner can ask for: the check those kernels can get on
//! a machine whose adapters do not offer cooperative matrices. It checks what naga writes,
//! not what a driver does with it.

#[path = "../../../tests/coop_variants/mod.rs"]
mod coop_variants;

use coop_variants::{every_coop_candidate, full_offer};
use fleetbench::kernels::Dtype;
use spirv_tools::val::Validator as _;

fn vulkan_validator() -> impl spirv_tools::val::Validator {
    spirv_tools::val::create(Some(spirv_tools::TargetEnv::Vulkan_1_3))
}

#[test]
fn every_coop_candidate_is_valid_spirv_for_vulkan() {
    let validator = vulkan_validator();
    let variants = every_coop_candidate();
    // tests/shaders.rs checks that every side and element type is among them.
    assert!(variants.len() >= 100, "{} variants", variants.len());
    for (kernel, dtype) in variants {
        let spirv = coop_variants::spirv(kernel, dtype);
        validator
            .validate(&spirv, None)
            .unwrap_or_else(|e| panic!("{} {dtype}: {e}", kernel.describe()));
    }
}

/// The check can fail: the same module with its cooperative-matrix capability declaration
/// replaced by another is refused, naming the capability.
#[test]
fn spirv_without_the_cooperative_matrix_capability_is_rejected() {
    const OP_CAPABILITY: u32 = (2 << 16) | 17;
    const COOPERATIVE_MATRIX_KHR: u32 = 6022;
    const SHADER: u32 = 1;
    const HEADER_WORDS: usize = 5;
    let kernel = full_offer(32)
        .default_kernel(Dtype::F32)
        .expect("a full offer has f32");
    let mut spirv = coop_variants::spirv(kernel, Dtype::F32);
    vulkan_validator()
        .validate(&spirv, None)
        .expect("valid as written");
    let at = HEADER_WORDS
        + spirv[HEADER_WORDS..]
            .windows(2)
            .position(|w| w == [OP_CAPABILITY, COOPERATIVE_MATRIX_KHR])
            .expect("the capability is declared");
    spirv[at + 1] = SHADER;
    let refusal = vulkan_validator()
        .validate(&spirv, None)
        .expect_err("a cooperative matrix without its capability");
    assert!(
        refusal.to_string().contains("CooperativeMatrixKHR"),
        "{refusal}"
    );
}
