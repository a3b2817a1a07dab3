// Cooperative-matrix GEMM (wgpu's EXPERIMENTAL_COOPERATIVE_MATRIX: tensor cores on NVIDIA,
// simdgroup matrices on Apple). C is cut into S x S fragments; one subgroup at a time
// computes a block of FM x FN fragments: per K step of S it loads FM fragments of A and FN
// of B (coopLoadT: row-major, strided by the leading dimension) and does FM * FN
// coopMultiplyAdd into fragments it keeps. A workgroup tile is BLOCKS x BLOCKS blocks; its
// subgroups take blocks subgroup_id, subgroup_id + num_subgroups, ..., so the kernel is
// right whatever subgroup size the driver picks (the host makes the workgroup a multiple
// of the adapter's largest, so every subgroup is whole). Control flow depends only on
// the subgroup's own id, uniform within it, as cooperative operations require. Inputs are
// read from storage directly (no workgroup staging). The host pads M and N to whole tiles
// and K to S (zeros), so there are no bounds checks. The lines at the `@generated` markers
// are written by the host for the fragment side and block (a coop_matSxS type needs its
// side spelled out); the lines after each marker are an example, S = 8, FM = FN = 1.
// Elem is the input type, Acc the type of the sums and C.
enable wgpu_cooperative_matrix;
alias Elem = f32;
alias Acc = f32;
const S: u32 = 8u;
const FM: u32 = 1u;
const FN: u32 = 1u;
const BLOCKS: u32 = 2u;

@group(0) @binding(0) var<storage, read> a: array<Elem>;
@group(0) @binding(1) var<storage, read> b: array<Elem>;
@group(0) @binding(2) var<storage, read_write> c: array<Acc>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(subgroup_id) subgroup: u32,
    @builtin(num_subgroups) subgroups: u32,
) {
    let lda = dims.lda;
    let ldb = dims.ldb;
    let ldc = dims.ldc;
    for (var block = subgroup; block < BLOCKS * BLOCKS; block += subgroups) {
        let row0 = (wid.y * BLOCKS + block / BLOCKS) * FM * S;
        let col0 = (wid.x * BLOCKS + block % BLOCKS) * FN * S;
        // @generated accumulators
        var acc_0_0 = coop_mat8x8<Acc, C>();
        for (var k = 0u; k < lda; k += S) {
            // @generated products
            let a_0 = coopLoadT<coop_mat8x8<Elem, A>>(&a[(row0 + 0u * S) * lda + k], lda);
            let b_0 = coopLoadT<coop_mat8x8<Elem, B>>(&b[k * ldb + col0 + 0u * S], ldb);
            acc_0_0 = coopMultiplyAdd(a_0, b_0, acc_0_0);
        }
        // @generated stores
        let c_0_0 = (row0 + 0u * S) * ldc + col0 + 0u * S;
        coopStoreT(acc_0_0, &c[c_0_0], ldc);
    }
}
