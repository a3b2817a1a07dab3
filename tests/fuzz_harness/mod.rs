//! The fuzz harness: one function per parser that takes arbitrary bytes, runs the parser
//! and panics when it breaks the rule every parser keeps (any input gives a value or a
//! one-line error with exit code 2; never a panic; never NaN or inf in a value it returns),
//! or a promise of its own (a fraction lies in (0, 1], a rank is below its world size).
//!
//! The same functions run under libFuzzer (`fuzz/fuzz_targets/*.rs` include this file by
//! path) and under proptest in `cargo test` (`tests/parsers_fuzz.rs`), so the stable
//! toolchain checks exactly what the fuzzer checks.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};

use clap::{CommandFactory, FromArgMatches, ValueEnum};
use fleetbench::bridge::MfuChoice;
use fleetbench::cli::{Cli, Command};
use fleetbench::cluster::RankInfo;
use fleetbench::cluster::rank::expand_output;
use fleetbench::commands::merge::{parse_percent, parse_size};
use fleetbench::commands::model_args::parse_mfu;
use fleetbench::commands::run::parse_shape;
use fleetbench::kernels::coop::CoopSupport;
use fleetbench::kernels::gemm::AdapterOffer;
use fleetbench::kernels::{Dtype, GemmShape, KernelId};
use fleetbench::measure::autotune::cache::parse_entries;
use fleetbench::model::units;
use fleetbench::model::{BatchChoice, Catalog, Layout, Range};
use fleetbench::report::{self, Cell, Format, Table};
use fleetbench::results::{self, ResultsFile};
use fleetbench::{Error, Result};
use serde::Serialize;

