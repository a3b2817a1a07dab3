//! `fleetbench run`: pick an adapter, measure its peaks and verified GEMM throughput,
//! print the table (or JSON/CSV/Markdown), and write the results file atomically.
//! A GEMM that fails verification is shown as failed and makes the command exit 1, as
//! does one the device would not allocate (recorded as skipped; the run goes on).
//!
//! Ctrl-C or SIGTERM stops the run at the next sample, and a lost device ends it: what was
//! measured before is written (marked `"complete": false`, with why it `stopped`), never
//! over an existing file other than an earlier partial one (it goes beside it, as
//! `NAME.partial.EXT`); the exit code is 130 (SIGINT), 143 (SIGTERM) or 1.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::ValueError;
use super::model_args::parse_mfu;
use crate::bridge::{self, MfuChoice};
use crate::cluster::RankInfo;
use crate::cluster::rank::expand_output;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::adapter::{self, AdapterSelector};
use crate::kernels::probes::ProbeSpace;
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::measure::session::{Measured, run_session};
use crate::measure::stop;
use crate::model::scenario::{self, ModelOverrides};
use crate::model::{Catalog, ReferenceModel};
use crate::report::{Destination, Format, Table, View, results_tables};
use crate::results::{self, GemmRecord, ResultsFile, RunResults};
use crate::text::printable;

mod plan;

pub use plan::choose_dtypes;
use plan::plan_for;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Adapter to use: its index in `fleetbench devices` or a name substring (default: the
    /// best hardware adapter; WGPU_ADAPTER_NAME is honoured).
    #[arg(long)]
    pub adapter: Option<String>,
    /// Only these backends (comma list: vulkan, metal, dx12, gl); WGPU_BACKEND is honoured.
    #[arg(long)]
    pub backend: Option<String>,
    /// Element types (default: f32, plus f16 where the adapter has shader-f16).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub dtype: Vec<Dtype>,
    /// Square sizes to run, e.g. 256,1024.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub sizes: Vec<u32>,
    /// A rectangular shape MxNxK (repeatable).
    #[arg(long, value_parser = parse_shape)]
    pub shape: Vec<GemmShape>,
    /// Kernels to run (default: naive, tiled, tuned).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub kernel: Vec<KernelId>,
    /// Also run one transformer layer's GEMMs for this model (llama-3-8b, llama-3-70b,
    /// llama-3.1-405b, gpt-3).
    #[arg(long)]
    pub workload: Option<String>,
    /// Token batch (M) of the workload's GEMMs.
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u32).range(1..))]
    pub tokens: u32,
    /// Do not search for a tuned kernel: use the cached winner, else the tiled default.
    #[arg(long, conflicts_with = "retune")]
    pub no_tune: bool,
    /// Ignore the tuning cache and search again.
    #[arg(long)]
    pub retune: bool,
    /// Seconds one tuning search may take (per element type and shape class).
    #[arg(long, value_parser = parse_seconds)]
    pub tune_budget: Option<f64>,
    /// Timed samples per benchmark.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub samples: Option<u32>,
    /// Untimed runs before sampling (the first dispatch, which compiles, is always extra).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub warmup: Option<u32>,
    /// A short sweep (small sizes, few samples) that finishes in under a minute on lavapipe.
    #[arg(long)]
    pub quick: bool,
    /// How many configurations of the peak probes to search for the device's ceilings:
    /// quick (a few that cover most devices), full, or wide; a verified GEMM that beats a
    /// probe still widens its search [default: quick with --quick, else full].
    #[arg(long, value_enum)]
    pub probes: Option<ProbeSpace>,
    /// Time with the wall clock even where the adapter has timestamp queries.
    #[arg(long)]
    pub wall_clock: bool,
    /// Output format [default: from the --output file's extension (.json, .csv, .md, .txt),
    /// else table].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to this file (atomically) instead of stdout; `{host}`, `{rank}`,
    /// `{local_rank}` and `{job}` expand under a launcher. Checked before measuring.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Terminal tables at full width, even when wider than the terminal.
    #[arg(long)]
    pub wide: bool,
    /// Fleets to project after measuring (repeatable; default: every fleet in the catalog).
    #[arg(long = "fleet", value_name = "ID")]
    pub fleets: Vec<String>,
    /// The fleets' utilisation: `measured` (this adapter's GEMM efficiency over its own
    /// FMA peak), a share in (0, 1], or low,central,high [default: the catalog's MFU].
    #[arg(long, value_parser = parse_mfu)]
    pub mfu: Option<MfuChoice>,
    /// The model the fleets train and serve (a reference model id) [default: the catalog's].
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
}

