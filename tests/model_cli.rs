//! CLI tests of `accelerators`, `fleets`, `project` and `compare`: every format, the
//! JSON contract, and every bad input (exit 2, one line on stderr, no panic).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fleetbench() -> Command {
    Command::cargo_bin("fleetbench").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = fleetbench()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("valid JSON")
}

/// Runs a bad command line and checks exit 2 with one `error:` line naming `needle`.
fn rejects(args: &[&str], needle: &str) {
    let out = fleetbench()
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "not one line: {stderr}"
    );
    assert!(stderr.starts_with("error:"), "{stderr}");
    assert!(stderr.contains(needle), "expected '{needle}' in: {stderr}");
    assert!(!stderr.contains("panicked"));
}

/// serde_json writes NaN and infinities as null: every range must hold three numbers.
fn assert_no_nan(v: &Value) {
    match v {
        Value::Object(map) if map.contains_key("central") => {
            for key in ["low", "central", "high"] {
                assert!(
                    map[key].as_f64().is_some_and(f64::is_finite),
                    "{key} in {v}"
                );
            }
        }
        Value::Object(map) => map.values().for_each(assert_no_nan),
        Value::Array(items) => items.iter().for_each(assert_no_nan),
        _ => {}
    }
}

#[test]
fn accelerators_lists_every_device_with_sources() {
    fleetbench().arg("accelerators").assert().success().stdout(
        predicate::str::contains("h100").and(predicate::str::contains("glennklockwood.com")),
    );
    let list = json(&["accelerators"]);
    let items = list.as_array().unwrap();
    assert!(items.len() >= 26);
    let rubin = items.iter().find(|a| a["id"] == "rubin").unwrap();
    assert!(rubin["source"].as_str().unwrap().contains("CES 2026"));
    assert_eq!(rubin["peak_tflops"]["fp4"]["low"], 25000.0);
}

#[test]
fn fleets_lists_every_required_scenario_and_flags_disagreements() {
    let out = fleetbench()
        .arg("fleets")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for id in [
        "openai-2025",
        "openai-100x",
        "meta-2024",
        "meta-hyperion",
        "meta-prometheus",
        "xai-colossus",
        "xai-colossus-2",
        "nvidia-openai-10gw",
        "nvidia-openai-first-gw",
        "stargate",
        "amd-openai-6gw",
        "openai-broadcom-10gw",
    ] {
        assert!(text.contains(id), "missing {id}");
    }
    assert!(text.contains("nvidia-openai-10gw: MODEL CHECK"));
    let list = json(&["fleets"]);
    let hyperion = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "meta-hyperion")
        .unwrap();
    assert_eq!(hyperion["article"], "000_559afd16b1aa6567.txt");
    assert!(hyperion["model"]["check"].is_null());
}

