//! The cooperative-matrix GEMM family's offer: which configurations an adapter reports
//! (`wgpu::Adapter::cooperative_matrix_properties`, never assumed from its name), which of
//! them the kernel can express in WGSL (square 8x8 or 16x16 fragments, f32 or f16 inputs,
//! f32 or f16 sums: what naga's `coop_matNxN` takes), the kernels the autotuner may try
//! for each element type, and the one-line note a run shows where the family is left out.
//! Pure: the adapter's answers come in as values, so made-up property lists test it.

use super::dtype::Dtype;
use super::gemm::{GemmKernel, KernelFamily, TileConfig, TiledOptions};

/// What every note about the family starts with.
pub const NOTE_PREFIX: &str = "cooperative matrices: ";

/// Fragment sides naga's WGSL front end has types for (`coop_mat8x8`, `coop_mat16x16`).
pub const SIDES: [u32; 2] = [8, 16];

/// Invocations per workgroup tried: each a multiple of the adapter's largest subgroup, so
/// every subgroup is whole whatever size the driver picks.
const WORKGROUP_SIZES: [u32; 3] = [64, 128, 256];
/// Subgroup blocks per side of a workgroup tile.
const BLOCKS_PER_SIDE: [u32; 2] = [2, 4];
/// Fragments per subgroup block, along M and along N.
const FRAGMENTS: [(u32, u32); 6] = [(2, 2), (1, 1), (2, 4), (4, 2), (4, 4), (1, 2)];

/// One configuration the kernel can run: square fragments of `side` in `dtype` (f32: f32
/// in and out; f16: f16 in and out; f16f32: f16 in, f32 sums).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoopConfig {
    pub side: u32,
    pub dtype: Dtype,
}

impl CoopConfig {
    /// "8x8 f32".
    pub fn label(&self) -> String {
        format!("{0}x{0} {1}", self.side, self.dtype)
    }
}

/// The family's place on an adapter: offered (with what), or left out (and why).
#[derive(Debug, Clone, PartialEq)]
pub enum CoopSupport {
    Offered(CoopOffer),
    /// Why the family is not in this adapter's search space, in words.
    LeftOut(String),
}

/// The usable configurations and the subgroup size workgroups must be whole multiples of.
#[derive(Debug, Clone, PartialEq)]
pub struct CoopOffer {
    pub configs: Vec<CoopConfig>,
    /// The adapter's largest subgroup size.
    pub max_subgroup: u32,
}

/// What the adapter says, as `support` needs it.
#[derive(Debug, Clone, Copy)]
pub struct AdapterCoop<'a> {
    /// The adapter's features (EXPERIMENTAL_COOPERATIVE_MATRIX and SUBGROUP are read).
    pub features: wgpu::Features,
    /// Its answer to `cooperative_matrix_properties()`.
    pub properties: &'a [wgpu::CooperativeMatrixProperties],
    /// Its largest subgroup size.
    pub max_subgroup: u32,
}

/// Decides the family's place from the adapter's features and properties.
pub fn support(adapter: AdapterCoop<'_>) -> CoopSupport {
    let left_out = |why: String| CoopSupport::LeftOut(format!("{NOTE_PREFIX}{why}"));
    if !adapter
        .features
        .contains(wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX)
    {
        return left_out(
            "not offered by this adapter (no EXPERIMENTAL_COOPERATIVE_MATRIX)".to_string(),
        );
    }
    let configs = usable_configs(adapter.properties);
    if configs.is_empty() {
        let reported: Vec<String> = adapter.properties.iter().map(describe).collect();
        return left_out(format!(
            "the adapter reports {}, none of which the kernel can express (square 8x8 or 16x16 fragments, f32 or f16 inputs, f32 or f16 sums)",
            if reported.is_empty() {
                "no configuration".to_string()
            } else {
                reported.join(", ")
            }
        ));
    }
    if !adapter.features.contains(wgpu::Features::SUBGROUP) || adapter.max_subgroup == 0 {
        return left_out(
            "offered, but the adapter has no subgroups (the kernel places its fragments by subgroup)"
                .to_string(),
        );
    }
    CoopSupport::Offered(CoopOffer {
        configs,
        max_subgroup: adapter.max_subgroup,
    })
}

/// The reported configurations the kernel can run, each once, smallest side first.
pub fn usable_configs(properties: &[wgpu::CooperativeMatrixProperties]) -> Vec<CoopConfig> {
    use wgpu::CooperativeScalarType as S;
    let mut configs: Vec<CoopConfig> = properties
        .iter()
        .filter(|p| p.m_size == p.n_size && p.n_size == p.k_size && SIDES.contains(&p.m_size))
        .filter_map(|p| {
            let dtype = match (p.ab_type, p.cr_type) {
                (S::F32, S::F32) => Dtype::F32,
                (S::F16, S::F16) => Dtype::F16,
                (S::F16, S::F32) => Dtype::F16F32,
                _ => return None,
            };
            Some(CoopConfig {
                side: p.m_size,
                dtype,
            })
        })
        .collect();
    let order = |c: &CoopConfig| (c.side, Dtype::ALL.iter().position(|d| *d == c.dtype));
    configs.sort_by_key(order);
    configs.dedup();
    configs
}

