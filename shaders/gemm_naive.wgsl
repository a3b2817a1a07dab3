// Naive GEMM baseline: one invocation per output element, C = A * B, row-major.
// Elem (inputs) and Acc (sums and C) are rewritten by the host (with `enable f16;`): both
// f16 for the f16 variant, Elem f16 and Acc f32 for the mixed one.
alias Elem = f32;
alias Acc = f32;

@group(0) @binding(0) var<storage, read> a: array<Elem>;
@group(0) @binding(1) var<storage, read> b: array<Elem>;
@group(0) @binding(2) var<storage, read_write> c: array<Acc>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let row = gid.y;
    let col = gid.x;
    if (row >= dims.m || col >= dims.n) {
        return;
    }
    var acc = Acc(0);
    for (var i = 0u; i < dims.k; i++) {
        acc = fma(Acc(a[row * dims.lda + i]), Acc(b[i * dims.ldb + col]), acc);
    }
    c[row * dims.ldc + col] = acc;
}
