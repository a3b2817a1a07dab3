//! One table of bad inputs across every command: each row is a command line (and, for
//! launcher variables, an environment) that must end with exit 2 and one line on stderr
//! naming what is wrong, print nothing on stdout, and never panic. Every row fails before
//! any GPU work (argument parsing, files, catalogs, launcher variables, output paths), so
//! the whole table runs in seconds. Needles are the stable part of each message: the
//! offending value, flag or file, not the sentence around it.
//!
//! The table must cover every subcommand the CLI defines: a new command fails this test
//! until its bad inputs are added here.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use common::{fixture, fleetbench};
use fleetbench::cli::Cli;
use serde_json::Value;

/// One bad input: the command line, extra environment, and what stderr must contain.
struct Case {
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
    needle: String,
}

/// The table under construction, with the scratch files its rows name.
struct Table {
    dir: PathBuf,
    cases: Vec<Case>,
}

impl Table {
    /// A row whose stderr must contain `needle`.
    fn bad(&mut self, needle: &str, args: &[&str]) -> &mut Case {
        self.cases.push(Case {
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            needle: needle.to_string(),
        });
        self.cases.last_mut().unwrap()
    }

    /// A row given as one command line, split at spaces (for values without spaces).
    fn line(&mut self, needle: &str, line: &str) -> &mut Case {
        self.bad(needle, &line.split(' ').collect::<Vec<_>>())
    }

    /// A scratch file with `content`; returns its path as a string.
    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// A copy of a fixture with `edit` applied.
    fn edited(&self, original: &str, name: &str, edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(original)).unwrap()).unwrap();
        edit(&mut value);
        self.file(name, &serde_json::to_string(&value).unwrap())
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }
}

impl Case {
    fn env(&mut self, name: &'static str, value: &'static str) -> &mut Case {
        self.env.push((name, value));
        self
    }
}

/// The bad inputs of the model commands, one row a line: the needle, ` | `, then the
/// command line (split at spaces: no value here holds one).
const MODEL_ROWS: &str = "
--fleet                                       | project
'meta-hyperian': did you mean 'meta-hyperion' | project --fleet meta-hyperian
'llama3-70b': did you mean                    | project --fleet stargate --model llama3-70b
--mfu must lie in (0, 1] (got 0)              | project --fleet stargate --mfu 0
--mfu must lie in (0, 1] (got 1.5)            | project --fleet stargate --mfu 1.5
--goodput must lie in (0, 1]                  | project --fleet stargate --goodput 2
--pue must lie in [1, 5]                      | project --fleet stargate --pue 0.9
unknown data type 'fp6'                       | project --fleet stargate --dtype fp6
lie in [0, 1] (got 1.5)                       | project --fleet stargate --inference-share 1.5
a ramp of years        | project --fleet stargate --inference-share 2025:0.3,2030:0.6
--params                                      | project --fleet stargate --active-params 1e9
cannot exceed          | project --fleet stargate --params 1e9 --active-params 2e9
/no/such/r.json                               | project --fleet stargate --from /no/such/r.json
--gpus                                        | project --accelerator h100
--gpus                                        | project --accelerator h100 --gpus=-5
--gpus must be a positive number (got 0)      | project --accelerator h100 --gpus 0
'h10': did you mean 'h100'                    | project --accelerator h10 --gpus 8
power '5' has no unit                         | project --accelerator h100 --power 5
power '5TW' is not a number                   | project --accelerator h100 --power 5TW
no published power                            | project --accelerator tpu-v6e --power 1GW
TP3                                           | project --accelerator h100 --gpus 8 --layout TP3
no fp4 peak                   | project --accelerator h100 --gpus 8 --train-dtype fp4
int8 is not a training format | project --accelerator h100 --gpus 8 --train-dtype int8
no bf16 peak                  | project --accelerator rubin --gpus 72 --dtype bf16
does not fit | project --accelerator rtx-4090 --gpus 8 --inference-share 0.5 --model llama-3.1-405b
--power                                       | compare --accelerators h100
'mi356x': did you mean 'mi355x'               | compare --accelerators h100,mi356x --power 1GW
--gpus must be a positive number              | compare --accelerators h100 --gpus 0
--gpus                                        | compare --accelerators h100 --power 1GW --gpus 8
unknown suffix 'Q'                            | compare --accelerators h100 --budget 10Q
unknown suffix 'X'                            | compare --accelerators h100 --budget 10X
positive amount (got 0)                       | compare --accelerators h100 --budget 0
-5B                                           | compare --accelerators h100 --budget=-5B
less than one                                 | compare --accelerators h100,b200 --budget 1
cannot be used with                | compare --accelerators h100 --budget 10B --power 1GW
after the last year 2024                      | timeline --from 2030 --to 2024
1999 is out of range                          | timeline --from 1999
2100 is out of range                          | timeline --to 2100
--from                                        | timeline --from soon
not increasing in time                        | timeline --inference-share 2030:0.6,2025:0.3
lie in [0, 1] (got 1.5)                       | timeline --inference-share 2025:1.5
lie in [0, 1] (got -0.2)                      | timeline --inference-share=-0.2
--price must be a positive amount (got -5)    | timeline --price h100=-5
--price must be a positive amount (got 0)     | timeline --price h100=0
unknown suffix 'X'                            | timeline --price h100=30X
unknown accelerator                           | timeline --price nosuch=30k
--usd-per-mwh must be a positive number       | timeline --usd-per-mwh 0
--depreciation-years must be a positive number | timeline --depreciation-years=-4
--utilisation must lie in (0, 1]              | timeline --utilisation 1.5
unknown company                               | timeline --company nosuch
unknown fleet                                 | timeline --fleet nosuch
no phase in 2024–2030: no dated phase         | timeline --fleet openai-100x
first phase starts in 2026-H2                 | timeline --fleet nvidia-openai-10gw --to 2025
no phase online by the end of 2024            | timeline --company anthropic --to 2024
";

