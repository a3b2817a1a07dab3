//! The measuring commands as a user runs them: `devices` and `run`, their JSON contract,
//! exit codes, bad input (one line on stderr, exit 2, no panic) and atomic output files.

mod common;

use common::{fails_with, fleetbench};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn usage_errors_exit_2_with_one_line() {
    fails_with(&["run", "--sizes", "0"], 2, "0");
    fails_with(&["run", "--shape", "0x4x4"], 2, "not a shape");
    fails_with(&["run", "--shape", "4x4"], 2, "not a shape");
    fails_with(&["run", "--kernel", "fastest"], 2, "fastest");
    fails_with(&["run", "--dtype", "f64"], 2, "f64");
    fails_with(&["run", "--format", "yaml"], 2, "yaml");
    fails_with(&["run", "--backend", "glide"], 2, "unknown backend 'glide'");
    fails_with(
        &["devices", "--backend", "vulkan,nope"],
        2,
        "unknown backend 'nope'",
    );
    fails_with(&["bogus-command"], 2, "bogus-command");
}

#[test]
fn a_bad_wgpu_backend_variable_is_a_usage_error() {
    let output = fleetbench()
        .args(["devices"])
        .env("WGPU_BACKEND", "vulcan")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("WGPU_BACKEND"));
}

#[test]
fn no_adapter_on_the_requested_backend_says_how_to_get_one() {
    // Metal and DX12 do not exist on Linux: the same path as a machine with no driver.
    if !cfg!(target_os = "linux") {
        return;
    }
    fails_with(&["devices", "--backend", "metal"], 1, "mesa-vulkan-drivers");
    fails_with(
        &["run", "--backend", "dx12", "--quick"],
        1,
        "mesa-vulkan-drivers",
    );
}

