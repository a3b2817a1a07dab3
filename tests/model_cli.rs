//! CLI tests of `accelerators`, `fleets`, `project` and `compare`: every format, the
//! JSON contract, and the serving inputs a projection cannot meet (exit 2, one line on
//! stderr, no panic). Bad flags, values and ids are rows of `tests/bad_input.rs`.

mod common;

use common::{assert_no_nan, fleetbench, json, rejects, words};
use fleetbench::model::Catalog;
use predicates::prelude::*;
use serde_json::Value;

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
    let text = common::stdout(&["fleets"]);
    // The catalog's own test names the fleets it must hold; here every one is listed.
    for fleet in Catalog::embedded().unwrap().fleets {
        assert!(text.contains(&fleet.id), "missing {}", fleet.id);
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

/// Every `{low, central, high}` in `v[key]` for `keys` is ordered.
fn assert_ordered(v: &Value, keys: &[&str]) {
    for key in keys {
        let r = &v[key];
        let (l, c, h) = (
            r["low"].as_f64().unwrap(),
            r["central"].as_f64().unwrap(),
            r["high"].as_f64().unwrap(),
        );
        assert!(l <= c && c <= h, "{key}: {r}");
    }
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
        "--layers",
        "126",
        "--kv-heads",
        "8",
        "--head-dim",
        "128",
        "--dtype",
        "fp8",
    ]);
    assert_eq!(v["fleet"]["accelerator"], "h100");
    assert_eq!(v["fleet"]["count"]["central"], 16384.0);
    for key in ["count_stated", "count_power_fed", "binding"] {
        assert!(v["fleet"].get(key).is_some_and(Value::is_null), "{key}");
    }
    assert_ordered(
        &v["training"],
        &[
            "flops_per_s",
            "tokens_per_s",
            "days",
            "gpu_hours",
            "models_per_year",
        ],
    );
    let job = &v["training"]["largest_job"];
    assert_ordered(job, &["accelerators", "days", "goodput"]);
    assert!(job["goodput"]["central"].as_f64().unwrap() < 1.0);
    let i = &v["inference"];
    for key in [
        "tokens_per_s",
        "users_served",
        "joules_per_token",
        "requests_per_s",
    ] {
        assert!(i[key]["central"].as_f64().unwrap() > 0.0, "{key}");
    }
    assert!(i["batch"].as_u64().unwrap() >= 1);
    assert!(i["layout"].as_str().unwrap().starts_with("TP"));
    assert!(i["bound"].is_string());
    assert!(v["fleet"]["power_mw"]["central"].as_f64().unwrap() > 0.0);
    assert!(v["assumptions"]["mfu"]["value"]["central"].is_number());
    assert_eq!(v["assumptions"]["train_dtype"], "fp8");
    assert_eq!(v["assumptions"]["serve_dtype"], "fp8");
    assert_no_nan(&v);
}

#[test]
fn the_issue_example_serves_llama_2_70b_on_one_node() {
    // project --accelerator h100 --gpus 8 --model llama-2-70b --serve-dtype fp8
    //   --input-tokens 512 --output-tokens 256 --inference-share 1 --format json
    let v = json(&on_the_node(&[
        "--serve-dtype",
        "fp8",
        "--input-tokens",
        "512",
        "--output-tokens",
        "256",
    ]));
    let i = &v["inference"];
    assert_ordered(i, &["tokens_per_s", "requests_per_s", "tpot_ms", "ttft_ms"]);
    let replica = i["replica_size"].as_u64().unwrap();
    assert!(8 % replica == 0, "{replica}");
    assert!(i["layout"].as_str().unwrap().starts_with("TP"));
    assert!(
        ["compute", "memory_capacity"].contains(&i["bound"].as_str().unwrap()),
        "{}",
        i["bound"]
    );
    // Output tokens/s = requests/s x output tokens.
    let ratio = i["tokens_per_s"]["central"].as_f64().unwrap()
        / i["requests_per_s"]["central"].as_f64().unwrap();
    assert!((ratio - 256.0).abs() < 1e-6, "{ratio}");
    assert_eq!(v["assumptions"]["train_dtype"], "bf16");
    assert_eq!(v["assumptions"]["serve_dtype"], "fp8");
    assert_eq!(v["assumptions"]["input_tokens"]["value"], 512.0);
    assert!(v["training"].is_null());
    assert_no_nan(&v);
}