/// "16x8x16 f16->f32", for a note naming what the adapter reported.
fn describe(p: &wgpu::CooperativeMatrixProperties) -> String {
    format!(
        "{}x{}x{} {:?}->{:?}",
        p.m_size, p.n_size, p.k_size, p.ab_type, p.cr_type
    )
    .to_lowercase()
}

impl CoopSupport {
    /// The offer, when the family is searched on this adapter.
    pub fn offer(&self) -> Option<&CoopOffer> {
        match self {
            CoopSupport::Offered(offer) => Some(offer),
            CoopSupport::LeftOut(_) => None,
        }
    }

    /// The note a run shows for `dtype` when the family is not searched in it; None when
    /// it is, and for i8 (the family has no integer variant).
    pub fn note_for(&self, dtype: Dtype) -> Option<String> {
        if !dtype.is_float() {
            return None;
        }
        match self {
            CoopSupport::LeftOut(why) => Some(why.clone()),
            CoopSupport::Offered(offer) if offer.sides(dtype).is_empty() => {
                let offered: Vec<String> = offer.configs.iter().map(CoopConfig::label).collect();
                Some(format!(
                    "{NOTE_PREFIX}the adapter offers {} only, none in {dtype}",
                    offered.join(", ")
                ))
            }
            CoopSupport::Offered(_) => None,
        }
    }
}

impl CoopOffer {
    /// Fragment sides offered in `dtype`, smallest first.
    pub fn sides(&self, dtype: Dtype) -> Vec<u32> {
        self.configs
            .iter()
            .filter(|c| c.dtype == dtype)
            .map(|c| c.side)
            .collect()
    }

    /// Workgroup sizes that hold whole subgroups of the largest size, smallest first.
    fn workgroup_sizes(&self) -> Vec<u32> {
        let sizes: Vec<u32> = WORKGROUP_SIZES
            .into_iter()
            .filter(|w| w.is_multiple_of(self.max_subgroup))
            .collect();
        if sizes.is_empty() {
            vec![self.max_subgroup]
        } else {
            sizes
        }
    }

    /// The default kernel in `dtype`: the smallest side, the smallest workgroup, 2x2 blocks
    /// of 2x2 fragments. None when `dtype` is not offered.
    pub fn default_kernel(&self, dtype: Dtype) -> Option<GemmKernel> {
        let side = *self.sides(dtype).first()?;
        let invocations = *self.workgroup_sizes().first()?;
        Some(kernel(side, invocations, 2, (2, 2)))
    }

    /// Every kernel the autotuner may try in `dtype`, the default first: each offered side,
    /// workgroup size, block grid and fragment block, leaving out grids with fewer blocks
    /// than the workgroup certainly has subgroups (those would idle).
    pub fn kernels(&self, dtype: Dtype) -> Vec<GemmKernel> {
        let mut list: Vec<GemmKernel> = self.default_kernel(dtype).into_iter().collect();
        for side in self.sides(dtype) {
            for invocations in self.workgroup_sizes() {
                let fewest_subgroups = invocations / self.max_subgroup;
                for blocks in BLOCKS_PER_SIDE {
                    if blocks * blocks < fewest_subgroups {
                        continue;
                    }
                    for fragments in FRAGMENTS {
                        let candidate = kernel(side, invocations, blocks, fragments);
                        if !list.contains(&candidate) {
                            list.push(candidate);
                        }
                    }
                }
            }
        }
        list
    }
}

