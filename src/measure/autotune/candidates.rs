//! The search space: kernel geometries per family, filtered by the adapter's limits and
//! ordered so that a small budget still tries each family's proven defaults first and
//! then alternates between families.

use crate::kernels::coop::CoopOffer;
use crate::kernels::{Dtype, GemmKernel, GemmShape, KernelFamily, TileConfig, TiledOptions};

/// Workgroup shapes (x along N, y along M) and register blocks (rows, vec4 columns) tried.
const TILED_WORKGROUPS: [(u32, u32); 5] = [(8, 8), (16, 8), (16, 16), (8, 4), (16, 4)];
const TILED_BLOCKS: [(u32, u32); 5] = [(8, 2), (4, 1), (8, 1), (4, 2), (16, 1)];
const TILED_K_STEPS: [u32; 2] = [16, 32];
const TEXTURE_WORKGROUPS: [(u32, u32); 6] = [(8, 8), (8, 4), (16, 4), (16, 8), (8, 16), (32, 2)];
const TEXTURE_BLOCKS: [(u32, u32); 6] = [(16, 1), (8, 1), (8, 2), (4, 4), (16, 2), (4, 2)];
/// The subgroup family's blocks: the GPU-sized ones first, then the tall wide blocks that
/// won on llvmpipe (40x8, 32x8: 1.2x the 24x4 block side by side, BENCHMARKS.md), whose
/// accumulators only a CPU's stack holds.
const SUBGROUP_BLOCKS: [(u32, u32); 9] = [
    (16, 1),
    (24, 1),
    (40, 2),
    (32, 2),
    (16, 2),
    (24, 2),
    (8, 2),
    (20, 1),
    (8, 1),
];
const SUBGROUP_DEPTHS: [u32; 3] = [8, 4, 2];
const BROADCAST_WIDTHS: [u32; 3] = [8, 16, 32];
const BROADCAST_BLOCKS: [(u32, u32); 4] = [(4, 4), (8, 2), (16, 1), (8, 4)];

/// Every candidate that fits the adapter for `dtype` at `shape`, defaults first, families
/// interleaved.
/// `subgroup` is the adapter's fixed subgroup size, when it has one (see
/// `GpuContext::fixed_subgroup_size`); without it the subgroup family is left out.
/// `coop` is the adapter's cooperative-matrix offer (`GpuContext::coop`); without one, or
/// when it has nothing in `dtype`, the cooperative family is left out.
pub fn candidates(
    limits: &wgpu::Limits,
    subgroup: Option<u32>,
    coop: Option<&CoopOffer>,
    dtype: Dtype,
    shape: GemmShape,
) -> Vec<GemmKernel> {
    let fits = |k: &GemmKernel| k.check_limits(shape, dtype, limits).is_ok();
    let mut tiled = gpu_class_designs(shape);
    tiled.extend(tiled_grid());
    let mut families = vec![
        with_default_first(GemmKernel::tiled_default(), tiled),
        with_default_first(GemmKernel::texture_default(), texture_grid()),
    ];
    if let Some(lanes) = subgroup {
        families.insert(
            1,
            with_default_first(
                GemmKernel::texture_subgroup_default(lanes),
                subgroup_grid(lanes),
            ),
        );
    }
    families.push(with_default_first(
        GemmKernel::broadcast_default(),
        broadcast_grid(),
    ));
    // Second, where offered: on hardware with matrix units it is the likely winner, so
    // even a short budget should reach it early.
    if let Some(offer) = coop {
        families.insert(1, offer.kernels(dtype));
    }
    interleave(
        families
            .into_iter()
            .map(|list| list.into_iter().filter(fits).collect())
            .collect(),
    )
}

/// K splits tried where K is long and the output small (see `splits_pay`).
const SPLITS: [u32; 3] = [4, 2, 8];

