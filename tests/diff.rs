//! `fleetbench diff` on real results files (the fixtures a real run and merge wrote) and
//! edited copies of them: the regression gate, rows in one file only, adapters that
//! differ, merged files, every output format. No adapter needed: diff only reads files.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{fails_with, fixture, fleetbench};
use serde_json::Value;

const RUN: &str = "run-0.1.0-c7203a2.json";
const MERGED: &str = "merged-0.1.0-c7203a2.json";

fn raw(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// Writes an edited copy of a fixture into `dir` and returns its path.
fn edited(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut value = raw(name);
    edit(&mut value);
    let path = dir.join(format!("edited-{name}"));
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    path
}

/// Scales every GFLOP/s figure (median, min, max) of a run's GEMMs.
fn scale_gflops(run: &mut Value, factor: f64) {
    for gemm in run["gemm"].as_array_mut().unwrap() {
        if let Some(summary) = gemm["gflops"].as_object_mut() {
            for value in summary.values_mut() {
                *value = (value.as_f64().unwrap() * factor).into();
            }
        }
    }
}

/// Runs `fleetbench diff ARGS`.
fn diff(args: &[&OsStr]) -> Output {
    fleetbench().arg("diff").args(args).output().unwrap()
}

fn diff_json(args: &[&OsStr]) -> Value {
    let output = diff(&[args, &["--format".as_ref(), "json".as_ref()]].concat());
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn verdicts(diff: &Value) -> Vec<String> {
    diff["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_copy_lowered_30_percent_fails_the_gate_and_the_same_file_twice_passes() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture(RUN);
    let slower = edited(dir.path(), RUN, |v| scale_gflops(v, 0.7));
    let gate = ["--fail-on-regression", "--threshold", "5%"].map(OsStr::new);
    let output = diff(&[&[base.as_os_str(), slower.as_os_str()], &gate[..]].concat());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("-30.0%"), "{stderr}");
    // The table was written before the exit.
    assert!(String::from_utf8_lossy(&output.stdout).contains("SLOWER"));

    let same = diff(&[&[base.as_os_str(), base.as_os_str()], &gate[..]].concat());
    assert!(same.status.success());
}

#[test]
fn every_verdict_follows_the_stated_rule() {
    let dir = tempfile::tempdir().unwrap();
    let slower = edited(dir.path(), RUN, |v| scale_gflops(v, 0.7));
    let diff = diff_json(&[fixture(RUN).as_os_str(), slower.as_os_str()]);
    assert!(diff["rule"].as_str().unwrap().contains("ranges overlap"));
    for row in diff["rows"].as_array().unwrap() {
        let (base, new) = (&row["base"], &row["new"]);
        let overlap = new["max"].as_f64().unwrap() >= base["min"].as_f64().unwrap();
        let expected = if overlap { "noise" } else { "slower" };
        assert_eq!(row["verdict"], expected, "{row}");
        let change = row["change"].as_f64().unwrap();
        assert!((change + 0.3).abs() < 1e-9, "{row}");
    }
    // naive f16 128 spreads wider than 30% in the fixture: noise, not a regression.
    assert_eq!(diff["counts"]["noise"], 1);
    assert_eq!(diff["counts"]["slower"], 11);

    // 3% faster, ranges apart: beyond the noise but within a 5% threshold; faster at 1%.
    let nudged = edited(dir.path(), RUN, |v| {
        let gemm = &mut v["gemm"][4]; // tiled f32 64: min-max within 0.3% of the median
        scale_one(gemm, 1.03);
    });
    let diff = diff_json(&[fixture(RUN).as_os_str(), nudged.as_os_str()]);
    assert!(verdicts(&diff).contains(&"within_threshold".to_string()));
    let diff = diff_json(&[
        fixture(RUN).as_os_str(),
        nudged.as_os_str(),
        "--threshold".as_ref(),
        "1".as_ref(),
    ]);
    assert!(verdicts(&diff).contains(&"faster".to_string()));
}

fn scale_one(gemm: &mut Value, factor: f64) {
    for value in gemm["gflops"].as_object_mut().unwrap().values_mut() {
        *value = (value.as_f64().unwrap() * factor).into();
    }
}

#[test]
fn rows_in_one_file_only_are_listed_and_a_failed_verification_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let changed = edited(dir.path(), RUN, |v| {
        let gemm = v["gemm"].as_array_mut().unwrap();
        gemm.remove(0); // naive f32 64: only in BASE
        gemm[0]["verified"] = false.into(); // naive f32 128 now fails verification
        gemm[0]["gflops"] = Value::Null;
        gemm[1]["m"] = 96.into(); // naive f16 64 becomes 96x64x64: one row each side
    });
    let diff = diff_json(&[fixture(RUN).as_os_str(), changed.as_os_str()]);
    let counts = &diff["counts"];
    assert_eq!(counts["only_in_base"], 2, "{counts}");
    assert_eq!(counts["only_in_new"], 1, "{counts}");
    assert_eq!(counts["failed"], 1, "{counts}");
    assert_eq!(diff["rows"].as_array().unwrap().len(), 13);
    fails_with(
        &[
            "diff",
            fixture(RUN).to_str().unwrap(),
            changed.to_str().unwrap(),
            "--fail-on-regression",
        ],
        1,
        "failed verification",
    );
}

#[test]
fn a_different_driver_is_stated_at_the_top_and_refused_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let other = edited(dir.path(), RUN, |v| {
        v["adapter"]["driver_info"] = "Mesa 24.0.0".into();
    });
    let output = diff(&[
        fixture(RUN).as_os_str(),
        other.as_os_str(),
        "--format".as_ref(),
        "markdown".as_ref(),
    ]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let stated = text.find("Different adapters or drivers").expect(&text);
    assert!(stated < text.find("| kernel |").unwrap(), "{text}");
    assert!(text.contains("Mesa 24.0.0"), "{text}");
    fails_with(
        &[
            "diff",
            fixture(RUN).to_str().unwrap(),
            other.to_str().unwrap(),
            "--require-same-adapter",
        ],
        2,
        "Mesa 24.0.0",
    );
}

#[test]
fn merged_files_diff_on_their_per_adapter_figures() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture(MERGED);
    let slower = edited(dir.path(), MERGED, |v| {
        for figures in v["adapters"][0]["gemm"].as_array_mut().unwrap() {
            scale_one(figures, 0.5);
        }
    });
    let diff = diff_json(&[base.as_os_str(), slower.as_os_str()]);
    assert_eq!(diff["base"]["kind"], "cluster");
    assert_eq!(verdicts(&diff), ["slower", "slower"]);
    let expected = raw(MERGED)["adapters"][0]["gemm"][0]["gflops"]["median"].clone();
    assert_eq!(diff["rows"][0]["base"]["median"], expected);

    // A second adapter kind in NEW: rows are matched by adapter kind too.
    let two_kinds = edited(dir.path(), MERGED, |v| {
        let mut other = v["adapters"][0].clone();
        other["adapter"]["name"] = "NVIDIA H100".into();
        v["adapters"].as_array_mut().unwrap().push(other);
    });
    let diff = diff_json(&[base.as_os_str(), two_kinds.as_os_str()]);
    assert!(diff["matched_by"].as_str().unwrap().contains("adapter"));
    assert_eq!(diff["counts"]["noise"], 2);
    assert_eq!(diff["counts"]["only_in_new"], 2);
    assert_eq!(diff["adapters_differ"], true);
}

