//! Measuring: warm-up, sampling and statistics, verification against an f64 CPU
//! reference, GEMM benchmarks and the device's own peaks. Everything here runs on a
//! `GpuContext`; nothing here knows about fleets.

pub mod autotune;
pub mod gemm;
pub mod matrices;
pub mod peaks;
pub mod pipeline;
pub mod sampling;
pub mod session;
pub mod stop;
pub mod verify;

/// Sample statistics live with the results they end up in.
pub use crate::results::stats;
