// FMA throughput probe: 16 independent vec4 accumulators per invocation, so the chains
// never wait on each other; the loop count comes from a uniform so the compiler cannot
// fold it, and the result is stored so it cannot be dropped. FLOPs per invocation =
// iterations * UNROLL * 16 accumulators * 4 lanes * 2. Elem becomes f16 for the f16 probe.
alias Elem = f32;
const UNROLL: u32 = 4u;

struct Params {
    iterations: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> sink: array<vec4<Elem>>;
@group(0) @binding(1) var<uniform> params: Params;

override WG_SIZE: u32 = 64u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let index = gid.x + gid.y * groups.x * WG_SIZE;
    let seed = Elem(f32(index & 7u) * 0.0625);
    // Multiplier just below one keeps values bounded for any iteration count.
    let mul = vec4<Elem>(Elem(0.999));
    let add = vec4<Elem>(Elem(0.001));
    var x0 = vec4<Elem>(seed); var x1 = x0 + add; var x2 = x1 + add; var x3 = x2 + add;
    var x4 = x3 + add; var x5 = x4 + add; var x6 = x5 + add; var x7 = x6 + add;
    var x8 = x7 + add; var x9 = x8 + add; var x10 = x9 + add; var x11 = x10 + add;
    var x12 = x11 + add; var x13 = x12 + add; var x14 = x13 + add; var x15 = x14 + add;
    for (var i = 0u; i < params.iterations; i++) {
        for (var u = 0u; u < UNROLL; u++) {
            x0 = fma(x0, mul, add); x1 = fma(x1, mul, add); x2 = fma(x2, mul, add); x3 = fma(x3, mul, add);
            x4 = fma(x4, mul, add); x5 = fma(x5, mul, add); x6 = fma(x6, mul, add); x7 = fma(x7, mul, add);
            x8 = fma(x8, mul, add); x9 = fma(x9, mul, add); x10 = fma(x10, mul, add); x11 = fma(x11, mul, add);
            x12 = fma(x12, mul, add); x13 = fma(x13, mul, add); x14 = fma(x14, mul, add); x15 = fma(x15, mul, add);
        }
    }
    let total = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))
        + ((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15));
    sink[index] = total;
}
