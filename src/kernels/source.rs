//! WGSL sources and their compile-time variants. Every float shader opens with
//! `alias Elem = f32;` (the inputs) and `alias Acc = f32;` (the sums and C); the f16
//! variant sets both to f16, the mixed variant (`f16f32`) only Elem, each with
//! `enable f16;` and rgba16float storage textures in place of rgba32float. (The peak
//! probes have no Acc line: they run f32 or f16 only.)
//! Register-block sizes are `const` lines rewritten the same way (WGSL needs constant
//! sizes for private arrays); everything else is a pipeline-overridable constant. Two
//! kernels have sections the host writes per variant at `// @generated` markers: the
//! subgroup kernel (broadcasts need constant lanes) and the cooperative-matrix kernel
//! (`coop_matNxN` types need their side spelled out).
//! Every GEMM shader file is a body: `gemm_dims.wgsl` (the `Dims` uniform they all read)
//! is appended to make the module the host compiles (`gemm_module`).
//!
//! The sources are compiled into the binary, so a marker that is missing is a bug in this
//! crate, never bad input: every rewrite panics naming the marker rather than emitting a
//! shader that silently differs from the variant asked for (`tests/shaders.rs` generates
//! and validates every variant the autotuner can ask for, so such a bug fails the tests).

use super::dtype::Dtype;

pub const GEMM_NAIVE: &str = include_str!("../../shaders/gemm_naive.wgsl");
pub const GEMM_TILED: &str = include_str!("../../shaders/gemm_tiled.wgsl");
pub const GEMM_SPLIT_K_REDUCE: &str = include_str!("../../shaders/gemm_split_k_reduce.wgsl");
pub const GEMM_TEXTURE: &str = include_str!("../../shaders/gemm_texture.wgsl");
pub const GEMM_BROADCAST: &str = include_str!("../../shaders/gemm_broadcast.wgsl");
pub const GEMM_DOT4: &str = include_str!("../../shaders/gemm_dot4.wgsl");
pub const GEMM_TEXTURE_SUBGROUP: &str = include_str!("../../shaders/gemm_texture_subgroup.wgsl");
pub const GEMM_COOP: &str = include_str!("../../shaders/gemm_coop.wgsl");
const GEMM_DIMS: &str = include_str!("../../shaders/gemm_dims.wgsl");
pub const PEAK_FMA: &str = include_str!("../../shaders/peak_fma.wgsl");
pub const PEAK_COPY: &str = include_str!("../../shaders/peak_copy.wgsl");
pub const PEAK_READ: &str = include_str!("../../shaders/peak_read.wgsl");
pub const PEAK_WRITE: &str = include_str!("../../shaders/peak_write.wgsl");
pub const PEAK_DOT4: &str = include_str!("../../shaders/peak_dot4.wgsl");

/// The GEMM shader bodies, by file name (each completed by `gemm_module`).
const GEMM_BODIES: [(&str, &str); 7] = [
    ("gemm_dot4.wgsl", GEMM_DOT4),
    ("gemm_coop.wgsl", GEMM_COOP),
    ("gemm_texture_subgroup.wgsl", GEMM_TEXTURE_SUBGROUP),
    ("gemm_broadcast.wgsl", GEMM_BROADCAST),
    ("gemm_naive.wgsl", GEMM_NAIVE),
    ("gemm_tiled.wgsl", GEMM_TILED),
    ("gemm_texture.wgsl", GEMM_TEXTURE),
];

/// The shaders that are complete modules as written (split K's reduction reads no
/// `Dims`; the probes), by file name.
const WHOLE: [(&str, &str); 6] = [
    ("gemm_split_k_reduce.wgsl", GEMM_SPLIT_K_REDUCE),
    ("peak_fma.wgsl", PEAK_FMA),
    ("peak_copy.wgsl", PEAK_COPY),
    ("peak_read.wgsl", PEAK_READ),
    ("peak_write.wgsl", PEAK_WRITE),
    ("peak_dot4.wgsl", PEAK_DOT4),
];

/// Every shader file as a module before its variant is chosen, by file name: for
/// validation.
pub fn all_modules() -> Vec<(&'static str, String)> {
    let gemms = GEMM_BODIES
        .iter()
        .map(|(name, body)| (*name, gemm_module(body)));
    gemms
        .chain(WHOLE.iter().map(|(name, text)| (*name, text.to_string())))
        .collect()
}

