//! Every WGSL file, in every variant the host generates, parses and validates with naga:
//! no adapter needed, so shader typos fail here first on any machine.

use fleetbench::kernels::source::{self, ALL};
use fleetbench::kernels::{Dtype, GemmKernel, KernelFamily, probes};

fn validate(name: &str, text: &str) {
    let module = naga::front::wgsl::parse_str(text)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(text)));
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    );
    validator
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(text)));
}

#[test]
fn every_shader_file_validates_as_written() {
    for (name, text) in ALL {
        validate(name, text);
    }
}

#[test]
fn f16_variants_validate() {
    for (name, text) in ALL {
        if text.contains("alias Elem = f32;") {
            validate(
                &format!("{name} (f16)"),
                &source::with_dtype(text, Dtype::F16),
            );
        }
    }
    validate("fma probe f16", &probes::fma_source(Dtype::F16));
}

#[test]
fn every_kernel_source_validates_in_every_dtype() {
    let limits = wgpu::Limits::default();
    for id in KernelFamily::ALL {
        for dtype in Dtype::ALL.into_iter().filter(|d| id.supports(*d)) {
            let kernel = GemmKernel::default_for(id, &limits, Some(32))
                .expect("every family with subgroups");
            validate(&format!("{} {dtype}", id.as_str()), &kernel.source(dtype));
        }
    }
}

#[test]
fn a_broken_shader_is_rejected() {
    let broken = source::GEMM_NAIVE.replace("acc = fma(", "acc = fmaa(");
    assert!(naga::front::wgsl::parse_str(&broken).is_err());
}