/// Parses a positive number of seconds.
fn parse_seconds(text: &str) -> std::result::Result<f64, ValueError> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v <= 86_400.0 => Ok(v),
        _ => Err(ValueError::NotSeconds {
            given: printable(text),
        }),
    }
}

/// Parses "MxNxK" (also with capital X or '*').
pub fn parse_shape(text: &str) -> std::result::Result<GemmShape, ValueError> {
    let parts: Vec<&str> = text.split(['x', 'X', '*']).map(str::trim).collect();
    let bad = || ValueError::NotAShape {
        given: printable(text),
    };
    let [m, n, k] = parts.as_slice() else {
        return Err(bad());
    };
    let parse = |s: &str| s.parse::<u32>().ok().filter(|v| *v > 0).ok_or_else(bad);
    Ok(GemmShape {
        m: parse(m)?,
        n: parse(n)?,
        k: parse(k)?,
    })
}

pub fn execute(args: &RunArgs) -> Result<()> {
    let projection = ProjectionInputs::check(args)?;
    let rank = RankInfo::try_detect()?;
    let output = args
        .output
        .as_deref()
        .map(|p| expand_output(p, &rank))
        .transpose()?;
    let destination = Destination::new(args.format, output, args.wide)?;
    let backends = adapter::backends_to_search(args.backend.as_deref())?;
    let selector = rank_aware_selector(args.adapter.as_deref(), &rank);
    let chosen = adapter::select(adapter::discover(backends), &selector)?;
    let slow_gl = chosen.description.is_slow_software_gl();
    let ctx = GpuContext::open(chosen)?;
    let plan = plan_for(args, &ctx, slow_gl)?;
    stop::catch_signals()?;
    let progress = progress_bar(plan.steps());
    let measured = run_session(&ctx, &plan, &progress);
    progress.finish_and_clear();
    let Measured {
        mut results,
        stopped_by,
    } = measured.map_err(|err| match err {
        err if err.ends_run() => Error::Stopped {
            cause: Box::new(err),
            kept: "nothing was measured yet, so nothing was written".into(),
        },
        err => err,
    })?;
    results.cluster = rank.launcher.is_some().then_some(rank);
    // The measurement is written even when projecting it fails (e.g. `--mfu measured` on a
    // GEMM that outran its probe, or an int8-only run); that is reported after: an error
    // when the projection was asked for, else a warning.
    let fleets = projection.summary_table(&results);
    let view = RunView {
        results,
        fleets: fleets.as_ref().ok().cloned(),
    };
    if let Some(cause) = stopped_by {
        let kept = write_partial(&destination, &view)?;
        return Err(Error::Stopped {
            cause: Box::new(cause),
            kept,
        });
    }
    destination.write(&view)?;
    if let Err(err) = fleets {
        if projection.asked_for {
            return Err(err);
        }
        eprintln!("warning: fleets not projected: {}", err.one_line());
    }
    run_status(&view.results)
}

/// Writes an incomplete run's results and says where they went. Never over an existing
/// file other than an earlier partial results file: a complete run (or anything else)
/// there is left as it was and the partial results go beside it.
fn write_partial(destination: &Destination, view: &RunView) -> Result<String> {
    let what = match view.results.gemm.len() {
        0 => "kept the peaks measured before it (no GEMM yet), marked incomplete".to_string(),
        1 => "kept the GEMM result measured before it, marked incomplete".to_string(),
        n => format!("kept the {n} GEMM results measured before it, marked incomplete"),
    };
    let Some(path) = destination.path.as_deref() else {
        destination.write(view)?;
        return Ok(what);
    };
    if !path.exists() || holds_partial_results(path) {
        destination.write(view)?;
        return Ok(format!("{what}, in {}", path.display()));
    }
    let beside = partial_path(path);
    let partial = Destination {
        path: Some(beside.clone()),
        ..destination.clone()
    };
    partial.write(view)?;
    Ok(format!(
        "{what}, in {} ({} was left as it was)",
        beside.display(),
        path.display()
    ))
}

/// Whether `path` holds the results of a run that stopped early (which a later partial
/// run may replace).
fn holds_partial_results(path: &Path) -> bool {
    matches!(results::read(path), Ok(ResultsFile::Run(run)) if !run.complete)
}

/// `NAME.partial.EXT` beside `NAME.EXT` (`NAME.partial` without an extension).
fn partial_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or(path.as_os_str()).to_os_string();
    let mut name = stem;
    name.push(".partial");
    if let Some(extension) = path.extension() {
        name.push(".");
        name.push(extension);
    }
    path.with_file_name(name)
}

