// Int8 GEMM with dot4I8Packed: A (M x K) and B transposed (N x K) hold signed 8-bit values
// packed four along K into each u32; every invocation keeps a BM x (4*BN4) block of i32
// sums, so each u32 of A and of B it loads feeds four multiply-adds per output. Integer
// sums are exact: verification demands equality. The host pads M to WG_Y*BM, N to
// 4*WG_X*BN4 and K to 4, with zeros.
const BM: u32 = 4u;
const BN4: u32 = 1u;

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> c: array<i32>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    let row0 = wid.y * WG_Y * BM + lid.y;
    let col0 = wid.x * WG_X * BN4 * 4u + lid.x;
    let k4s = dims.lda / 4u;
    var acc: array<array<i32, 4u * BN4>, BM>;
    for (var k4 = 0u; k4 < k4s; k4++) {
        var a_packed: array<u32, BM>;
        for (var r = 0u; r < BM; r++) {
            a_packed[r] = a[(row0 + r * WG_Y) * k4s + k4];
        }
        for (var col = 0u; col < 4u * BN4; col++) {
            let b_packed = b[(col0 + col * WG_X) * k4s + k4];
            for (var r = 0u; r < BM; r++) {
                acc[r][col] += dot4I8Packed(a_packed[r], b_packed);
            }
        }
    }
    for (var r = 0u; r < BM; r++) {
        for (var col = 0u; col < 4u * BN4; col++) {
            c[(row0 + r * WG_Y) * dims.ldc + col0 + col * WG_X] = acc[r][col];
        }
    }
}
