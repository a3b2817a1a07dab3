// Row-broadcast GEMM: a workgroup is one row of WG_X invocations sharing the same BM rows
// of A, so every A load has the same address across the workgroup (a uniform load that
// drivers can issue once and broadcast); B is read as a read-only storage texture whose
// texels hold four consecutive columns. Each invocation keeps a BM x (4*BN4) register
// block. The host pads M to BM, N to 4*WG_X*BN4 and K to 4, with zeros. Elem is the input
// type, Acc the type of the register block and of C.
alias Elem = f32;
alias Acc = f32;
const BM: u32 = 16u;
const BN4: u32 = 1u;
@group(0) @binding(0) var<storage, read> a: array<vec4<Elem>>;
@group(0) @binding(1) var b: texture_storage_2d<rgba32float, read>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<Acc>>;
override WG_X: u32 = 8u;
@compute @workgroup_size(WG_X, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let row0 = wid.y * BM;
    let col4_0 = wid.x * WG_X * BN4 + lid.x;
    let lda4 = dims.lda / 4u;
    var acc: array<array<vec4<Acc>, BN4>, BM>;
    for (var k4 = 0u; k4 < lda4; k4++) {
        var a_vec: array<vec4<Acc>, BM>;
        for (var r = 0u; r < BM; r++) {
            a_vec[r] = vec4<Acc>(a[(row0 + r) * lda4 + k4]);
        }
        for (var s = 0u; s < 4u; s++) {
            for (var c4 = 0u; c4 < BN4; c4++) {
                let b_vec = vec4<Acc>(textureLoad(b, vec2<u32>(col4_0 + c4 * WG_X, k4 * 4u + s)));
                for (var r = 0u; r < BM; r++) {
                    acc[r][c4] = fma(vec4<Acc>(a_vec[r][s]), b_vec, acc[r][c4]);
                }
            }
        }
    }
    let ldc4 = dims.ldc / 4u;
    for (var r = 0u; r < BM; r++) {
        for (var c4 = 0u; c4 < BN4; c4++) {
            c[(row0 + r) * ldc4 + col4_0 + c4 * WG_X] = acc[r][c4];
        }
    }
}
