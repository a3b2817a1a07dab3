//! Results files written by an earlier fleetbench (0.1.0 at commit c7203a2, kept in
//! `tests/fixtures/`) still load through the one loader, into the same contents: the typed
//! seam changed the code, not the files. Also that the old run file validates against
//! today's JSON Schema and that `project --from` reads both old files.

mod common;

use common::{fixture, fleetbench};
use fleetbench::results::{self, ResultsFile};
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
