//! Kernel correctness on the local adapter (lavapipe in CI): every kernel family in every
//! element type the adapter supports, at sizes that are not multiples of any tile, must
//! match the f64 CPU reference within its error bound. And pipelines are compiled per
//! variant, not per shape: a sweep of sizes, and the autotuner at two shape classes,
//! compile each variant once.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use fleetbench::gpu::GpuContext;
use fleetbench::kernels::coop::{self, CoopOffer};
use fleetbench::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily};
use fleetbench::measure::autotune::cache::TuneCache;
use fleetbench::measure::autotune::candidates::candidates;
use fleetbench::measure::autotune::{ShapeClass, TunePlan, tuned_kernel};
use fleetbench::measure::gemm::{GemmRig, GemmRunner, PreparedGemm};
use fleetbench::measure::pipeline::PipelineCache;
use fleetbench::measure::verify::Verification;

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

/// Runs `kernel` once at `shape` through `runner` and checks it against the CPU reference,
/// failing with the kernel, shape and error when it does not match.
fn verified(
    runner: GemmRunner<'_>,
    kernel: GemmKernel,
    dtype: Dtype,
    shape: GemmShape,
) -> Verification {
    let (_, outcome) = runner
        .prepare_and_verify(kernel, dtype, shape)
        .expect("prepare and run");
    assert!(
        outcome.verified,
        "{} {dtype} {}: error {} > bound {}",
        kernel.describe(),
        shape.label(),
        outcome.max_error,
        outcome.error_bound
    );
    outcome
}

#[test]
fn every_kernel_and_dtype_matches_the_reference_on_odd_shapes() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let dtypes: Vec<Dtype> = Dtype::ALL
        .into_iter()
        .filter(|d| ctx.features.contains(d.required_feature()))
        .collect();
    assert!(dtypes.contains(&Dtype::F32));
    let runner = rig.runner(&ctx);
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
                let outcome = verified(runner, kernel, dtype, shape);
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
    let variants = (families - 1) * floats + 1;
    assert_eq!(checked, variants * ODD_SHAPES.len());
    // Six shapes per variant, one compilation each: the shape is not in the pipeline.
    assert_eq!(rig.pipelines.compilations(), variants);
    assert_eq!(rig.pipelines.len(), variants);
}

/// The subgroup family's tallest blocks in the tuner's space (32 and 40 rows of two vec4
/// columns: several A fetches per lane, broadcast from every lane) match the reference on
/// odd shapes, in f32 and in mixed precision where the adapter has f16.
#[test]
fn the_subgroup_familys_tall_blocks_match_the_reference() {
    let Some(ctx) = common::context_or_skip("tall_blocks") else {
        return;
    };
    let Some(lanes) = ctx.fixed_subgroup_size() else {
        eprintln!("tall_blocks: no fixed subgroup size, the family is not used here");
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let runner = rig.runner(&ctx);
    let tall: Vec<GemmKernel> = candidates(
        &ctx.limits,
        Some(lanes),
        None,
        Dtype::F32,
        GemmShape::square(512),
    )
    .into_iter()
    .filter(|k| {
        k.family == KernelFamily::TextureSubgroup && k.config.block_m >= 32 && k.config.wg_y == 2
    })
    .collect();
    assert_eq!(tall.len(), 2, "{tall:?}");
    let dtypes = [Dtype::F32, Dtype::F16F32]
        .into_iter()
        .filter(|d| ctx.features.contains(d.required_feature()));
    for dtype in dtypes {
        for kernel in &tall {
            for shape in ODD_SHAPES {
                verified(runner, *kernel, dtype, shape);
            }
        }
    }
}

/// Cooperative matrices run only where the adapter offers them. Where it does not (as on
/// lavapipe today), the device is opened without the feature, the autotuner's space has
/// no such kernel, the note says why, and a cooperative kernel asked for anyway is refused
/// as bad input. Where it does, every offered element type's kernels match the reference
/// on odd shapes, like every other family.
#[test]
fn cooperative_matrices_run_only_where_offered() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    match ctx.coop.offer() {
        Some(offer) => verify_offered_coop_kernels(&ctx, offer),
        None => check_coop_left_out(&ctx),
    }
}

