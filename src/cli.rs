//! The command line (clap derive): one subcommand per job, and the dispatch from a parsed
//! command line to the command that runs it. Each subcommand's flags are defined beside
//! the code that runs it, in `commands/`; the commands never look back at this module.
//! Shell completions and the man page are made here, from the definition itself.

use std::io::Write;

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::error::Result;

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
    /// Fleets over time, 2024-2030: power, accelerators, H100-equivalents, compute and cost per company, with the articles' checks.
    Timeline(commands::timeline::TimelineArgs),
    /// Gather per-rank results files into one cluster result and find stragglers.
    Merge(commands::merge::MergeArgs),
    /// Compare two results (or merged) files GEMM by GEMM: change, noise, verdict; a CI gate.
    Diff(commands::diff::DiffArgs),
    /// Render a results file as one self-contained HTML page with SVG charts.
    Report(commands::report::ReportArgs),
    /// Print a shell completion script (e.g. `fleetbench completions bash > ~/.local/share/bash-completion/completions/fleetbench`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `fleetbench man > fleetbench.1`.
    Man,
}

/// Runs the parsed command line.
pub fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Devices(args) => commands::devices::execute(&args),
        Command::Run(args) => commands::run::execute(&args),
        Command::Accelerators(args) => commands::catalog::execute_accelerators(&args),
        Command::Fleets(args) => commands::catalog::execute_fleets(&args),
        Command::Project(args) => commands::project::execute(&args),
        Command::Compare(args) => commands::compare::execute(&args),
        Command::Timeline(args) => commands::timeline::execute(&args),
        Command::Merge(args) => commands::merge::execute(&args),
        Command::Diff(args) => commands::diff::execute(&args),
        Command::Report(args) => commands::report::execute(&args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "fleetbench", &mut out);
            print(&out)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| {
                    crate::error::Error::runtime(format!("could not render the man page: {e}"))
                })?;
            print(&out)
        }
    }
}

fn print(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
    Ok(())
}