/// What `run` shows: its JSON is the results file; its tables add the fleets projected.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct RunView {
    results: RunResults,
    #[serde(skip)]
    fleets: Option<Table>,
}

impl View for RunView {
    fn tables(&self) -> Vec<Table> {
        let mut tables = results_tables::run(&self.results);
        tables.extend(self.fleets.clone());
        tables
    }
}

/// What the closing projection needs, checked before anything is measured so a typo in a
/// fleet or model id fails at once.
struct ProjectionInputs {
    catalog: Catalog,
    model: ReferenceModel,
    fleets: Vec<String>,
    mfu: MfuChoice,
    /// A fleet, model or MFU was named: failing to project is then an error.
    asked_for: bool,
}

impl ProjectionInputs {
    fn check(args: &RunArgs) -> Result<Self> {
        let catalog = Catalog::load(None)?;
        let model =
            scenario::resolve_model(&catalog, args.model.as_deref(), ModelOverrides::default())?;
        for id in &args.fleets {
            catalog.fleet(id)?;
        }
        Ok(ProjectionInputs {
            catalog,
            model,
            fleets: args.fleets.clone(),
            mfu: args.mfu.unwrap_or(MfuChoice::Catalog),
            asked_for: !args.fleets.is_empty() || args.mfu.is_some() || args.model.is_some(),
        })
    }

    fn summary_table(&self, results: &RunResults) -> Result<crate::report::Table> {
        let measured = |dtype| bridge::from_run(results, dtype);
        let summary = bridge::summarise(
            &self.catalog,
            &self.fleets,
            &self.model,
            &measured,
            self.mfu,
        )?;
        Ok(crate::report::projection::fleet_summary_table(&summary))
    }
}

/// `--adapter` or WGPU_ADAPTER_NAME when given; under a launcher, the adapter at the
/// process's local rank (one GPU per rank); otherwise the best adapter.
fn rank_aware_selector(flag: Option<&str>, rank: &RankInfo) -> AdapterSelector {
    match (AdapterSelector::from_flag_or_env(flag), rank.local_rank) {
        (AdapterSelector::Best, Some(local)) => AdapterSelector::LocalRank(local as usize),
        (selector, _) => selector,
    }
}

