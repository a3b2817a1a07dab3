// Int8 throughput probe: dot4I8Packed chains, each accumulator fed back as the next
// packed operand (acc = dot4I8Packed(bitcast<u32>(acc), b) + acc), so no dot product is
// loop-invariant and the compiler can neither hoist nor fold the chain; i32 arithmetic
// wraps. One step is 4 multiplies + 3 adds inside the dot product + 1 accumulating add =
// 8 integer operations. How many chains run side by side, and how many steps of each are
// written out per loop iteration, the host chooses per device; the sections between
// `// @generated NAME` and `// @end NAME` are rewritten for the chosen counts (as written
// they hold two chains, two steps deep).
struct Params {
    iterations: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> sink: array<i32>;
@group(0) @binding(1) var<uniform> params: Params;

override WG_SIZE: u32 = 64u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let index = gid.x + gid.y * groups.x * WG_SIZE;
    // Four signed bytes that depend on the invocation, so nothing is a constant.
    let b = 0x03fd02feu ^ (index & 0x0f0f0f0fu);
    // @generated accumulators
    var x0 = i32(index);
    var x1 = x0 + 1;
    // @end accumulators
    for (var i = 0u; i < params.iterations; i++) {
        // @generated dots
        x0 = dot4I8Packed(bitcast<u32>(x0), b) + x0;
        x1 = dot4I8Packed(bitcast<u32>(x1), b) + x1;
        x0 = dot4I8Packed(bitcast<u32>(x0), b) + x0;
        x1 = dot4I8Packed(bitcast<u32>(x1), b) + x1;
        // @end dots
    }
    // @generated total
    let total = x0 + x1;
    // @end total
    sink[index] = total;
}
