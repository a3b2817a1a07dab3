//! Everything that touches wgpu: finding and choosing adapters, opening a device whose
//! errors are caught rather than panicking, buffers and read-back, and GPU timing.
//! Nothing here knows about fleets or projections.

pub mod adapter;
pub mod buffers;
pub mod context;
pub mod timing;

pub use adapter::{AdapterDescription, AdapterSelector, DiscoveredAdapter};
pub use context::GpuContext;
