//! `fleetbench diff BASE NEW`: two results or merged files compared GEMM by GEMM (the
//! change in median GFLOP/s, both runs' min–max, a verdict per row; the rule is in
//! `crate::diff`), in any `--format`: the Markdown is what a pull-request comment
//! carries. Bad input is one line (exit 2); `--fail-on-regression` exits 1 after the
//! output is written when a GEMM is slower beyond `--threshold` or fails verification.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::merge::parse_percent;
use crate::atomic_file::same_file;
use crate::diff::{Diff, Row, Side};
use crate::error::{Error, Result};
use crate::model::Range;
use crate::report::{Cell, Column, Destination, OutputArgs, Shown, Table, Unit, View};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The results file (or merged cluster file) to compare against, e.g. main's last run.
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// The results file (or merged cluster file) to judge.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// A change beyond the noise but smaller than this many percent is "within threshold".
    #[arg(long, default_value = "5", value_parser = parse_percent)]
    pub threshold: f64,
    /// Exit 1 (after writing the output) when a GEMM is slower beyond the threshold, or
    /// fails verification in NEW.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Refuse (exit 2) to compare files measured on different adapters or drivers.
    #[arg(long)]
    pub require_same_adapter: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn execute(args: &DiffArgs) -> Result<()> {
    let destination = args.output.destination()?;
    refuse_to_overwrite_an_input(&destination, &[&args.base, &args.new])?;
    let base = read_side(&args.base)?;
    let new = read_side(&args.new)?;
    let diff = Diff::new(base, new, args.threshold / 100.0)?;
    if args.require_same_adapter && diff.adapters_differ {
        return Err(Error::usage(format!(
            "--require-same-adapter: {}",
            diff.differences[0]
        )));
    }
    let view = DiffView(diff);
    destination.write(&view)?;
    if args.fail_on_regression {
        gate(&view.0)?;
    }
    Ok(())
}

fn read_side(path: &Path) -> Result<Side> {
    let file = super::read_results(path)?;
    Ok(Side::of(path, &file)?)
}

/// `--output` naming BASE or NEW would replace a results file with its own diff.
fn refuse_to_overwrite_an_input(destination: &Destination, inputs: &[&PathBuf]) -> Result<()> {
    let Some(output) = destination.path.as_deref() else {
        return Ok(());
    };
    match inputs.iter().find(|input| same_file(input, output)) {
        Some(input) => Err(Error::usage(format!(
            "--output {} is an input of the diff; write the diff to another file",
            input.display()
        ))),
        None => Ok(()),
    }
}

/// Exit 1 when a row regressed, naming the first few.
fn gate(diff: &Diff) -> Result<()> {
    const NAMED: usize = 5;
    let regressions: Vec<&Row> = diff.regressions().collect();
    if regressions.is_empty() {
        return Ok(());
    }
    let mut named: Vec<String> = regressions
        .iter()
        .take(NAMED)
        .map(|r| match r.change {
            Some(change) => format!("{} ({:+.1}%)", r.label(), change * 100.0),
            None => format!("{} (failed verification)", r.label()),
        })
        .collect();
    if regressions.len() > NAMED {
        named.push(format!("and {} more", regressions.len() - NAMED));
    }
    Err(Error::runtime(format!(
        "{} regression{} beyond the {}% threshold: {}",
        regressions.len(),
        if regressions.len() == 1 { "" } else { "s" },
        diff.threshold_percent,
        named.join(", ")
    )))
}

/// The comparison as `diff` shows it: JSON is the `Diff` itself.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct DiffView(Diff);

impl View for DiffView {
    fn tables(&self) -> Vec<Table> {
        vec![files_table(&self.0), gemm_table(&self.0)]
    }
}