/// Exit 1 (after the output is written) when any GEMM failed verification or was
/// skipped because the device would not allocate it.
fn run_status(results: &RunResults) -> Result<()> {
    let failed: Vec<String> = results
        .gemm
        .iter()
        .filter(|g| !g.verified)
        .map(GemmRecord::label)
        .collect();
    let skipped: Vec<String> = results.skipped.iter().map(|s| s.label()).collect();
    let mut problems = Vec::new();
    if !failed.is_empty() {
        problems.push(format!("verification failed: {}", failed.join(", ")));
    }
    if !skipped.is_empty() {
        problems.push(format!(
            "skipped (the device refused their buffers): {}",
            skipped.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::runtime(problems.join("; ")))
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(steps: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse_and_reject_zero_or_garbage() {
        assert_eq!(
            parse_shape("4096x2048x1024"),
            Ok(GemmShape {
                m: 4096,
                n: 2048,
                k: 1024
            })
        );
        assert_eq!(parse_shape("3X5*7"), Ok(GemmShape { m: 3, n: 5, k: 7 }));
        assert!(parse_shape("0x5x7").is_err());
        assert!(parse_shape("5x7").is_err());
        assert!(parse_shape("axbxc").is_err());
    }

    #[test]
    fn a_failed_verification_is_a_runtime_error_naming_the_benchmark() {
        let mut results: RunResults = serde_json::from_str(SAMPLE_RESULTS).unwrap();
        assert!(run_status(&results).is_ok());
        results.gemm[0].verified = false;
        let error = run_status(&results).unwrap_err();
        assert_eq!(error.exit_code(), 1);
        assert_eq!(error.to_string(), "verification failed: tiled f32 64x64x64");
    }

    const SAMPLE_RESULTS: &str = r#"{
        "schema_version": 1,
        "tool": {"name": "fleetbench", "version": "0"},
        "environment": {"os": "linux", "arch": "x86_64", "started_unix": 0, "command_line": []},
        "adapter": {"index": 0, "name": "gpu", "backend": "vulkan", "device_type": "cpu",
            "driver": "", "driver_info": "", "software": true, "features": [],
            "limits": {"max_compute_workgroup_storage_size": 1, "max_compute_invocations_per_workgroup": 1,
                "max_compute_workgroup_size_x": 1, "max_compute_workgroup_size_y": 1,
                "max_compute_workgroups_per_dimension": 1, "max_storage_buffer_binding_size": 1,
                "max_buffer_size": 1, "max_storage_buffers_per_shader_stage": 1,
                "min_subgroup_size": 8, "max_subgroup_size": 8}},
        "timing": "timestamp",
        "peaks": {"fma_gflops": {"f32": 100.0}, "bandwidth_gbps": 10.0},
        "gemm": [{"kernel": "tiled", "geometry": "", "dtype": "f32", "m": 64, "n": 64, "k": 64,
            "gflops": {"median": 5.0, "min": 4.0, "max": 6.0}, "samples": 3, "verified": true,
            "max_error": 0.0, "error_bound": 1e-5, "checked_entries": 4096, "efficiency": 0.05,
            "timing": "timestamp"}]
    }"#;

    #[test]
    fn a_failed_result_is_shown_as_failed_without_throughput() {
        let mut results: RunResults = serde_json::from_str(SAMPLE_RESULTS).unwrap();
        results.gemm[0].verified = false;
        results.gemm[0].gflops = None;
        results.gemm[0].efficiency = None;
        let text = crate::report::render_tables(
            &results_tables::run(&results),
            Format::Markdown,
            crate::report::Layout::Full,
        )
        .unwrap();
        let row = text.lines().find(|l| l.starts_with("| tiled")).unwrap();
        assert!(row.contains("FAILED"), "{row}");
        assert!(row.contains("| - | - | - |"), "{row}");
    }

    #[test]
    fn partial_results_go_beside_an_existing_file_named_name_partial_ext() {
        assert_eq!(
            partial_path(Path::new("out/results.json")),
            Path::new("out/results.partial.json")
        );
        assert_eq!(
            partial_path(Path::new("rank-3")),
            Path::new("rank-3.partial")
        );
    }

    #[test]
    fn only_an_earlier_partial_run_may_be_replaced_by_a_partial_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let mut results: RunResults = serde_json::from_str(SAMPLE_RESULTS).unwrap();
        assert!(results.complete, "a file without the field is complete");
        std::fs::write(&path, serde_json::to_vec(&results).unwrap()).unwrap();
        assert!(!holds_partial_results(&path));
        results.complete = false;
        results.stopped = Some("interrupted by SIGINT".into());
        std::fs::write(&path, serde_json::to_vec(&results).unwrap()).unwrap();
        assert!(holds_partial_results(&path));
        std::fs::write(&path, "kernel,gflops\n").unwrap();
        assert!(!holds_partial_results(&path), "not a results file");
    }

    #[test]
    fn a_stopped_run_exits_with_its_cause_and_says_where_the_results_went() {
        let stopped = |cause| Error::Stopped {
            cause: Box::new(cause),
            kept: "kept 2".into(),
        };
        let interrupted = |signal| Error::Interrupted { signal };
        let sigint = stopped(interrupted(crate::error::StopSignal::Interrupt));
        assert_eq!(sigint.exit_code(), 130);
        assert_eq!(sigint.one_line(), "interrupted by SIGINT; kept 2");
        let sigterm = stopped(interrupted(crate::error::StopSignal::Terminate));
        assert_eq!(sigterm.exit_code(), 143);
        let lost = Error::DeviceLost {
            during: None,
            reason: "reset".into(),
        }
        .during(|| "measuring tiled f32 8x8x8".into())
        .during(|| "not this".into());
        assert_eq!(
            lost.to_string(),
            "lost the device while measuring tiled f32 8x8x8: reset"
        );
        assert_eq!(stopped(lost).exit_code(), 1);
    }

    #[test]
    fn f16_without_shader_f16_is_a_usage_error() {
        let error = choose_dtypes(&[Dtype::F16], false, "gpu").unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("shader-f16"));
        assert_eq!(choose_dtypes(&[], false, "gpu").unwrap(), vec![Dtype::F32]);
        assert_eq!(
            choose_dtypes(&[], true, "gpu").unwrap(),
            vec![Dtype::F32, Dtype::F16]
        );
        assert_eq!(
            choose_dtypes(&[Dtype::F16, Dtype::F16], true, "gpu").unwrap(),
            vec![Dtype::F16]
        );
        let mixed = choose_dtypes(&[Dtype::F32, Dtype::F16F32], false, "gpu").unwrap_err();
        assert_eq!(mixed.exit_code(), 2);
        assert!(
            mixed.to_string().starts_with("f16f32 needs the shader-f16"),
            "{mixed}"
        );
    }
}