/// The tiled family's GPU-class designs, tried right after its default: on a deep-K
/// skinny shape the splits of K first, then 128x128 tiles (16x16 invocations, 8x8
/// blocks) and the default 64x64 tile, double-buffered and with padded A rows. With a K
/// step of 8 the double-buffered 128x128 tile needs 16 KiB, what every adapter grants;
/// the deeper ones are for adapters with more (the limits filter the rest out).
fn gpu_class_designs(shape: GemmShape) -> Vec<GemmKernel> {
    let tiled =
        |base: GemmKernel, tile_k: u32, double_buffer: bool, pad_a4: u32, split_k| GemmKernel {
            family: KernelFamily::Tiled,
            config: TileConfig {
                tile_k,
                options: TiledOptions {
                    double_buffer,
                    pad_a4,
                    split_k,
                },
                ..base.config
            },
        };
    let small = GemmKernel::tiled_default();
    let large = GemmKernel {
        config: TileConfig {
            wg_x: 16,
            wg_y: 16,
            ..small.config
        },
        ..small
    };
    let mut designs = Vec::new();
    if splits_pay(shape) {
        designs.extend(SPLITS.map(|split| tiled(small, 16, false, 0, split)));
        designs.push(tiled(small, 16, true, 0, 4));
    }
    designs.extend([
        // 128x128x8 double-buffered: the design `--kernel tiled-128` names.
        GemmKernel::tiled_128(),
        tiled(large, 16, true, 1, 1),
        tiled(small, 16, true, 0, 1),
        tiled(small, 16, false, 1, 1),
        tiled(large, 16, false, 0, 1),
        tiled(large, 8, false, 1, 1),
        tiled(large, 16, true, 0, 1),
        tiled(small, 16, true, 1, 1),
    ]);
    designs
}

/// Whether splitting K is worth a try: K at least 8 times the shorter side of C, so the
/// output has few tiles to spread over the device for the work each does.
fn splits_pay(shape: GemmShape) -> bool {
    u64::from(shape.k) >= 8 * u64::from(shape.m.min(shape.n))
}

fn tiled_grid() -> Vec<GemmKernel> {
    let mut grid = vec![GemmKernel::tiled_4x4()];
    for (wg_x, wg_y) in TILED_WORKGROUPS {
        for (block_m, block_n4) in TILED_BLOCKS {
            for tile_k in TILED_K_STEPS {
                let config = TileConfig {
                    wg_x,
                    wg_y,
                    block_m,
                    block_n4,
                    tile_k,
                    options: TiledOptions::PLAIN,
                };
                grid.push(GemmKernel {
                    family: KernelFamily::Tiled,
                    config,
                });
            }
        }
    }
    grid
}

fn texture_grid() -> Vec<GemmKernel> {
    let mut grid = Vec::new();
    for (block_m, block_n4) in TEXTURE_BLOCKS {
        for (wg_x, wg_y) in TEXTURE_WORKGROUPS {
            let config = TileConfig {
                wg_x,
                wg_y,
                block_m,
                block_n4,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            };
            grid.push(GemmKernel {
                family: KernelFamily::Texture,
                config,
            });
        }
    }
    grid
}

/// The default, then the grid, each kernel once.
fn subgroup_grid(lanes: u32) -> Vec<GemmKernel> {
    let mut grid = Vec::new();
    for (block_m, block_n4) in SUBGROUP_BLOCKS {
        for wg_y in SUBGROUP_DEPTHS {
            let config = TileConfig {
                wg_x: lanes,
                wg_y,
                block_m,
                block_n4,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            };
            grid.push(GemmKernel {
                family: KernelFamily::TextureSubgroup,
                config,
            });
        }
    }
    grid
}

fn broadcast_grid() -> Vec<GemmKernel> {
    let mut grid = Vec::new();
    for (block_m, block_n4) in BROADCAST_BLOCKS {
        for wg_x in BROADCAST_WIDTHS {
            let config = TileConfig {
                wg_x,
                wg_y: 1,
                block_m,
                block_n4,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            };
            grid.push(GemmKernel {
                family: KernelFamily::Broadcast,
                config,
            });
        }
    }
    grid
}

fn with_default_first(default: GemmKernel, grid: Vec<GemmKernel>) -> Vec<GemmKernel> {
    let mut ordered = vec![default];
    for kernel in grid {
        if !ordered.contains(&kernel) {
            ordered.push(kernel);
        }
    }
    ordered
}