/// A GEMM shader body made the module the host compiles: the shared `Dims` uniform
/// appended (after the body, so its `enable` lines stay first).
pub fn gemm_module(body: &str) -> String {
    format!("{body}\n{GEMM_DIMS}")
}

const ELEM_F32: &str = "alias Elem = f32;";
const ACC_F32: &str = "alias Acc = f32;";

/// The source with its element types set (storage-texture formats follow the input type).
pub fn with_dtype(source: &str, dtype: Dtype) -> String {
    let (elem, acc) = match dtype {
        // The i8 kernel is written for its types; float kernels never run in i8.
        Dtype::F32 | Dtype::I8 => return source.to_string(),
        Dtype::F16 => ("f16", "f16"),
        Dtype::F16F32 => ("f16", "f32"),
    };
    // A shader that uses Acc without declaring it fails validation; one without Acc
    // cannot be mixed, so that variant demands the line.
    let needed: &[&str] = if elem == acc {
        &[ELEM_F32]
    } else {
        &[ELEM_F32, ACC_F32]
    };
    for line in needed {
        assert!(
            source.contains(line),
            "shader has no `{line}` line to set its element types"
        );
    }
    format!(
        "enable f16;\n{}",
        source
            .replacen(ELEM_F32, &format!("alias Elem = {elem};"), 1)
            .replacen(ACC_F32, &format!("alias Acc = {acc};"), 1)
            .replace("rgba32float", "rgba16float")
    )
}