fn check_coop_left_out(ctx: &GpuContext) {
    let note = ctx.coop.note_for(Dtype::F32).expect("a note saying why");
    assert!(note.starts_with(coop::NOTE_PREFIX), "{note}");
    if !ctx
        .description
        .features
        .iter()
        .any(|f| f == "cooperative-matrix")
    {
        assert_eq!(
            note,
            "cooperative matrices: not offered by this adapter (no EXPERIMENTAL_COOPERATIVE_MATRIX)"
        );
    }
    assert!(!ctx.has(wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX));
    for dtype in Dtype::ALL {
        for shape in [
            GemmShape::square(512),
            GemmShape {
                m: 32,
                n: 1024,
                k: 1024,
            },
        ] {
            let subgroup = ctx.fixed_subgroup_size();
            let list = candidates(&ctx.limits, subgroup, ctx.coop.offer(), dtype, shape);
            assert!(!list.is_empty());
            assert!(list.iter().all(|k| k.family != KernelFamily::CoopMatrix));
        }
    }
    let asked = coop::kernel(8, 64, 2, (2, 2));
    let refused = PreparedGemm::new(
        ctx,
        &PipelineCache::default(),
        asked,
        Dtype::F32,
        GemmShape::square(64),
    )
    .err()
    .expect("refused");
    assert_eq!(refused.exit_code(), 2, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("EXPERIMENTAL_COOPERATIVE_MATRIX"),
        "{refused}"
    );
}

fn verify_offered_coop_kernels(ctx: &GpuContext, offer: &CoopOffer) {
    let rig = GemmRig::new(ctx, true);
    let runner = rig.runner(ctx);
    let mut checked = 0;
    for dtype in Dtype::ALL
        .into_iter()
        .filter(|d| ctx.has(d.required_feature()))
    {
        // The default and a few more geometries: each fragment side and block shape early
        // in the list.
        for kernel in offer.kernels(dtype).into_iter().take(4) {
            for shape in ODD_SHAPES {
                verified(runner, kernel, dtype, shape);
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "offered, so something ran");
}

#[test]
fn a_sweep_of_sizes_compiles_each_variant_once() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let kernels = [
        GemmKernel::tiled_default(),
        GemmKernel::tiled_4x4(),
        GemmKernel::texture_default(),
    ];
    let sizes = [96u32, 100, 128, 130, 192];
    for size in sizes {
        for kernel in kernels {
            let shape = GemmShape::square(size);
            let outcome = PreparedGemm::new(&ctx, &rig.pipelines, kernel, Dtype::F32, shape)
                .and_then(|p| p.run_and_verify(&ctx, &rig.timer))
                .expect("run");
            assert!(outcome.verified, "{} at {size}", kernel.describe());
        }
    }
    assert_eq!(rig.pipelines.compilations(), kernels.len());
    // A later shape of a compiled variant compiles nothing more.
    PreparedGemm::new(
        &ctx,
        &rig.pipelines,
        kernels[0],
        Dtype::F32,
        GemmShape::square(7),
    )
    .expect("prepare");
    assert_eq!(rig.pipelines.compilations(), kernels.len());
}

/// The autotuner searches the square class, then the skinny one: the second search and
/// the winners' GEMMs compile only the candidates the first did not.
#[test]
fn the_autotuner_reuses_pipelines_across_shape_classes_and_gemms() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let runner = rig.runner(&ctx);
    let dir = tempfile::tempdir().unwrap();
    let mut cache = TuneCache::load(Some(dir.path().join("tuning.json")), &mut |_| {});
    let plan = TunePlan {
        budget: Duration::from_millis(1500),
        read_cache: false,
        search: true,
    };
    let mut tried = HashSet::new();
    let mut failed = 0;
    let mut winners = Vec::new();
    for class in [ShapeClass::Square, ShapeClass::Skinny] {
        let (winner, record) =
            tuned_kernel(runner, &mut cache, &plan, Dtype::F32, class, &|_| {}).expect("tune");
        let list = candidates(
            &ctx.limits,
            ctx.fixed_subgroup_size(),
            ctx.coop.offer(),
            Dtype::F32,
            class.representative(),
        );
        tried.extend(list.into_iter().take(record.candidates_tried));
        failed += record.candidates_failed;
        winners.push(winner);
    }
    // Split K's second pass is one more pipeline, shared by every split candidate.
    let reduce = usize::from(tried.iter().any(|k| k.splits() > 1));
    let searched = rig.pipelines.compilations() - reduce;
    assert!(
        searched >= tried.len() && searched <= tried.len() + failed,
        "{searched} compilations for {} distinct candidates ({failed} failed)",
        tried.len()
    );
    for winner in winners {
        for size in [64, 200] {
            PreparedGemm::new(
                &ctx,
                &rig.pipelines,
                winner,
                Dtype::F32,
                GemmShape::square(size),
            )
            .expect("prepare");
        }
    }
    assert_eq!(
        rig.pipelines.compilations(),
        searched + reduce,
        "winners are reused"
    );
}

