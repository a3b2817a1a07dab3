//! `fleetbench merge` as a user runs it, on per-rank files planted from one real results
//! file (a real `run` on the local adapter, made once per test binary): totals, stragglers,
//! `--fail-on-straggler`, every format, and every kind of bad input (one line naming the
//! file, exit 2, `--allow-partial` merging what it can and saying what is missing).

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

fn fleetbench() -> Command {
    Command::cargo_bin("fleetbench").expect("binary")
}

/// A real results file of this machine's adapter (two kernels, two sizes), or None when
/// there is no adapter (the test then skips, unless FLEETBENCH_REQUIRE_ADAPTER=1).
fn base(test: &str) -> Option<Value> {
    static BASE: OnceLock<Option<Value>> = OnceLock::new();
    let base = BASE.get_or_init(|| {
        if !common::cli_adapter_or_skip("cluster_merge base run") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("base.json");
        common::small_run("tiled,naive", "f32", "32,48", 2)
            .env("SLURM_PROCID", "0")
            .env("SLURM_NTASKS", "1")
            .env("SLURM_JOB_ID", "1")
            .args(["--format", "json", "--output"])
            .arg(&file)
            .assert()
            .success();
        Some(serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap())
    });
    if base.is_none() {
        eprintln!("{test}: skipped, no adapter");
    }
    base.clone()
}

/// One planted rank: the base file with its rank fields set and every GFLOP/s figure
/// multiplied by `scale`.
struct Plant<'a> {
    rank: u32,
    world: Option<u32>,
    job: &'a str,
    host: &'a str,
    scale: f64,
}

impl Plant<'_> {
    fn new(rank: u32, world: u32) -> Self {
        Plant {
            rank,
            world: Some(world),
            job: "700",
            host: "node-a",
            scale: 1.0,
        }
    }

    fn value(&self, base: &Value) -> Value {
        let mut v = base.clone();
        v["cluster"] = serde_json::json!({
            "host": self.host,
            "rank": self.rank,
            "world_size": self.world,
            "local_rank": self.rank % 2,
            "job_id": self.job,
            "launcher": "slurm",
        });
        for g in v["gemm"].as_array_mut().unwrap() {
            if let Some(summary) = g["gflops"].as_object_mut() {
                for field in ["median", "min", "max"] {
                    let x = summary[field].as_f64().unwrap();
                    summary[field] = serde_json::json!(x * self.scale);
                }
            }
        }
        v
    }

    fn write(&self, base: &Value, dir: &Path) -> PathBuf {
        let path = dir.join(format!("{}-{}.json", self.job, self.rank));
        write_json(&path, &self.value(base));
        path
    }
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// Exit 2 with one line on stderr containing every needle.
    fn usage_error(&self, needles: &[&str]) {
        assert_eq!(self.code, Some(2), "stderr: {}", self.stderr);
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "one line expected: {}", self.stderr);
        for needle in needles {
            assert!(lines[0].contains(needle), "'{}' lacks '{needle}'", lines[0]);
        }
        assert!(!self.stderr.contains("panicked"));
        assert!(
            self.stdout.is_empty(),
            "no output on error: {}",
            self.stdout
        );
    }
}

fn merge(args: &[&str], inputs: &[&Path]) -> Outcome {
    let output = fleetbench()
        .arg("merge")
        .args(inputs)
        .args(args)
        .output()
        .unwrap();
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The median GFLOP/s of a record in a (planted) file.
fn median_of(file: &Value, kernel: &str, size: u32) -> f64 {
    file["gemm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kernel"] == kernel && g["m"] == size && g["dtype"] == "f32")
        .and_then(|g| g["gflops"]["median"].as_f64())
        .unwrap_or_else(|| panic!("no verified {kernel} {size} in the file"))
}