const RUN: &str = "run-0.1.0-c7203a2.json";
const MERGED: &str = "merged-0.1.0-c7203a2.json";

/// A rank's file: the fixture run, as written under Slurm.
fn as_rank(run: &mut Value, rank: u32, world: u32) {
    run["cluster"] = serde_json::json!({
        "host": format!("node-{rank}"), "rank": rank, "world_size": world,
        "local_rank": 0, "job_id": "42", "launcher": "slurm"
    });
}

fn build(t: &mut Table) {
    let run = fixture(RUN);
    let run = run.to_str().unwrap();
    let merged = fixture(MERGED);
    let merged = merged.to_str().unwrap();
    let no_dir = "/no/such/dir/out.json";

    // Files every reader is tried on.
    let empty = t.file("empty.json", "");
    let not_json = t.file("not.json", "kernel,gflops\ntiled,3.4\n");
    let truncated = t.file("truncated.json", "{\"schema_version\": 1, \"gemm\": [");
    let array = t.file("array.json", "[1, 2]");
    let no_version = t.file("noversion.json", "{\"gemm\": []}");
    let future = t.file("future.json", "{\"schema_version\": 9}");
    let wrong_shape = t.file("shape.json", "{\"schema_version\": 1, \"gemm\": 3}");
    let empty_dir = t.dir.join("empty-dir");
    std::fs::create_dir(&empty_dir).unwrap();
    let empty_dir = empty_dir.to_str().unwrap().to_string();

    // The whole CLI.
    t.bad("nosuch", &["nosuch"]);
    t.bad("--turbo", &["--turbo"]);

    // devices
    t.bad("teleport", &["devices", "--backend", "teleport"]);
    t.bad("xml", &["devices", "--format", "xml"]);
    t.bad(no_dir, &["devices", "--output", no_dir]);
    t.bad("extra", &["devices", "extra"]);
    t.bad("WGPU_BACKEND", &["devices"])
        .env("WGPU_BACKEND", "vulkan,glide");

    // run: flags, values, projection inputs, output paths and launcher variables.
    t.bad("--sizes", &["run", "--sizes", "0"]);
    t.bad("abc", &["run", "--sizes", "64,abc"]);
    t.bad("64x64", &["run", "--shape", "64x64"]);
    t.bad("0x1x1", &["run", "--shape", "0x1x1"]);
    t.bad("f64", &["run", "--dtype", "f64"]);
    t.bad("fastest", &["run", "--kernel", "fastest"]);
    t.bad("--samples", &["run", "--samples", "0"]);
    t.bad("1001", &["run", "--samples", "1001"]);
    t.bad("101", &["run", "--warmup", "101"]);
    t.bad("--tokens", &["run", "--tokens", "0"]);
    t.bad("nan", &["run", "--tune-budget", "nan"]);
    t.bad("100000", &["run", "--tune-budget", "100000"]);
    t.bad("--retune", &["run", "--no-tune", "--retune"]);
    t.bad("1.5", &["run", "--mfu", "1.5"]);
    t.bad("fast", &["run", "--mfu", "fast"]);
    t.bad("huge", &["run", "--probes", "huge"]);
    t.bad("no-such-fleet", &["run", "--fleet", "no-such-fleet"]);
    t.bad("no-such-model", &["run", "--model", "no-such-model"]);
    t.bad("yaml", &["run", "--format", "yaml"]);
    t.bad(no_dir, &["run", "--output", no_dir]);
    t.bad("{rank}", &["run", "--output", "r-{rank}.json"]);
    t.bad("{gpu}", &["run", "--output", "r-{gpu}.json"]);
    t.bad("r-{rank.json", &["run", "--output", "r-{rank.json"]);
    t.bad("fleets.html", &["run", "--output", "fleets.html"]);
    t.bad("glide", &["run", "--backend", "glide"]);
    t.bad("SLURM_PROCID=abc", &["run"])
        .env("SLURM_PROCID", "abc");
    t.bad("OMPI_COMM_WORLD_RANK=-1", &["run"])
        .env("OMPI_COMM_WORLD_RANK", "-1");
    t.bad("world size 4", &["run"])
        .env("SLURM_PROCID", "4")
        .env("SLURM_NTASKS", "4");
    t.bad("JOB_COMPLETION_INDEX=x", &["run"])
        .env("JOB_COMPLETION_INDEX", "x");
    t.bad("FLEETBENCH_WORLD_SIZE=two", &["run"])
        .env("JOB_COMPLETION_INDEX", "0")
        .env("FLEETBENCH_WORLD_SIZE", "two");

    // The catalogs.
    let bad_range = t.file(
        "range.toml",
        "[[fleet]]\nid = \"x\"\ncount = { low = 3, central = 2, high = 1 }\n",
    );
    let bad_toml = t.file("syntax.toml", "[[accelerator]\nid = 1\n");
    t.bad(
        "cannot read catalog /no/such/catalog.toml",
        &["accelerators", "--catalog", "/no/such/catalog.toml"],
    );
    t.bad("line 1", &["accelerators", "--catalog", &bad_toml]);
    t.bad("csvv", &["accelerators", "--format", "csvv"]);
    t.bad("line 3", &["fleets", "--catalog", &bad_range]);
    t.bad("fleetbench report", &["fleets", "--output", "fleets.html"]);
    t.bad(
        "/no/such/dir/f.csv",
        &["fleets", "--output", "/no/such/dir/f.csv"],
    );

    // project, compare and timeline: the rows without files.
    for row in MODEL_ROWS.lines().filter(|r| !r.trim().is_empty()) {
        let (needle, line) = row
            .split_once(" | ")
            .expect("a row is `needle | command line`");
        t.line(needle.trim(), line.trim());
    }
    let from = |file: &str| format!("project --fleet stargate --from {file}");
    t.line(&empty, &from(&empty));
    t.line(&future, &from(&future));
    t.bad(
        "power '1 parsec'",
        &["compare", "--accelerators", "h100", "--power", "1 parsec"],
    );

    // merge: files that are not rank files, and rank files that do not make one job.
    let rank0 = t.edited(RUN, "rank0.json", |v| as_rank(v, 0, 2));
    let rank1 = t.edited(RUN, "rank1.json", |v| as_rank(v, 1, 2));
    let rank0_again = t.edited(RUN, "rank0-again.json", |v| as_rank(v, 0, 2));
    let rank5 = t.edited(RUN, "rank5.json", |v| as_rank(v, 5, 2));
    let other_job = t.edited(RUN, "other-job.json", |v| {
        as_rank(v, 1, 2);
        v["cluster"]["job_id"] = "43".into();
    });
    t.bad("/no/such/dir", &["merge", "/no/such/dir"]);
    t.bad(&empty_dir, &["merge", &empty_dir]);
    t.bad(&not_json, &["merge", &not_json]);
    t.bad(&truncated, &["merge", &truncated]);
    t.bad(run, &["merge", run]);
    t.bad(merged, &["merge", merged]);
    t.bad("rank 0 again", &["merge", &rank0, &rank0_again, &rank1]);
    t.bad("rank 5", &["merge", &rank0, &rank5]);
    t.bad("missing rank 1", &["merge", &rank0]);
    t.bad("43", &["merge", &rank0, &other_job]);
    t.bad(
        "4096x4096x4096",
        &["merge", &rank0, &rank1, "--size", "4096"],
    );
    t.bad("2x2", &["merge", &rank0, &rank1, "--size", "2x2"]);
    t.bad(
        "'100'",
        &["merge", &rank0, &rank1, "--straggler-threshold", "100"],
    );
    t.bad("fastest", &["merge", &rank0, "--kernel", "fastest"]);
    t.bad(&rank1, &["merge", &rank0, &rank1, "--output", &rank1]);
    t.bad("<FILES|DIR>", &["merge"]);

    // report
    let html = t.path("report.html");
    t.bad("--html", &["report", run]);
    t.bad(
        "/no/such/r.json",
        &["report", "/no/such/r.json", "--html", &html],
    );
    t.bad(&array, &["report", &array, "--html", &html]);
    t.bad(&no_version, &["report", &no_version, "--html", &html]);
    t.bad(&wrong_shape, &["report", &wrong_shape, "--html", &html]);
    t.bad(
        "/no/such/dir/r.html",
        &["report", run, "--html", "/no/such/dir/r.html"],
    );
    t.bad(
        "h10",
        &["report", run, "--html", &html, "--accelerators", "h10"],
    );
    t.bad("'5'", &["report", run, "--html", &html, "--power", "5"]);
    let results_copy = t.edited(RUN, "keep.json", |_| {});
    t.bad(
        "--html",
        &["report", &results_copy, "--html", &results_copy],
    );

    // diff
    let lowered = t.edited(RUN, "unordered.json", |v| {
        v["gemm"][0]["gflops"]["min"] = 99.0.into();
    });
    let zero = t.edited(RUN, "zero.json", |v| {
        v["gemm"][0]["gflops"] = serde_json::json!({"median": 0.0, "min": 0.0, "max": 0.0});
    });
    let huge = t.edited(RUN, "huge.json", |v| {
        v["gemm"][0]["gflops"] = serde_json::json!({"median": 1e300, "min": 1e300, "max": 1e300});
    });
    let tiny = t.edited(RUN, "tiny.json", |v| {
        v["gemm"][0]["gflops"] =
            serde_json::json!({"median": 1e-300, "min": 1e-300, "max": 1e-300});
    });
    let disjoint = t.edited(RUN, "disjoint.json", |v| {
        for gemm in v["gemm"].as_array_mut().unwrap() {
            gemm["k"] = 7.into();
        }
    });
    let other_driver = t.edited(RUN, "driver.json", |v| {
        v["adapter"]["driver_info"] = "Mesa 99.0".into();
    });
    let diff_copy = t.edited(RUN, "diff-copy.json", |_| {});
    t.bad("<NEW>", &["diff", run]);
    t.bad("/no/such/base.json", &["diff", "/no/such/base.json", run]);
    t.bad(&not_json, &["diff", run, &not_json]);
    t.bad(&lowered, &["diff", run, &lowered]);
    t.bad(&zero, &["diff", &zero, run]);
    t.bad("nothing to compare", &["diff", run, &disjoint]);
    t.bad("too far apart", &["diff", &tiny, &huge]);
    t.bad(
        "Mesa 99.0",
        &["diff", run, &other_driver, "--require-same-adapter"],
    );
    t.bad("'100'", &["diff", run, run, "--threshold", "100"]);
    t.bad("five", &["diff", run, run, "--threshold", "five"]);
    t.bad(
        &diff_copy,
        &["diff", run, &diff_copy, "--output", &diff_copy],
    );
    t.bad(
        "fleets.html",
        &["diff", run, run, "--output", "fleets.html"],
    );
    t.bad(
        "--fail-on-regresion",
        &["diff", run, run, "--fail-on-regresion"],
    );

    // completions and man
    t.bad("tcsh", &["completions", "tcsh"]);
    t.bad("<SHELL>", &["completions"]);
    t.bad("extra", &["man", "extra"]);
}