#[test]
fn project_fleet_prints_figures_and_assumptions() {
    fleetbench()
        .args(["project", "--fleet", "meta-hyperion"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("days to train")
                .and(predicate::str::contains("assumptions"))
                .and(predicate::str::contains("MFU")),
        );
}

#[test]
fn project_json_follows_the_contract() {
    let v = json(&[
        "project",
        "--accelerator",
        "h100",
        "--gpus",
        "16384",
        "--params",
        "405e9",
        "--tokens",
        "15.6e12",
        "--dtype",
        "fp8",
    ]);
    assert_eq!(v["fleet"]["accelerator"], "h100");
    assert_eq!(v["fleet"]["count"]["central"], 16384.0);
    for key in [
        "flops_per_s",
        "tokens_per_s",
        "days",
        "gpu_hours",
        "models_per_year",
    ] {
        let r = &v["training"][key];
        assert!(
            r["low"].as_f64().unwrap() <= r["central"].as_f64().unwrap(),
            "{key}"
        );
        assert!(
            r["central"].as_f64().unwrap() <= r["high"].as_f64().unwrap(),
            "{key}"
        );
    }
    for key in ["tokens_per_s", "users_served", "joules_per_token"] {
        assert!(
            v["inference"][key]["central"].as_f64().unwrap() > 0.0,
            "{key}"
        );
    }
    assert!(v["fleet"]["power_mw"]["central"].as_f64().unwrap() > 0.0);
    assert!(v["assumptions"]["mfu"]["value"]["central"].is_number());
    assert_no_nan(&v);
}

#[test]
fn project_without_a_fitting_replica_reports_the_gap_unless_serving_is_asked() {
    let v = json(&[
        "project",
        "--accelerator",
        "h100",
        "--gpus",
        "16384",
        "--params",
        "405e9",
        "--tokens",
        "15.6e12",
    ]);
    assert!(v["inference"].is_null());
    assert!(
        v["inference_unavailable"]
            .as_str()
            .unwrap()
            .contains("does not fit")
    );
    assert!(v["training"]["days"]["central"].as_f64().unwrap() > 0.0);
}

#[test]
fn compare_gives_one_row_per_accelerator() {
    let ids = "h100,b200,mi355x,rubin,tpu-v7,trainium2";
    let out = fleetbench()
        .args(["compare", "--accelerators", ids, "--power", "1GW"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for id in ids.split(',') {
        assert!(
            text.lines().any(|l| l.contains(&format!(" {id} "))),
            "no row for {id}"
        );
    }
    let v = json(&["compare", "--accelerators", ids, "--gpus", "1000"]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|r| r["fleet"]["count"]["central"] == 1000.0)
    );
    assert_no_nan(&v);
}

#[test]
fn compare_marks_accelerators_without_a_power_figure() {
    fleetbench()
        .args([
            "compare",
            "--accelerators",
            "h100,tpu-v6e",
            "--power",
            "1GW",
            "--dtype",
            "bf16",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "tpu-v6e has no published power figure",
        ));
}

#[test]
fn csv_markdown_and_output_file() {
    fleetbench()
        .args(["fleets", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("id,operator,accelerator"));
    fleetbench()
        .args(["accelerators", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| id | vendor |"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    fleetbench()
        .args([
            "project", "--fleet", "stargate", "--format", "json", "--output",
        ])
        .arg(&path)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["fleet"]["id"], "stargate");
}

#[test]
fn a_user_catalog_adds_an_accelerator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let h100 = r#"[[accelerator]]
id = "my-chip"
name = "My chip"
vendor = "Me"
class = "ASIC"
year = 2026
peak_tflops = { bf16 = 1000 }
peak_basis = "dense"
memory_gb = 100
memory_bw_tbps = 4
tdp_w = 800
scaleup_domain = 8
power_status = "assumed"
power_note = "test"
status = "assumed"
source = "test"
notes = ""
"#;
    std::fs::write(&path, h100).unwrap();
    fleetbench()
        .args([
            "project",
            "--accelerator",
            "my-chip",
            "--power",
            "100MW",
            "--catalog",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("my-chip"));
}

#[test]
fn bad_ids_suggest_the_nearest() {
    rejects(
        &["project", "--accelerator", "h10", "--gpus", "8"],
        "did you mean 'h100'",
    );
    rejects(
        &["project", "--fleet", "meta-hyperian"],
        "did you mean 'meta-hyperion'",
    );
    rejects(
        &["project", "--fleet", "stargate", "--model", "llama3-70b"],
        "did you mean",
    );
    rejects(
        &["compare", "--accelerators", "h100,mi356x", "--power", "1GW"],
        "did you mean 'mi355x'",
    );
}

#[test]
fn bad_counts_powers_and_fractions_exit_2() {
    rejects(
        &["project", "--accelerator", "h100", "--gpus", "0"],
        "positive",
    );
    rejects(&["project", "--accelerator", "h100", "--gpus=-5"], "--gpus");
    rejects(
        &["project", "--accelerator", "h100", "--power", "5TW"],
        "GW",
    );
    rejects(
        &["project", "--accelerator", "h100", "--power", "5"],
        "no unit",
    );
    rejects(
        &["compare", "--accelerators", "h100", "--power", "1 parsec"],
        "power",
    );
    rejects(
        &["project", "--fleet", "stargate", "--mfu", "1.5"],
        "(0, 1]",
    );
    rejects(&["project", "--fleet", "stargate", "--mfu", "0"], "(0, 1]");
    rejects(
        &["project", "--fleet", "stargate", "--goodput", "2"],
        "(0, 1]",
    );
    rejects(&["project", "--fleet", "stargate", "--pue", "0.9"], "--pue");
    rejects(
        &["project", "--fleet", "stargate", "--inference-share", "1.5"],
        "[0, 1]",
    );
    rejects(
        &["project", "--fleet", "stargate", "--dtype", "fp6"],
        "unknown data type",
    );
}

#[test]
fn impossible_projections_exit_2() {
    rejects(
        &[
            "project",
            "--accelerator",
            "rubin",
            "--gpus",
            "72",
            "--dtype",
            "bf16",
        ],
        "no bf16 peak",
    );
    rejects(
        &["project", "--accelerator", "tpu-v6e", "--power", "1GW"],
        "no published power",
    );
    rejects(
        &[
            "project",
            "--accelerator",
            "rtx-4090",
            "--gpus",
            "8",
            "--model",
            "llama-3.1-405b",
            "--inference-share",
            "0.5",
        ],
        "does not fit",
    );
    rejects(&["project", "--accelerator", "h100"], "--gpus");
    rejects(&["project"], "--fleet");
    rejects(
        &["project", "--fleet", "stargate", "--active-params", "1e9"],
        "--params",
    );
    rejects(
        &[
            "project",
            "--fleet",
            "stargate",
            "--params",
            "1e9",
            "--active-params",
            "2e9",
        ],
        "cannot exceed",
    );
}

#[test]
fn malformed_catalog_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[[fleet]]\nid = \"x\"\ncount = { low = 3, central = 2, high = 1 }\n",
    )
    .unwrap();
    rejects(&["fleets", "--catalog", path.to_str().unwrap()], "line 3");
    std::fs::write(&path, "[[accelerator]\nid = 1\n").unwrap();
    rejects(
        &["accelerators", "--catalog", path.to_str().unwrap()],
        "line 1",
    );
    rejects(
        &["accelerators", "--catalog", "/nonexistent/cat.toml"],
        "cannot read catalog",
    );
}