/// Rewrites `const NAME: u32 = ...;` lines to the given values; each name must have
/// exactly one such line.
pub fn with_consts(source: &str, consts: &[(&str, u32)]) -> String {
    let declaration = |name: &str| format!("const {name}: u32 =");
    for (name, _) in consts {
        let found = source
            .lines()
            .filter(|line| line.starts_with(&declaration(name)))
            .count();
        assert_eq!(
            found, 1,
            "shader has {found} `const {name}: u32 =` lines, not one"
        );
    }
    source
        .lines()
        .map(|line| {
            consts
                .iter()
                .find(|(name, _)| line.starts_with(&declaration(name)))
                .map(|(name, value)| format!("const {name}: u32 = {value}u;"))
                .unwrap_or_else(|| line.to_string())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands the `// @generated NAME` markers of the subgroup kernel: each marker line and
/// the example lines after it (up to the next blank-free structural line) are replaced
/// by code for a `block_m` x (4 * `block_n4`) block on `subgroup` lanes.
pub fn with_generated_block(source: &str, block_m: u32, block_n4: u32, subgroup: u32) -> String {
    with_sections(
        source,
        &[
            ("accumulators", accumulators(block_m, block_n4)),
            ("products", products(block_m, block_n4, subgroup)),
            ("stores", stores(block_m, block_n4)),
        ],
    )
}

/// Expands the `// @generated NAME` markers of the cooperative-matrix kernel for
/// `side` x `side` fragments in blocks of `fragments_m` x `fragments_n`.
pub fn with_generated_coop(source: &str, side: u32, fragments_m: u32, fragments_n: u32) -> String {
    let each_cell = || cells(fragments_m, fragments_n);
    let matrix = |elem: &str, role: &str| format!("coop_mat{side}x{side}<{elem}, {role}>");
    let accumulators = each_cell()
        .map(|(r, c)| format!("var acc_{r}_{c} = {}();", matrix("Acc", "C")))
        .collect();
    let mut products: Vec<String> = (0..fragments_m)
        .map(|r| {
            format!(
                "let a_{r} = coopLoadT<{}>(&a[(row0 + {r}u * S) * lda + k], lda);",
                matrix("Elem", "A")
            )
        })
        .collect();
    products.extend((0..fragments_n).map(|c| {
        format!(
            "let b_{c} = coopLoadT<{}>(&b[k * ldb + col0 + {c}u * S], ldb);",
            matrix("Elem", "B")
        )
    }));
    products.extend(
        each_cell()
            .map(|(r, c)| format!("acc_{r}_{c} = coopMultiplyAdd(a_{r}, b_{c}, acc_{r}_{c});")),
    );
    // Each store's offset gets a `let` of its own: naga 30's WGSL front end adds the
    // cooperative store without first emitting the expressions its pointer uses, so an
    // offset computed inside the call reaches the SPIR-V writer uncomputed (it panics).
    let stores = each_cell()
        .flat_map(|(r, c)| {
            [
                format!("let c_{r}_{c} = (row0 + {r}u * S) * ldc + col0 + {c}u * S;"),
                format!("coopStoreT(acc_{r}_{c}, &c[c_{r}_{c}], ldc);"),
            ]
        })
        .collect();
    with_sections(
        source,
        &[
            ("accumulators", accumulators),
            ("products", products),
            ("stores", stores),
        ],
    )
}

/// Replaces each `// @generated NAME` marker line, and the example lines after it (same
/// indent, code, up to the next structural line), by the section's lines; every section
/// must be marked exactly once and every marker must name a section.
fn with_sections(source: &str, sections: &[(&str, Vec<String>)]) -> String {
    let mut out = Vec::new();
    let mut expanded = Vec::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line.trim().strip_prefix("// @generated ") else {
            out.push(line.to_string());
            continue;
        };
        let indent = &line[..line.len() - line.trim_start().len()];
        // Drop the example lines that follow the marker (same indent, code).
        while lines.peek().is_some_and(|l| is_example_line(l, indent)) {
            lines.next();
        }
        let Some((_, generated)) = sections.iter().find(|(section, _)| *section == name) else {
            panic!("shader marks an unknown generated section `{name}`");
        };
        expanded.push(name);
        out.extend(generated.iter().map(|g| format!("{indent}{g}")));
    }
    for (section, _) in sections {
        let count = expanded.iter().filter(|s| **s == *section).count();
        assert_eq!(
            count, 1,
            "shader has {count} `// @generated {section}` markers, not one"
        );
    }
    out.join("\n")
}

fn is_example_line(line: &str, indent: &str) -> bool {
    let rest = line.strip_prefix(indent).unwrap_or("");
    !rest.is_empty()
        && !rest.starts_with(' ')
        && !rest.starts_with('}')
        && !rest.starts_with("for ")
        && !rest.starts_with("let ldc4")
        && !rest.starts_with("//")
}

fn accumulators(block_m: u32, block_n4: u32) -> Vec<String> {
    cells(block_m, block_n4)
        .map(|(r, c)| format!("var acc_{r}_{c} = vec4<Acc>();"))
        .collect()
}

/// Per four steps of K: the A rows by broadcast, the B texels, then every FMA.
fn products(block_m: u32, block_n4: u32, subgroup: u32) -> Vec<String> {
    let mut code: Vec<String> = (0..block_m)
        .map(|r| {
            format!(
                "let a_{r} = subgroupBroadcast(mine[{}], {}u);",
                r / subgroup,
                r % subgroup
            )
        })
        .collect();
    for s in 0..4 {
        for c in 0..block_n4 {
            code.push(format!(
                "let b_{s}_{c} = vec4<Acc>(textureLoad(b, vec2<u32>(col4_0 + {c}u * SG, k4 * 4u + {s}u)));"
            ));
        }
    }
    for (s, lane) in ["x", "y", "z", "w"].iter().enumerate() {
        for (r, c) in cells(block_m, block_n4) {
            code.push(format!(
                "acc_{r}_{c} = fma(vec4<Acc>(a_{r}.{lane}), b_{s}_{c}, acc_{r}_{c});"
            ));
        }
    }
    code
}

fn stores(block_m: u32, block_n4: u32) -> Vec<String> {
    cells(block_m, block_n4)
        .map(|(r, c)| format!("c[(row0 + {r}u * WG_Y) * ldc4 + col4_0 + {c}u * SG] = acc_{r}_{c};"))
        .collect()
}

fn cells(block_m: u32, block_n4: u32) -> impl Iterator<Item = (u32, u32)> {
    (0..block_m).flat_map(move |r| (0..block_n4).map(move |c| (r, c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_variant_enables_the_extension_and_swaps_the_alias() {
        let text = with_dtype(GEMM_NAIVE, Dtype::F16);
        assert!(text.starts_with("enable f16;"));
        assert!(text.contains("alias Elem = f16;"));
        assert!(text.contains("alias Acc = f16;"));
        assert!(!text.contains(ELEM_F32));
    }

    #[test]
    fn mixed_variant_reads_f16_and_sums_in_f32() {
        let text = with_dtype(GEMM_TEXTURE, Dtype::F16F32);
        assert!(text.starts_with("enable f16;"));
        assert!(text.contains("alias Elem = f16;"));
        assert!(text.contains(ACC_F32));
        assert!(text.contains("rgba16float") && !text.contains("rgba32float"));
    }

    #[test]
    fn the_subgroup_block_is_generated() {
        let text = with_generated_block(GEMM_TEXTURE_SUBGROUP, 10, 2, 8);
        assert!(text.contains("let a_9 = subgroupBroadcast(mine[1], 1u);"));
        assert!(text.contains("var acc_9_1 = vec4<Acc>();"));
        assert!(text.contains("acc_9_1 = fma(vec4<Acc>(a_9.w), b_3_1, acc_9_1);"));
        assert!(text.contains("c[(row0 + 9u * WG_Y) * ldc4 + col4_0 + 1u * SG] = acc_9_1;"));
        assert!(!text.contains("acc_10_0"));
        assert!(text.lines().all(|l| !l.trim().starts_with("// @generated")));
        assert_eq!(text.matches("var acc_").count(), 20);
    }

    #[test]
    fn the_coop_block_is_generated() {
        let text = with_generated_coop(GEMM_COOP, 16, 2, 3);
        assert!(text.contains("var acc_1_2 = coop_mat16x16<Acc, C>();"));
        assert!(text.contains(
            "let a_1 = coopLoadT<coop_mat16x16<Elem, A>>(&a[(row0 + 1u * S) * lda + k], lda);"
        ));
        assert!(text.contains(
            "let b_2 = coopLoadT<coop_mat16x16<Elem, B>>(&b[k * ldb + col0 + 2u * S], ldb);"
        ));
        assert!(text.contains("acc_1_2 = coopMultiplyAdd(a_1, b_2, acc_1_2);"));
        assert!(text.contains("let c_1_2 = (row0 + 1u * S) * ldc + col0 + 2u * S;"));
        assert!(text.contains("coopStoreT(acc_1_2, &c[c_1_2], ldc);"));
        assert!(!text.contains("coop_mat8x8"), "the example lines are gone");
        assert_eq!(text.matches("coopMultiplyAdd(").count(), 6);
        assert_eq!(text.matches("coopStoreT(").count(), 6);
    }

    #[test]
    #[should_panic(expected = "`const BX: u32 =` lines, not one")]
    fn a_missing_const_fails_loudly() {
        with_consts(GEMM_TILED, &[("BX", 8)]);
    }

    #[test]
    #[should_panic(expected = "`// @generated stores` markers, not one")]
    fn a_missing_generated_section_fails_loudly() {
        let without = GEMM_TEXTURE_SUBGROUP.replace("// @generated stores", "// stores");
        with_generated_block(&without, 2, 1, 8);
    }

    #[test]
    #[should_panic(expected = "unknown generated section `loads`")]
    fn an_unknown_generated_section_fails_loudly() {
        let text = format!("{GEMM_TEXTURE_SUBGROUP}\n// @generated loads");
        with_generated_block(&text, 2, 1, 8);
    }

    #[test]
    #[should_panic(expected = "to set its element type")]
    fn an_f16_variant_of_a_shader_without_the_alias_fails_loudly() {
        with_dtype("@compute @workgroup_size(1) fn main() {}", Dtype::F16);
    }

    #[test]
    #[should_panic(expected = "`alias Acc = f32;` line")]
    fn a_mixed_variant_of_a_shader_without_an_accumulator_type_fails_loudly() {
        with_dtype(
            "alias Elem = f32;\n@compute @workgroup_size(1) fn main() {}",
            Dtype::F16F32,
        );
    }

    #[test]
    fn consts_are_rewritten() {
        let text = with_consts(GEMM_TILED, &[("BM", 8), ("BN4", 2)]);
        assert!(text.contains("const BM: u32 = 8u;"));
        assert!(text.contains("const BN4: u32 = 2u;"));
    }
}