#[test]
fn flagship_fleets_serve_the_default_model_and_say_which_count_binds() {
    for fleet in ["openai-2025", "openai-100x", "meta-2024", "xai-colossus"] {
        let v = json(&["project", "--fleet", fleet]);
        assert!(
            v["inference"]["tokens_per_s"]["central"].as_f64().unwrap() > 0.0,
            "{fleet}"
        );
        assert_eq!(v["assumptions"]["train_dtype"], "bf16", "{fleet}");
        assert_eq!(v["assumptions"]["serve_dtype"], "fp8", "{fleet}");
    }
    let v = json(&["project", "--fleet", "nvidia-openai-10gw"]);
    assert_eq!(v["fleet"]["binding"], "power");
    let fed = v["fleet"]["count_power_fed"]["central"].as_f64().unwrap();
    assert_eq!(v["fleet"]["count"]["central"].as_f64().unwrap(), fed);
    assert_eq!(v["fleet"]["count_stated"]["central"], 4.5e6);
    // A 1M-GPU fleet trains 405B as one 16k-GPU job, not as one machine.
    let v = json(&["project", "--fleet", "openai-2025"]);
    let job = &v["training"]["largest_job"];
    assert_eq!(job["limited_by"], "global_batch");
    assert!(job["accelerators"]["central"].as_f64().unwrap() < 2e4);
    assert!(v["training"]["days"]["central"].as_f64().unwrap() > 30.0);
}

#[test]
fn deepseek_v3_is_served_across_h100_nodes_with_expert_parallelism_or_pipelines() {
    let v = json(&[
        "project",
        "--fleet",
        "openai-2025",
        "--model",
        "deepseek-v3",
    ]);
    let i = &v["inference"];
    assert!(i["replica_size"].as_u64().unwrap() > 8, "{i}");
    let layout = i["layout"].as_str().unwrap();
    assert!(layout.contains("EP") || layout.contains("PP"), "{layout}");
}

