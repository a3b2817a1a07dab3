//! Snapshots of what users read: the terminal table, Markdown and CSV of the catalog
//! commands, a projection, a comparison, and the run and merge tables of the results files
//! kept in tests/fixtures. A changed table shows up as a reviewed diff
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test snapshots` and read
//! the diff in git) instead of slipping through.

mod common;

use common::{stdout, words};
use fleetbench::report::{self, Format, Layout, results_tables};
use fleetbench::results::{self, ResultsFile};

fn fixture(name: &str) -> ResultsFile {
    results::read(&common::fixture(name)).unwrap()
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
    let args = "project --accelerator h100 --gpus 8 --model llama-2-70b --serve-dtype fp8 \
                --input-tokens 512 --output-tokens 256 --inference-share 1";
    insta::assert_snapshot!("project_h100_table", stdout(&words(args)));
    let csv = format!("{args} --format csv");
    insta::assert_snapshot!("project_h100_csv", stdout(&words(&csv)));
}

#[test]
fn a_comparison_in_markdown() {
    insta::assert_snapshot!(stdout(&words(
        "compare --accelerators h100,b200,mi355x --power 1GW --format markdown"
    )));
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

#[test]
fn a_diff_of_the_merged_fixture_against_the_run_in_markdown() {
    // Relative paths: the files table names them as given (tests run from the crate root).
    insta::assert_snapshot!(stdout(&[
        "diff",
        "tests/fixtures/merged-0.1.0-c7203a2.json",
        "tests/fixtures/run-0.1.0-c7203a2.json",
        "--format",
        "markdown",
    ]));
}
