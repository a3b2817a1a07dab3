//! Snapshots of what users read: the terminal table, Markdown and CSV of the catalog
//! commands, a projection, a comparison, and the run and merge tables of the results files
//! kept in tests/fixtures. A changed table shows up as a reviewed diff
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test snapshots` and read
//! the diff in git) instead of slipping through.

mod common;

use std::path::Path;

use common::fleetbench;
use fleetbench::report::{self, Format, Layout, results_tables};
use fleetbench::results::{self, ResultsFile};

fn stdout(args: &[&str]) -> String {
    let output = fleetbench().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fixture(name: &str) -> ResultsFile {
    results::read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn fleets_in_every_text_format() {
    for (format, name) in [
        ("table", "fleets_table"),
        ("markdown", "fleets_markdown"),
        ("csv", "fleets_csv"),
    ] {
        insta::assert_snapshot!(name, stdout(&["fleets", "--format", format]));
    }
}

#[test]
fn accelerators_csv() {
    insta::assert_snapshot!(stdout(&["accelerators", "--format", "csv"]));
}

#[test]
fn a_projection_as_a_table_and_as_csv() {
    let args = [
        "project",
        "--accelerator",
        "h100",
        "--gpus",
        "8",
        "--model",
        "llama-2-70b",
        "--serve-dtype",
        "fp8",
        "--input-tokens",
        "512",
        "--output-tokens",
        "256",
        "--inference-share",
        "1",
    ];
    insta::assert_snapshot!("project_h100_table", stdout(&args));
    let csv: Vec<&str> = args.iter().copied().chain(["--format", "csv"]).collect();
    insta::assert_snapshot!("project_h100_csv", stdout(&csv));
}

#[test]
fn a_comparison_in_markdown() {
    insta::assert_snapshot!(stdout(&[
        "compare",
        "--accelerators",
        "h100,b200,mi355x",
        "--power",
        "1GW",
        "--format",
        "markdown",
    ]));
}

#[test]
fn the_run_and_merge_tables_of_the_fixtures() {
    let ResultsFile::Run(run) = fixture("run-0.1.0-c7203a2.json") else {
        panic!("a run's file");
    };
    let tables = results_tables::run(&run);
    for (format, name) in [(Format::Table, "run_table"), (Format::Csv, "run_csv")] {
        let text = report::render_tables(&tables, format, Layout::Full).unwrap();
        insta::assert_snapshot!(name, text);
    }
    let narrow = report::render_tables(&tables, Format::Table, Layout::Fit(100)).unwrap();
    insta::assert_snapshot!("run_table_fitted_100", narrow);
    let ResultsFile::Cluster(cluster) = fixture("merged-0.1.0-c7203a2.json") else {
        panic!("a merged file");
    };
    let text = report::render_tables(
        &results_tables::cluster(&cluster),
        Format::Markdown,
        Layout::Full,
    )
    .unwrap();
    insta::assert_snapshot!("merge_markdown", text);
}
