//! The autotuner as a user meets it: `run --kernel tuned` searches within its budget,
//! verifies and remembers the winner per adapter and driver; later runs use the cache;
//! `--retune` searches again, `--no-tune` never searches, and a corrupt cache is ignored
//! with a warning and rewritten; a family the adapter does not offer (cooperative
//! matrices) is left out with a note in the results and under the tuning table.

mod common;

use serde_json::Value;

/// Runs a small tuned f32 benchmark with the cache in `cache_dir`; returns (results, stderr).
fn tuned_run(cache_dir: &std::path::Path, extra: &[&str]) -> (Value, String) {
    let output = common::small_run("tuned", "f32", "96", 1)
        .env("FLEETBENCH_CACHE_DIR", cache_dir)
        .args(["--tune-budget", "3", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "{stderr}");
    (
        serde_json::from_slice(&output.stdout).expect("JSON"),
        stderr,
    )
}

fn tuning(results: &Value) -> &Value {
    let records = results["tuning"].as_array().expect("tuning records");
    assert_eq!(records.len(), 1, "one element type, one shape class");
    &records[0]
}

#[test]
fn the_winner_is_searched_once_then_read_from_the_cache() {
    if !common::cli_adapter_or_skip("autotune") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = tuned_run(dir.path(), &[]);
    let searched = tuning(&first);
    assert_eq!(searched["source"], "search");
    assert!(searched["candidates_tried"].as_u64().unwrap() >= 1);
    assert!(searched["gflops"].as_f64().unwrap() > 0.0);
    let gemm = &first["gemm"][0];
    assert_eq!(gemm["kernel"], "tuned");
    assert_eq!(gemm["verified"], true);
    assert_eq!(gemm["geometry"], searched["kernel"]);
    assert!(dir.path().join("tuning.json").exists());

    let (second, _) = tuned_run(dir.path(), &[]);
    assert_eq!(tuning(&second)["source"], "cache");
    assert_eq!(tuning(&second)["kernel"], searched["kernel"]);

    let (third, _) = tuned_run(dir.path(), &["--retune"]);
    assert_eq!(tuning(&third)["source"], "search");
}

#[test]
fn no_tune_without_a_cache_uses_the_tiled_default() {
    if !common::cli_adapter_or_skip("autotune") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (results, _) = tuned_run(dir.path(), &["--no-tune"]);
    assert_eq!(tuning(&results)["source"], "default");
    assert!(
        tuning(&results)["kernel"]
            .as_str()
            .unwrap()
            .starts_with("tiled:")
    );
    assert!(
        !dir.path().join("tuning.json").exists(),
        "nothing searched, nothing cached"
    );
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning_and_rewritten() {
    if !common::cli_adapter_or_skip("autotune") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("tuning.json");
    std::fs::write(&cache, "{\"schema\": 1, \"entries\": [").unwrap();
    let (results, stderr) = tuned_run(dir.path(), &[]);
    assert!(stderr.contains("ignoring tuning cache"), "{stderr}");
    assert_eq!(tuning(&results)["source"], "search");
    let rewritten: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(rewritten["entries"].as_array().unwrap().len(), 1);
}

#[test]
fn a_family_the_adapter_does_not_offer_is_noted_in_the_results_and_the_tables() {
    if !common::cli_adapter_or_skip("autotune") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (results, _) = tuned_run(dir.path(), &[]);
    let features = results["adapter"]["features"].as_array().unwrap();
    let offered = features.iter().any(|f| f == "cooperative-matrix");
    let notes: Vec<&str> = tuning(&results)["notes"]
        .as_array()
        .map(|n| n.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    if offered {
        // Searched, unless its offer has no f32 (then the note says what it has).
        assert!(
            notes.iter().all(|n| !n.contains("not offered")),
            "{notes:?}"
        );
        return;
    }
    let expected =
        "cooperative matrices: not offered by this adapter (no EXPERIMENTAL_COOPERATIVE_MATRIX)";
    assert_eq!(notes, [expected]);
    assert!(
        !tuning(&results)["kernel"]
            .as_str()
            .unwrap()
            .starts_with("coop-matrix")
    );
    // The tables `run` prints from these results say it under the tuning table.
    let file = dir.path().join("run.json");
    std::fs::write(&file, serde_json::to_vec(&results).unwrap()).unwrap();
    let fleetbench::results::ResultsFile::Run(run) = fleetbench::results::read(&file).unwrap()
    else {
        panic!("a run's file");
    };
    let tables = fleetbench::report::results_tables::run(&run);
    let tuning_table = tables.iter().find(|t| t.name == "tuning").expect("tuning");
    assert!(
        tuning_table
            .notes
            .contains(&format!("Not searched: {expected}.")),
        "{:?}",
        tuning_table.notes
    );
}
