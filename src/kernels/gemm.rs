//! The GEMM kernel families: what each needs compiled, how it pads and dispatches a shape,
//! and whether an adapter's limits allow it. Shapes are C[M x N] = A[M x K] * B[K x N],
//! row-major, with leading dimensions equal to the padded widths.

use serde::{Deserialize, Serialize};

use super::dtype::Dtype;
use super::{coop, source};

/// A kernel and shape that cannot run: beyond what the adapter allows, past what a kernel
/// can index, or a geometry that does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("{family} {dtype} at {}: needs {what} {needed}, the adapter allows {limit}", shape.label())]
    Exceeds {
        family: &'static str,
        dtype: Dtype,
        shape: GemmShape,
        what: &'static str,
        needed: u64,
        limit: u64,
    },
    #[error(
        "{family} {dtype} at {}: padding to whole tiles makes a side of {side}, past the largest size a kernel indexes ({})",
        shape.label(),
        u32::MAX
    )]
    PaddedPastU32 {
        family: &'static str,
        dtype: Dtype,
        shape: GemmShape,
        side: u64,
    },
    #[error("{family}: {problem}")]
    Geometry {
        family: &'static str,
        #[source]
        problem: GeometryError,
    },
    /// A `--kernel` the adapter cannot run at all, whatever the shape.
    #[error("--kernel {kernel} {dtype}: {why}")]
    NotOffered {
        kernel: KernelId,
        dtype: Dtype,
        why: String,
    },
}

/// A geometry no adapter can run, whatever its origin (a tuning cache may hold anything).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("geometry {0:?} needs every size and split_k at least 1 and tile_k a multiple of 4")]
    ZeroOrUnaligned(TileConfig),
    #[error("geometry {0:?} is too large to compute with")]
    TooLarge(TileConfig),
    #[error("cooperative fragments are {sides:?} on a side, not {0}", sides = coop::SIDES)]
    FragmentSide(u32),
    #[error("double buffering, padding and split-K are options of the tiled family only")]
    OptionsOutsideTiled,
}

/// Invocations per workgroup of split-K's second pass (the shader's default `WG`).
pub const SPLIT_K_REDUCE_WG: u32 = 64;

/// A GEMM problem size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GemmShape {
    pub m: u32,
    pub n: u32,
    pub k: u32,
}

impl GemmShape {
    pub fn square(size: u32) -> Self {
        GemmShape {
            m: size,
            n: size,
            k: size,
        }
    }

    /// Floating-point operations of one multiply: 2 * M * N * K.
    pub fn flops(&self) -> f64 {
        2.0 * f64::from(self.m) * f64::from(self.n) * f64::from(self.k)
    }

    /// "MxNxK".
    pub fn label(&self) -> String {
        format!("{}x{}x{}", self.m, self.n, self.k)
    }
}

/// The shader families; each has its own WGSL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KernelFamily {
    /// One invocation per output element: the baseline.
    Naive,
    /// Workgroup tiles in shared memory, a register block per invocation, vec4 loads.
    Tiled,
    /// Inputs read as read-only storage textures, a register block per invocation.
    Texture,
    /// One-row workgroups sharing A rows (uniform loads), B read as a storage texture.
    Broadcast,
    /// As `Texture`, with A fetched once per subgroup and shared by subgroupBroadcast.
    TextureSubgroup,
    /// Signed 8-bit inputs packed four to a u32, multiplied with dot4I8Packed into i32.
    Dot4,
    /// Cooperative matrices (tensor cores, simdgroup matrices): square fragments multiplied
    /// by a subgroup at a time, on adapters that offer them (`coop`). Its `TileConfig`
    /// reads: `wg_x` invocations (one dimension), `wg_y` subgroup blocks per side of the
    /// workgroup tile, `block_m` x `block_n4` fragments per block, `tile_k` the fragment
    /// side (also the K step).
    #[serde(rename = "coop-matrix")]
    CoopMatrix,
}

impl KernelFamily {
    pub const ALL: [KernelFamily; 7] = [
        KernelFamily::Naive,
        KernelFamily::Tiled,
        KernelFamily::Texture,
        KernelFamily::Broadcast,
        KernelFamily::TextureSubgroup,
        KernelFamily::Dot4,
        KernelFamily::CoopMatrix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KernelFamily::Naive => "naive",
            KernelFamily::Tiled => "tiled",
            KernelFamily::Texture => "texture",
            KernelFamily::Broadcast => "broadcast",
            KernelFamily::TextureSubgroup => "texture-subgroup",
            KernelFamily::Dot4 => "dot4",
            KernelFamily::CoopMatrix => "coop-matrix",
        }
    }

    /// Whether the family runs in `dtype`: `dot4` only in i8, every other family only in
    /// floating point.
    pub fn supports(self, dtype: Dtype) -> bool {
        (self == KernelFamily::Dot4) == (dtype == Dtype::I8)
    }

    /// Device features the family needs beyond the element type's.
    pub fn required_features(self) -> wgpu::Features {
        match self {
            KernelFamily::TextureSubgroup => wgpu::Features::SUBGROUP,
            // Fragments are placed by subgroup_id and num_subgroups.
            KernelFamily::CoopMatrix => {
                wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX | wgpu::Features::SUBGROUP
            }
            _ => wgpu::Features::empty(),
        }
    }

    /// Whether A is bound as a storage texture rather than a storage buffer.
    pub fn reads_a_as_texture(self) -> bool {
        matches!(self, KernelFamily::Texture | KernelFamily::TextureSubgroup)
    }

    /// Whether B is bound as a storage texture rather than a storage buffer.
    pub fn reads_b_as_texture(self) -> bool {
        matches!(
            self,
            KernelFamily::Texture | KernelFamily::Broadcast | KernelFamily::TextureSubgroup
        )
    }
}

