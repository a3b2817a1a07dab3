// Shared by every GEMM shader: the host appends this file to each (WGSL has no include;
// module-scope declarations may come in any order, so `enable` lines stay first). The
// problem size and the padded leading dimensions, in elements, laid out as `Dims` in
// src/measure/gemm.rs.
struct Dims {
    m: u32,
    n: u32,
    k: u32,
    lda: u32,
    ldb: u32,
    ldc: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(3) var<uniform> dims: Dims;
