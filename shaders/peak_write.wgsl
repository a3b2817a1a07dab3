// Write bandwidth probe: each invocation stores VECS vec4s into `dest` (layout as in
// peak_copy.wgsl); bytes moved = the buffer's size.
@group(0) @binding(0) var<storage, read_write> dest: array<vec4<f32>>;

override WG_SIZE: u32 = 256u;
override VECS: u32 = 4u;
override STRIDED: bool = true;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let invocations = groups.x * WG_SIZE;
    let value = vec4<f32>(f32(gid.x & 1023u));
    for (var v = 0u; v < VECS; v++) {
        dest[select(gid.x * VECS + v, v * invocations + gid.x, STRIDED)] = value;
    }
}
