//! One module per subcommand: its clap arguments and the function that runs it.

pub mod catalog;
pub mod compare;
pub mod devices;
pub mod merge;
pub mod project;
pub mod report;
pub mod run;
pub mod summary;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the parsed command line.
pub fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Devices(args) => devices::execute(&args),
        Command::Run(args) => run::execute(&args),
        Command::Accelerators(args) => catalog::execute_accelerators(&args),
        Command::Fleets(args) => catalog::execute_fleets(&args),
        Command::Project(args) => project::execute(&args),
        Command::Compare(args) => compare::execute(&args),
        Command::Merge(args) => merge::execute(&args),
        Command::Report(args) => report::execute(&args),
    }
}
