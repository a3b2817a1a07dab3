//! `docs/results.schema.json` against the real thing: a results file written by the
//! binary on this machine's adapter validates, the schema is itself valid draft 2020-12
//! with every property described, and it rejects a file missing a required field, a
//! field of the wrong type and an undocumented field (so it can fail).

mod common;

use serde_json::{Value, json};

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/results.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read schema")).expect("schema JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema compiles")
}

/// Every error of an instance against the schema, one per line.
fn errors(instance: &Value) -> Vec<String> {
    validator()
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A real results file of this adapter, or None when there is none (skip).
fn real_results(test: &str) -> Option<Value> {
    if !common::cli_adapter_or_skip(test) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.json");
    common::small_run("naive,tiled", "f32", "32,48", 2)
        .args(["--format", "json", "--output"])
        .arg(&file)
        .assert()
        .success();
    Some(serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap())
}

#[test]
fn the_schema_is_valid_draft_2020_12_and_describes_every_property() {
    let schema = schema();
    jsonschema::draft202012::meta::validate(&schema).expect("a valid 2020-12 schema");
    let mut undescribed = Vec::new();
    walk(&schema, "", &mut undescribed);
    assert!(undescribed.is_empty(), "no description: {undescribed:?}");
}

fn walk(node: &Value, path: &str, undescribed: &mut Vec<String>) {
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, sub) in props {
        let here = format!("{path}/{name}");
        if sub.get("description").is_none() {
            undescribed.push(here.clone());
        }
        walk(sub, &here, undescribed);
        if let Some(items) = sub.get("items") {
            walk(items, &format!("{here}[]"), undescribed);
        }
        for alt in sub
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(alt, &here, undescribed);
        }
    }
}

#[test]
fn real_run_output_validates_and_broken_copies_do_not() {
    let Some(results) = real_results("schema: real_run_output") else {
        return;
    };
    let found = errors(&results);
    assert!(found.is_empty(), "real output rejected: {found:#?}");
    assert!(results["gemm"].as_array().is_some_and(|g| !g.is_empty()));

    let mut missing = results.clone();
    missing["environment"]
        .as_object_mut()
        .unwrap()
        .remove("command_line");
    let found = errors(&missing);
    assert!(
        found.iter().any(|e| e.contains("command_line")),
        "a missing required field passed: {found:?}"
    );

    let mut wrong_type = results.clone();
    wrong_type["gemm"][0]["m"] = json!("64");
    let found = errors(&wrong_type);
    assert!(
        found.iter().any(|e| e.contains("/gemm/0/m")),
        "a string size passed: {found:?}"
    );

    let mut extra = results.clone();
    extra["adapter"]["vendor_guess"] = json!("nvidia");
    assert!(!errors(&extra).is_empty(), "an undocumented field passed");

    let mut version = results;
    version["schema_version"] = json!(2);
    assert!(!errors(&version).is_empty(), "schema_version 2 passed");
}

/// Every element type the binary can write is one the schema allows, in GEMM rows and in
/// tuning records and skipped GEMMs (a new dtype such as f16f32 must be added to each).
#[test]
fn the_schema_allows_every_dtype() {
    let schema = schema();
    for list in ["gemm", "tuning", "skipped"] {
        let allowed = &schema["properties"][list]["items"]["properties"]["dtype"]["enum"];
        let allowed = allowed.as_array().expect("a dtype enum");
        for dtype in fleetbench::kernels::Dtype::ALL {
            let name = serde_json::to_value(dtype).unwrap();
            assert!(
                allowed.contains(&name),
                "{list}: {name} missing from {allowed:?}"
            );
        }
    }
}

#[test]
fn a_partial_run_with_skipped_gemms_validates() {
    let Some(mut results) = real_results("schema: partial run") else {
        return;
    };
    assert_eq!(results["complete"], true, "a complete run says so");
    let skipped = fleetbench::results::SkippedGemm {
        kernel: fleetbench::kernels::KernelId::Tiled,
        dtype: fleetbench::kernels::Dtype::F32,
        shape: fleetbench::kernels::GemmShape::square(8192),
        workload: None,
        reason: "gemm tiled f32 8192x8192x8192: the device refused its buffers: out of memory"
            .into(),
    };
    results["skipped"] = json!([skipped]);
    results["complete"] = json!(false);
    results["stopped"] = json!("interrupted by SIGINT");
    let found = errors(&results);
    assert!(found.is_empty(), "a partial run rejected: {found:#?}");

    results["skipped"][0]["reason"] = json!("");
    assert!(!errors(&results).is_empty(), "an empty reason passed");
}
