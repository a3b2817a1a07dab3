// FMA throughput probe: independent accumulators per invocation, so the chains never wait
// on each other; how many, how wide (`Acc`) and how many steps of each are written out per
// loop iteration the host chooses per device (too many spill registers, too few leave the
// FMA units waiting on latency, a short body leaves loop overhead). The sections between
// `// @generated NAME` and `// @end NAME` are rewritten for the chosen counts; as written
// they hold two accumulators, four steps deep. The loop count comes from a uniform so the
// compiler cannot fold it, and the result is stored so it cannot be dropped. FLOPs per
// invocation = iterations * depth * accumulators * lanes of Acc * 2. Elem becomes f16 for
// the f16 probe.
alias Elem = f32;
alias Acc = vec4<Elem>;
struct Params {
    iterations: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> sink: array<Acc>;
@group(0) @binding(1) var<uniform> params: Params;

override WG_SIZE: u32 = 64u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let index = gid.x + gid.y * groups.x * WG_SIZE;
    let seed = Elem(f32(index & 7u) * 0.0625);
    // Multiplier just below one keeps values bounded for any iteration count.
    let mul = Acc(Elem(0.999));
    let add = Acc(Elem(0.001));
    // @generated accumulators
    var x0 = Acc(seed);
    var x1 = x0 + add;
    // @end accumulators
    for (var i = 0u; i < params.iterations; i++) {
        // @generated fmas
        x0 = fma(x0, mul, add);
        x1 = fma(x1, mul, add);
        x0 = fma(x0, mul, add);
        x1 = fma(x1, mul, add);
        x0 = fma(x0, mul, add);
        x1 = fma(x1, mul, add);
        x0 = fma(x0, mul, add);
        x1 = fma(x1, mul, add);
        // @end fmas
    }
    // @generated total
    let total = x0 + x1;
    // @end total
    sink[index] = total;
}
