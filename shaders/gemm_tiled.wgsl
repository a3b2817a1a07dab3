// Tiled GEMM: each workgroup computes a TM x TN tile of C, staging TK-deep slices of A and
// B in workgroup memory; each invocation keeps a BM x (4*BN4) register block and reads
// vec4s. The host pads M, N and K to multiples of the tile (zeros), so no bounds checks.
// Register-block sizes are `const` (private arrays need constant sizes) and rewritten by the
// host per variant; workgroup size and K step are pipeline-overridable constants.
// Elem is the input type (global and workgroup memory), Acc the type of the register
// block and of C: inputs are widened once, as they enter registers.
alias Elem = f32;
alias Acc = f32;
const BM: u32 = 4u;
const BN4: u32 = 1u;

@group(0) @binding(0) var<storage, read> a: array<vec4<Elem>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<Elem>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<Acc>>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TK: u32 = 16u;

// A slice: TM rows x TK/4 vec4s; B slice: TK rows x TN4 vec4s.
var<workgroup> a_tile: array<vec4<Elem>, WG_Y * BM * TK / 4u>;
var<workgroup> b_tile: array<vec4<Elem>, TK * WG_X * BN4>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    let tm = WG_Y * BM;
    let tn4 = WG_X * BN4;
    let tk4 = TK / 4u;
    let threads = WG_X * WG_Y;
    let flat = lid.y * WG_X + lid.x;
    let row0 = wid.y * tm;
    let col4_0 = wid.x * tn4;
    let lda4 = dims.lda / 4u;
    let ldb4 = dims.ldb / 4u;

    var acc: array<array<vec4<Acc>, BN4>, BM>;
    for (var kb = 0u; kb < dims.lda; kb += TK) {
        for (var i = flat; i < tm * tk4; i += threads) {
            a_tile[i] = a[(row0 + i / tk4) * lda4 + kb / 4u + i % tk4];
        }
        for (var i = flat; i < TK * tn4; i += threads) {
            b_tile[i] = b[(kb + i / tn4) * ldb4 + col4_0 + i % tn4];
        }
        workgroupBarrier();
        for (var kk4 = 0u; kk4 < tk4; kk4++) {
            var a_vec: array<vec4<Acc>, BM>;
            for (var r = 0u; r < BM; r++) {
                a_vec[r] = vec4<Acc>(a_tile[(r * WG_Y + lid.y) * tk4 + kk4]);
            }
            for (var s = 0u; s < 4u; s++) {
                for (var c4 = 0u; c4 < BN4; c4++) {
                    let b_vec = vec4<Acc>(b_tile[(kk4 * 4u + s) * tn4 + c4 * WG_X + lid.x]);
                    for (var r = 0u; r < BM; r++) {
                        acc[r][c4] = fma(vec4<Acc>(a_vec[r][s]), b_vec, acc[r][c4]);
                    }
                }
            }
        }
        workgroupBarrier();
    }
    let ldc4 = dims.ldc / 4u;
    for (var r = 0u; r < BM; r++) {
        for (var c4 = 0u; c4 < BN4; c4++) {
            c[(row0 + r * WG_Y + lid.y) * ldc4 + col4_0 + c4 * WG_X + lid.x] = acc[r][c4];
        }
    }
}
