// Texture-load GEMM sharing A through subgroups: as gemm_texture.wgsl, but the BM texels
// of A that every lane of a subgroup needs are fetched once per subgroup (lane l fetches
// row l, l + SG, ...) and handed round with subgroupBroadcast, cutting A fetches by the
// subgroup size. The workgroup is one-dimensional (subgroup builtins need that): SG lanes
// wide, WG_Y deep, lanes taken from subgroup_invocation_id; a driver that forms subgroups
// otherwise produces wrong results, which verification catches (the autotuner then drops
// the candidate). The lines at the `@generated` markers are written by the host for the
// chosen block: subgroupBroadcast takes a constant lane index, and named accumulators
// (rather than an indexed array) stay in registers on compilers that do not fully unroll.
// Elem is the input type (the textures' format follows it), Acc the type of the sums and C.
alias Elem = f32;
alias Acc = f32;
const BM: u32 = 16u;
const BN4: u32 = 1u;
const SG: u32 = 8u;
const FETCHES: u32 = 2u;
const WG_Y: u32 = 4u;

@group(0) @binding(0) var a: texture_storage_2d<rgba32float, read>;
@group(0) @binding(1) var b: texture_storage_2d<rgba32float, read>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<Acc>>;

@compute @workgroup_size(SG * WG_Y)
fn main(
    @builtin(local_invocation_index) index: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    let lx = index % SG;
    let ly = index / SG;
    let row0 = wid.y * WG_Y * BM + ly;
    let col4_0 = wid.x * SG * BN4 + lx;
    // @generated accumulators
    var acc_0_0 = vec4<Acc>();
    for (var k4 = 0u; k4 < dims.lda / 4u; k4++) {
        var mine: array<vec4<Acc>, FETCHES>;
        for (var j = 0u; j < FETCHES; j++) {
            let r = min(lane + j * SG, BM - 1u);
            mine[j] = vec4<Acc>(textureLoad(a, vec2<u32>(k4, row0 + r * WG_Y)));
        }
        // @generated products
        let a_0 = subgroupBroadcast(mine[0], 0u);
        let b_0_0 = vec4<Acc>(textureLoad(b, vec2<u32>(col4_0, k4 * 4u)));
        acc_0_0 = fma(vec4<Acc>(a_0.x), b_0_0, acc_0_0);
    }
    let ldc4 = dims.ldc / 4u;
    // @generated stores
    c[row0 * ldc4 + col4_0] = acc_0_0;
}
