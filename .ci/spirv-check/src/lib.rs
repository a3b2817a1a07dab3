//! A CI check, not a library: `tests/coop_spirv.rs` runs SPIRV-Tools' validator on the
//! SPIR-V that naga writes for each of fleetbench's cooperative-matrix kernels. It is a
//! workspace member outside the default ones, so `cargo test` at the root does not build
//! the validator's C++; `.ci/run` runs `cargo test -p fleetbench-spirv-check`.
