//! The GEMMs of one transformer layer for a named model and token batch: QKV projection,
//! attention output, MLP up (gate and up fused for SwiGLU models) and MLP down, so that
//! "achieved on real shapes" can sit beside "achieved on squares". Shapes too large for the
//! adapter's buffers are measured as equal row/column blocks of the full GEMM (the same
//! arithmetic per block), and the label says so.

use serde::{Deserialize, Serialize};

use super::gemm::GemmShape;

/// Layer dimensions of a model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    pub id: &'static str,
    pub d_model: u32,
    /// Width of one MLP branch (the intermediate size).
    pub d_ffn: u32,
    pub heads: u32,
    pub kv_heads: u32,
    pub head_dim: u32,
    /// SwiGLU MLPs have a gate and an up projection, fused here into one GEMM.
    pub gated_mlp: bool,
    pub source: &'static str,
}

const LLAMA3_SOURCE: &str = "Llama 3 Herd of Models (arXiv 2407.21783), Table 3";

/// The architectures `--workload` knows.
pub const ARCHITECTURES: [Architecture; 4] = [
    Architecture {
        id: "llama-3-8b",
        d_model: 4096,
        d_ffn: 14336,
        heads: 32,
        kv_heads: 8,
        head_dim: 128,
        gated_mlp: true,
        source: LLAMA3_SOURCE,
    },
    Architecture {
        id: "llama-3-70b",
        d_model: 8192,
        d_ffn: 28672,
        heads: 64,
        kv_heads: 8,
        head_dim: 128,
        gated_mlp: true,
        source: LLAMA3_SOURCE,
    },
    Architecture {
        id: "llama-3.1-405b",
        d_model: 16384,
        d_ffn: 53248,
        heads: 128,
        kv_heads: 8,
        head_dim: 128,
        gated_mlp: true,
        source: LLAMA3_SOURCE,
    },
    Architecture {
        id: "gpt-3",
        d_model: 12288,
        d_ffn: 49152,
        heads: 96,
        kv_heads: 96,
        head_dim: 128,
        gated_mlp: false,
        source: "Language Models are Few-Shot Learners (arXiv 2005.14165), Table 2.1",
    },
];

/// Finds an architecture by id (also accepting "llama-70b"-style short names).
pub fn architecture(id: &str) -> Option<Architecture> {
    let wanted = id.to_ascii_lowercase();
    ARCHITECTURES
        .iter()
        .copied()
        .find(|a| a.id == wanted || a.id.replace("-3-", "-").replace("-3.1-", "-") == wanted)
}

/// The known ids, for error messages.
pub fn known_ids() -> String {
    ARCHITECTURES
        .iter()
        .map(|a| a.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One layer's GEMMs for `tokens` tokens: (name, shape).
pub fn layer_gemms(arch: &Architecture, tokens: u32) -> Vec<(&'static str, GemmShape)> {
    let d = arch.d_model;
    let kv = 2 * arch.kv_heads * arch.head_dim;
    let up = if arch.gated_mlp {
        2 * arch.d_ffn
    } else {
        arch.d_ffn
    };
    vec![
        (
            "qkv",
            GemmShape {
                m: tokens,
                n: arch.heads * arch.head_dim + kv,
                k: d,
            },
        ),
        (
            "attn_out",
            GemmShape {
                m: tokens,
                n: d,
                k: arch.heads * arch.head_dim,
            },
        ),
        (
            "mlp_up",
            GemmShape {
                m: tokens,
                n: up,
                k: d,
            },
        ),
        (
            "mlp_down",
            GemmShape {
                m: tokens,
                n: d,
                k: arch.d_ffn,
            },
        ),
    ]
}

/// Splits `shape` into the fewest equal row and column blocks whose buffers each fit in
/// `max_bytes` (K is never split: each block is a whole GEMM). Returns the block shape and
/// the (row, column) block counts, or None when even one row block of A cannot fit.
pub fn blocks_within(
    shape: GemmShape,
    elem_bytes: u64,
    max_bytes: u64,
) -> Option<(GemmShape, u32, u32)> {
    let bytes = |rows: u32, cols: u32| u64::from(rows) * u64::from(cols) * elem_bytes;
    let mut row_blocks = 1;
    while bytes(shape.m.div_ceil(row_blocks), shape.k) > max_bytes {
        row_blocks *= 2;
        if row_blocks > shape.m {
            return None;
        }
    }
    let mut col_blocks = 1;
    let m = shape.m.div_ceil(row_blocks);
    while bytes(shape.k, shape.n.div_ceil(col_blocks)) > max_bytes
        || bytes(m, shape.n.div_ceil(col_blocks)) > max_bytes
    {
        col_blocks *= 2;
        if col_blocks > shape.n {
            return None;
        }
    }
    let block = GemmShape {
        m,
        n: shape.n.div_ceil(col_blocks),
        k: shape.k,
    };
    Some((block, row_blocks, col_blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_70b_layer_shapes() {
        let arch = architecture("llama-70b").unwrap();
        let gemms = layer_gemms(&arch, 2048);
        assert_eq!(
            gemms[0],
            (
                "qkv",
                GemmShape {
                    m: 2048,
                    n: 8192 + 2048,
                    k: 8192
                }
            )
        );
        assert_eq!(
            gemms[2],
            (
                "mlp_up",
                GemmShape {
                    m: 2048,
                    n: 57344,
                    k: 8192
                }
            )
        );
        assert_eq!(
            gemms[3],
            (
                "mlp_down",
                GemmShape {
                    m: 2048,
                    n: 8192,
                    k: 28672
                }
            )
        );
    }

    #[test]
    fn layer_flops_match_2_x_non_embedding_params_per_token() {
        // Per token, one layer's GEMMs do 2 x (its weight count) FLOPs.
        let arch = architecture("llama-3-8b").unwrap();
        let flops: f64 = layer_gemms(&arch, 1).iter().map(|(_, s)| s.flops()).sum();
        let weights = 4096.0 * (4096.0 + 2.0 * 1024.0) + 4096.0 * 4096.0 + 3.0 * 4096.0 * 14336.0;
        assert_eq!(flops, 2.0 * weights);
    }

    #[test]
    fn oversized_gemms_are_split_into_fitting_blocks() {
        let shape = GemmShape {
            m: 2048,
            n: 57344,
            k: 8192,
        };
        let (block, rows, cols) = blocks_within(shape, 4, 128 << 20).unwrap();
        assert!(u64::from(block.m) * u64::from(block.k) * 4 <= 128 << 20);
        assert!(u64::from(block.k) * u64::from(block.n) * 4 <= 128 << 20);
        assert_eq!(block.k, 8192);
        assert!(rows * block.m >= 2048 && cols * block.n >= 57344);
        assert_eq!(
            blocks_within(GemmShape::square(64), 4, 1 << 20),
            Some((GemmShape::square(64), 1, 1))
        );
    }
}
