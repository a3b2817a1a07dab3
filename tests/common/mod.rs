//! Shared helpers for tests that need a GPU adapter. Without one they skip, unless
//! FLEETBENCH_REQUIRE_ADAPTER=1 (as in CI), where a missing adapter fails the test.

#![allow(dead_code)]

use fleetbench::gpu::GpuContext;
use fleetbench::gpu::adapter::{self, AdapterSelector};

/// True when tests must not skip for lack of an adapter.
pub fn adapter_required() -> bool {
    std::env::var("FLEETBENCH_REQUIRE_ADAPTER").is_ok_and(|v| v == "1")
}

/// Opens the default adapter (Vulkan preferred), or None (with a note) when there is none
/// and it is not required.
pub fn context_or_skip(test: &str) -> Option<GpuContext> {
    let backends = adapter::backends_to_search(None).expect("backends");
    match adapter::select(adapter::discover(backends), &AdapterSelector::Best) {
        Ok(found) => Some(GpuContext::open(found).expect("open device")),
        Err(error) if adapter_required() => {
            panic!("{test}: FLEETBENCH_REQUIRE_ADAPTER=1 but no adapter: {error}")
        }
        Err(_) => {
            eprintln!("{test}: skipped, no GPU adapter (install mesa-vulkan-drivers)");
            None
        }
    }
}

/// Whether the fleetbench binary sees an adapter (for CLI tests), failing when required.
pub fn cli_adapter_or_skip(test: &str) -> bool {
    let output = assert_cmd::Command::cargo_bin("fleetbench")
        .expect("binary")
        .args(["devices", "--format", "json"])
        .output()
        .expect("run devices");
    if output.status.success() {
        return true;
    }
    assert!(
        !adapter_required(),
        "{test}: FLEETBENCH_REQUIRE_ADAPTER=1 but `devices` failed"
    );
    eprintln!("{test}: skipped, no GPU adapter");
    false
}
