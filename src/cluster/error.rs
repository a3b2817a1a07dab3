//! What can go wrong placing this process in a launched job, reading a job's rank files
//! or merging them. Each variant says what is wrong and keeps its cause; none names a
//! command-line flag (the command boundary, `error.rs`, adds the flags that change it).
//! Every one is a problem with what the user gave (files, launcher variables, an output
//! template), so all exit with code 2.

use std::path::PathBuf;

use crate::results::ReadError;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot read {}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot list {}", path.display())]
    Unlistable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: no .json results files in this directory", path.display())]
    EmptyDirectory { path: PathBuf },
    #[error(
        "{} is both an input and the output of this merge; write the merge to another file",
        path.display()
    )]
    InputIsOutput { path: PathBuf },
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{}: is a merged cluster result; merge reads the per-rank files of `fleetbench run`",
        path.display()
    )]
    MergedInput { path: PathBuf },
    #[error(
        "{}: has no cluster rank: it was not written by `fleetbench run` under Slurm, MPI or a \
         Kubernetes Indexed Job",
        path.display()
    )]
    NoRank { path: PathBuf },
    #[error(
        "{}: rank {rank}'s results are partial (its run stopped early: {stopped})",
        path.display()
    )]
    PartialRank {
        path: PathBuf,
        rank: u32,
        stopped: String,
    },
    #[error("no usable results file among {given} given: {first_problem}")]
    NoUsableFile { given: usize, first_problem: String },
    #[error("{}: rank {rank} again (already in {})", path.display(), first.display())]
    DuplicateRank {
        path: PathBuf,
        rank: u32,
        first: PathBuf,
    },
    #[error("{}: rank {rank} is outside the world size {world_size}", path.display())]
    RankOutsideWorld {
        path: PathBuf,
        rank: u32,
        world_size: u32,
    },
    #[error("{}", missing_ranks(.missing, *.world_size, .job.as_deref(), *.files_read))]
    MissingRanks {
        missing: Vec<u32>,
        world_size: u32,
        job: Option<String>,
        files_read: usize,
    },
    #[error(
        "{}: {what} {other_value} differs from {first_value} in {}; merge the files of one job \
         at a time",
        other.display(),
        first.display()
    )]
    DifferentJobs {
        what: &'static str,
        other: PathBuf,
        other_value: String,
        first: PathBuf,
        first_value: String,
    },
    #[error("the files have no GEMM benchmark in common")]
    NoCommonBenchmark,
    #[error("no benchmark matching {wanted} was run by every rank; common to all: {common}")]
    NoMatchingBenchmark { wanted: String, common: String },
    #[error("{name}={value} is not a non-negative integer rank or size")]
    BadLauncherVariable { name: String, value: String },
    #[error(
        "rank {rank} is not below the world size {world_size} given by the {launcher} launcher"
    )]
    RankNotBelowWorld {
        rank: u32,
        world_size: u32,
        launcher: &'static str,
    },
    #[error("output path {path}: {problem}")]
    BadTemplate { path: String, problem: &'static str },
    #[error("output path {path} uses {{{name}}}, but {missing}")]
    NoPlaceholderValue {
        path: String,
        name: String,
        missing: &'static str,
    },
    #[error("output path {path}: unknown placeholder {{{name}}}; known: {known}")]
    UnknownPlaceholder {
        path: String,
        name: String,
        known: String,
    },
}

fn missing_ranks(missing: &[u32], world_size: u32, job: Option<&str>, files_read: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let list: Vec<String> = missing.iter().map(u32::to_string).collect();
    format!(
        "missing rank{} {} of world size {world_size}{} ({files_read} file{} read)",
        plural(missing.len()),
        list.join(", "),
        job.map(|j| format!(" in job {j}")).unwrap_or_default(),
        plural(files_read)
    )
}