#[test]
fn users_beyond_the_online_population_are_said_in_words() {
    let text = String::from_utf8(
        fleetbench()
            .args(["project", "--fleet", "openai-100x"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("more than everyone online"), "{text}");
    let v = json(&["project", "--fleet", "openai-100x"]);
    assert_eq!(v["inference"]["users"]["exceeds_online_population"], true);
    // Only the high end beyond everyone online: that bound is left out, in words.
    let colossus = String::from_utf8(
        fleetbench()
            .args(["project", "--fleet", "xai-colossus"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let row = colossus
        .lines()
        .find(|l| l.contains("users served (weekly"))
        .expect("a users row");
    assert!(
        row.contains("the high end is more than everyone online"),
        "{row}"
    );
    let v = json(&["project", "--fleet", "xai-colossus"]);
    assert_eq!(
        v["inference"]["users"]["high_exceeds_online_population"],
        true
    );
    assert_eq!(
        v["inference"]["users_vs_chatgpt_weekly"][0]["weekly_users"],
        700e6
    );
}

/// Llama 2 70B served on one 8-GPU H100 node.
const NODE_70B: [&str; 9] = [
    "project",
    "--accelerator",
    "h100",
    "--gpus",
    "8",
    "--model",
    "llama-2-70b",
    "--inference-share",
    "1",
];

fn on_the_node(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = NODE_70B.to_vec();
    args.extend_from_slice(extra);
    args
}

#[test]
fn a_latency_target_lowers_the_batch() {
    let free = json(&NODE_70B);
    let held = json(&on_the_node(&["--tpot-ms", "30"]));
    let i = &held["inference"];
    assert_eq!(i["bound"], "latency_target");
    assert!(i["tpot_ms"]["central"].as_f64().unwrap() <= 30.0 + 1e-9);
    assert!(
        i["tokens_per_s"]["central"].as_f64().unwrap()
            <= free["inference"]["tokens_per_s"]["central"]
                .as_f64()
                .unwrap()
    );
}

#[test]
fn project_without_a_fitting_replica_reports_the_gap_unless_serving_is_asked() {
    // 4 H100 hold 288 GB: no replica of 405B fits, but training stands.
    let args = words("project --accelerator h100 --gpus 4 --model llama-3.1-405b");
    let v = json(&args);
    assert!(v["inference"].is_null());
    assert!(
        v["inference_unavailable"]
            .as_str()
            .unwrap()
            .contains("does not fit")
    );
    assert!(v["training"]["days"]["central"].as_f64().unwrap() > 0.0);
    let mut asked = args.clone();
    asked.extend(["--inference-share", "0.5"]);
    rejects(&asked, "short");
}

#[test]
fn bad_serving_input_exits_2_with_one_line() {
    let with = on_the_node;
    rejects(&with(&["--input-tokens", "0"]), "positive whole number");
    rejects(&with(&["--output-tokens=-3"]), "--output-tokens");
    rejects(&with(&["--batch", "0"]), "positive whole number");
    rejects(&with(&["--tpot-ms", "1"]), "best achievable");
    rejects(&with(&["--ttft-ms", "0.5"]), "best achievable");
    rejects(&with(&["--layout", "TP16"]), "scale-up domain");
    rejects(&with(&["--layout", "TP3"]), "powers of two");
    rejects(&with(&["--layout", "TP2xEP2"]), "mixture-of-experts");
    rejects(&with(&["--layout", "8 GPUs"]), "is not like");
    rejects(&with(&["--batch", "100000"]), "short");
    rejects(
        &with(&["--layout", "TP1", "--batch", "100"]),
        "holds at most",
    );
    // A mixture of experts without expert figures; a custom model missing the figures
    // serving needs (unless training only).
    let custom = "project --accelerator h100 --gpus 64 --params 70e9 --tokens 1e12";
    let moe = format!("{custom} --active-params 10e9 --layers 80 --kv-heads 8 --head-dim 128");
    rejects(&words(&moe), "expert count");
    rejects(&words(custom), "number of layers");
    let training_only = format!("{custom} --inference-share 0");
    fleetbench().args(words(&training_only)).assert().success();
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
fn batch_and_goodput_keep_their_sourced_shape_in_json() {
    let v = json(&["project", "--fleet", "stargate-abilene"]);
    let a = &v["assumptions"];
    assert_eq!(a["batch"]["value"], "auto", "{a}");
    assert_eq!(a["batch"]["status"], "derived");
    let goodput = &a["goodput"];
    assert_eq!(goodput["status"], "derived", "{goodput}");
    assert_eq!(
        goodput["value"]["central"],
        v["training"]["largest_job"]["goodput"]["central"]
    );
    let fixed = json(&[
        "project",
        "--fleet",
        "stargate-abilene",
        "--batch",
        "64",
        "--goodput",
        "0.9",
    ]);
    assert_eq!(fixed["assumptions"]["batch"]["value"], 64);
    assert_eq!(fixed["assumptions"]["batch"]["status"], "user");
    assert_eq!(fixed["assumptions"]["goodput"]["value"]["central"], 0.9);
}

#[test]
fn a_model_without_a_published_batch_or_compute_still_bounds_one_job() {
    // Mixtral publishes neither: the batch law at the compute its size is optimal for.
    let v = json(&[
        "project",
        "--fleet",
        "openai-100x",
        "--model",
        "mixtral-8x7b",
    ]);
    let job = &v["training"]["largest_job"];
    assert_eq!(job["limited_by"], "global_batch", "{job}");
    let goodput = job["goodput"]["central"].as_f64().unwrap();
    assert!(goodput > 0.5, "{job}");
    let side = &job["side_by_side"];
    assert!(side["low"].as_f64().unwrap() >= 1.0, "{side}");
}

#[test]
fn custom_model_figures_change_what_they_should() {
    let batch = |kv: &str| {
        let line = format!(
            "project --accelerator h100 --gpus 64 --params 70e9 --layers 80 \
             --kv-bytes-per-token {kv} --inference-share 1"
        );
        json(&words(&line))["inference"]["batch"].as_f64().unwrap()
    };
    // Twice the KV cache per token: memory holds about half the batch.
    let (small, large) = (batch("327680"), batch("655360"));
    assert!((small / large - 2.0).abs() < 0.05, "{small} vs {large}");

    let job = |tokens: &str| {
        let line = format!(
            "project --accelerator h100 --gpus 100000 --model llama-3.1-405b \
             --global-batch-tokens {tokens}"
        );
        json(&words(&line))["training"]["largest_job"].clone()
    };
    // 4M tokens at the published 1,024 tokens per accelerator: a job of 3,906.
    let four_m = job("4e6");
    assert_eq!(four_m["limited_by"], "global_batch", "{four_m}");
    assert_eq!(four_m["accelerators"]["central"], 3906.0, "{four_m}");

    let moe_rate = |per_token: &str| {
        let line = format!(
            "project --accelerator h100 --gpus 64 --params 47e9 --active-params 13e9 \
             --experts 8 --experts-per-token {per_token} --layers 32 --kv-heads 8 \
             --head-dim 128 --inference-share 1 --batch 4"
        );
        json(&words(&line))["inference"]["tokens_per_s"]["central"]
            .as_f64()
            .unwrap()
    };
    // At a small batch a step reads the experts its tokens touch: routed to two experts
    // each, four tokens touch more expert weights than routed to one, so it is slower.
    let (one, two) = (moe_rate("1"), moe_rate("2"));
    assert!(two < one, "{two} vs {one}");
}
