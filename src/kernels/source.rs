//! WGSL sources and their compile-time variants. Every shader opens with
//! `alias Elem = f32;`; the f16 variant swaps that line for `enable f16; alias Elem = f16;`
//! (and rgba32float storage textures for rgba16float).
//! Register-block sizes are `const` lines rewritten the same way (WGSL needs constant
//! sizes for private arrays); everything else is a pipeline-overridable constant.

use super::dtype::Dtype;

pub const GEMM_NAIVE: &str = include_str!("../../shaders/gemm_naive.wgsl");
pub const GEMM_TILED: &str = include_str!("../../shaders/gemm_tiled.wgsl");
pub const GEMM_TEXTURE: &str = include_str!("../../shaders/gemm_texture.wgsl");
pub const GEMM_BROADCAST: &str = include_str!("../../shaders/gemm_broadcast.wgsl");
pub const GEMM_TEXTURE_SUBGROUP: &str = include_str!("../../shaders/gemm_texture_subgroup.wgsl");
pub const PEAK_FMA: &str = include_str!("../../shaders/peak_fma.wgsl");
pub const PEAK_COPY: &str = include_str!("../../shaders/peak_copy.wgsl");

/// Every shader file, by name, for validation.
pub const ALL: [(&str, &str); 7] = [
    ("gemm_texture_subgroup.wgsl", GEMM_TEXTURE_SUBGROUP),
    ("gemm_broadcast.wgsl", GEMM_BROADCAST),
    ("gemm_naive.wgsl", GEMM_NAIVE),
    ("gemm_tiled.wgsl", GEMM_TILED),
    ("gemm_texture.wgsl", GEMM_TEXTURE),
    ("peak_fma.wgsl", PEAK_FMA),
    ("peak_copy.wgsl", PEAK_COPY),
];

const ELEM_F32: &str = "alias Elem = f32;";

/// The source with its element type set (storage-texture formats follow the type).
pub fn with_dtype(source: &str, dtype: Dtype) -> String {
    match dtype {
        Dtype::F32 => source.to_string(),
        Dtype::F16 => format!(
            "enable f16;\n{}",
            source
                .replacen(ELEM_F32, "alias Elem = f16;", 1)
                .replace("rgba32float", "rgba16float")
        ),
    }
}

/// Rewrites `const NAME: u32 = ...;` lines to the given values.
pub fn with_consts(source: &str, consts: &[(&str, u32)]) -> String {
    source
        .lines()
        .map(|line| {
            consts
                .iter()
                .find(|(name, _)| line.starts_with(&format!("const {name}: u32 =")))
                .map(|(name, value)| format!("const {name}: u32 = {value}u;"))
                .unwrap_or_else(|| line.to_string())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const BROADCAST_START: &str = "// @broadcast-a";
const BROADCAST_END: &str = "// @broadcast-a end";

/// Replaces the lines between the `@broadcast-a` markers with one constant-lane
/// `subgroupBroadcast` per row of A: row r comes from fetch r / SG of lane r % SG.
pub fn with_broadcasts(source: &str, block_m: u32, subgroup: u32) -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in source.lines() {
        let marker = line.trim();
        if marker == BROADCAST_START {
            skipping = true;
            let indent = &line[..line.len() - line.trim_start().len()];
            for r in 0..block_m {
                out.push(format!(
                    "{indent}a_vec[{r}] = subgroupBroadcast(mine[{}], {}u);",
                    r / subgroup,
                    r % subgroup
                ));
            }
        } else if marker == BROADCAST_END {
            skipping = false;
        } else if !skipping {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_variant_enables_the_extension_and_swaps_the_alias() {
        let text = with_dtype(GEMM_NAIVE, Dtype::F16);
        assert!(text.starts_with("enable f16;"));
        assert!(text.contains("alias Elem = f16;"));
        assert!(!text.contains(ELEM_F32));
    }

    #[test]
    fn broadcasts_are_generated_per_row() {
        let text = with_broadcasts(GEMM_TEXTURE_SUBGROUP, 10, 8);
        assert!(text.contains("a_vec[0] = subgroupBroadcast(mine[0], 0u);"));
        assert!(text.contains("a_vec[9] = subgroupBroadcast(mine[1], 1u);"));
        assert!(!text.contains("a_vec[10]"));
        assert!(
            text.lines()
                .all(|l| !l.trim().starts_with("// @broadcast-a"))
        );
    }

    #[test]
    fn consts_are_rewritten() {
        let text = with_consts(GEMM_TILED, &[("BM", 8), ("BN4", 2)]);
        assert!(text.contains("const BM: u32 = 8u;"));
        assert!(text.contains("const BN4: u32 = 2u;"));
    }
}
