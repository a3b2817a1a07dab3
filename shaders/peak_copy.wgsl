// Memory bandwidth probe: each invocation copies vec4s from `source` to `dest` in a
// grid-stride loop; bytes moved = 2 * bytes copied (one read, one write).
@group(0) @binding(0) var<storage, read> source: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dest: array<vec4<f32>>;

override WG_SIZE: u32 = 256u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let stride = groups.x * WG_SIZE;
    let count = arrayLength(&source);
    for (var i = gid.x; i < count; i += stride) {
        dest[i] = source[i];
    }
}
