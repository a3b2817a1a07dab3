// Split K's second pass: C is the sum of the partial C blocks that the tiled kernel's
// workgroups along z wrote one after another into `partials` (each as large as C, so the
// split is their ratio). One vec4 of C per invocation and step, striding over the grid,
// so a C of any size fits the dispatch limit.
// Elem is unused here; it is declared because the host sets Elem and Acc together.
alias Elem = f32;
alias Acc = f32;

@group(0) @binding(0) var<storage, read> partials: array<vec4<Acc>>;
@group(0) @binding(1) var<storage, read_write> c: array<vec4<Acc>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let len4 = arrayLength(&c);
    let splits = arrayLength(&partials) / len4;
    for (var i = gid.x; i < len4; i += groups.x * WG) {
        var sum = partials[i];
        for (var s = 1u; s < splits; s++) {
            sum += partials[s * len4 + i];
        }
        c[i] = sum;
    }
}