/// The launcher and backend variables a developer's shell or CI may carry, cleared so
/// only a row's own environment counts.
const CLEARED: [&str; 12] = [
    "SLURM_PROCID",
    "SLURM_NTASKS",
    "SLURM_NPROCS",
    "SLURM_LOCALID",
    "SLURM_JOB_ID",
    "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "JOB_COMPLETION_INDEX",
    "FLEETBENCH_WORLD_SIZE",
    "WGPU_BACKEND",
    "WGPU_ADAPTER_NAME",
];

/// What is wrong with how a row ended, if anything.
fn check(case: &Case, dir: &Path) -> Option<String> {
    let mut command = fleetbench();
    command.current_dir(dir).args(&case.args);
    for name in CLEARED {
        command.env_remove(name);
    }
    command.envs(case.env.iter().copied());
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let problem = if output.status.code() != Some(2) {
        format!("exit {:?}", output.status.code())
    } else if stderr.contains("panicked") {
        "panicked".to_string()
    } else if lines.len() != 1 {
        format!("{} lines on stderr", lines.len())
    } else if !lines[0].contains(&case.needle) {
        format!("no '{}' in the message", case.needle)
    } else if !output.stdout.is_empty() {
        "wrote to stdout".to_string()
    } else {
        return None;
    };
    Some(format!(
        "{:?} {:?}: {problem}: {}",
        case.env,
        case.args,
        stderr.trim()
    ))
}

#[test]
fn every_bad_input_exits_2_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut table = Table {
        dir: dir.path().to_path_buf(),
        cases: Vec::new(),
    };
    build(&mut table);
    let cases = &table.cases;

    let distinct: BTreeSet<String> = cases
        .iter()
        .map(|c| format!("{:?} {:?}", c.env, c.args))
        .collect();
    assert_eq!(distinct.len(), cases.len(), "a row is repeated");

    // Two workers: each row is a process start and a few file reads.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let halves: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|half| {
                scope.spawn(|| {
                    half.iter()
                        .filter_map(|c| check(c, dir.path()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Every subcommand has rows, and the table counts at least 60.
    let cli = Cli::command();
    let commands: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
    let mut per_command: BTreeMap<&str, usize> = BTreeMap::new();
    for case in cases {
        let first = case.args[0].as_str();
        let command = commands.iter().find(|c| **c == first).unwrap_or(&"(none)");
        *per_command.entry(command).or_default() += 1;
    }
    for name in &commands {
        assert!(per_command.contains_key(name), "no bad input for `{name}`");
    }
    eprintln!("bad inputs per command: {per_command:?}");
    assert!(cases.len() >= 60, "{} rows", cases.len());
}