/// The kernels a user can pick with `--kernel`: fixed designs, or `tuned`, the fastest
/// verified kernel the autotuner found for this adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum KernelId {
    /// One invocation per output element: the baseline.
    Naive,
    /// Shared-memory tiles (64x64x16), an 8x8 register block per invocation, vec4 loads.
    Tiled,
    /// The common public design: 64x64 tiles, 16x16 invocations with 4x4 blocks, vec4.
    #[value(name = "tiled-4x4")]
    #[serde(rename = "tiled-4x4")]
    Tiled4x4,
    /// Inputs read as storage textures, a 16x4 register block per invocation.
    Texture,
    /// The autotuner's choice among all families and geometries for this adapter.
    Tuned,
    /// Int8 with dot4I8Packed (the only kernel for `--dtype i8`).
    #[value(name = "dot4-i8")]
    #[serde(rename = "dot4-i8")]
    Dot4I8,
    /// Storage textures with A shared across a subgroup (subgroupBroadcast), a 16x4 block;
    /// needs subgroups of one fixed size.
    TextureSubgroup,
    /// GPU-class tiles: 128x128x8, double-buffered workgroup memory, an 8x8 block.
    #[value(name = "tiled-128")]
    #[serde(rename = "tiled-128")]
    Tiled128,
    /// Cooperative matrices (tensor cores, simdgroup matrices) where the adapter offers
    /// them: its smallest offered fragment in the element type.
    CoopMatrix,
}

impl std::fmt::Display for KernelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl KernelId {
    pub const ALL: [KernelId; 9] = [
        KernelId::Naive,
        KernelId::Tiled,
        KernelId::Tiled4x4,
        KernelId::Texture,
        KernelId::Tuned,
        KernelId::Dot4I8,
        KernelId::TextureSubgroup,
        KernelId::Tiled128,
        KernelId::CoopMatrix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KernelId::Naive => "naive",
            KernelId::Tiled => "tiled",
            KernelId::Tiled4x4 => "tiled-4x4",
            KernelId::Texture => "texture",
            KernelId::Tuned => "tuned",
            KernelId::Dot4I8 => "dot4-i8",
            KernelId::TextureSubgroup => "texture-subgroup",
            KernelId::Tiled128 => "tiled-128",
            KernelId::CoopMatrix => "coop-matrix",
        }
    }

    /// The fixed kernel this id names in `dtype` on an adapter offering `offer`; None for
    /// `tuned`, which the autotuner resolves. An id the adapter cannot run at all (no
    /// fixed subgroup size, no cooperative matrices in `dtype`) is refused with the reason.
    pub fn fixed(
        self,
        dtype: Dtype,
        offer: &AdapterOffer<'_>,
    ) -> Result<Option<GemmKernel>, LimitError> {
        let not_offered = |why: String| LimitError::NotOffered {
            kernel: self,
            dtype,
            why,
        };
        Ok(Some(match self {
            KernelId::Naive => GemmKernel::naive(offer.limits),
            KernelId::Tiled => GemmKernel::tiled_default(),
            KernelId::Tiled4x4 => GemmKernel::tiled_4x4(),
            KernelId::Texture => GemmKernel::texture_default(),
            KernelId::Tuned => return Ok(None),
            KernelId::Dot4I8 => GemmKernel::dot4_default(),
            KernelId::Tiled128 => GemmKernel::tiled_128(),
            KernelId::TextureSubgroup => match offer.subgroup {
                Some(lanes) => GemmKernel::texture_subgroup_default(lanes),
                None => {
                    return Err(not_offered(
                        "the adapter has no subgroups of one fixed size".into(),
                    ));
                }
            },
            KernelId::CoopMatrix => {
                match offer.coop.offer().and_then(|o| o.default_kernel(dtype)) {
                    Some(kernel) => kernel,
                    None => {
                        let why = offer.coop.note_for(dtype).unwrap_or_else(|| {
                            "cooperative matrices have no integer variant".into()
                        });
                        return Err(not_offered(why));
                    }
                }
            }
        }))
    }
}

/// What an adapter offers that the fixed kernels depend on, besides its limits.
#[derive(Debug, Clone, Copy)]
pub struct AdapterOffer<'a> {
    pub limits: &'a wgpu::Limits,
    /// The subgroup size, where every subgroup has the same one.
    pub subgroup: Option<u32>,
    pub coop: &'a coop::CoopSupport,
}

/// The tunable geometry of a kernel. The naive kernel uses only the workgroup size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TileConfig {
    /// Invocations per workgroup along N and along M.
    pub wg_x: u32,
    pub wg_y: u32,
    /// Register block: rows of C per invocation, and vec4 columns of C per invocation.
    pub block_m: u32,
    pub block_n4: u32,
    /// K step staged in workgroup memory per iteration (a multiple of 4).
    pub tile_k: u32,
    /// The tiled family's GPU-class options; plain (and absent from the file) for every
    /// other kernel, and in tuning caches written before they existed.
    #[serde(default, skip_serializing_if = "TiledOptions::is_plain")]
    pub options: TiledOptions,
}

