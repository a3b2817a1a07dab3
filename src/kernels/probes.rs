//! Peak probes: the FMA-throughput and copy-bandwidth shaders, with the arithmetic that
//! turns their dispatches into FLOPs and bytes.

use super::dtype::Dtype;
use super::source;

/// Accumulators per invocation in `peak_fma.wgsl`, each a vec4.
const ACCUMULATORS: u64 = 16;
/// Inner unroll of `peak_fma.wgsl`.
const UNROLL: u64 = 4;
/// Workgroup size of the FMA probe.
pub const FMA_WORKGROUP: u32 = 64;
/// Workgroup size of the copy probe.
pub const COPY_WORKGROUP: u32 = 256;

/// The FMA probe's source in `dtype`.
pub fn fma_source(dtype: Dtype) -> String {
    source::with_dtype(source::PEAK_FMA, dtype)
}

/// FLOPs of one FMA-probe dispatch: each FMA on a vec4 is 4 lanes x 2 operations.
pub fn fma_flops(invocations: u64, iterations: u32) -> f64 {
    (invocations * u64::from(iterations) * UNROLL * ACCUMULATORS * 4 * 2) as f64
}

/// Bytes of the FMA probe's output buffer (one vec4 per invocation).
pub fn fma_sink_bytes(invocations: u64, dtype: Dtype) -> u64 {
    invocations * 4 * dtype.size()
}

/// The copy probe's source.
pub fn copy_source() -> &'static str {
    source::PEAK_COPY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fma_flops_counts_every_lane_and_both_operations() {
        // One invocation, one iteration: 4 unrolled x 16 vec4 FMAs x 4 lanes x 2 = 512.
        assert_eq!(fma_flops(1, 1), 512.0);
        assert_eq!(fma_flops(1024, 10), 512.0 * 1024.0 * 10.0);
    }
}
