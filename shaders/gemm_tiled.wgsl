// Tiled GEMM: each workgroup computes a TM x TN tile of C, staging TK-deep slices of A and
// B in workgroup memory; each invocation keeps a BM x (4*BN4) register block and reads
// vec4s. The host pads M, N and K to multiples of the tile (zeros), so no bounds checks.
// Register-block sizes, the staging buffers per operand (STAGES) and the A-row padding
// (PAD_A4) are `const` (private arrays need constant sizes; the staging choice removes a
// barrier at compile time) and rewritten by the host per variant; workgroup size and K
// step are pipeline-overridable constants.
// Split K: workgroups along z each take 1/nwg.z of K and write their partial C to their
// own M x N block of `c` (then a second pass, gemm_split_k_reduce.wgsl, sums the blocks);
// with one workgroup along z that block is C itself.
// Elem is the input type (global and workgroup memory), Acc the type of the register
// block and of C: inputs are widened once, as they enter registers.
alias Elem = f32;
alias Acc = f32;
const BM: u32 = 4u;
const BN4: u32 = 1u;
// 1: load a slice, barrier, multiply, barrier. 2: ping-pong buffers, the next slice loads
// while this one is multiplied, one barrier per step.
const STAGES: u32 = 1u;
// vec4s after each A row in workgroup memory, so rows read together start in other banks.
const PAD_A4: u32 = 0u;

@group(0) @binding(0) var<storage, read> a: array<vec4<Elem>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<Elem>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<Acc>>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TK: u32 = 16u;

// Per stage, A slice: TM rows of TK/4 (+ PAD_A4) vec4s; B slice: TK rows x TN4 vec4s.
var<workgroup> a_tile: array<vec4<Elem>, STAGES * WG_Y * BM * (TK / 4u + PAD_A4)>;
var<workgroup> b_tile: array<vec4<Elem>, STAGES * TK * WG_X * BN4>;

// Copies the K slice starting at column `kb` into staging buffer `stage`, all invocations
// of the workgroup sharing the copy.
fn load_slice(stage: u32, kb: u32, flat: u32, row0: u32, col4_0: u32) {
    let tm = WG_Y * BM;
    let tn4 = WG_X * BN4;
    let tk4 = TK / 4u;
    let a_row4 = tk4 + PAD_A4;
    let threads = WG_X * WG_Y;
    let lda4 = dims.lda / 4u;
    let ldb4 = dims.ldb / 4u;
    let a_base = stage * tm * a_row4;
    let b_base = stage * TK * tn4;
    for (var i = flat; i < tm * tk4; i += threads) {
        a_tile[a_base + (i / tk4) * a_row4 + i % tk4] = a[(row0 + i / tk4) * lda4 + kb / 4u + i % tk4];
    }
    for (var i = flat; i < TK * tn4; i += threads) {
        b_tile[b_base + i] = b[(kb + i / tn4) * ldb4 + col4_0 + i % tn4];
    }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tm = WG_Y * BM;
    let tn4 = WG_X * BN4;
    let tk4 = TK / 4u;
    let a_row4 = tk4 + PAD_A4;
    let flat = lid.y * WG_X + lid.x;
    let row0 = wid.y * tm;
    let col4_0 = wid.x * tn4;
    // This workgroup's share of K (the host pads K to TK times the split).
    let k_len = dims.lda / groups.z;
    let k0 = wid.z * k_len;
    let steps = k_len / TK;

    var acc: array<array<vec4<Acc>, BN4>, BM>;
    if STAGES == 2u {
        load_slice(0u, k0, flat, row0, col4_0);
        workgroupBarrier();
    }
    for (var step = 0u; step < steps; step++) {
        let stage = step % STAGES;
        if STAGES == 1u {
            load_slice(0u, k0 + step * TK, flat, row0, col4_0);
            workgroupBarrier();
        } else if step + 1u < steps {
            // The other buffer was last read before the previous step's barrier.
            load_slice(1u - stage, k0 + (step + 1u) * TK, flat, row0, col4_0);
        }
        let a_base = stage * tm * a_row4;
        let b_base = stage * TK * tn4;
        for (var kk4 = 0u; kk4 < tk4; kk4++) {
            var a_vec: array<vec4<Acc>, BM>;
            for (var r = 0u; r < BM; r++) {
                a_vec[r] = vec4<Acc>(a_tile[a_base + (r * WG_Y + lid.y) * a_row4 + kk4]);
            }
            for (var s = 0u; s < 4u; s++) {
                for (var c4 = 0u; c4 < BN4; c4++) {
                    let b_vec = vec4<Acc>(b_tile[b_base + (kk4 * 4u + s) * tn4 + c4 * WG_X + lid.x]);
                    for (var r = 0u; r < BM; r++) {
                        acc[r][c4] = fma(vec4<Acc>(a_vec[r][s]), b_vec, acc[r][c4]);
                    }
                }
            }
        }
        workgroupBarrier();
    }
    let ldc4 = dims.ldc / 4u;
    let block = wid.z * groups.y * tm * ldc4;
    for (var r = 0u; r < BM; r++) {
        for (var c4 = 0u; c4 < BN4; c4++) {
            c[block + (row0 + r * WG_Y + lid.y) * ldc4 + col4_0 + c4 * WG_X + lid.x] = acc[r][c4];
        }
    }
}
