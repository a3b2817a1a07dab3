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

/// A command line written as one string, as its words (split at spaces: for values that
/// hold none).
pub fn words(line: &str) -> Vec<&str> {
    line.split(' ').collect()
}

/// The fleetbench binary under test.
pub fn fleetbench() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("fleetbench").expect("binary")
}

/// `fleetbench run` on Vulkan of `kernels` in `dtype` at `sizes`, `samples` samples, no
/// warm-up and the quick probe search: the small real measurement most tests start from
/// (add flags to it).
pub fn small_run(kernels: &str, dtype: &str, sizes: &str, samples: u32) -> assert_cmd::Command {
    let mut command = fleetbench();
    command
        .args([
            "run",
            "--backend",
            "vulkan",
            "--kernel",
            kernels,
            "--dtype",
            dtype,
        ])
        .args([
            "--sizes",
            sizes,
            "--samples",
            &samples.to_string(),
            "--warmup",
            "0",
            "--probes",
            "quick",
        ]);
    command
}

/// `small_run` with one sample and JSON on stdout, expecting success: the results.
pub fn small_run_json(kernels: &str, dtype: &str, sizes: &str) -> serde_json::Value {
    let output = small_run(kernels, dtype, sizes, 1)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

/// Runs a command expected to fail with `code`, and checks stderr is one clear line.
pub fn fails_with(args: &[&str], code: i32, needle: &str) {
    let output = fleetbench().args(args).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: stderr {stderr}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got {stderr}");
    assert!(
        lines[0].contains(needle),
        "{args:?}: '{}' lacks '{needle}'",
        lines[0]
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
}

/// A results file kept in tests/fixtures (written by an earlier fleetbench run or merge).
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs a command expecting success, and returns its stdout (its stderr if it fails).
pub fn stdout(args: &[&str]) -> String {
    let output = fleetbench().args(args).output().expect("run");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 on stdout")
}

/// Runs a command with `--format json` expecting success, and parses its output.
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = fleetbench()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("valid JSON")
}

/// Runs a bad command line and checks exit 2 with one `error:` line naming `needle`.
pub fn rejects(args: &[&str], needle: &str) {
    fails_with(args, 2, needle);
    let out = fleetbench().args(args).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
}

/// serde_json writes NaN and infinities as null: every range must hold three numbers.
pub fn assert_no_nan(v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(map) if map.contains_key("central") => {
            for key in ["low", "central", "high"] {
                assert!(
                    map[key].as_f64().is_some_and(f64::is_finite),
                    "{key} in {v}"
                );
            }
        }
        serde_json::Value::Object(map) => map.values().for_each(assert_no_nan),
        serde_json::Value::Array(items) => items.iter().for_each(assert_no_nan),
        _ => {}
    }
}
