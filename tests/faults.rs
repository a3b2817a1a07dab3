//! Runs that survive faults, with the real binary (and, for the tuning cache, two real
//! processes): Ctrl-C and SIGTERM stop a run keeping what it measured, never over a
//! complete file, with no temporary file left; two processes share the tuning cache
//! without losing each other's entries; a lost device ends the run naming the GEMM in
//! flight (and stops the autotuner at once); a GEMM whose buffers the device refuses is
//! skipped and the run goes on.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fleetbench::kernels::{Dtype, GemmKernel};
use fleetbench::measure::autotune::cache::{self, CacheEntry, CacheKey, TuneCache};
use fleetbench::results::{self, AdapterDescription, ResultsFile, RunResults, ShapeClass};
use serde_json::Value;

/// The file names in `dir`, sorted.
fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A run's results file, read through the one loader.
fn read_run(path: &Path) -> RunResults {
    match results::read(path) {
        Ok(ResultsFile::Run(run)) => *run,
        other => panic!("{}: not a run's results: {other:?}", path.display()),
    }
}

/// The one `error:` line on the stderr of a process that exited with `expected` (progress
/// lines are not errors; a second error line or a panic fails the test).
fn the_error_line(code: Option<i32>, expected: i32, stderr: &str) -> String {
    assert_eq!(code, Some(expected), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    errors[0].to_string()
}

/// `the_error_line` of a finished `fleetbench` process, with its stderr for context.
fn error_of(output: &std::process::Output, expected: i32) -> (String, String) {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (
        the_error_line(output.status.code(), expected, &stderr),
        stderr,
    )
}

/// Starts a long run writing to `output` (20 GEMMs of 50 samples each), waits until
/// stderr shows its first GEMM measured, sends `signal`, and returns (exit code, stderr).
fn interrupt_a_run(output: &Path, cache_dir: &Path, signal: libc::c_int) -> (Option<i32>, String) {
    let binary = assert_cmd::cargo::cargo_bin("fleetbench");
    let mut child = Command::new(binary)
        .args(["run", "--backend", "vulkan", "--kernel", "naive,tiled"])
        .args([
            "--dtype",
            "f32",
            "--sizes",
            "32,40,48,56,64,72,80,88,96,104",
        ])
        .args([
            "--samples",
            "50",
            "--warmup",
            "0",
            "--probes",
            "quick",
            "--output",
        ])
        .arg(output)
        .env("FLEETBENCH_CACHE_DIR", cache_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fleetbench run");
    let mut stderr = String::new();
    let mut signalled = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if !signalled && line.starts_with("measured ") {
            // SAFETY: kill(2) on the child's own pid, which it cannot have reused: the
            // child is not waited for yet.
            assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
            signalled = true;
        }
        stderr.push_str(&line);
        stderr.push('\n');
    }
    let status = child.wait().unwrap();
    assert!(signalled, "the run never said it measured a GEMM: {stderr}");
    (status.code(), stderr)
}

#[test]
fn ctrl_c_keeps_what_was_measured_beside_a_complete_file_and_exits_130() {
    if !common::cli_adapter_or_skip("ctrl-c") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("results.json");
    let complete = std::fs::read(common::fixture("run-0.1.0-c7203a2.json")).unwrap();
    std::fs::write(&output, &complete).unwrap();

    let (code, stderr) = interrupt_a_run(&output, cache_dir.path(), libc::SIGINT);

    let error = the_error_line(code, 130, &stderr);
    assert!(error.contains("interrupted by SIGINT"), "{stderr}");
    assert!(error.contains("results.partial.json"), "{stderr}");
    assert_eq!(
        std::fs::read(&output).unwrap(),
        complete,
        "the complete file changed"
    );
    let partial_path = dir.path().join("results.partial.json");
    let partial = read_run(&partial_path);
    assert!(!partial.complete);
    assert_eq!(partial.stopped.as_deref(), Some("interrupted by SIGINT"));
    assert!(
        (1..20).contains(&partial.gemm.len()),
        "{} GEMMs kept",
        partial.gemm.len()
    );
    assert!(
        partial
            .gemm
            .iter()
            .all(|g| g.verified && g.gflops.is_some())
    );
    let raw: Value = serde_json::from_slice(&std::fs::read(&partial_path).unwrap()).unwrap();
    assert_eq!(raw["complete"], false);
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from(["results.json".into(), "results.partial.json".into()]),
        "a temporary file was left behind"
    );
}

