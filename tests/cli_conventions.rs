//! The command-line conventions users expect: the output format follows the `--output`
//! file's extension, a bad output path fails before anything is measured, and the CLI
//! ships shell completions and a man page.

mod common;

use common::{fails_with, fleetbench};
use serde_json::Value;

#[test]
fn a_bad_output_directory_fails_before_the_adapter_is_even_chosen() {
    // With an adapter name that matches nothing, the error names the output path only if
    // the path is checked first, before any adapter work (and so before measuring).
    fails_with(
        &[
            "run",
            "--adapter",
            "no-such-adapter",
            "--output",
            "/no/such/dir/x.json",
        ],
        2,
        "/no/such/dir/x.json",
    );
    fails_with(
        &["merge", "--output", "/no/such/dir/m.json", "/also/missing"],
        2,
        "/no/such/dir/m.json",
    );
    fails_with(
        &["fleets", "--output", "/no/such/dir/f.csv"],
        2,
        "/no/such/dir/f.csv",
    );
}

#[test]
fn html_is_the_report_commands_job() {
    fails_with(
        &["fleets", "--output", "fleets.html"],
        2,
        "fleetbench report",
    );
}

#[test]
fn the_output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("fleets.json");
    let csv = dir.path().join("fleets.csv");
    let md = dir.path().join("fleets.md");
    for path in [&json, &csv, &md] {
        fleetbench()
            .arg("fleets")
            .arg("--output")
            .arg(path)
            .assert()
            .success();
    }
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(parsed.as_array().is_some_and(|a| !a.is_empty()));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("id,"));
    assert!(std::fs::read_to_string(&md).unwrap().contains("| id |"));
}

#[test]
fn an_explicit_format_wins_over_the_extension_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleets.json");
    let output = fleetbench()
        .args(["fleets", "--format", "csv", "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("csv"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("id,"));
}

#[test]
fn run_output_json_by_extension_is_read_by_project() {
    if !common::cli_adapter_or_skip("run_output_json") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    common::small_run("tiled", "f32", "32", 1)
        .arg("--output")
        .arg(&path)
        .assert()
        .success();
    let results: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(results["schema_version"], 1);
    fleetbench()
        .args(["project", "--fleet", "meta-hyperion", "--from"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = fleetbench().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("fleetbench") && script.contains("merge"),
            "{shell}: {script}"
        );
    }
    fails_with(&["completions", "tcsh"], 2, "tcsh");
    let man = fleetbench().arg("man").output().unwrap();
    assert!(man.status.success());
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH fleetbench"), "{page}");
    assert!(page.contains("project"), "{page}");
}
