//! Kernel correctness on the local adapter (lavapipe in CI): every kernel family in every
//! element type the adapter supports, at sizes that are not multiples of any tile, must
//! match the f64 CPU reference within its error bound.

mod common;

use fleetbench::gpu::timing::Timer;
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};
use fleetbench::measure::gemm::PreparedGemm;

const ODD_SHAPES: [GemmShape; 6] = [
    GemmShape { m: 1, n: 1, k: 1 },
    GemmShape { m: 7, n: 13, k: 5 },
    GemmShape {
        m: 65,
        n: 33,
        k: 17,
    },
    GemmShape {
        m: 100,
        n: 300,
        k: 257,
    },
    GemmShape {
        m: 129,
        n: 70,
        k: 64,
    },
    GemmShape {
        m: 64,
        n: 64,
        k: 64,
    },
];

#[test]
fn every_kernel_and_dtype_matches_the_reference_on_odd_shapes() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let timer = Timer::new(&ctx, true);
    let dtypes: Vec<Dtype> = Dtype::ALL
        .into_iter()
        .filter(|d| ctx.features.contains(d.required_feature()))
        .collect();
    assert!(dtypes.contains(&Dtype::F32));
    let mut checked = 0;
    let mut families = 0;
    for id in KernelFamily::ALL {
        let Some(kernel) = GemmKernel::default_for(id, &ctx.limits, ctx.fixed_subgroup_size())
        else {
            continue;
        };
        families += 1;
        for &dtype in dtypes.iter().filter(|d| id.supports(**d)) {
            for shape in ODD_SHAPES {
                let prepared = PreparedGemm::new(&ctx, kernel, dtype, shape).expect("prepare");
                let outcome = prepared.run_and_verify(&ctx, &timer).expect("run");
                assert!(
                    outcome.verified,
                    "{} {dtype} {}: error {} > bound {}",
                    id.as_str(),
                    shape.label(),
                    outcome.max_error,
                    outcome.error_bound
                );
                assert_eq!(
                    outcome.checked as u32,
                    shape.m * shape.n,
                    "small shapes are checked in full"
                );
                checked += 1;
            }
        }
    }
    // Every family runs in every float type the adapter has; dot4 runs in i8 only.
    let floats = dtypes.iter().filter(|d| d.is_float()).count();
    assert_eq!(checked, ((families - 1) * floats + 1) * ODD_SHAPES.len());
}

#[test]
fn a_large_result_is_verified_by_sampling() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let timer = Timer::new(&ctx, true);
    let kernel = GemmKernel::tiled_default();
    let shape = GemmShape {
        m: 520,
        n: 260,
        k: 600,
    };
    let outcome = PreparedGemm::new(&ctx, kernel, Dtype::F32, shape)
        .and_then(|p| p.run_and_verify(&ctx, &timer))
        .expect("run");
    assert!(
        outcome.verified,
        "error {} > bound {}",
        outcome.max_error, outcome.error_bound
    );
    assert!(outcome.checked < (shape.m * shape.n) as usize);
}
