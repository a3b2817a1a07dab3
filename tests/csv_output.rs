//! CSV that a spreadsheet or pandas reads as numbers: one header, raw values in SI base
//! units, no SI suffixes ("1.3M", "356E") and no percentages as text, for the tables a
//! user is most likely to load (`project`, `compare`, `fleets`, `run`).

mod common;

use common::{stdout, words};

/// A header and rows, parsed with the csv crate as any CSV reader would.
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// True for the suffixed or percent text a table shows on screen.
fn looks_rounded_for_people(cell: &str) -> bool {
    let suffixed = cell.len() > 1
        && cell[..cell.len() - 1].parse::<f64>().is_ok()
        && cell.ends_with(['k', 'M', 'G', 'T', 'P', 'E', 'Z', '%']);
    suffixed || cell.ends_with(" GFLOP/s")
}

/// Every column whose non-empty values include a number holds only numbers; `numeric`
/// columns must be among them.
fn assert_tidy(text: &str, numeric: &[&str]) {
    let (header, rows) = parse(text);
    assert!(!rows.is_empty(), "no rows:\n{text}");
    for (i, name) in header.iter().enumerate() {
        let values: Vec<&str> = rows
            .iter()
            .map(|r| r[i].as_str())
            .filter(|v| !v.is_empty())
            .collect();
        for v in &values {
            assert!(
                !looks_rounded_for_people(v),
                "column {name}: '{v}' is display text"
            );
        }
        let parsed = values.iter().filter(|v| v.parse::<f64>().is_ok()).count();
        let must = numeric.contains(&name.as_str());
        if must || parsed > 0 {
            assert_eq!(
                parsed,
                values.len(),
                "column {name} mixes numbers and text: {values:?}"
            );
            assert!(
                values.iter().all(|v| v.parse::<f64>().unwrap().is_finite()),
                "column {name}: {values:?}"
            );
        }
        if must {
            assert!(parsed > 0, "column {name} has no value");
        }
    }
    for needed in numeric {
        assert!(
            header.iter().any(|h| h == needed),
            "no column {needed} in {header:?}"
        );
    }
}

#[test]
fn project_csv_is_numbers_in_base_units() {
    let text = stdout(&["project", "--fleet", "openai-2025", "--format", "csv"]);
    assert_tidy(&text, &["central", "low", "high", "replica_size", "batch"]);
    let (header, rows) = parse(&text);
    let figure = header.iter().position(|h| h == "figure").unwrap();
    let central = header.iter().position(|h| h == "central").unwrap();
    let power = rows.iter().find(|r| r[figure] == "facility power").unwrap();
    // 1M H100 draw about a gigawatt: written in watts, not "1.35k" megawatts.
    assert!(power[central].parse::<f64>().unwrap() > 1e8, "{power:?}");
}

#[test]
fn compare_and_fleets_csv_are_numbers_in_base_units() {
    let compare = stdout(&words(
        "compare --accelerators h100,b200,mi355x --power 1GW --format csv",
    ));
    assert_tidy(
        &compare,
        &[
            "power_central_w",
            "train_central_flop_per_s",
            "output_central_token_per_s",
        ],
    );
    let fleets = stdout(&["fleets", "--format", "csv"]);
    assert_tidy(&fleets, &["stated_count_central", "model_power_central_w"]);
}

#[test]
fn run_csv_is_numbers_in_base_units() {
    if !common::cli_adapter_or_skip("run_csv") {
        return;
    }
    let text = stdout(&[
        "run",
        "--backend",
        "vulkan",
        "--kernel",
        "naive,tiled",
        "--sizes",
        "32,64",
        "--dtype",
        "f32",
        "--samples",
        "2",
        "--warmup",
        "0",
        "--probes",
        "quick",
        "--format",
        "csv",
    ]);
    assert_tidy(
        &text,
        &["m", "n", "k", "median_flop_per_s", "efficiency", "samples"],
    );
}