#[test]
fn sigterm_writes_the_partial_results_in_place_and_exits_143() {
    if !common::cli_adapter_or_skip("sigterm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("rank-0.json");

    let (code, stderr) = interrupt_a_run(&output, cache_dir.path(), libc::SIGTERM);

    assert_eq!(code, Some(143), "{stderr}");
    let partial = read_run(&output);
    assert!(!partial.complete);
    assert_eq!(partial.stopped.as_deref(), Some("interrupted by SIGTERM"));
    assert!(!partial.gemm.is_empty());
    assert_eq!(names_in(dir.path()), BTreeSet::from(["rank-0.json".into()]));
}

// ---- the tuning cache shared by two processes ----

/// The variable that makes `cache_writer_process` a writer (it is a no-op otherwise).
const WRITER: &str = "FLEETBENCH_TEST_CACHE_WRITER";
const ENTRIES_PER_WRITER: usize = 40;

/// The adapter of the kept run fixture, renamed: each name is its own cache key.
fn adapter_named(name: &str) -> AdapterDescription {
    let mut adapter = read_run(&common::fixture("run-0.1.0-c7203a2.json")).adapter;
    adapter.name = name.into();
    adapter
}

fn key(writer: &str, i: usize) -> CacheKey {
    CacheKey::new(
        &adapter_named(&format!("{writer}-{i}")),
        Dtype::F32,
        ShapeClass::Square,
    )
}

/// One of the two processes: loads the cache once (as a run does), waits for the start
/// file so both write at the same time, then records its own winners one by one.
#[test]
fn cache_writer_process() {
    let Ok(writer) = std::env::var(WRITER) else {
        return; // an ordinary test run: only the test below starts writers
    };
    let path = PathBuf::from(std::env::var("CACHE_PATH").unwrap());
    let start = PathBuf::from(std::env::var("START_FILE").unwrap());
    let mut cache = TuneCache::load(Some(path), &mut |w| panic!("{w}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !start.exists() {
        assert!(Instant::now() < deadline, "never told to start");
        std::thread::sleep(Duration::from_millis(1));
    }
    for i in 0..ENTRIES_PER_WRITER {
        cache
            .put(CacheEntry {
                key: key(&writer, i),
                kernel: GemmKernel::tiled_default(),
                gflops: 1.0 + i as f64,
                tuned_unix: 1,
            })
            .unwrap();
    }
}

#[test]
fn two_processes_recording_winners_at_once_lose_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tuning.json");
    let start = dir.path().join("start");
    let writers: Vec<_> = ["a", "b"]
        .iter()
        .map(|writer| {
            let child = Command::new(std::env::current_exe().unwrap())
                .args(["cache_writer_process", "--exact", "--test-threads=1"])
                .env(WRITER, writer)
                .env("CACHE_PATH", &path)
                .env("START_FILE", &start)
                .stdout(Stdio::null())
                .spawn()
                .expect("start a writer process");
            (writer, child)
        })
        .collect();
    // Both processes have loaded the (missing) cache before either writes.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&start, b"go").unwrap();
    for (writer, mut child) in writers {
        assert!(child.wait().unwrap().success(), "writer {writer} failed");
    }

    let text = std::fs::read_to_string(&path).unwrap();
    let entries = cache::parse_entries(&text).expect("the cache parses");
    let found: BTreeSet<String> = entries.iter().map(|e| e.key.adapter.clone()).collect();
    let lost: Vec<String> = ["a", "b"]
        .iter()
        .flat_map(|w| (0..ENTRIES_PER_WRITER).map(move |i| key(w, i).adapter))
        .filter(|name| !found.contains(name))
        .collect();
    assert!(lost.is_empty(), "entries lost: {lost:?}");
    assert_eq!(entries.len(), 2 * ENTRIES_PER_WRITER);
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from([
            "start".into(),
            "tuning.json".into(),
            "tuning.json.lock".into()
        ]),
        "a temporary file was left behind"
    );
}

// ---- a lost device ----

#[test]
fn a_lost_device_names_the_gemm_in_flight_and_keeps_the_results_before_it() {
    if !common::cli_adapter_or_skip("lost device") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("results.json");
    // Four GEMMs: naive 32, naive 48, tiled 32, tiled 48; the device goes as the third starts.
    let result = common::small_run("naive,tiled", "f32", "32,48", 2)
        .env("FLEETBENCH_TEST_DESTROY_DEVICE_AT_GEMM", "3")
        .env("FLEETBENCH_CACHE_DIR", dir.path().join("cache"))
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let (error, stderr) = error_of(&result, 1);
    assert!(
        error.starts_with("error: lost the device while measuring tiled f32 32x32x32: "),
        "{stderr}"
    );

    let partial = read_run(&output);
    assert!(!partial.complete);
    let labels: Vec<String> = partial.gemm.iter().map(|g| g.label()).collect();
    assert_eq!(labels, ["naive f32 32x32x32", "naive f32 48x48x48"]);
    assert!(partial.gemm.iter().all(|g| g.verified));
    assert!(
        partial
            .stopped
            .as_deref()
            .is_some_and(|s| s.starts_with("lost the device while measuring tiled f32 32x32x32")),
        "{:?}",
        partial.stopped
    );
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from(["results.json".into()])
    );
}

