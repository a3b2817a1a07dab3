//! From a measurement to the fleets: `run` ends with the fleets projected and expressed in
//! equivalents of the measured GPU; `project --from` does the same from a saved results
//! file (one GPU or a merged cluster); `--mfu measured` puts the measured efficiency in
//! place of the catalog's MFU. Bad files and misuse are one-line usage errors.

mod common;

use common::{fails_with, fleetbench};
use serde_json::Value;

/// A real, small results file from this machine's adapter.
fn measured_file(dir: &std::path::Path, name: &str, env: &[(&str, &str)]) -> std::path::PathBuf {
    let path = dir.join(name);
    common::small_run("tiled", "f32", "64,128", 2)
        .envs(env.iter().copied())
        .args(["--format", "json", "--output", path.to_str().unwrap()])
        .assert()
        .success();
    path
}

fn json_of(args: &[&str]) -> Value {
    serde_json::from_str(&common::stdout(args)).unwrap()
}

#[test]
fn project_from_a_run_gives_every_fleet_in_equivalents_of_the_measured_gpu() {
    if !common::cli_adapter_or_skip("bridge") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = measured_file(dir.path(), "r.json", &[]);
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let best = &results["gemm"][1]; // tiled f32 128^3, the largest
    assert_eq!(best["m"], 128);
    let local_flops = best["gflops"]["median"].as_f64().unwrap() * 1e9;

    let summary = json_of(&[
        "project",
        "--from",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(summary["measured"]["benchmark"], "tiled f32 128x128x128");
    let fleets = summary["fleets"].as_array().unwrap();
    let catalog = json_of(&["fleets", "--format", "json"]);
    assert_eq!(
        fleets.len(),
        catalog.as_array().unwrap().len(),
        "every catalog fleet"
    );
    for fleet in fleets {
        let training = fleet["training_flops_per_s"]["central"].as_f64().unwrap();
        let equivalents = fleet["equivalents_of_measured"]["central"]
            .as_f64()
            .unwrap();
        assert!(
            (equivalents - training / local_flops).abs() <= 1e-9 * equivalents,
            "{fleet}"
        );
        assert_ne!(
            fleet["mfu_source"], "measured",
            "catalog MFU by default: {fleet}"
        );
        assert_eq!(fleet["mfu"], summary["catalog_mfu"], "{fleet}");
    }
}

#[test]
fn mfu_measured_uses_the_measured_efficiency() {
    if !common::cli_adapter_or_skip("bridge") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = measured_file(dir.path(), "r.json", &[]);
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let efficiency = results["gemm"][1]["efficiency"].as_f64().unwrap();
    let path = file.to_str().unwrap();
    let detail = json_of(&[
        "project",
        "--from",
        path,
        "--fleet",
        "xai-colossus",
        "--mfu",
        "measured",
        "--format",
        "json",
    ]);
    assert_eq!(
        detail["assumptions"]["mfu"]["value"]["central"]
            .as_f64()
            .unwrap(),
        efficiency
    );
    assert_eq!(detail["assumptions"]["mfu"]["status"], "measured");
    assert!(
        detail["equivalents_of_measured"]["central"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let catalog_mfu = json_of(&[
        "project",
        "--from",
        path,
        "--fleet",
        "xai-colossus",
        "--format",
        "json",
    ]);
    let measured_flops = detail["training"]["flops_per_s"]["central"]
        .as_f64()
        .unwrap();
    let catalog_flops = catalog_mfu["training"]["flops_per_s"]["central"]
        .as_f64()
        .unwrap();
    let catalog_central = catalog_mfu["assumptions"]["mfu"]["value"]["central"]
        .as_f64()
        .unwrap();
    let expected = catalog_flops * efficiency / catalog_central;
    assert!(
        (measured_flops - expected).abs() <= 1e-9 * expected,
        "training scales with MFU"
    );
}

#[test]
fn run_ends_with_the_projected_fleets() {
    if !common::cli_adapter_or_skip("bridge") {
        return;
    }
    let output = common::small_run("tiled", "f32", "64", 1)
        .args(["--fleet", "meta-hyperion", "--fleet", "stargate"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let table = &text[text
        .find("Projected fleets")
        .expect("projection after the GEMM table")..];
    assert!(
        table.contains("meta-hyperion") && table.contains("stargate"),
        "{table}"
    );
    assert!(
        !table.contains("xai-colossus"),
        "only the chosen fleets: {table}"
    );
    assert!(table.contains("equivalents of measured"), "{table}");
}

#[test]
fn project_from_a_merged_cluster_uses_the_cluster_total() {
    if !common::cli_adapter_or_skip("bridge") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for rank in ["0", "1"] {
        let env = [
            ("SLURM_PROCID", rank),
            ("SLURM_NTASKS", "2"),
            ("SLURM_LOCALID", rank),
            ("SLURM_JOB_ID", "42"),
        ];
        measured_file(dir.path(), &format!("rank{rank}.json"), &env);
    }
    let merged = dir.path().join("merged.json");
    fleetbench()
        .args([
            "merge",
            dir.path().join("rank0.json").to_str().unwrap(),
            dir.path().join("rank1.json").to_str().unwrap(),
        ])
        .args(["--format", "json", "--output", merged.to_str().unwrap()])
        .assert()
        .success();
    let cluster: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    let total = cluster["cluster_gflops"]["total"].as_f64().unwrap() * 1e9;
    let summary = json_of(&[
        "project",
        "--from",
        merged.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(summary["measured"]["label"], "cluster of 2 ranks");
    assert_eq!(summary["measured"]["flops_per_s"].as_f64().unwrap(), total);
    let output = fleetbench()
        .args([
            "project",
            "--from",
            merged.to_str().unwrap(),
            "--mfu",
            "measured",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a cluster has no measured peak"
    );
}

#[test]
fn bad_results_files_and_misuse_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, "{\"schema_version\": 1, \"tool\": {").unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"schema_version\": 2}").unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "GFLOP/s were good").unwrap();
    fails_with(
        &["project", "--from", truncated.to_str().unwrap()],
        2,
        "truncated.json: truncated JSON",
    );
    fails_with(
        &["project", "--from", other.to_str().unwrap()],
        2,
        "schema_version 2, but this fleetbench reads results files of schema_version 1",
    );
    fails_with(
        &["project", "--from", text.to_str().unwrap()],
        2,
        "notes.txt",
    );
    fails_with(
        &["project", "--from", "/no/such/file.json"],
        2,
        "cannot read",
    );
    fails_with(
        &["project", "--fleet", "stargate", "--mfu", "measured"],
        2,
        "--mfu measured needs a results file",
    );
    fails_with(
        &[
            "compare",
            "--accelerators",
            "h100,b200",
            "--power",
            "1GW",
            "--mfu",
            "measured",
        ],
        2,
        "--from",
    );
    fails_with(&["run", "--fleet", "stargat"], 2, "stargate");
}
