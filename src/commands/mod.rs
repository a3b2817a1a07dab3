//! One module per subcommand: its clap arguments and the function that runs it. The
//! dispatch from a parsed command line lives in `cli`.

pub mod catalog;
pub mod compare;
pub mod devices;
pub mod diff;
pub mod merge;
pub mod model_args;
pub mod project;
pub mod report;
pub mod run;
pub mod timeline;

/// Reads a results or merged file for a command that uses its figures, saying on stderr
/// when the file is incomplete (a stopped run, a merge with partial or missing ranks).
pub fn read_results(path: &std::path::Path) -> crate::error::Result<crate::results::ResultsFile> {
    let file = crate::results::read(path)?;
    if let Some(what) = file.incompleteness() {
        eprintln!("warning: {} is {what}", path.display());
    }
    Ok(file)
}
