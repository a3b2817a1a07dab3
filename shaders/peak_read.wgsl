// Read bandwidth probe: each invocation sums VECS vec4s of `source` (layout as in
// peak_copy.wgsl); bytes moved = the buffer's size. The sum is stored only when it equals
// a value the zero-filled buffer never sums to, which the compiler cannot know, so every
// load stays and nothing is written.
@group(0) @binding(0) var<storage, read> source: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> sink: array<vec4<f32>>;

override WG_SIZE: u32 = 256u;
override VECS: u32 = 4u;
override STRIDED: bool = true;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let invocations = groups.x * WG_SIZE;
    var sum = vec4<f32>(0.0);
    for (var v = 0u; v < VECS; v++) {
        sum += source[select(gid.x * VECS + v, v * invocations + gid.x, STRIDED)];
    }
    if (sum.x == -1.0) {
        sink[0] = sum;
    }
}