/// The tiled family's GPU-class designs that fit this adapter (as the autotuner offers
/// them for a deep-K shape: splits of K, 128x128 tiles, double buffers, padded A rows)
/// match the reference at odd shapes and at a skinny one with a long K, in every float
/// type the adapter has (slow on a software adapter, but correct). Split K's second pass
/// compiles once per element type, whatever the split.
#[test]
fn gpu_class_tiled_designs_match_the_reference() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let deep = GemmShape {
        m: 64,
        n: 64,
        k: 16384,
    };
    let designs: Vec<GemmKernel> = candidates(&ctx.limits, None, None, Dtype::F32, deep)
        .into_iter()
        .filter(|k| k.family == KernelFamily::Tiled && !k.config.options.is_plain())
        .collect();
    let splits = designs.iter().filter(|k| k.splits() > 1).count();
    assert!(splits >= 3, "splits of K fit any adapter: {designs:?}");
    assert!(designs.iter().any(|k| k.config.options.double_buffer));
    assert!(designs.iter().any(|k| k.config.options.pad_a4 > 0));
    assert!(designs.iter().any(|k| k.config.tile_m() == 128));
    let shapes = [
        GemmShape { m: 7, n: 13, k: 5 },
        GemmShape {
            m: 129,
            n: 70,
            k: 64,
        },
        GemmShape {
            m: 33,
            n: 20,
            k: 3001,
        },
    ];
    let floats: Vec<Dtype> = [Dtype::F32, Dtype::F16F32]
        .into_iter()
        .filter(|d| ctx.features.contains(d.required_feature()))
        .collect();
    let runner = rig.runner(&ctx);
    for &dtype in &floats {
        for kernel in &designs {
            for shape in shapes {
                let outcome = verified(runner, *kernel, dtype, shape);
                assert_eq!(outcome.checked as u32, shape.m * shape.n);
            }
        }
    }
    // Each design once per type, and one second pass per type for all the splits.
    assert_eq!(
        rig.pipelines.compilations(),
        floats.len() * (designs.len() + 1)
    );
}

#[test]
fn a_large_result_is_verified_by_sampling() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    let rig = GemmRig::new(&ctx, true);
    let kernel = GemmKernel::tiled_default();
    let shape = GemmShape {
        m: 520,
        n: 260,
        k: 600,
    };
    let outcome = PreparedGemm::new(&ctx, &rig.pipelines, kernel, Dtype::F32, shape)
        .and_then(|p| p.run_and_verify(&ctx, &rig.timer))
        .expect("run");
    assert!(
        outcome.verified,
        "error {} > bound {}",
        outcome.max_error, outcome.error_bound
    );
    assert!(outcome.checked < (shape.m * shape.n) as usize);
}

/// `--dtype mixed` is f16f32: results say so, verified at f32's bound (where the adapter
/// has shader-f16; elsewhere the request is a usage error, tested in `commands::run`).
#[test]
fn run_dtype_mixed_writes_verified_f16f32_results() {
    let Some(ctx) = common::context_or_skip("kernels") else {
        return;
    };
    if !ctx.has(wgpu::Features::SHADER_F16) {
        eprintln!("kernels: mixed skipped, the adapter has no shader-f16");
        return;
    }
    let output = common::small_run("tiled", "mixed", "48", 1)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let gemm = &results["gemm"][0];
    assert_eq!(gemm["dtype"], "f16f32");
    assert_eq!(gemm["verified"], true);
    let bound = gemm["error_bound"].as_f64().unwrap();
    assert!(
        bound > 0.0 && bound < 1e-3,
        "an f32-sized bound at K = 48: {bound}"
    );
}