/// A harness: panics when the parser breaks its rule on these bytes.
pub type Harness = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets` file and seed folder.
pub const TARGETS: [(&str, Harness); 7] = [
    ("catalog_toml", catalog_toml),
    ("results_json", results_json),
    ("merged_json", merged_json),
    ("tune_cache", tune_cache),
    ("units", units),
    ("shapes", shapes),
    ("rank_env", rank_env),
];

/// A user `--catalog` file, merged into the embedded catalog and validated.
pub fn catalog_toml(data: &[u8]) {
    static EMBEDDED: OnceLock<Catalog> = OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else {
        return; // read_to_string refuses it before the parser sees it
    };
    let embedded = EMBEDDED.get_or_init(|| Catalog::embedded().expect("embedded catalog"));
    let Some(catalog) = usage_value(
        embedded
            .clone()
            .extended(text, "fuzz.toml")
            .map_err(Error::from),
    ) else {
        return;
    };
    assert_finite(&catalog.accelerators);
    assert_finite(&catalog.fleets);
    assert_finite(&catalog.models);
    for fleet in &catalog.fleets {
        assert!(
            catalog.accelerator(&fleet.accelerator).is_ok(),
            "{}",
            fleet.id
        );
    }
}

/// A run's results file, as `results::parse` reads it and `run`/`report` tables show it.
pub fn results_json(data: &[u8]) {
    results_file(data);
}

/// A merged cluster file: the same loader, reached through `kind: "cluster"` (its own seeds).
pub fn merged_json(data: &[u8]) {
    results_file(data);
}

fn results_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = results::parse(text, Path::new("fuzz.json")).map_err(Error::from);
    match usage_value(parsed) {
        Some(ResultsFile::Run(run)) => {
            assert_finite(&run);
            assert_tables_render(&fleetbench::report::results_tables::run(&run));
        }
        Some(ResultsFile::Cluster(cluster)) => {
            assert_finite(&cluster);
            assert_tables_render(&fleetbench::report::results_tables::cluster(&cluster));
        }
        None => {}
    }
}

/// The tuning cache file; every kernel it returns must be safe to check against limits.
pub fn tune_cache(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let entries = match parse_entries(text) {
        Ok(entries) => entries,
        Err(error) => return assert_one_line(&error.to_string()),
    };
    assert_finite(&entries);
    let limits = wgpu::Limits::default();
    for entry in &entries {
        let _ = entry.kernel.describe();
        for shape in [GemmShape::square(1), GemmShape::square(1024), huge_shape()] {
            let _ = entry.kernel.check_limits(shape, entry.key.dtype, &limits);
        }
    }
}

/// The unit parsers (`--power`, counts, whole numbers, fractions, ranges, `--mfu`,
/// percentages, layouts) called directly, then the flags whose parsers are private to
/// their command through clap itself.
pub fn units(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // clap refuses non-UTF-8 before any value parser runs
    };
    if let Some(watts) = parsed_value(units::parse_power(text)) {
        assert!(watts.is_finite() && watts > 0.0, "{text:?} -> {watts}");
    }
    if let Some(v) = parsed_value(units::parse_positive(text, "--gpus")) {
        assert!(v.is_finite() && v > 0.0, "{text:?} -> {v}");
    }
    if let Some(v) = parsed_value(units::parse_whole(text, "--layers")) {
        assert!(v >= 1, "{text:?} -> {v}");
    }
    if let Some(r) = parsed_value(units::parse_fraction_range(text, "--goodput")) {
        assert_ordered_within(&r, 0.0, 1.0, text);
        assert!(r.low > 0.0, "{text:?} -> {r:?}");
    }
    if let Some(r) = parsed_value(units::parse_range(text, "--pue")) {
        assert_ordered_within(&r, 0.0, f64::MAX, text);
        assert!(r.low > 0.0, "{text:?} -> {r:?}");
    }
    if let Some(MfuChoice::Given(r)) = parsed_value(parse_mfu(text)) {
        assert_ordered_within(&r, 0.0, 1.0, text);
    }
    if let Some(usd) = parsed_value(units::parse_usd(text, "--budget")) {
        assert!(usd.is_finite() && usd > 0.0, "{text:?} -> {usd}");
    }
    if let Some(p) = parsed_value(parse_percent(text)) {
        assert!((0.0..100.0).contains(&p), "{text:?} -> {p}");
    }
    if let Some(layout) = parsed_value(text.parse::<Layout>()) {
        assert!(layout.accelerators() >= 1, "{text:?} -> {layout:?}");
        assert!(layout.all_to_all_span() >= 1, "{text:?} -> {layout:?}");
    }
    flags_through_clap(text);
}

/// `run --shape MxNxK` and `merge --size N|MxNxK`: positive dimensions, the same answer
/// from both wherever both accept the text, a label that parses back, and shapes that the
/// fixed kernels can check against the adapter's limits without overflowing.
pub fn shapes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let shape = parsed_value(parse_shape(text));
    let size = parsed_value(parse_size(text));
    if let (Some(a), Some(b)) = (shape, size) {
        assert_eq!(a, b, "run --shape and merge --size disagree on {text:?}");
    }
    for s in shape.into_iter().chain(size) {
        assert!(s.m > 0 && s.n > 0 && s.k > 0, "{text:?} -> {s:?}");
        assert_eq!(parse_shape(&s.label()), Ok(s));
        assert!(s.flops().is_finite());
        check_against_limits(s);
    }
}

/// Rank detection from launcher variables, then `--output` placeholder expansion. The
/// input's first line is the `--output` template; each further line `NAME=VALUE` sets a
/// variable (a NAME that is not a launcher variable picks one by its bytes).
pub fn rank_env(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // std::env::var sees a non-UTF-8 value as unset
    };
    let mut lines = text.split('\n');
    let template = lines.next().unwrap_or_default();
    let env: HashMap<&str, String> = lines
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            (launcher_variable(name), value.to_string())
        })
        .collect();
    let detected = RankInfo::detect_with(&|name| env.get(name).cloned(), &|| "node0".into());
    let Some(info) = usage_value(detected.map_err(Error::from)) else {
        return;
    };
    if let (Some(rank), Some(size)) = (info.rank, info.world_size) {
        assert!(rank < size, "{env:?} -> {info:?}");
    }
    assert!(!info.host.is_empty(), "{env:?} -> {info:?}");
    // Placeholder values are made path-safe: they never add a directory level.
    if let Some(path) = usage_value(expand_output(Path::new(template), &info).map_err(Error::from))
    {
        let levels = |p: &str| p.matches(['/', '\\']).count();
        let expanded = path.to_string_lossy().into_owned();
        assert_eq!(
            levels(&expanded),
            levels(template),
            "{template:?} -> {expanded:?}"
        );
    }
}

/// The variables `RankInfo::detect_with` reads.
const LAUNCHER_VARIABLES: [&str; 13] = [
    "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "SLURM_PROCID",
    "SLURM_NTASKS",
    "SLURM_NPROCS",
    "SLURM_LOCALID",
    "SLURM_JOB_ID",
    "SLURM_JOBID",
    "JOB_COMPLETION_INDEX",
    "FLEETBENCH_WORLD_SIZE",
    "FLEETBENCH_JOB_ID",
    "HOSTNAME",
];

fn launcher_variable(name: &str) -> &'static str {
    LAUNCHER_VARIABLES
        .iter()
        .find(|v| **v == name)
        .copied()
        .unwrap_or_else(|| {
            let pick = name.bytes().map(usize::from).sum::<usize>() % LAUNCHER_VARIABLES.len();
            LAUNCHER_VARIABLES[pick]
        })
}

/// The value-parsing flags whose parsers only clap reaches, each given `text`.
fn flags_through_clap(text: &str) {
    if let Some(Command::Project(args)) = clap_value(&["project", &format!("--pue={text}")]) {
        let pue = args.flags.assumptions.pue.expect("--pue given");
        assert_ordered_within(&pue, 1.0, 5.0, text);
    }
    let share = format!("--inference-share={text}");
    if let Some(Command::Project(args)) = clap_value(&["project", &share]) {
        let ramp = args.flags.assumptions.inference_share.expect("given");
        for year in 2020..=2035 {
            let share = ramp.at(year);
            assert!(
                (0.0..=1.0).contains(&share),
                "{text:?} -> {share} in {year}"
            );
        }
    }
    if let Some(Command::Project(args)) = clap_value(&["project", &format!("--batch={text}")]) {
        if let Some(BatchChoice::Fixed(n)) = args.flags.assumptions.batch {
            assert!(n >= 1, "{text:?} -> {n}");
        }
    }
    let budget = format!("--tune-budget={text}");
    if let Some(Command::Run(args)) = clap_value(&["run", &budget]) {
        let seconds = args.tune_budget.expect("given");
        assert!(
            seconds > 0.0 && seconds <= 86_400.0,
            "{text:?} -> {seconds}"
        );
    }
    let threshold = format!("--straggler-threshold={text}");
    if let Some(Command::Merge(args)) = clap_value(&["merge", "x.json", &threshold]) {
        assert!((0.0..100.0).contains(&args.straggler_threshold), "{text:?}");
    }
}

/// Parses a command line; a refusal must be a value error with exit code 2. The clap
/// definition is built once (building it per call would dominate the fuzzer's time).
fn clap_value(args: &[&str]) -> Option<Command> {
    static DEFINITION: OnceLock<Mutex<clap::Command>> = OnceLock::new();
    let mut definition = DEFINITION
        .get_or_init(|| Mutex::new(Cli::command()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let line = std::iter::once("fleetbench").chain(args.iter().copied());
    let parsed = definition
        .try_get_matches_from_mut(line)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => Some(cli.command),
        Err(err) => {
            use clap::error::ErrorKind;
            assert!(
                matches!(
                    err.kind(),
                    ErrorKind::ValueValidation | ErrorKind::InvalidValue | ErrorKind::InvalidUtf8
                ),
                "{args:?}: {:?} {err}",
                err.kind()
            );
            assert_eq!(err.exit_code(), 2, "{args:?}");
            None
        }
    }
}

/// A shape as large as the parsers accept.
fn huge_shape() -> GemmShape {
    GemmShape::square(u32::MAX)
}

/// What `run` does with a shape before measuring: check every fixed kernel's padded
/// buffers against the adapter's limits (here wgpu's defaults).
fn check_against_limits(shape: GemmShape) {
    let limits = wgpu::Limits::default();
    let coop = CoopSupport::LeftOut("not offered here".into());
    let offer = AdapterOffer {
        limits: &limits,
        subgroup: Some(32),
        coop: &coop,
    };
    for id in KernelId::value_variants() {
        for dtype in Dtype::value_variants() {
            let Ok(Some(kernel)) = id.fixed(*dtype, &offer) else {
                continue;
            };
            let _ = kernel.check_limits(shape, *dtype, &limits);
        }
    }
}

/// The value of a crate result, or None after checking its error is one line, exit 2.
fn usage_value<T>(result: Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            assert_eq!(err.exit_code(), 2, "{}", err.one_line());
            assert_one_line(&err.one_line());
            None
        }
    }
}

/// The value of a value parser's result, or None after checking its message is one line.
fn parsed_value<T, E: std::fmt::Display>(result: std::result::Result<T, E>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            assert_one_line(&error.to_string());
            None
        }
    }
}

/// Panics unless `message` is one non-empty line.
pub fn assert_one_line(message: &str) {
    assert!(!message.trim().is_empty(), "empty error message");
    assert!(
        !message.contains(['\n', '\r']),
        "error message on several lines: {message:?}"
    );
}

/// Panics unless the range is finite, ordered and within [min, max].
fn assert_ordered_within(range: &Range, min: f64, max: f64, text: &str) {
    assert!(range.is_valid(), "{text:?} -> {range:?}");
    assert!(
        range.low >= min && range.high <= max,
        "{text:?} -> {range:?}"
    );
}

/// Panics if any float in the value (as serde sees it) is NaN or infinite.
pub fn assert_finite<T: Serialize + ?Sized>(value: &T) {
    let tree = serde_value::to_value(value).expect("serialisable");
    if let Some(path) = non_finite(&tree, String::new()) {
        panic!("non-finite number at {path}");
    }
}

fn non_finite(value: &serde_value::Value, path: String) -> Option<String> {
    use serde_value::Value;
    match value {
        Value::F32(v) if !v.is_finite() => Some(path),
        Value::F64(v) if !v.is_finite() => Some(path),
        Value::Option(Some(inner)) | Value::Newtype(inner) => non_finite(inner, path),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| non_finite(item, format!("{path}[{i}]"))),
        Value::Map(map) => map.iter().find_map(|(key, item)| {
            let key = match key {
                Value::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            non_finite(item, format!("{path}.{key}"))
        }),
        _ => None,
    }
}

/// Panics unless every number in the tables is finite and every format renders them.
fn assert_tables_render(tables: &[Table]) {
    for table in tables {
        for row in &table.rows {
            assert_eq!(row.len(), table.columns.len(), "table {}", table.name);
            for cell in row {
                match cell {
                    Cell::Number(v) => assert!(v.is_finite(), "table {}: {v}", table.name),
                    Cell::Range(r) => assert!(r.is_valid(), "table {}: {r:?}", table.name),
                    _ => {}
                }
            }
        }
    }
    for format in [Format::Table, Format::Markdown, Format::Csv] {
        report::render_tables(tables, format, report::Layout::Full).expect("renders");
    }
}