#[test]
fn csv_is_tidy_and_markdown_carries_the_rule() {
    let run = fixture(RUN);
    let run = run.as_os_str();
    let csv = diff(&[run, run, "--format".as_ref(), "csv".as_ref()]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    let header = csv.lines().next().unwrap();
    for column in ["table", "base_central_flop_per_s", "change", "verdict"] {
        assert!(header.split(',').any(|c| c == column), "{header}");
    }
    assert!(
        csv.lines()
            .any(|l| l.starts_with("gemm,") && l.ends_with(",noise"))
    );
    let md = diff(&[run, run, "--format".as_ref(), "markdown".as_ref()]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("### GEMM GFLOP/s, NEW against BASE: 12 noise"),
        "{md}"
    );
    assert!(md.contains("ranges overlap"), "{md}");
}

#[test]
fn bad_inputs_exit_2_and_leave_the_inputs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let run = fixture(RUN);
    let run = run.to_str().unwrap();
    // The output would replace an input.
    let copy = dir.path().join("copy.json");
    std::fs::copy(run, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    fails_with(
        &["diff", run, copy, "--output", copy],
        2,
        "input of the diff",
    );
    assert_eq!(
        std::fs::read_to_string(copy).unwrap(),
        std::fs::read_to_string(run).unwrap()
    );
    // Unordered figures, nothing in common.
    let unordered = edited(dir.path(), RUN, |v| {
        v["gemm"][0]["gflops"]["min"] = 99.0.into();
    });
    fails_with(
        &["diff", run, unordered.to_str().unwrap()],
        2,
        "min <= median",
    );
    let disjoint = edited(dir.path(), MERGED, |v| {
        for figures in v["adapters"][0]["gemm"].as_array_mut().unwrap() {
            figures["k"] = 7.into();
        }
    });
    fails_with(
        &["diff", run, disjoint.to_str().unwrap()],
        2,
        "nothing to compare",
    );
}

#[test]
fn a_partial_run_is_read_with_a_warning_by_every_command_that_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut run: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("run-0.1.0-c7203a2.json")).unwrap(),
    )
    .unwrap();
    run["complete"] = false.into();
    run["stopped"] = "interrupted by SIGINT".into();
    let partial = dir.path().join("partial.json");
    std::fs::write(&partial, run.to_string()).unwrap();
    let whole = common::fixture("run-0.1.0-c7203a2.json");
    for args in [
        vec![
            "project".into(),
            "--from".into(),
            partial.clone().into_os_string(),
        ],
        vec![
            "diff".into(),
            whole.clone().into_os_string(),
            partial.clone().into_os_string(),
        ],
    ] {
        let out = common::fleetbench().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is a partial run (interrupted by SIGINT)"),
            "{args:?}: {stderr}"
        );
    }
    // The whole file alone says nothing.
    let out = common::fleetbench()
        .args(["project", "--from"])
        .arg(&whole)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}