#[test]
fn two_ranks_merge_into_a_total_on_the_fastest_kernel_at_the_largest_size() {
    let Some(base) = base("two_ranks_merge") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let r0 = Plant::new(0, 2);
    let r1 = Plant {
        scale: 1.03,
        host: "node-b",
        ..Plant::new(1, 2)
    };
    r0.write(&base, dir.path());
    r1.write(&base, dir.path());
    let out = merge(&["--format", "json"], &[dir.path()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let merged = out.json();
    assert_eq!(merged["kind"], "cluster");
    assert_eq!(merged["schema_version"], 1);
    assert_eq!(merged["world_size"], 2);
    assert_eq!(merged["job_id"], "700");
    assert_eq!(merged["complete"], true);
    let ranks: Vec<u64> = merged["ranks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, [0, 1]);

    // The default benchmark: the kernel with the higher median at the largest size (48).
    let fastest = if median_of(&base, "tiled", 48) >= median_of(&base, "naive", 48) {
        "tiled"
    } else {
        "naive"
    };
    assert_eq!(merged["benchmark"]["kernel"], fastest);
    assert_eq!(merged["benchmark"]["m"], 48);
    let expected =
        median_of(&r0.value(&base), fastest, 48) + median_of(&r1.value(&base), fastest, 48);
    let total = merged["cluster_gflops"]["total"].as_f64().unwrap();
    assert!(
        (total - expected).abs() < 1e-9 * expected,
        "{total} vs {expected}"
    );
    assert_eq!(merged["cluster_gflops"]["ranks_counted"], 2);
    assert_eq!(merged["cluster_gflops"]["complete"], true);
    assert_eq!(merged["stragglers"].as_array().unwrap().len(), 0);
    // Per node: one entry per host, each with its rank's GFLOP/s.
    let nodes = merged["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[1]["host"], "node-b");
    assert_eq!(nodes[1]["ranks"], serde_json::json!([1]));

    // --kernel picks the other one; the total follows it.
    let other = if fastest == "tiled" { "naive" } else { "tiled" };
    let chosen = merge(
        &["--format", "json", "--kernel", other, "--size", "32"],
        &[dir.path()],
    )
    .json();
    assert_eq!(chosen["benchmark"]["kernel"], other);
    assert_eq!(chosen["benchmark"]["m"], 32);
    let expected = median_of(&r0.value(&base), other, 32) + median_of(&r1.value(&base), other, 32);
    let total = chosen["cluster_gflops"]["total"].as_f64().unwrap();
    assert!(
        (total - expected).abs() < 1e-9 * expected,
        "{total} vs {expected}"
    );

    merge(&["--kernel", "texture"], &[dir.path()]).usage_error(&[
        "kernel texture",
        "common to all",
        "(change --kernel",
    ]);
    merge(&["--kernel", "fastest"], &[dir.path()]).usage_error(&["fastest"]);
    merge(&["--size", "4096"], &[dir.path()])
        .usage_error(&["4096x4096x4096", "(change --kernel, --dtype or --size)"]);
    merge(&["--size", "4x4"], &[dir.path()]).usage_error(&["4x4"]);
}

#[test]
fn a_slow_rank_is_named_and_fail_on_straggler_exits_1_after_writing() {
    let Some(base) = base("slow_rank") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    Plant::new(0, 3).write(&base, dir.path());
    Plant::new(1, 3).write(&base, dir.path());
    Plant {
        scale: 0.5,
        host: "node-slow",
        ..Plant::new(2, 3)
    }
    .write(&base, dir.path());

    let merged = merge(&["--format", "json"], &[dir.path()]).json();
    let stragglers = merged["stragglers"].as_array().unwrap();
    assert_eq!(stragglers.len(), 1, "{stragglers:?}");
    assert_eq!(stragglers[0]["rank"], 2);
    assert_eq!(stragglers[0]["host"], "node-slow");
    assert_eq!(stragglers[0]["reason"], "slow");
    let below = stragglers[0]["below_median_percent"].as_f64().unwrap();
    assert!((below - 50.0).abs() < 1e-6, "{below}");
    // A straggler still counts in the measured total: it is slow, not absent.
    assert_eq!(merged["cluster_gflops"]["ranks_counted"], 3);

    let report = dir.path().join("report").join("merged.csv");
    std::fs::create_dir(report.parent().unwrap()).unwrap();
    let gated = merge(
        &[
            "--fail-on-straggler",
            "--format",
            "csv",
            "--output",
            report.to_str().unwrap(),
        ],
        &[dir.path()],
    );
    assert_eq!(gated.code, Some(1), "{}", gated.stderr);
    assert!(
        gated.stderr.contains("rank 2 on node-slow (slow)"),
        "{}",
        gated.stderr
    );
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.contains("STRAGGLER"), "{csv}");

    // A looser threshold lets it pass.
    let loose = merge(
        &["--fail-on-straggler", "--straggler-threshold", "60%"],
        &[dir.path()],
    );
    assert_eq!(loose.code, Some(0), "{}", loose.stderr);
    merge(&["--straggler-threshold", "150"], &[dir.path()]).usage_error(&["150"]);
}

#[test]
fn a_rank_that_failed_verification_is_a_straggler_and_not_in_the_total() {
    let Some(base) = base("failed_verification") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let r0 = Plant::new(0, 2);
    r0.write(&base, dir.path());
    let mut bad = Plant::new(1, 2).value(&base);
    for g in bad["gemm"].as_array_mut().unwrap() {
        if g["kernel"] == "tiled" {
            g["verified"] = Value::Bool(false);
            g["gflops"] = Value::Null;
        }
    }
    write_json(&dir.path().join("700-1.json"), &bad);
    let merged = merge(&["--format", "json", "--kernel", "tiled"], &[dir.path()]).json();
    let stragglers = merged["stragglers"].as_array().unwrap();
    assert_eq!(stragglers.len(), 1);
    assert_eq!(stragglers[0]["rank"], 1);
    assert_eq!(stragglers[0]["reason"], "verification_failed");
    let total = &merged["cluster_gflops"];
    assert_eq!(total["ranks_counted"], 1);
    assert_eq!(total["complete"], false);
    assert_eq!(total["excluded"][0]["rank"], 1);
    let expected = median_of(&r0.value(&base), "tiled", 48);
    assert!((total["total"].as_f64().unwrap() - expected).abs() < 1e-9 * expected);
    let table = merge(&["--kernel", "tiled"], &[dir.path()]);
    assert!(
        table.stdout.contains("Rank 1 is NOT in the cluster total"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("(PARTIAL)"), "{}", table.stdout);
}

#[test]
fn a_missing_rank_is_an_error_or_a_stated_partial_merge() {
    let Some(base) = base("missing_rank") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for rank in [0, 1, 2] {
        Plant::new(rank, 4).write(&base, dir.path());
    }
    merge(&[], &[dir.path()]).usage_error(&[
        "missing rank 3 of world size 4",
        "job 700",
        "--allow-partial",
    ]);
    let partial = merge(&["--allow-partial", "--format", "json"], &[dir.path()]);
    assert_eq!(partial.code, Some(0), "{}", partial.stderr);
    let merged = partial.json();
    assert_eq!(merged["complete"], false);
    assert_eq!(merged["missing_ranks"], serde_json::json!([3]));
    assert_eq!(merged["cluster_gflops"]["ranks_counted"], 3);
    assert_eq!(merged["cluster_gflops"]["ranks_expected"], 4);
    assert_eq!(merged["cluster_gflops"]["complete"], false);
    assert_eq!(merged["cluster_gflops"]["excluded"][0]["rank"], 3);
    let table = merge(&["--allow-partial", "--format", "markdown"], &[dir.path()]);
    assert!(table.stdout.contains("MISSING"), "{}", table.stdout);
    assert!(
        table
            .stdout
            .contains("Rank 3 is NOT in the cluster total: no results file")
    );
}

#[test]
fn duplicate_ranks_and_mixed_jobs_are_refused() {
    let Some(base) = base("duplicates") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = Plant::new(0, 2).write(&base, dir.path());
    Plant::new(1, 2).write(&base, dir.path());
    let again = dir.path().join("copy-of-rank-0.json");
    std::fs::copy(&first, &again).unwrap();
    merge(&[], &[dir.path()]).usage_error(&["copy-of-rank-0.json", "rank 0 again"]);
    let partial = merge(&["--allow-partial", "--format", "json"], &[dir.path()]).json();
    assert_eq!(partial["ranks"].as_array().unwrap().len(), 2);
    assert!(
        partial["skipped"][0]
            .as_str()
            .unwrap()
            .contains("rank 0 again")
    );

    let other_job = tempfile::tempdir().unwrap();
    let a = Plant::new(0, 2).write(&base, other_job.path());
    let b = Plant {
        job: "701",
        ..Plant::new(1, 2)
    }
    .write(&base, other_job.path());
    merge(&[], &[a.as_path(), b.as_path()]).usage_error(&[
        "701-1.json",
        "job",
        "one job at a time",
    ]);
}

#[test]
fn mixed_adapters_are_grouped_and_compared_within_their_kind() {
    let Some(base) = base("mixed_adapters") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    Plant::new(0, 3).write(&base, dir.path());
    Plant::new(1, 3).write(&base, dir.path());
    let mut other = Plant {
        scale: 0.2,
        host: "node-old",
        ..Plant::new(2, 3)
    }
    .value(&base);
    other["adapter"]["name"] = Value::String("Older GPU".into());
    other["adapter"]["driver"] = Value::String("other-driver".into());
    write_json(&dir.path().join("700-2.json"), &other);
    let merged = merge(&["--format", "json"], &[dir.path()]).json();
    assert_eq!(merged["adapters"].as_array().unwrap().len(), 2);
    assert_eq!(merged["groups"].as_array().unwrap().len(), 2);
    assert_eq!(
        merged["stragglers"].as_array().unwrap().len(),
        0,
        "{}",
        merged["stragglers"]
    );
    assert!(
        merged["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("Mixed adapters")),
        "{}",
        merged["notes"]
    );
    assert_eq!(merged["cluster_gflops"]["ranks_counted"], 3);
}

#[test]
fn bad_files_are_named_with_what_is_wrong() {
    let Some(base) = base("bad_files") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let good = Plant::new(0, 2).write(&base, dir.path());
    let text = serde_json::to_string_pretty(&Plant::new(1, 2).value(&base)).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "truncated.json",
            text[..text.len() / 2].to_string(),
            "truncated JSON",
        ),
        ("notjson.json", "rank,gflops\n1,2\n".into(), "not JSON"),
        ("empty.json", String::new(), "empty file"),
        ("array.json", "[1, 2]".into(), "expected a JSON object"),
        (
            "future.json",
            text.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1),
            "schema_version 2",
        ),
        (
            "other.json",
            "{\"schema_version\": 1, \"name\": \"x\"}".into(),
            "not a fleetbench results file",
        ),
        (
            "merged.json",
            "{\"schema_version\": 1, \"kind\": \"cluster\"}".into(),
            "merged cluster result",
        ),
    ];
    for (name, content, needle) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        merge(&[], &[good.as_path(), path.as_path()]).usage_error(&[name, needle]);
        // With --allow-partial the bad file is skipped and said so, and rank 1 is missing.
        let partial = merge(
            &["--allow-partial", "--format", "json"],
            &[good.as_path(), path.as_path()],
        );
        assert_eq!(partial.code, Some(0), "{name}: {}", partial.stderr);
        let merged = partial.json();
        assert!(merged["skipped"][0].as_str().unwrap().contains(name));
        assert_eq!(merged["missing_ranks"], serde_json::json!([1]));
        assert_eq!(merged["cluster_gflops"]["complete"], false);
        std::fs::remove_file(&path).unwrap();
    }

    // A results file written outside a launcher has no rank.
    let mut unlaunched = base.clone();
    unlaunched.as_object_mut().unwrap().remove("cluster");
    let lone = dir.path().join("lone.json");
    write_json(&lone, &unlaunched);
    merge(&[], &[lone.as_path()]).usage_error(&["lone.json", "no cluster rank"]);
    merge(&["--allow-partial"], &[lone.as_path()])
        .usage_error(&["no usable results file", "lone.json"]);
}

#[test]
fn empty_or_absent_inputs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not results").unwrap();
    merge(&[], &[dir.path()]).usage_error(&["no .json results files"]);
    let absent = dir.path().join("absent.json");
    merge(&[], &[absent.as_path()]).usage_error(&["absent.json"]);
    let output = fleetbench().arg("merge").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn every_format_renders_and_output_is_written_atomically_beside_the_inputs() {
    let Some(base) = base("formats") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    Plant::new(0, 2).write(&base, dir.path());
    Plant::new(1, 2).write(&base, dir.path());
    let table = merge(&[], &[dir.path()]);
    assert_eq!(table.code, Some(0));
    assert!(table.stdout.contains("Cluster job 700"), "{}", table.stdout);
    let markdown = merge(&["--format", "markdown"], &[dir.path()]);
    assert!(markdown.stdout.contains("| rank |"), "{}", markdown.stdout);
    let csv = merge(&["--format", "csv"], &[dir.path()]);
    let first = csv.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "table,benchmark,ranks_counted,world_size,cluster_flop_per_s,nodes,\
         stragglers,rank,host,local_rank,adapter,rate_flop_per_s,verified,status,failed,file,\
         ranks,kernel,dtype,m,n,k,median_flop_per_s,min_flop_per_s,max_flop_per_s,\
         ranks_verified,ranks_failed,reason,below_median,detail"
    );
    // Writing the merge into the results directory, twice: its own output is not an input.
    let out = dir.path().join("merged.json");
    for _ in 0..2 {
        let written = merge(
            &["--format", "json", "--output", out.to_str().unwrap()],
            &[dir.path()],
        );
        assert_eq!(written.code, Some(0), "{}", written.stderr);
        assert!(written.stdout.is_empty());
    }
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(merged["ranks"].as_array().unwrap().len(), 2);
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}