/// Options of the tiled family that change how a tile is staged and how K is shared out,
/// not its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct TiledOptions {
    /// Two workgroup buffers per operand: the next K slice is loaded while this one is
    /// multiplied, with one barrier per step instead of two.
    pub double_buffer: bool,
    /// vec4s of padding after each row of the workgroup A tile, so that the rows one step
    /// reads do not start in the same memory bank.
    pub pad_a4: u32,
    /// Workgroups along z that each sum 1/split_k of K into their own partial C, added up
    /// by a second pass (for shapes with few output tiles and a long K); 1 = no split.
    pub split_k: u32,
}

impl Default for TiledOptions {
    fn default() -> Self {
        TiledOptions::PLAIN
    }
}

impl TiledOptions {
    /// One buffer, no padding, no split: the tiled kernel as it always was.
    pub const PLAIN: TiledOptions = TiledOptions {
        double_buffer: false,
        pad_a4: 0,
        split_k: 1,
    };

    pub fn is_plain(&self) -> bool {
        *self == Self::PLAIN
    }

    /// Workgroup buffers per operand.
    pub fn stages(&self) -> u32 {
        if self.double_buffer { 2 } else { 1 }
    }

    /// ", double-buffered, A rows padded 1 vec4, split-K 4" (the options that are on).
    fn describe(&self) -> String {
        let mut text = String::new();
        if self.double_buffer {
            text.push_str(", double-buffered");
        }
        if self.pad_a4 > 0 {
            text.push_str(&format!(", A rows padded {} vec4", self.pad_a4));
        }
        if self.split_k > 1 {
            text.push_str(&format!(", split-K {}", self.split_k));
        }
        text
    }
}

impl TileConfig {
    /// What any geometry must satisfy before arithmetic on it, whatever its origin (a
    /// tuning cache may hold anything): every size at least 1, the K step a multiple of 4,
    /// and the tile, workgroup and workgroup-memory products within u32.
    pub fn check(&self) -> Result<(), GeometryError> {
        let sizes = [
            self.wg_x,
            self.wg_y,
            self.block_m,
            self.block_n4,
            self.tile_k,
        ];
        if sizes.contains(&0) || !self.tile_k.is_multiple_of(4) || self.options.split_k == 0 {
            return Err(GeometryError::ZeroOrUnaligned(*self));
        }
        let tile_m = self.wg_y.checked_mul(self.block_m);
        let tile_n = self
            .wg_x
            .checked_mul(self.block_n4)
            .and_then(|v| v.checked_mul(4));
        let a_row = self
            .options
            .pad_a4
            .checked_mul(4)
            .and_then(|pad| pad.checked_add(self.tile_k));
        let storage = tile_m.zip(tile_n).zip(a_row).and_then(|((m, n), a_row)| {
            let a = m.checked_mul(a_row)?;
            let stage = a.checked_add(n.checked_mul(self.tile_k)?)?;
            stage.checked_mul(self.options.stages())
        });
        let k_step = self.tile_k.checked_mul(self.options.split_k);
        match (self.wg_x.checked_mul(self.wg_y), storage, k_step) {
            (Some(_), Some(_), Some(_)) => Ok(()),
            _ => Err(GeometryError::TooLarge(*self)),
        }
    }

    /// What K is padded to a multiple of: one K step per split.
    pub fn k_step(&self) -> u32 {
        self.tile_k * self.options.split_k
    }

    /// Rows of C per workgroup.
    pub fn tile_m(&self) -> u32 {
        self.wg_y * self.block_m
    }

    /// Columns of C per workgroup.
    pub fn tile_n(&self) -> u32 {
        self.wg_x * self.block_n4 * 4
    }
}

/// A kernel family with a concrete geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GemmKernel {
    pub family: KernelFamily,
    pub config: TileConfig,
}

