//! CLI tests of issue 10: `timeline` in every format and with every flag, the cost rows of
//! `project` and `compare`, `compare --budget`, the measured bridge in money, bad user
//! catalogs (exit 2, one line on stderr, no panic) and no NaN or inf in an output. Bad
//! flags and values are rows of `tests/bad_input.rs`.

mod common;

use common::{assert_no_nan, fleetbench, json, rejects};
use predicates::prelude::*;
use serde_json::Value;

fn central(v: &Value) -> f64 {
    v["central"]
        .as_f64()
        .unwrap_or_else(|| panic!("no central in {v}"))
}

fn company_year<'a>(t: &'a Value, company: &str, year: i64) -> &'a Value {
    t["companies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["company"] == company && c["year"] == year)
        .unwrap_or_else(|| panic!("no {company} in {year}"))
}

fn check<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn timeline_shows_every_company_year_by_year_with_checks_and_phases() {
    fleetbench().arg("timeline").assert().success().stdout(
        predicate::str::contains("Fleets over time per company, 2024–2030")
            .and(predicate::str::contains(
                "H100-equivalents = dense BF16 FLOP/s",
            ))
            .and(predicate::str::contains("stargate-500b"))
            .and(predicate::str::contains("Build-out phases"))
            .and(predicate::str::contains(
                "openai-100x: not shown, no dated phase",
            )),
    );
    let t = json(&["timeline"]);
    assert_no_nan(&t);
    let companies: Vec<&str> = t["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["company"].as_str().unwrap())
        .collect();
    for company in ["openai", "meta", "xai", "anthropic"] {
        assert!(companies.contains(&company), "{company}");
    }
    assert_eq!(t["window"]["from"], 2024);
    assert_eq!(t["window"]["to"], 2030);
    assert!(t["phases"].as_array().unwrap().len() >= 25);
    assert!(t["costs"]["prices"]["h100"]["source"].is_string());
    // Every check of every company is a row with a verdict.
    assert_eq!(
        t["checks"].as_array().unwrap().len(),
        fleetbench::model::Catalog::embedded().unwrap().checks.len()
    );
}

#[test]
fn one_company_a_window_and_fleets_by_id() {
    let t = json(&[
        "timeline",
        "--company",
        "openai",
        "--from",
        "2025",
        "--to",
        "2027",
    ]);
    let rows = t["companies"].as_array().unwrap();
    assert!(rows.iter().all(|c| c["company"] == "openai"));
    assert_eq!(rows.len(), 3, "2025, 2026, 2027");
    // A check dated outside the window is listed as not evaluated, with why.
    let share = check(&t, "stargate-share-2030");
    assert!(
        share["verdict"]["not_evaluated"]
            .as_str()
            .unwrap()
            .contains("outside the window")
    );
    // OpenAI's checks are not xAI's business; a check about no company stays.
    let colossus = json(&["timeline", "--fleet", "xai-colossus,xai-colossus-2"]);
    let fleets: Vec<&str> = colossus["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fleet"].as_str().unwrap())
        .collect();
    assert!(fleets.iter().all(|f| f.starts_with("xai-colossus")));
    let ids: Vec<&str> = colossus["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["h100-owner-below-cloud"]);
}

#[test]
fn an_inference_share_ramp_splits_the_fleet_and_decides_the_2030_check() {
    let flat = json(&["timeline", "--company", "openai"]);
    assert_eq!(
        check(&flat, "inference-over-training-2030")["verdict"],
        "fail"
    );
    let ramp = json(&[
        "timeline",
        "--company",
        "openai",
        "--inference-share",
        "2025:0.3,2030:0.6",
    ]);
    assert_eq!(
        check(&ramp, "inference-over-training-2030")["verdict"],
        "pass"
    );
    let y2030 = company_year(&ramp, "openai", 2030);
    let share = central(&y2030["inference_cost_usd"]) / central(&y2030["yearly_cost_usd"]);
    assert!((share - 0.6).abs() < 1e-9, "{share}");
    // More serving, less training, out of the same fleet.
    let flat_2030 = company_year(&flat, "openai", 2030);
    assert!(central(&y2030["training_flops_per_s"]) < central(&flat_2030["training_flops_per_s"]));
    assert!(central(&y2030["output_tokens_per_s"]) > central(&flat_2030["output_tokens_per_s"]));
    assert_eq!(
        central(&y2030["accelerators"]),
        central(&flat_2030["accelerators"])
    );
}

#[test]
fn cost_flags_change_the_money_and_say_so() {
    let base = json(&["timeline", "--company", "meta", "--to", "2025"]);
    let dear = json(&[
        "timeline",
        "--company",
        "meta",
        "--to",
        "2025",
        "--price",
        "h100=60k",
        "--usd-per-mwh",
        "160",
        "--depreciation-years",
        "4",
    ]);
    let capex = |t: &Value| central(&company_year(t, "meta", 2024)["accelerator_capex_usd"]);
    // 350k H100 at $60k instead of $30k.
    assert!((capex(&dear) / capex(&base) - 2.0).abs() < 1e-9);
    assert_eq!(dear["costs"]["prices"]["h100"]["status"], "user");
    assert_eq!(
        dear["costs"]["electricity_usd_per_mwh"]["source"],
        "set with --usd-per-mwh"
    );
    let yearly = |t: &Value| central(&company_year(t, "meta", 2024)["yearly_cost_usd"]);
    assert!(yearly(&dear) > 1.9 * yearly(&base));
}

#[test]
fn timeline_in_csv_markdown_and_to_a_file() {
    let csv = fleetbench()
        .args(["timeline", "--company", "xai", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let csv = String::from_utf8(csv).unwrap();
    let header = csv.lines().next().unwrap();
    for key in [
        "table",
        "year",
        "h100_equivalents_central",
        "capex_central_usd",
        "yearly_cost_central_usd",
        "ratio_central",
        "verdict",
    ] {
        assert!(header.split(',').any(|h| h == key), "{key} in {header}");
    }
    // No cell is a non-finite number (the notes' words, "inference", are text).
    for cell in csv.lines().flat_map(|line| line.split(',')) {
        let lower = cell.trim().to_ascii_lowercase();
        assert!(
            !["nan", "inf", "-inf", "infinity"].contains(&lower.as_str()),
            "{cell}"
        );
    }
    fleetbench()
        .args(["timeline", "--company", "xai", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| year | company |"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("timeline.json");
    fleetbench()
        .args(["timeline", "--output"])
        .arg(&file)
        .assert()
        .success();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(written["companies"].is_array());
}

#[test]
fn a_bad_phase_or_price_in_a_user_catalog_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let reversed = write(
        "reversed.toml",
        r#"[[fleet]]
id = "late"
name = "late"
operator = "x"
accelerator = "h100"
accelerator_basis = "stated"
count = 1000
date = "2027"
status = "announced"
article = ""
source = "s"
source_status = "assumed"
notes = ""

[[fleet.phase]]
online = "2026"
ramp = { from = "2028" }
count = 1000
status = "announced"
basis = "ASSUMED"
source = "s"
source_status = "assumed"
"#,
    );
    rejects(&["timeline", "--catalog", &reversed], "fleet 'late'");
    rejects(
        &["timeline", "--catalog", &reversed],
        "before the phase is online",
    );
    let bad_date = write(
        "date.toml",
        &std::fs::read_to_string(&reversed)
            .unwrap()
            .replace("online = \"2026\"", "online = \"mid-2026\""),
    );
    rejects(&["timeline", "--catalog", &bad_date], "mid-2026");
    let price = write(
        "price.toml",
        "[[price]]\naccelerator = \"h100\"\nusd = -3\nstatus = \"assumed\"\nsource = \"s\"\n",
    );
    rejects(
        &["project", "--fleet", "meta-2024", "--catalog", &price],
        "price of 'h100'",
    );
}

#[test]
fn a_catalog_file_sets_prices_and_cost_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("costs.toml");
    std::fs::write(
        &path,
        r#"[[price]]
accelerator = "mi355x"
usd = 25000
status = "assumed"
source = "a test's price"

[costs.electricity_usd_per_mwh]
value = 40
status = "assumed"
source = "a test's power contract"
"#,
    )
    .unwrap();
    let catalog = path.display().to_string();
    let p = json(&[
        "project",
        "--accelerator",
        "mi355x",
        "--gpus",
        "1000",
        "--catalog",
        &catalog,
    ]);
    assert_eq!(central(&p["cost"]["price"]["value"]), 25000.0);
    assert_eq!(
        p["cost"]["defaults"]["electricity_usd_per_mwh"]["source"],
        "a test's power contract"
    );
}

#[test]
fn project_and_compare_carry_cost_in_every_format() {
    let p = json(&["project", "--fleet", "nvidia-openai-first-gw"]);
    assert_no_nan(&p);
    let cost = &p["cost"];
    for key in [
        "capex_usd",
        "yearly_usd",
        "usd_per_accelerator_hour",
        "usd_per_training_run",
        "usd_per_million_output_tokens",
    ] {
        assert!(central(&cost[key]) > 0.0, "{key}");
    }
    assert!(p["cost_unavailable"].is_null());
    // Every field projections had before stays.
    for key in ["fleet", "model", "training", "inference", "assumptions"] {
        assert!(p.get(key).is_some(), "{key}");
    }
    fleetbench()
        .args(["project", "--fleet", "nvidia-openai-first-gw"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("per million output tokens")
                .and(predicate::str::contains("cost (value — status — source):")),
        );
    let csv = fleetbench()
        .args(["compare", "--accelerators", "h100,b200", "--power", "1GW"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let header = String::from_utf8(csv.stdout).unwrap();
    assert!(
        header.contains("cost_per_token_central_usd_per_token"),
        "{header}"
    );
    fleetbench()
        .args([
            "compare",
            "--accelerators",
            "h100,trainium2",
            "--power",
            "1GW",
        ])
        .args(["--format", "markdown"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("$/M output tokens").and(predicate::str::contains(
                "trainium2: no cost: trainium2 has no published price",
            )),
        );
    let priced = json(&[
        "project",
        "--accelerator",
        "trainium2",
        "--gpus",
        "1000",
        "--price",
        "12k",
    ]);
    assert_eq!(central(&priced["cost"]["price"]["value"]), 12000.0);
    let unpriced = json(&["project", "--accelerator", "trainium2", "--gpus", "1000"]);
    assert!(unpriced["cost"].is_null());
    assert!(
        unpriced["cost_unavailable"]
            .as_str()
            .unwrap()
            .contains("no published price")
    );
}

#[test]
fn compare_at_equal_money_buys_what_the_budget_affords() {
    let at = |budget: &str| {
        json(&[
            "compare",
            "--accelerators",
            "h100,b200,rubin,trainium2",
            "--budget",
            budget,
        ])
    };
    let ten = at("10B");
    assert_no_nan(&ten);
    let rows = ten["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in &rows[..3] {
        assert_eq!(
            central(&row["cost"]["capex_usd"]),
            1e10,
            "{}",
            row["accelerator"]
        );
        let count = central(&row["fleet"]["count"]);
        let unit = central(&row["cost"]["per_accelerator"]["capex_usd"]);
        assert!((count * unit / 1e10 - 1.0).abs() < 1e-9);
    }
    assert!(
        rows[3]["error"]
            .as_str()
            .unwrap()
            .contains("no published price")
    );
    let twenty = at("$20B");
    let count = |v: &Value, i: usize| central(&v["rows"][i]["fleet"]["count"]);
    for i in 0..3 {
        assert!((count(&twenty, i) / count(&ten, i) - 2.0).abs() < 1e-9);
    }
    fleetbench()
        .args(["compare", "--accelerators", "h100", "--budget", "10B"])
        .assert()
        .success()
        .stdout(predicate::str::contains("compare at $10B of capex each"));
}

#[test]
fn the_measured_bridge_prices_the_measured_flops_at_each_fleet() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/run-0.1.0-c7203a2.json"
    );
    let summary = json(&["project", "--from", fixture]);
    let measured = summary["measured"]["flops_per_s"].as_f64().unwrap();
    let fleets = summary["fleets"].as_array().unwrap();
    let h100 = fleets.iter().find(|f| f["fleet"] == "meta-2024").unwrap();
    let per_hour = central(&h100["usd_per_accelerator_hour"]);
    let value = central(&h100["measured_value_usd_per_hour"]);
    let per_acc_flops = central(&h100["training_flops_per_s"]) / central(&h100["count"]);
    assert!((value / (measured * per_hour / per_acc_flops) - 1.0).abs() < 1e-9);
    let rainier = fleets
        .iter()
        .find(|f| f["fleet"] == "anthropic-rainier")
        .unwrap();
    assert!(
        rainier["measured_value_usd_per_hour"].is_null(),
        "no Trainium2 price"
    );
    fleetbench()
        .args(["project", "--from", fixture])
        .assert()
        .success()
        .stdout(predicate::str::contains("measured at fleet cost"));
}

#[test]
fn a_fleet_whose_stated_count_binds_reaches_that_count_when_built() {
    // Stargate Abilene states 400k GB200 and 1.2 GW; its phases are dated by power, which
    // would feed more. `project` projects the count, and the built timeline agrees.
    let projected = json(&["project", "--fleet", "stargate-abilene"]);
    assert_eq!(projected["fleet"]["binding"], "count");
    let count = central(&projected["fleet"]["count"]);
    let t = json(&["timeline", "--fleet", "stargate-abilene", "--to", "2030"]);
    let built = t["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["year"] == 2030)
        .expect("stargate-abilene in 2030");
    let timeline_count = central(&built["accelerators"]);
    assert!(
        (timeline_count - count).abs() < 1e-6 * count,
        "{timeline_count} vs {count}"
    );
}