/// Round-robin over the families' lists, so any prefix covers every family.
fn interleave(lists: Vec<Vec<GemmKernel>>) -> Vec<GemmKernel> {
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| lists.iter().filter_map(move |list| list.get(i).copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_first_and_families_alternate() {
        let list = candidates(
            &wgpu::Limits::default(),
            Some(8),
            None,
            Dtype::F32,
            GemmShape::square(512),
        );
        assert_eq!(list[0], GemmKernel::tiled_default());
        assert_eq!(list[1], GemmKernel::texture_subgroup_default(8));
        assert_eq!(list[2], GemmKernel::texture_default());
        assert_eq!(list[3], GemmKernel::broadcast_default());
        assert_eq!(list[4].family, KernelFamily::Tiled);
        assert_eq!(list[5].family, KernelFamily::TextureSubgroup);
        let without = candidates(
            &wgpu::Limits::default(),
            None,
            None,
            Dtype::F32,
            GemmShape::square(512),
        );
        assert!(
            without
                .iter()
                .all(|k| k.family != KernelFamily::TextureSubgroup)
        );
        let unique: std::collections::HashSet<_> = list.iter().collect();
        assert_eq!(unique.len(), list.len(), "no candidate twice");
    }

    /// The family is searched only in what the offer holds, early, and within limits.
    #[test]
    fn coop_kernels_come_only_from_the_offer() {
        use crate::kernels::coop::{CoopConfig, CoopOffer};
        let offer = CoopOffer {
            configs: vec![CoopConfig {
                side: 8,
                dtype: Dtype::F32,
            }],
            max_subgroup: 32,
        };
        let shape = GemmShape::square(512);
        let limits = wgpu::Limits::default();
        let list = candidates(&limits, Some(32), Some(&offer), Dtype::F32, shape);
        assert_eq!(list[1], offer.default_kernel(Dtype::F32).unwrap());
        let coop: Vec<_> = list
            .iter()
            .filter(|k| k.family == KernelFamily::CoopMatrix)
            .collect();
        assert!(coop.len() > 10, "{}", coop.len());
        for kernel in coop {
            assert!(kernel.check_limits(shape, Dtype::F32, &limits).is_ok());
        }
        for (coop, dtype) in [(Some(&offer), Dtype::F16), (None, Dtype::F32)] {
            let list = candidates(&limits, Some(32), coop, dtype, shape);
            assert!(list.iter().all(|k| k.family != KernelFamily::CoopMatrix));
        }
    }

    #[test]
    fn gpu_class_designs_follow_the_tiled_default_within_the_limits() {
        let tiled_in = |limits: &wgpu::Limits, shape| -> Vec<GemmKernel> {
            candidates(limits, None, None, Dtype::F32, shape)
                .into_iter()
                .filter(|k| k.family == KernelFamily::Tiled)
                .collect()
        };
        let tiled = |shape| tiled_in(&wgpu::Limits::default(), shape);
        let square = tiled(GemmShape::square(512));
        assert_eq!(square[0], GemmKernel::tiled_default());
        // 128x128 tiles, double-buffered, in the 16 KiB the default limits grant.
        assert_eq!(
            (square[1].config.tile_m(), square[1].config.tile_n()),
            (128, 128)
        );
        assert!(square[1].config.options.double_buffer);
        assert_eq!(square[1].workgroup_storage(Dtype::F32), 16 * 1024);
        assert!(square.iter().any(|k| k.config.options.pad_a4 > 0));
        assert!(
            square.iter().all(|k| k.splits() == 1),
            "no split on a square"
        );
        let skinny = tiled(GemmShape {
            m: 64,
            n: 64,
            k: 16384,
        });
        assert_eq!(skinny[0], GemmKernel::tiled_default());
        assert_eq!(skinny[1].splits(), 4, "splits first on a deep K");
        assert!(skinny.iter().any(|k| k.splits() == 8));
        // An adapter with 32 KiB of workgroup memory gets the deeper double buffers too.
        let roomy = wgpu::Limits {
            max_compute_workgroup_storage_size: 32 * 1024,
            ..wgpu::Limits::default()
        };
        let deep_double = |k: &GemmKernel| {
            k.config.tile_m() == 128 && k.config.tile_k == 16 && k.config.options.double_buffer
        };
        assert!(!square.iter().any(deep_double));
        let roomy_square = tiled_in(&roomy, GemmShape::square(512));
        assert!(roomy_square.iter().any(deep_double));
    }

    #[test]
    fn candidates_respect_the_adapters_limits() {
        let small = wgpu::Limits {
            max_compute_workgroup_storage_size: 8192,
            max_compute_invocations_per_workgroup: 64,
            ..wgpu::Limits::default()
        };
        let list = candidates(&small, Some(32), None, Dtype::F32, GemmShape::square(512));
        assert!(!list.is_empty());
        for kernel in &list {
            assert!(kernel.config.wg_x * kernel.config.wg_y <= 64, "{kernel:?}");
            assert!(kernel.workgroup_storage(Dtype::F32) <= 8192, "{kernel:?}");
        }
    }
}