/// What was compared with what, and every difference besides the figures: at the top.
fn files_table(diff: &Diff) -> Table {
    let mut table = Table::new(
        "files",
        vec![
            Column::text("", "field"),
            Column::text("BASE", "base"),
            Column::text("NEW", "new"),
        ],
    )
    .with_title("fleetbench diff");
    let names = ["file", "kind", "adapter", "fleetbench", "timing"];
    let (base, new) = (describe(&diff.base), describe(&diff.new));
    for ((name, b), n) in names.into_iter().zip(base).zip(new) {
        table.push_row(vec![name.into(), b.into(), n.into()]);
    }
    if diff.differences.is_empty() {
        table.push_note("Same adapter, driver and timing method.");
    }
    for line in &diff.differences {
        table.push_note(line.clone());
    }
    table
}

/// File, kind, adapters, fleetbench build and timing of one side.
fn describe(side: &Side) -> [String; 5] {
    let adapters: Vec<String> = side.adapters.iter().map(|a| a.label()).collect();
    let build = match &side.git_commit {
        Some(commit) => format!(
            "{} ({})",
            side.fleetbench_version,
            commit.chars().take(7).collect::<String>()
        ),
        None => side.fleetbench_version.clone(),
    };
    [
        side.file.clone(),
        side.kind.to_string(),
        adapters.join("; "),
        build,
        side.timing.map_or("-".to_string(), |t| t.to_string()),
    ]
}

fn gemm_table(diff: &Diff) -> Table {
    let by_adapter = diff.rows.iter().any(|r| r.adapter.is_some());
    let rate = |header: &str, key: &str| {
        Column::range(header, key, Unit::FlopPerSecond, Shown::Scaled(1e-9))
    };
    let mut columns = vec![
        Column::text("kernel", "kernel"),
        Column::text("dtype", "dtype"),
        Column::shape("MxNxK"),
        rate("BASE GFLOP/s median (min–max)", "base"),
        rate("NEW GFLOP/s median (min–max)", "new"),
        Column::fraction("change", "change"),
        Column::fraction("noise band", "noise_band").detail(),
        Column::text("verdict", "verdict"),
    ];
    if by_adapter {
        columns.insert(0, Column::text("adapter", "adapter"));
    }
    let mut table = Table::new("gemm", columns).with_title(format!(
        "GEMM GFLOP/s, NEW against BASE: {} (threshold {}%)",
        counts_line(diff),
        diff.threshold_percent
    ));
    for row in &diff.rows {
        let mut cells = vec![
            kernel_cell(row),
            row.dtype.as_str().into(),
            row.shape.into(),
            flops_range(row.base),
            flops_range(row.new),
            row.change.into(),
            row.noise_band.into(),
            row.verdict.word().into(),
        ];
        if by_adapter {
            cells.insert(0, row.adapter.as_ref().map(|a| a.label()).into());
        }
        table.push_row(cells);
    }
    table.push_note(format!("Rows are matched by {}.", diff.matched_by));
    table.push_note(diff.rule);
    if diff.base.kind == "cluster" || diff.new.kind == "cluster" {
        table.push_note(
            "A merged file is compared on its per-adapter figures: the median, min and max \
             over the ranks' medians.",
        );
    }
    table
}

fn kernel_cell(row: &Row) -> Cell {
    if row.repeat > 1 {
        format!("{} #{}", row.kernel, row.repeat).into()
    } else {
        row.kernel.as_str().into()
    }
}

/// GFLOP/s median (min–max) as FLOP/s, the base unit CSV writes.
fn flops_range(gflops: Option<crate::results::Summary>) -> Cell {
    gflops.map_or(Cell::Missing, |s| {
        Cell::Range(Range {
            low: s.min * 1e9,
            central: s.median * 1e9,
            high: s.max * 1e9,
        })
    })
}

/// "2 slower, 1 faster, 9 noise".
fn counts_line(diff: &Diff) -> String {
    let c = &diff.counts;
    let parts: Vec<String> = [
        (c.slower, "slower"),
        (c.failed, "failed verification"),
        (c.faster, "faster"),
        (c.within_threshold, "within threshold"),
        (c.noise, "noise"),
        (c.only_in_base, "only in BASE"),
        (c.only_in_new, "only in NEW"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    parts.join(", ")
}