#[test]
fn a_lost_device_stops_the_autotuner_instead_of_failing_every_candidate() {
    if !common::cli_adapter_or_skip("lost device while tuning") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    let output = dir.path().join("results.json");
    let result = common::small_run("tuned", "f32", "128", 1)
        .env("FLEETBENCH_TEST_DESTROY_DEVICE_AT_GEMM", "1")
        .env("FLEETBENCH_CACHE_DIR", &cache_dir)
        .args(["--retune", "--tune-budget", "600", "--output"])
        .arg(&output)
        .output()
        .unwrap();
    let (error, stderr) = error_of(&result, 1);
    // Counted as a failed candidate, the loss would have let the search run through every
    // candidate and the run fail later, while measuring.
    assert!(
        error.contains("lost the device while tuning f32 square kernels"),
        "{stderr}"
    );
    assert!(
        !cache_dir.join("tuning.json").exists(),
        "a search cut short was cached"
    );
    let partial = read_run(&output);
    assert!(!partial.complete);
    assert!(partial.gemm.is_empty());
    assert!(partial.peaks.fma_gflops.f32 > 0.0, "the peaks are kept");
}

// ---- buffers the device refuses ----

#[test]
fn a_gemm_whose_buffers_are_refused_is_skipped_and_the_run_goes_on() {
    if !common::cli_adapter_or_skip("refused buffers") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("results.json");
    // The device holds buffers up to 48 MiB (the quick copy probe uses 32 MiB); the
    // 4096x4096 output of the second shape needs 64 MiB. Planned against the adapter's
    // own limits, the shape passes the up-front check and is refused when allocated.
    let result = common::small_run("naive,tiled", "f32", "32", 1)
        .env(
            "FLEETBENCH_TEST_DEVICE_MAX_BUFFER_SIZE",
            (48u64 << 20).to_string(),
        )
        .env("FLEETBENCH_CACHE_DIR", dir.path().join("cache"))
        .args(["--quick", "--shape", "4096x4096x64", "--output"])
        .arg(&output)
        .output()
        .unwrap();
    let (error, stderr) = error_of(&result, 1);
    assert!(
        error.contains("naive f32 4096x4096x64, tiled f32 4096x4096x64"),
        "{stderr}"
    );

    let run = read_run(&output);
    assert!(run.complete, "skipping a GEMM does not stop the run");
    let measured: Vec<String> = run.gemm.iter().map(|g| g.label()).collect();
    assert_eq!(measured, ["naive f32 32x32x32", "tiled f32 32x32x32"]);
    let skipped: Vec<String> = run.skipped.iter().map(|s| s.label()).collect();
    assert_eq!(
        skipped,
        ["naive f32 4096x4096x64", "tiled f32 4096x4096x64"]
    );
    for s in &run.skipped {
        assert!(s.reason.contains("refused its buffers"), "{}", s.reason);
        assert!(!s.reason.contains('\n'), "{}", s.reason);
    }
    let raw: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(raw["skipped"][0]["m"], 4096);
    assert_eq!(raw["skipped"][0]["kernel"], "naive");
}

// ---- merging a rank that stopped early ----

#[test]
fn merge_refuses_a_partial_rank_unless_allowed_and_then_lists_it() {
    if !common::cli_adapter_or_skip("partial rank") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ranks = dir.path().join("ranks");
    std::fs::create_dir(&ranks).unwrap();
    // Two real ranks of one job; rank 1 loses its device as its third GEMM starts.
    for rank in ["0", "1"] {
        let mut run = common::small_run("naive,tiled", "f32", "32,48", 2);
        run.env("SLURM_PROCID", rank)
            .env("SLURM_NTASKS", "2")
            .env("SLURM_JOB_ID", "9")
            .env("FLEETBENCH_CACHE_DIR", dir.path().join("cache"))
            .arg("--output")
            .arg(ranks.join(format!("rank-{rank}.json")));
        if rank == "1" {
            run.env("FLEETBENCH_TEST_DESTROY_DEVICE_AT_GEMM", "3");
        }
        let code = run.output().unwrap().status.code();
        assert_eq!(code, Some(if rank == "1" { 1 } else { 0 }), "rank {rank}");
    }

    let refused = common::fleetbench()
        .arg("merge")
        .arg(&ranks)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("rank-1.json: rank 1's results are partial"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lost the device while measuring tiled f32 32x32x32"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-partial"), "{stderr}");

    let merged = common::json(&["merge", ranks.to_str().unwrap(), "--allow-partial"]);
    assert_eq!(merged["partial_ranks"], serde_json::json!([1]));
    assert_eq!(merged["complete"], false);
    assert_eq!(merged["missing_ranks"], serde_json::json!([]));
    // Rank 1 measured only the naive kernel: the benchmark is what both ranks measured.
    assert_eq!(merged["benchmark"]["kernel"], "naive");
    assert_eq!(merged["cluster_gflops"]["ranks_counted"], 2);

    let table = common::fleetbench()
        .args(["merge", "--allow-partial", "--wide"])
        .arg(&ranks)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("PARTIAL: stopped early"), "{text}");
    assert!(text.contains("Partial rank 1"), "{text}");
}
