//! fleetbench under a real Slurm cluster: `srun -N1 -n2` and an `sbatch --wait` job each run
//! two ranks of `fleetbench run`, then `merge` gathers them; a planted slow rank (a copy of
//! a real rank's file with half the throughput) must be named as a straggler and make
//! `--fail-on-straggler` exit non-zero.
//!
//! Runs only with FLEETBENCH_SLURM=1 and a running cluster (`.ci/slurm/start.sh`, with
//! SLURM_CONF exported), as `.ci/run` does; otherwise each test says it skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_fleetbench");

fn enabled(test: &str) -> bool {
    let on = std::env::var("FLEETBENCH_SLURM").is_ok_and(|v| v == "1");
    if !on {
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: skipped (set FLEETBENCH_SLURM=1 with a running Slurm cluster)"
        );
    }
    on
}

/// The `run` arguments each rank uses: one small, fast, verified benchmark.
fn run_args(dir: &Path) -> Vec<String> {
    let output = dir.join("{job}-{rank}.json");
    [
        "run",
        "--backend",
        "vulkan",
        "--sizes",
        "64",
        "--kernel",
        "tiled",
        "--dtype",
        "f32",
        "--samples",
        "2",
        "--warmup",
        "0",
        "--format",
        "json",
        "--output",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([output.display().to_string()])
    .collect()
}

fn checked(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start ({e}); is Slurm installed?"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The directory of the `srun -N1 -n2` run's two files (run once per test binary).
fn srun_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        checked(
            Command::new("srun")
                .args(["-N1", "-n2", "--time=5", BIN])
                .args(run_args(dir.path())),
            "srun -N1 -n2 fleetbench run",
        );
        dir
    })
    .path()
}

/// Checks the two rank files of one job, returning the job id.
fn assert_two_ranks(files: &[PathBuf], job: Option<&str>) -> String {
    assert_eq!(files.len(), 2, "two rank files expected: {files:?}");
    let mut ranks = Vec::new();
    let mut jobs = Vec::new();
    for file in files {
        let cluster = read(file)["cluster"].clone();
        assert_eq!(cluster["launcher"], "slurm", "{}", file.display());
        assert_eq!(cluster["world_size"], 2);
        let rank = cluster["rank"].as_u64().unwrap();
        let job_id = cluster["job_id"].as_str().unwrap().to_string();
        // The file name is the expanded `{job}-{rank}.json`.
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name, format!("{job_id}-{rank}.json"));
        ranks.push(rank);
        jobs.push(job_id);
    }
    ranks.sort();
    assert_eq!(ranks, [0, 1]);
    assert_eq!(jobs[0], jobs[1], "both ranks in one job");
    if let Some(job) = job {
        assert_eq!(jobs[0], job, "the job id sbatch reported");
    }
    jobs[0].clone()
}

fn merge_json(dir: &Path, extra: &[&str]) -> Value {
    let stdout = checked(
        Command::new(BIN)
            .arg("merge")
            .arg(dir)
            .args(["--format", "json"])
            .args(extra),
        "fleetbench merge",
    );
    serde_json::from_str(&stdout).unwrap()
}

fn assert_merged(merged: &Value, job: &str) {
    assert_eq!(merged["kind"], "cluster");
    assert_eq!(merged["job_id"], job);
    assert_eq!(merged["world_size"], 2);
    assert_eq!(merged["complete"], true);
    let ranks: Vec<u64> = merged["ranks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, [0, 1]);
    let total = &merged["cluster_gflops"];
    assert_eq!(total["ranks_counted"], 2);
    let sum: f64 = merged["ranks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["gflops"].as_f64().unwrap())
        .sum();
    let value = total["total"].as_f64().unwrap();
    assert!(value > 0.0, "a measured total: {value}");
    assert!((value - sum).abs() <= 1e-9 * sum, "{value} vs {sum}");
    assert_eq!(total["benchmark"], "tiled f32 64x64x64");
}

#[test]
fn srun_and_sbatch_ranks_merge_into_one_cluster_result() {
    if !enabled("srun_and_sbatch_ranks_merge_into_one_cluster_result") {
        return;
    }
    let dir = srun_dir();
    let job = assert_two_ranks(&json_files(dir), None);
    assert_merged(&merge_json(dir, &[]), &job);

    let batch = tempfile::tempdir().unwrap();
    let script = batch.path().join("fleetbench.sbatch");
    let args: Vec<String> = run_args(batch.path())
        .iter()
        .map(|a| format!("'{a}'"))
        .collect();
    std::fs::write(
        &script,
        format!(
            "#!/bin/bash\n#SBATCH --ntasks=2\n#SBATCH --time=5\n#SBATCH --output={}/slurm-%j.out\n\
             srun '{BIN}' {}\n",
            batch.path().display(),
            args.join(" ")
        ),
    )
    .unwrap();
    let job = checked(
        Command::new("sbatch")
            .args(["--wait", "--parsable"])
            .arg(&script),
        "sbatch --wait",
    );
    let job = job.trim().split(';').next().unwrap().to_string();
    assert!(job.parse::<u64>().is_ok(), "sbatch printed job id '{job}'");
    assert_two_ranks(&json_files(batch.path()), Some(&job));
    assert_merged(&merge_json(batch.path(), &[]), &job);
}

#[test]
fn a_planted_slow_rank_is_named_and_fails_the_gate() {
    if !enabled("a_planted_slow_rank_is_named_and_fails_the_gate") {
        return;
    }
    let real = json_files(srun_dir());
    assert_eq!(real.len(), 2);
    let planted = tempfile::tempdir().unwrap();
    // Rank 0 as measured; rank 1 a copy of that real file at half its throughput, so the
    // median of the two is 0.75 of rank 0 and rank 1 is a third below it.
    let rank0 = read(&real[0]);
    assert_eq!(rank0["cluster"]["rank"], 0);
    std::fs::copy(&real[0], planted.path().join("rank0.json")).unwrap();
    let mut slow = rank0.clone();
    slow["cluster"]["rank"] = serde_json::json!(1);
    slow["cluster"]["local_rank"] = serde_json::json!(1);
    for g in slow["gemm"].as_array_mut().unwrap() {
        for field in ["median", "min", "max"] {
            let v = g["gflops"][field].as_f64().unwrap();
            g["gflops"][field] = serde_json::json!(v * 0.5);
        }
    }
    std::fs::write(planted.path().join("rank1-slow.json"), slow.to_string()).unwrap();
    let merged = merge_json(planted.path(), &[]);
    let stragglers = merged["stragglers"].as_array().unwrap();
    assert_eq!(stragglers.len(), 1, "{stragglers:?}");
    assert_eq!(stragglers[0]["rank"], 1);
    assert_eq!(stragglers[0]["reason"], "slow");
    let below = stragglers[0]["below_median_percent"].as_f64().unwrap();
    assert!((below - 100.0 / 3.0).abs() < 1e-6, "{below}");
    // Twice as much as measured: the total is 1.5 times rank 0's figure.
    let r0 = merged["ranks"][0]["gflops"].as_f64().unwrap();
    let total = merged["cluster_gflops"]["total"].as_f64().unwrap();
    assert!((total - 1.5 * r0).abs() <= 1e-9 * total, "{total} vs {r0}");

    let gate = Command::new(BIN)
        .arg("merge")
        .arg(planted.path())
        .arg("--fail-on-straggler")
        .output()
        .unwrap();
    assert_eq!(gate.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&gate.stderr);
    assert!(stderr.contains("rank 1 on"), "{stderr}");
}
