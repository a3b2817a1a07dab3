//! Results files written by an earlier fleetbench (0.1.0 at commit c7203a2, kept in
//! `tests/fixtures/`) still load through the one loader, into the same contents: the typed
//! seam changed the code, not the files. Also that the old run file validates against
//! today's JSON Schema and that `project --from` reads both old files. And a tuning cache
//! written before the tiled family had options (aecff90) still answers with its winners.

mod common;

use common::{fixture, fleetbench};
use fleetbench::kernels::{Dtype, GemmKernel};
use fleetbench::measure::autotune::cache::{CacheKey, TuneCache};
use fleetbench::results::{self, Backend, ResultsFile, ShapeClass};
use serde_json::Value;

fn raw(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

#[test]
fn an_old_run_file_loads_and_serialises_back_to_the_same_json() {
    let name = "run-0.1.0-c7203a2.json";
    let ResultsFile::Run(run) = results::read(&fixture(name)).unwrap() else {
        panic!("{name} is a run's file");
    };
    assert!(run.gemm.len() >= 4, "{} GEMM records", run.gemm.len());
    // Written before runs could stop early, the file reads as complete, and says so
    // when written again (the one field added since).
    assert!(run.complete && run.stopped.is_none() && run.skipped.is_empty());
    let mut expected = raw(name);
    expected["complete"] = Value::Bool(true);
    assert_eq!(serde_json::to_value(&run).unwrap(), expected);
}

#[test]
fn an_old_merged_file_loads_and_serialises_back_to_the_same_json() {
    let name = "merged-0.1.0-c7203a2.json";
    let ResultsFile::Cluster(cluster) = results::read(&fixture(name)).unwrap() else {
        panic!("{name} is a merged file");
    };
    assert_eq!(cluster.ranks.len(), 2);
    assert_eq!(serde_json::to_value(&cluster).unwrap(), raw(name));
}

#[test]
fn old_files_project() {
    for name in ["run-0.1.0-c7203a2.json", "merged-0.1.0-c7203a2.json"] {
        let path = fixture(name);
        fleetbench()
            .args(["project", "--fleet", "meta-hyperion", "--from"])
            .arg(&path)
            .assert()
            .success();
    }
}

#[test]
fn a_tuning_cache_from_before_the_tiled_options_still_answers() {
    let mut warnings = Vec::new();
    let cache = TuneCache::load(Some(fixture("tuning-0.1.0-aecff90.json")), &mut |w| {
        warnings.push(w)
    });
    assert!(warnings.is_empty(), "{warnings:?}");
    let key = CacheKey {
        adapter: "llvmpipe (LLVM 19.1.7, 256 bits)".into(),
        backend: Backend::Vulkan,
        driver: "llvmpipe".into(),
        driver_info: "Mesa 25.0.7".into(),
        tool_version: "0.1.0".into(),
        dtype: Dtype::F32,
        class: ShapeClass::Square,
    };
    let hit = cache.get(&key).expect("the old square winner");
    assert_eq!(hit.kernel, GemmKernel::tiled_default(), "options off");
    assert!(hit.kernel.config.options.is_plain());
}
