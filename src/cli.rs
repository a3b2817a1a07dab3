//! The command line (clap derive): one subcommand per job. Each subcommand's flags are
//! defined beside the code that runs it, in `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;

/// Measure one GPU with verified WGSL GEMM kernels, then project sourced AI fleets.
#[derive(Debug, Parser)]
#[command(name = "fleetbench", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The jobs fleetbench does.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every adapter wgpu finds, with the features and limits that bound a GEMM.
    Devices(commands::devices::DevicesArgs),
    /// Benchmark verified matrix multiply on one adapter and measure its peaks.
    Run(commands::run::RunArgs),
    /// The accelerator catalog: dense peaks, memory, power, with sources and status.
    Accelerators(commands::catalog::AcceleratorsArgs),
    /// The fleet catalog: every system named in the source articles, with sources.
    Fleets(commands::catalog::FleetsArgs),
    /// Project a fleet's training and inference throughput.
    Project(commands::project::ProjectArgs),
    /// Compare accelerators side by side at equal power or equal count.
    Compare(commands::compare::CompareArgs),
    /// Gather per-rank results files into one cluster result and find stragglers.
    Merge(commands::merge::MergeArgs),
    /// Render a results file as one self-contained HTML page with SVG charts.
    Report(commands::report::ReportArgs),
}
