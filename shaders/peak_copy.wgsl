// Copy bandwidth probe: each invocation copies VECS vec4s from `source` to `dest`; bytes
// moved = 2 * bytes copied (one read, one write). The dispatch covers the buffers exactly
// (the host sizes them to workgroups * WG_SIZE * VECS vec4s). STRIDED puts an invocation's
// vectors one dispatch-width apart (neighbouring invocations touch neighbouring
// addresses, as GPUs coalesce); otherwise they are contiguous (gid * VECS + v).
@group(0) @binding(0) var<storage, read> source: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dest: array<vec4<f32>>;

override WG_SIZE: u32 = 256u;
override VECS: u32 = 4u;
override STRIDED: bool = true;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let invocations = groups.x * WG_SIZE;
    for (var v = 0u; v < VECS; v++) {
        let i = select(gid.x * VECS + v, v * invocations + gid.x, STRIDED);
        dest[i] = source[i];
    }
}
