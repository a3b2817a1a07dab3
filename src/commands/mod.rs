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

/// A value the measuring commands' flags cannot read (`run --shape`, `merge --size`,
/// percentages, seconds); `given` is the text as typed, made printable. clap shows it
/// after the flag.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("'{given}' is not a shape MxNxK of positive integers, e.g. 4096x4096x1024")]
    NotAShape { given: String },
    #[error("'{given}' is not a size N or MxNxK of positive integers")]
    NotASize { given: String },
    #[error("'{given}' is not a percentage, e.g. 10")]
    NotAPercentage { given: String },
    #[error("'{given}' must be at least 0 and below 100 (percent)")]
    PercentageOutOfRange { given: String },
    #[error("'{given}' is not a number of seconds between 0 and 86400")]
    NotSeconds { given: String },
}
