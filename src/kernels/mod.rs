//! GEMM kernel families and peak probes: each knows its WGSL source (in `shaders/`), the
//! compile-time variant it needs (element type, register block), its pipeline-overridable
//! constants, how far it pads a shape, how it is dispatched, and whether the adapter's
//! limits allow it; for the cooperative-matrix family, which configurations an adapter's
//! answers allow (`coop`). Nothing here runs anything; `measure` does.

pub mod coop;
pub mod dtype;
pub mod gemm;
pub mod probes;
pub mod source;
pub mod workload;

pub use dtype::Dtype;
pub use gemm::{
    GemmKernel, GemmShape, GeometryError, KernelFamily, KernelId, SPLIT_K_REDUCE_WG, TileConfig,
    TiledOptions,
};