impl GemmKernel {
    /// The naive baseline with 16x16 workgroups (8x8 where the adapter allows fewer).
    pub fn naive(limits: &wgpu::Limits) -> Self {
        let side = if limits.max_compute_invocations_per_workgroup >= 256 {
            16
        } else {
            8
        };
        GemmKernel {
            family: KernelFamily::Naive,
            config: TileConfig {
                wg_x: side,
                wg_y: side,
                block_m: 1,
                block_n4: 1,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The tiled kernel's default geometry: 8x8 invocations, each an 8x8 block, 64x64 tiles.
    pub fn tiled_default() -> Self {
        GemmKernel {
            family: KernelFamily::Tiled,
            config: TileConfig {
                wg_x: 8,
                wg_y: 8,
                block_m: 8,
                block_n4: 2,
                tile_k: 16,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The common public design: 64x64 tiles, 16x16 invocations each a 4x4 block, K step 16.
    pub fn tiled_4x4() -> Self {
        GemmKernel {
            family: KernelFamily::Tiled,
            config: TileConfig {
                wg_x: 16,
                wg_y: 16,
                block_m: 4,
                block_n4: 1,
                tile_k: 16,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The GPU-class tiled design `--kernel tiled-128` names: 128x128 tiles 8 deep (16x16
    /// invocations, 8x8 blocks), double-buffered: 16 KiB of workgroup memory in f32, what
    /// every adapter grants.
    pub fn tiled_128() -> Self {
        let small = Self::tiled_default();
        GemmKernel {
            family: KernelFamily::Tiled,
            config: TileConfig {
                wg_x: 16,
                wg_y: 16,
                tile_k: 8,
                options: TiledOptions {
                    double_buffer: true,
                    ..TiledOptions::PLAIN
                },
                ..small.config
            },
        }
    }

    /// The texture kernel's default geometry: 8x4 invocations, each a 16x4 block.
    pub fn texture_default() -> Self {
        GemmKernel {
            family: KernelFamily::Texture,
            config: TileConfig {
                wg_x: 8,
                wg_y: 4,
                block_m: 16,
                block_n4: 1,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The row-broadcast kernel's default geometry: 8 invocations, each a 16x4 block.
    pub fn broadcast_default() -> Self {
        GemmKernel {
            family: KernelFamily::Broadcast,
            config: TileConfig {
                wg_x: 8,
                wg_y: 1,
                block_m: 16,
                block_n4: 1,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The subgroup texture kernel for subgroups of `subgroup` lanes: a 16x4 block per
    /// invocation, workgroups one subgroup wide and 4 deep.
    pub fn texture_subgroup_default(subgroup: u32) -> Self {
        GemmKernel {
            family: KernelFamily::TextureSubgroup,
            config: TileConfig {
                wg_x: subgroup,
                wg_y: 4,
                block_m: 16,
                block_n4: 1,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The int8 kernel: 16x16 invocations, each a 4x4 block of i32 sums.
    pub fn dot4_default() -> Self {
        GemmKernel {
            family: KernelFamily::Dot4,
            config: TileConfig {
                wg_x: 16,
                wg_y: 16,
                block_m: 4,
                block_n4: 1,
                tile_k: 4,
                options: TiledOptions::PLAIN,
            },
        }
    }

    /// The default kernel of a family for an adapter whose subgroups, if fixed in size,
    /// have `subgroup` lanes; None for the subgroup family without such subgroups, and
    /// for the cooperative family, whose kernels come from the adapter's offer
    /// (`coop::CoopOffer::default_kernel`).
    pub fn default_for(
        family: KernelFamily,
        limits: &wgpu::Limits,
        subgroup: Option<u32>,
    ) -> Option<Self> {
        Some(match family {
            KernelFamily::Naive => Self::naive(limits),
            KernelFamily::Tiled => Self::tiled_default(),
            KernelFamily::Texture => Self::texture_default(),
            KernelFamily::Broadcast => Self::broadcast_default(),
            KernelFamily::TextureSubgroup => Self::texture_subgroup_default(subgroup?),
            KernelFamily::Dot4 => Self::dot4_default(),
            KernelFamily::CoopMatrix => return None,
        })
    }

    /// The family and geometry, for tables and results files.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.family.as_str(), self.geometry())
    }

    /// A short description of the geometry, for tables.
    pub fn geometry(&self) -> String {
        let c = &self.config;
        let block = format!(
            "block {}x{}, wg {}x{}",
            c.block_m,
            c.block_n4 * 4,
            c.wg_x,
            c.wg_y
        );
        match self.family {
            KernelFamily::Naive => format!("wg {}x{}", c.wg_x, c.wg_y),
            KernelFamily::Texture
            | KernelFamily::Broadcast
            | KernelFamily::TextureSubgroup
            | KernelFamily::Dot4 => block,
            KernelFamily::Tiled => format!(
                "tile {}x{}x{}, {block}{}",
                c.tile_m(),
                c.tile_n(),
                c.tile_k,
                c.options.describe()
            ),
            KernelFamily::CoopMatrix => format!(
                "tile {}x{}, {blocks}x{blocks} blocks of {}x{} fragments {side}x{side}, wg {}",
                self.tile_m(),
                self.tile_n(),
                c.block_m,
                c.block_n4,
                c.wg_x,
                blocks = c.wg_y,
                side = c.tile_k
            ),
        }
    }

    /// The WGSL for this kernel in `dtype`.
    pub fn source(&self, dtype: Dtype) -> String {
        let c = &self.config;
        let blocks = [("BM", c.block_m), ("BN4", c.block_n4)];
        let text = match self.family {
            KernelFamily::Naive => source::GEMM_NAIVE.to_string(),
            KernelFamily::Tiled => source::with_consts(
                source::GEMM_TILED,
                &[
                    blocks[0],
                    blocks[1],
                    ("STAGES", c.options.stages()),
                    ("PAD_A4", c.options.pad_a4),
                ],
            ),
            KernelFamily::Texture => source::with_consts(source::GEMM_TEXTURE, &blocks),
            KernelFamily::Broadcast => source::with_consts(source::GEMM_BROADCAST, &blocks),
            KernelFamily::Dot4 => source::with_consts(source::GEMM_DOT4, &blocks),
            KernelFamily::TextureSubgroup => {
                let fetches = c.block_m.div_ceil(c.wg_x);
                let consts = [
                    blocks[0],
                    blocks[1],
                    ("SG", c.wg_x),
                    ("FETCHES", fetches),
                    ("WG_Y", c.wg_y),
                ];
                let text = source::with_consts(source::GEMM_TEXTURE_SUBGROUP, &consts);
                source::with_generated_block(&text, c.block_m, c.block_n4, c.wg_x)
            }
            KernelFamily::CoopMatrix => {
                let consts = [
                    ("S", c.tile_k),
                    ("FM", c.block_m),
                    ("FN", c.block_n4),
                    ("BLOCKS", c.wg_y),
                ];
                let text = source::with_consts(source::GEMM_COOP, &consts);
                source::with_generated_coop(&text, c.tile_k, c.block_m, c.block_n4)
            }
        };
        source::with_dtype(&source::gemm_module(&text), dtype)
    }

    /// The WGSL of split-K's second pass in `dtype`: one per element type, since it reads
    /// the split from its buffers' sizes.
    pub fn split_k_reduce_source(dtype: Dtype) -> String {
        source::with_dtype(source::GEMM_SPLIT_K_REDUCE, dtype)
    }

    /// Workgroups of split-K's second pass over the padded C of `shape`: one vec4 per
    /// invocation, capped at the adapter's limit (the pass strides over the rest).
    pub fn split_k_reduce_workgroups(&self, shape: GemmShape, limits: &wgpu::Limits) -> u32 {
        let padded = self.padded(shape);
        let vec4s = u64::from(padded.m) * u64::from(padded.n) / 4;
        let groups = vec4s.div_ceil(u64::from(SPLIT_K_REDUCE_WG));
        groups.min(u64::from(limits.max_compute_workgroups_per_dimension)) as u32
    }

    /// Pipeline-overridable constants (the subgroup kernel's width is a `const`: it sizes
    /// the broadcasts).
    pub fn constants(&self) -> Vec<(&'static str, f64)> {
        let c = &self.config;
        let (wg_x, wg_y) = (("WG_X", f64::from(c.wg_x)), ("WG_Y", f64::from(c.wg_y)));
        match self.family {
            KernelFamily::Naive | KernelFamily::Texture | KernelFamily::Dot4 => vec![wg_x, wg_y],
            KernelFamily::Tiled => vec![wg_x, wg_y, ("TK", f64::from(c.tile_k))],
            KernelFamily::Broadcast => vec![wg_x],
            // Its geometry is all `const`: the subgroup width sizes the generated
            // broadcasts, and the workgroup is one-dimensional (SG * WG_Y).
            KernelFamily::TextureSubgroup => vec![],
            KernelFamily::CoopMatrix => vec![("WG", f64::from(c.wg_x))],
        }
    }

    /// Rows of C per workgroup.
    pub fn tile_m(&self) -> u32 {
        let c = &self.config;
        match self.family {
            KernelFamily::CoopMatrix => c.wg_y * c.block_m * c.tile_k,
            _ => c.tile_m(),
        }
    }

    /// Columns of C per workgroup.
    pub fn tile_n(&self) -> u32 {
        let c = &self.config;
        match self.family {
            KernelFamily::CoopMatrix => c.wg_y * c.block_n4 * c.tile_k,
            _ => c.tile_n(),
        }
    }

    /// Invocations per workgroup.
    pub fn invocations(&self) -> u32 {
        let c = &self.config;
        match self.family {
            KernelFamily::CoopMatrix => c.wg_x,
            _ => c.wg_x * c.wg_y,
        }
    }

    /// What the geometry must satisfy before any arithmetic on it, whatever its origin (a
    /// tuning cache may hold anything): `TileConfig::check`, and for the cooperative
    /// family a fragment side naga has types for and tile sides within u32.
    pub fn check_geometry(&self) -> Result<(), GeometryError> {
        let c = &self.config;
        c.check()?;
        if self.family != KernelFamily::CoopMatrix {
            return Ok(());
        }
        if !coop::SIDES.contains(&c.tile_k) {
            return Err(GeometryError::FragmentSide(c.tile_k));
        }
        let side = |fragments: u32| {
            c.wg_y
                .checked_mul(fragments)
                .and_then(|v| v.checked_mul(c.tile_k))
        };
        match (side(c.block_m), side(c.block_n4)) {
            (Some(_), Some(_)) => Ok(()),
            _ => Err(GeometryError::TooLarge(*c)),
        }
    }

    /// The shape actually computed: padded with zeros to whole tiles.
    pub fn padded(&self, shape: GemmShape) -> GemmShape {
        match self.family {
            KernelFamily::Naive => shape,
            // Every blocked family pads to whole workgroup tiles.
            _ => GemmShape {
                m: round_up(shape.m, self.tile_m()),
                n: round_up(shape.n, self.tile_n()),
                k: round_up(shape.k, self.config.k_step()),
            },
        }
    }

    /// Workgroups to dispatch along x (N) and y (M).
    pub fn workgroups(&self, shape: GemmShape) -> (u32, u32) {
        let c = &self.config;
        match self.family {
            KernelFamily::Naive => (shape.n.div_ceil(c.wg_x), shape.m.div_ceil(c.wg_y)),
            _ => {
                let padded = self.padded(shape);
                (padded.n / self.tile_n(), padded.m / self.tile_m())
            }
        }
    }

    /// Slices K is split into: workgroups along z, each writing its own partial C, which
    /// a second pass sums (1: one pass, C written directly).
    pub fn splits(&self) -> u32 {
        match self.family {
            KernelFamily::Tiled => self.config.options.split_k,
            _ => 1,
        }
    }

    /// Bytes of workgroup memory the kernel declares.
    pub fn workgroup_storage(&self, dtype: Dtype) -> u64 {
        let c = &self.config;
        match self.family {
            KernelFamily::Tiled => {
                let a_row = c.tile_k + 4 * c.options.pad_a4;
                let stage = u64::from(c.tile_m() * a_row + c.tile_k * c.tile_n());
                stage * u64::from(c.options.stages()) * dtype.size()
            }
            _ => 0,
        }
    }

    /// Checks the kernel and shape against the adapter's limits; a violation says which
    /// limit and by how much.
    pub fn check_limits(
        &self,
        shape: GemmShape,
        dtype: Dtype,
        limits: &wgpu::Limits,
    ) -> Result<(), LimitError> {
        let c = &self.config;
        let family = self.family.as_str();
        let exceeded = |what: &'static str, needed: u64, limit: u64| LimitError::Exceeds {
            family,
            dtype,
            shape,
            what,
            needed,
            limit,
        };
        self.check_geometry()
            .map_err(|problem| LimitError::Geometry { family, problem })?;
        if self.family != KernelFamily::Tiled && !c.options.is_plain() {
            return Err(LimitError::Geometry {
                family,
                problem: GeometryError::OptionsOutsideTiled,
            });
        }
        if let Some(side) = self.side_past_u32_when_padded(shape) {
            return Err(LimitError::PaddedPastU32 {
                family,
                dtype,
                shape,
                side,
            });
        }
        let invocations = self.invocations();
        // The cooperative family's workgroup is one-dimensional: its wg_y counts blocks.
        let height = match self.family {
            KernelFamily::CoopMatrix => 1,
            _ => c.wg_y,
        };
        if invocations > limits.max_compute_invocations_per_workgroup
            || c.wg_x > limits.max_compute_workgroup_size_x
            || height > limits.max_compute_workgroup_size_y
        {
            return Err(exceeded(
                "invocations per workgroup",
                u64::from(invocations),
                u64::from(limits.max_compute_invocations_per_workgroup),
            ));
        }
        let storage = self.workgroup_storage(dtype);
        if storage > u64::from(limits.max_compute_workgroup_storage_size) {
            return Err(exceeded(
                "workgroup storage bytes",
                storage,
                u64::from(limits.max_compute_workgroup_storage_size),
            ));
        }
        let padded = self.padded(shape);
        // Saturating: two u32 sides times an element size can pass u64.
        let bytes = |rows: u32, cols: u32, size: u64| {
            u64::from(rows)
                .saturating_mul(u64::from(cols))
                .saturating_mul(size)
        };
        let largest = [
            bytes(padded.m, padded.k, dtype.size()),
            bytes(padded.k, padded.n, dtype.size()),
            bytes(padded.m, padded.n, dtype.output_size()).saturating_mul(u64::from(self.splits())),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let binding_limit = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        if largest > binding_limit {
            return Err(exceeded("a buffer of (bytes)", largest, binding_limit));
        }
        if self.family.reads_b_as_texture() {
            let a_sides = if self.family.reads_a_as_texture() {
                [padded.k / 4, padded.m]
            } else {
                [0, 0]
            };
            let largest_side = a_sides
                .into_iter()
                .chain([padded.n / 4, padded.k])
                .max()
                .unwrap_or(0);
            if largest_side > limits.max_texture_dimension_2d {
                return Err(exceeded(
                    "a texture side of",
                    u64::from(largest_side),
                    u64::from(limits.max_texture_dimension_2d),
                ));
            }
        }
        let (x, y) = self.workgroups(shape);
        let most = x.max(y).max(self.splits());
        let max_groups = limits.max_compute_workgroups_per_dimension;
        if most > max_groups {
            return Err(exceeded(
                "workgroups per dimension",
                u64::from(most),
                u64::from(max_groups),
            ));
        }
        Ok(())
    }

    /// The first side of `shape` that padding to whole tiles would take past u32.
    fn side_past_u32_when_padded(&self, shape: GemmShape) -> Option<u64> {
        if self.family == KernelFamily::Naive {
            return None;
        }
        [
            (shape.m, self.tile_m()),
            (shape.n, self.tile_n()),
            (shape.k, self.config.k_step()),
        ]
        .into_iter()
        .find(|(side, tile)| side.checked_next_multiple_of(*tile).is_none())
        .map(|(side, tile)| u64::from(side).div_ceil(u64::from(tile)) * u64::from(tile))
    }
}

fn round_up(value: u32, multiple: u32) -> u32 {
    value.div_ceil(multiple) * multiple
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cooperative matrices offered as 8x8 f32 fragments only, on subgroups of 32.
    fn f32_8x8_offer() -> coop::CoopSupport {
        coop::CoopSupport::Offered(coop::CoopOffer {
            configs: vec![coop::CoopConfig {
                side: 8,
                dtype: Dtype::F32,
            }],
            max_subgroup: 32,
        })
    }

    fn offer_with<'a>(
        limits: &'a wgpu::Limits,
        subgroup: Option<u32>,
        coop: &'a coop::CoopSupport,
    ) -> AdapterOffer<'a> {
        AdapterOffer {
            limits,
            subgroup,
            coop,
        }
    }

    #[test]
    fn every_fixed_id_names_a_kernel_that_fits_default_limits_where_offered() {
        let limits = wgpu::Limits::default();
        let coop = f32_8x8_offer();
        let offer = offer_with(&limits, Some(32), &coop);
        for id in KernelId::ALL {
            let dtype = if id == KernelId::Dot4I8 {
                Dtype::I8
            } else {
                Dtype::F32
            };
            let Some(kernel) = id.fixed(dtype, &offer).expect("offered") else {
                assert_eq!(id, KernelId::Tuned);
                continue;
            };
            kernel
                .check_limits(GemmShape::square(1024), dtype, &limits)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
        let tiled_128 = KernelId::Tiled128
            .fixed(Dtype::F32, &offer)
            .unwrap()
            .unwrap();
        assert_eq!((tiled_128.tile_m(), tiled_128.tile_n()), (128, 128));
        let coop_kernel = KernelId::CoopMatrix
            .fixed(Dtype::F32, &offer)
            .unwrap()
            .unwrap();
        assert_eq!(coop_kernel.family, KernelFamily::CoopMatrix);
    }

    #[test]
    fn ids_the_adapter_cannot_run_are_refused_with_the_reason() {
        let limits = wgpu::Limits::default();
        let left_out = coop::CoopSupport::LeftOut("cooperative matrices: not offered".into());
        let offer = offer_with(&limits, None, &left_out);
        let error = KernelId::TextureSubgroup
            .fixed(Dtype::F32, &offer)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "--kernel texture-subgroup f32: the adapter has no subgroups of one fixed size"
        );
        let error = KernelId::CoopMatrix.fixed(Dtype::F16, &offer).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--kernel coop-matrix f16: cooperative matrices: not offered"
        );
        // Offered, but not in this element type: the note names what is offered.
        let f32_only = f32_8x8_offer();
        let offer = offer_with(&limits, Some(32), &f32_only);
        let error = KernelId::CoopMatrix.fixed(Dtype::F16, &offer).unwrap_err();
        assert!(error.to_string().contains("8x8 f32 only"), "{error}");
    }

    #[test]
    fn tiled_padding_rounds_up_to_whole_tiles() {
        let kernel = GemmKernel::tiled_default();
        let padded = kernel.padded(GemmShape { m: 65, n: 3, k: 17 });
        assert_eq!(
            padded,
            GemmShape {
                m: 128,
                n: 64,
                k: 32
            }
        );
        assert_eq!(kernel.workgroups(GemmShape { m: 65, n: 3, k: 17 }), (1, 2));
    }

    #[test]
    fn buffers_beyond_the_binding_limit_are_refused() {
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 1 << 20,
            ..wgpu::Limits::default()
        };
        let kernel = GemmKernel::tiled_default();
        let error = kernel
            .check_limits(GemmShape::square(1024), Dtype::F32, &limits)
            .unwrap_err();
        assert_eq!(crate::error::Error::from(error.clone()).exit_code(), 2);
        assert!(error.to_string().contains("buffer"), "{error}");
        assert!(
            kernel
                .check_limits(GemmShape::square(256), Dtype::F32, &limits)
                .is_ok()
        );
    }

    /// Found by fuzzing `run --shape`: padding or sizing these panicked on overflow.
    #[test]
    fn shapes_at_the_u32_edge_are_refused_not_overflowed() {
        let limits = wgpu::Limits::default();
        let kernel = GemmKernel::tiled_default();
        let padded = kernel
            .check_limits(
                GemmShape {
                    m: u32::MAX,
                    n: 64,
                    k: 64,
                },
                Dtype::F32,
                &limits,
            )
            .unwrap_err();
        assert!(
            padded.to_string().contains("a side of 4294967296"),
            "{padded}"
        );
        let naive = GemmKernel::naive(&limits);
        let huge = GemmShape {
            m: 1,
            n: u32::MAX,
            k: u32::MAX,
        };
        let buffer = naive.check_limits(huge, Dtype::F32, &limits).unwrap_err();
        assert!(buffer.to_string().contains("buffer"), "{buffer}");
    }

    /// Found by fuzzing the tuning cache: a zero size divided by zero, a large one overflowed.
    #[test]
    fn malformed_geometries_are_refused_before_any_arithmetic() {
        let good = GemmKernel::tiled_default();
        assert!(good.config.check().is_ok());
        for bad in [
            TileConfig {
                wg_x: 0,
                ..good.config
            },
            TileConfig {
                tile_k: 6,
                ..good.config
            },
            TileConfig {
                wg_x: 1 << 16,
                wg_y: 1 << 16,
                ..good.config
            },
            TileConfig {
                block_n4: 1 << 30,
                ..good.config
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
            let kernel = GemmKernel {
                config: bad,
                ..good
            };
            let error = kernel
                .check_limits(GemmShape::square(64), Dtype::F32, &wgpu::Limits::default())
                .unwrap_err();
            assert_eq!(crate::error::Error::from(error).exit_code(), 2);
        }
    }

    fn tiled_with(options: TiledOptions) -> GemmKernel {
        let plain = GemmKernel::tiled_default();
        GemmKernel {
            config: TileConfig {
                options,
                ..plain.config
            },
            ..plain
        }
    }

    #[test]
    fn tiled_options_load_from_caches_written_before_them() {
        let old = r#"{"wg_x":8,"wg_y":8,"block_m":8,"block_n4":2,"tile_k":16}"#;
        let config: TileConfig = serde_json::from_str(old).expect("old geometry loads");
        assert_eq!(config, GemmKernel::tiled_default().config);
        assert_eq!(
            serde_json::to_string(&config).unwrap(),
            old,
            "plain stays as it was"
        );
        let split = tiled_with(TiledOptions {
            split_k: 4,
            ..TiledOptions::PLAIN
        });
        let text = serde_json::to_string(&split.config).unwrap();
        assert!(text.contains(r#""split_k":4"#), "{text}");
        let back: TileConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, split.config);
        let partial: TileConfig = serde_json::from_str(
            r#"{"wg_x":8,"wg_y":8,"block_m":8,"block_n4":2,"tile_k":16,"options":{"pad_a4":1}}"#,
        )
        .unwrap();
        assert_eq!(partial.options.split_k, 1, "a missing option is off");
    }

    #[test]
    fn padding_and_double_buffers_count_in_workgroup_storage() {
        let plain = GemmKernel::tiled_default();
        // 64x16 A + 16x64 B, f32.
        assert_eq!(plain.workgroup_storage(Dtype::F32), (1024 + 1024) * 4);
        let padded = tiled_with(TiledOptions {
            pad_a4: 1,
            ..TiledOptions::PLAIN
        });
        assert_eq!(padded.workgroup_storage(Dtype::F32), (64 * 20 + 1024) * 4);
        let double = tiled_with(TiledOptions {
            double_buffer: true,
            pad_a4: 1,
            ..TiledOptions::PLAIN
        });
        assert_eq!(
            double.workgroup_storage(Dtype::F16),
            (64 * 20 + 1024) * 2 * 2
        );
        let limits = wgpu::Limits {
            max_compute_workgroup_storage_size: 16 * 1024,
            ..wgpu::Limits::default()
        };
        let error = double
            .check_limits(GemmShape::square(64), Dtype::F32, &limits)
            .unwrap_err();
        assert!(error.to_string().contains("workgroup storage"), "{error}");
        assert!(
            double
                .describe()
                .ends_with("double-buffered, A rows padded 1 vec4")
        );
    }

    #[test]
    fn split_k_pads_k_to_a_step_per_split_and_sizes_the_partials() {
        let split = tiled_with(TiledOptions {
            split_k: 4,
            ..TiledOptions::PLAIN
        });
        let shape = GemmShape {
            m: 64,
            n: 64,
            k: 100,
        };
        assert_eq!(split.padded(shape).k, 128);
        assert_eq!(split.workgroups(shape), (1, 1));
        assert_eq!(split.splits(), 4);
        assert!(
            split.describe().ends_with("split-K 4"),
            "{}",
            split.describe()
        );
        // 64x64 f32 C is 16 KiB: four partial Cs pass a 32 KiB binding, one C does not.
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 32 * 1024,
            ..wgpu::Limits::default()
        };
        let deep = GemmShape {
            m: 64,
            n: 64,
            k: 64,
        };
        assert!(
            GemmKernel::tiled_default()
                .check_limits(deep, Dtype::F32, &limits)
                .is_ok()
        );
        let error = split.check_limits(deep, Dtype::F32, &limits).unwrap_err();
        assert!(error.to_string().contains("buffer"), "{error}");
        let few_groups = wgpu::Limits {
            max_compute_workgroups_per_dimension: 2,
            ..wgpu::Limits::default()
        };
        let error = split
            .check_limits(deep, Dtype::F32, &few_groups)
            .unwrap_err();
        assert!(
            error.to_string().contains("workgroups per dimension"),
            "{error}"
        );
        assert_eq!(split.split_k_reduce_workgroups(deep, &few_groups), 2);
        assert_eq!(
            split.split_k_reduce_workgroups(deep, &wgpu::Limits::default()),
            64 * 64 / 4 / SPLIT_K_REDUCE_WG
        );
    }

    #[test]
    fn tiled_options_on_another_family_or_a_zero_split_are_refused() {
        let mut texture = GemmKernel::texture_default();
        texture.config.options.double_buffer = true;
        let limits = wgpu::Limits::default();
        let error = texture
            .check_limits(GemmShape::square(64), Dtype::F32, &limits)
            .unwrap_err();
        assert!(error.to_string().contains("tiled family only"), "{error}");
        let zero = tiled_with(TiledOptions {
            split_k: 0,
            ..TiledOptions::PLAIN
        });
        assert!(zero.config.check().is_err());
        let huge = tiled_with(TiledOptions {
            split_k: 1 << 30,
            ..TiledOptions::PLAIN
        });
        assert!(huge.config.check().is_err(), "K step past u32");
    }

    #[test]
    fn coop_kernels_pad_to_whole_fragment_blocks() {
        // 2x2 blocks of 2x4 fragments of 8x8: a 32x64 tile, K in steps of 8.
        let kernel = coop::kernel(8, 64, 2, (2, 4));
        assert_eq!((kernel.tile_m(), kernel.tile_n()), (32, 64));
        assert_eq!(kernel.invocations(), 64);
        let shape = GemmShape { m: 33, n: 65, k: 9 };
        assert_eq!(
            kernel.padded(shape),
            GemmShape {
                m: 64,
                n: 128,
                k: 16
            }
        );
        assert_eq!(kernel.workgroups(shape), (2, 2));
        assert_eq!(kernel.constants(), vec![("WG", 64.0)]);
        assert!(
            kernel
                .check_limits(shape, Dtype::F32, &wgpu::Limits::default())
                .is_ok()
        );
        assert!(
            kernel.geometry().contains("tile 32x64"),
            "{}",
            kernel.geometry()
        );
    }

    /// A tuning cache may hold any numbers: a side naga has no type for, or a tile past u32.
    #[test]
    fn malformed_coop_geometries_are_refused() {
        for bad in [
            coop::kernel(12, 64, 2, (2, 2)),
            coop::kernel(16, 64, 1 << 16, (1, 1 << 14)),
        ] {
            let error = bad
                .check_limits(GemmShape::square(64), Dtype::F32, &wgpu::Limits::default())
                .unwrap_err();
            assert!(matches!(error, LimitError::Geometry { .. }), "{error}");
        }
    }

    #[test]
    fn workgroup_storage_is_checked() {
        let limits = wgpu::Limits {
            max_compute_workgroup_storage_size: 1024,
            ..wgpu::Limits::default()
        };
        let error = GemmKernel::tiled_default()
            .check_limits(GemmShape::square(64), Dtype::F32, &limits)
            .unwrap_err();
        assert!(error.to_string().contains("workgroup storage"), "{error}");
    }
}