#[test]
fn devices_json_follows_the_contract() {
    if !common::cli_adapter_or_skip("devices_json") {
        return;
    }
    let output = fleetbench()
        .args(["devices", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let devices: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let list = devices.as_array().expect("array");
    assert!(!list.is_empty());
    for (i, d) in list.iter().enumerate() {
        assert_eq!(d["index"], i);
        assert!(d["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(["vulkan", "metal", "dx12", "gl"].contains(&d["backend"].as_str().unwrap()));
        let kinds = [
            "discrete_gpu",
            "integrated_gpu",
            "virtual_gpu",
            "cpu",
            "other",
        ];
        assert!(kinds.contains(&d["device_type"].as_str().unwrap()));
        assert_eq!(d["software"].as_bool().unwrap(), d["device_type"] == "cpu");
        assert!(d["driver"].is_string() && d["driver_info"].is_string());
        assert!(d["features"].is_array());
        assert!(
            d["limits"]["max_storage_buffer_binding_size"]
                .as_u64()
                .unwrap()
                > 0
        );
        assert!(
            d["limits"]["max_compute_workgroup_storage_size"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
}

#[test]
fn an_adapter_name_that_matches_nothing_is_a_usage_error() {
    if !common::cli_adapter_or_skip("adapter_name") {
        return;
    }
    fails_with(
        &["run", "--adapter", "no-such-gpu-9000"],
        2,
        "no adapter matches name 'no-such-gpu-9000'",
    );
    fails_with(
        &["run", "--adapter", "99"],
        2,
        "no adapter matches index 99",
    );
    let output = fleetbench()
        .args(["run", "--quick"])
        .env("WGPU_ADAPTER_NAME", "no-such-gpu")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn shapes_beyond_the_adapters_limits_are_refused_before_running() {
    if !common::cli_adapter_or_skip("limits") {
        return;
    }
    fails_with(
        &["run", "--backend", "vulkan", "--shape", "200000x200000x64"],
        2,
        "adapter allows",
    );
}

#[test]
fn run_json_follows_the_contract_and_every_result_is_verified() {
    if !common::cli_adapter_or_skip("run_json") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    fleetbench()
        .args([
            "run",
            "--backend",
            "vulkan",
            "--sizes",
            "64,100",
            "--samples",
            "2",
            "--warmup",
            "0",
            "--probes",
            "quick",
        ])
        .args(["--format", "json", "--output", path.to_str().unwrap()])
        .assert()
        .success();
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(results["schema_version"], 1);
    assert_eq!(results["tool"]["name"], "fleetbench");
    assert!(results["adapter"]["name"].is_string());
    assert!(["timestamp", "wall_clock"].contains(&results["timing"].as_str().unwrap()));
    let f32_peak = results["peaks"]["fma_gflops"]["f32"].as_f64().unwrap();
    assert!(f32_peak > 0.0);
    assert!(results["peaks"]["bandwidth_gbps"].as_f64().unwrap() > 0.0);
    // Read, write and copy each reported with their configuration; copy is the roofline's.
    let probes = results["peaks"]["probes"].as_array().unwrap();
    for kind in ["read", "write", "copy"] {
        let probe = probes.iter().find(|p| p["probe"] == kind).expect(kind);
        assert!(probe["rate"]["median"].as_f64().unwrap() > 0.0, "{probe}");
        assert!(
            probe["configuration"].as_str().unwrap().contains("vec4"),
            "{probe}"
        );
    }
    let copy = probes.iter().find(|p| p["probe"] == "copy").unwrap();
    assert_eq!(copy["rate"]["median"], results["peaks"]["bandwidth_gbps"]);
    let gemm = results["gemm"].as_array().unwrap();
    // Three kernels x two sizes x (f32, and f16 where the adapter has it).
    let dtypes = if results["adapter"]["features"]
        .to_string()
        .contains("shader-f16")
    {
        2
    } else {
        1
    };
    assert_eq!(gemm.len(), 3 * 2 * dtypes);
    for g in gemm {
        assert_eq!(g["verified"], true, "{g}");
        let gflops = &g["gflops"];
        let (median, min, max) = (
            gflops["median"].as_f64().unwrap(),
            gflops["min"].as_f64().unwrap(),
            gflops["max"].as_f64().unwrap(),
        );
        assert!(min > 0.0 && min <= median && median <= max, "{g}");
        assert_eq!(g["samples"], 2);
        assert!(g["max_error"].as_f64().unwrap() <= g["error_bound"].as_f64().unwrap());
        let peak = results["peaks"]["fma_gflops"][g["dtype"].as_str().unwrap()]
            .as_f64()
            .unwrap();
        let efficiency = g["efficiency"].as_f64().unwrap();
        assert!(
            (efficiency - median / peak).abs() < 1e-9 * efficiency.max(1.0),
            "{g}"
        );
        // A peak is never below a verified GEMM on the same adapter.
        assert!(efficiency <= 1.0, "{g}");
        for key in ["kernel", "dtype", "m", "n", "k"] {
            assert!(!g[key].is_null(), "{key} missing in {g}");
        }
    }
}

#[test]
fn run_prints_a_table_and_markdown_and_csv() {
    if !common::cli_adapter_or_skip("run_formats") {
        return;
    }
    let base = || common::small_run("tiled", "f32", "32", 1);
    base().assert().success().stdout(
        predicate::str::contains("GFLOP/s median").and(predicate::str::contains("Measured peaks")),
    );
    base()
        .args(["--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| kernel | geometry | workload | dtype |",
        ));
    let csv = base().args(["--format", "csv"]).output().unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(
        text.starts_with("table,kernel,geometry,workload,dtype,m,n,k,median_flop_per_s,"),
        "{text}"
    );
    let row = text.lines().find(|l| l.starts_with("gemm,tiled,")).unwrap();
    assert!(row.contains(",f32,32,32,32,"), "{text}");
}

/// The GPU-class ids run and verify where the adapter offers what they need, and are
/// refused (exit 2, one line naming the reason) where it does not.
#[test]
fn the_gpu_class_kernel_ids_run_or_are_refused_by_what_the_adapter_offers() {
    if !common::cli_adapter_or_skip("gpu_class_ids") {
        return;
    }
    let devices = common::json(&["devices", "--backend", "vulkan"]);
    let adapter = &devices.as_array().expect("a list of adapters")[0];
    let has = |feature: &str| {
        adapter["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == feature)
    };
    let limits = &adapter["limits"];
    let mut runnable = vec!["tiled-128"];
    if has("subgroups") && limits["min_subgroup_size"] == limits["max_subgroup_size"] {
        runnable.push("texture-subgroup");
    }
    let results = common::small_run_json(&runnable.join(","), "f32", "33");
    let gemm = results["gemm"].as_array().unwrap();
    for id in &runnable {
        let record = gemm.iter().find(|g| g["kernel"] == *id).expect(id);
        assert_eq!(record["verified"], true, "{record}");
    }
    if !has("cooperative-matrix") {
        fails_with(
            &[
                "run",
                "--backend",
                "vulkan",
                "--kernel",
                "coop-matrix",
                "--sizes",
                "32",
            ],
            2,
            "--kernel coop-matrix f32: cooperative matrices: not offered by this adapter",
        );
    }
}

#[test]
fn int8_runs_the_dot4_kernel_with_exact_verification() {
    if !common::cli_adapter_or_skip("int8") {
        return;
    }
    let results = common::small_run_json("dot4-i8", "i8", "37,64");
    let gemm = results["gemm"].as_array().unwrap();
    assert_eq!(gemm.len(), 2, "only the int8 kernel runs i8: {gemm:?}");
    for g in gemm {
        assert_eq!(g["kernel"], "dot4-i8");
        assert_eq!(g["dtype"], "i8");
        assert_eq!(g["verified"], true);
        assert_eq!(g["max_error"], 0.0);
        assert_eq!(g["error_bound"], 0.0);
        assert!(g["gflops"]["median"].as_f64().unwrap() > 0.0);
        // The dot4 probe gives i8 a peak, never below a verified i8 GEMM.
        let efficiency = g["efficiency"].as_f64().expect("an i8 efficiency");
        assert!(efficiency > 0.0 && efficiency <= 1.0, "{efficiency}");
    }
    assert!(results["peaks"]["fma_gflops"]["i8"].as_f64().unwrap() > 0.0);
    let probes = results["peaks"]["probes"].as_array().unwrap();
    assert!(
        probes
            .iter()
            .any(|p| p["probe"] == "fma" && p["dtype"] == "i8" && p["configuration"].is_string()),
        "{probes:?}"
    );
}

#[test]
fn a_failed_run_leaves_an_existing_output_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    std::fs::write(&path, "previous results").unwrap();
    fleetbench()
        .args([
            "run",
            "--shape",
            "0x1x1",
            "--output",
            path.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    fleetbench()
        .args([
            "run",
            "--adapter",
            "no-such-gpu",
            "--output",
            path.to_str().unwrap(),
        ])
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous results");
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary files are left behind");
}