/// A cooperative kernel; see `KernelFamily::CoopMatrix` for how the geometry is held.
pub fn kernel(
    side: u32,
    invocations: u32,
    blocks_per_side: u32,
    (fragments_m, fragments_n): (u32, u32),
) -> GemmKernel {
    GemmKernel {
        family: KernelFamily::CoopMatrix,
        config: TileConfig {
            wg_x: invocations,
            wg_y: blocks_per_side,
            block_m: fragments_m,
            block_n4: fragments_n,
            tile_k: side,
            options: TiledOptions::PLAIN,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wgpu::CooperativeScalarType as S;

    fn property(side: (u32, u32, u32), ab: S, cr: S) -> wgpu::CooperativeMatrixProperties {
        wgpu::CooperativeMatrixProperties {
            m_size: side.0,
            n_size: side.1,
            k_size: side.2,
            ab_type: ab,
            cr_type: cr,
            saturating_accumulation: false,
        }
    }

    fn adapter(
        features: wgpu::Features,
        properties: &[wgpu::CooperativeMatrixProperties],
    ) -> CoopSupport {
        support(AdapterCoop {
            features,
            properties,
            max_subgroup: 32,
        })
    }

    fn both() -> wgpu::Features {
        wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX | wgpu::Features::SUBGROUP
    }

    /// A list as an Apple GPU's Metal adapter reports it (8x8: f32, f16, f16 into f32).
    fn metal_like() -> Vec<wgpu::CooperativeMatrixProperties> {
        vec![
            property((8, 8, 8), S::F32, S::F32),
            property((8, 8, 8), S::F16, S::F16),
            property((8, 8, 8), S::F16, S::F32),
        ]
    }

    #[test]
    fn without_the_feature_the_family_is_left_out_with_the_note() {
        let support = adapter(wgpu::Features::SUBGROUP, &metal_like());
        assert_eq!(support.offer(), None);
        assert_eq!(
            support.note_for(Dtype::F32).as_deref(),
            Some(
                "cooperative matrices: not offered by this adapter (no EXPERIMENTAL_COOPERATIVE_MATRIX)"
            )
        );
        assert_eq!(support.note_for(Dtype::I8), None);
    }

    #[test]
    fn every_expressible_configuration_is_offered_once() {
        let mut properties = metal_like();
        properties.push(property((8, 8, 8), S::F32, S::F32)); // saturating twin, say
        properties.push(property((16, 16, 16), S::F16, S::F32));
        let support = adapter(both(), &properties);
        let offer = support.offer().expect("offered");
        assert_eq!(offer.sides(Dtype::F32), vec![8]);
        assert_eq!(offer.sides(Dtype::F16), vec![8]);
        assert_eq!(offer.sides(Dtype::F16F32), vec![8, 16]);
        assert_eq!(offer.configs.len(), 4);
        for dtype in [Dtype::F32, Dtype::F16, Dtype::F16F32] {
            assert_eq!(support.note_for(dtype), None, "{dtype}");
        }
    }

    #[test]
    fn configurations_naga_cannot_express_are_not_offered() {
        // As recent NVIDIA drivers report: f16 at 16x8x16, integer and 16x16 f16 types.
        let properties = [
            property((16, 8, 16), S::F16, S::F32),
            property((16, 16, 16), S::I32, S::I32),
            property((32, 32, 32), S::F16, S::F16),
        ];
        let support = adapter(both(), &properties);
        let note = support.note_for(Dtype::F16F32).expect("left out");
        assert!(note.starts_with(NOTE_PREFIX), "{note}");
        assert!(note.contains("16x8x16 f16->f32"), "{note}");
        assert!(note.contains("none of which"), "{note}");
        let nothing = adapter(both(), &[]);
        assert!(
            nothing
                .note_for(Dtype::F32)
                .unwrap()
                .contains("no configuration")
        );
    }

    #[test]
    fn a_dtype_the_adapter_does_not_offer_gets_its_own_note() {
        let support = adapter(both(), &[property((8, 8, 8), S::F32, S::F32)]);
        let offer = support.offer().expect("offered in f32");
        assert!(offer.kernels(Dtype::F16).is_empty());
        assert_eq!(
            support.note_for(Dtype::F16).as_deref(),
            Some("cooperative matrices: the adapter offers 8x8 f32 only, none in f16")
        );
    }

    #[test]
    fn without_subgroups_the_family_is_left_out() {
        let support = adapter(
            wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX,
            &metal_like(),
        );
        assert!(
            support
                .note_for(Dtype::F32)
                .unwrap()
                .contains("no subgroups")
        );
    }

    #[test]
    fn kernels_use_offered_sides_and_whole_subgroups() {
        let offer = CoopOffer {
            configs: vec![
                CoopConfig {
                    side: 8,
                    dtype: Dtype::F32,
                },
                CoopConfig {
                    side: 16,
                    dtype: Dtype::F32,
                },
            ],
            max_subgroup: 32,
        };
        let list = offer.kernels(Dtype::F32);
        assert_eq!(list[0], offer.default_kernel(Dtype::F32).unwrap());
        assert_eq!(list[0], kernel(8, 64, 2, (2, 2)));
        let unique: std::collections::HashSet<_> = list.iter().collect();
        assert_eq!(unique.len(), list.len(), "no kernel twice");
        assert!(list.iter().any(|k| k.config.tile_k == 16));
        for k in &list {
            let c = k.config;
            assert_eq!(k.family, KernelFamily::CoopMatrix);
            assert!(SIDES.contains(&c.tile_k), "{k:?}");
            assert!(c.wg_x.is_multiple_of(32), "{k:?}");
            assert!(c.wg_y * c.wg_y >= c.wg_x / 32, "{k:?}: idle subgroups");
        }
        assert!(
            !list.contains(&kernel(8, 256, 2, (2, 2))),
            "4 blocks for 8 subgroups of 32 at least"
        );
        let odd = CoopOffer {
            max_subgroup: 96,
            ..offer
        };
        assert_eq!(odd.default_kernel(Dtype::F32).unwrap().config.wg_x, 96);
    }
}
