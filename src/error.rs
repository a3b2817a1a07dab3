//! The error every command returns, and the exit code each kind maps to.
//!
//! Exit codes follow the project convention: 2 for anything the user typed or fed in
//! (bad flags, unknown ids, malformed files), 1 for runtime failures (no adapter, device
//! lost, a GEMM that failed verification, an output that could not be written). Each
//! concern keeps its own error type with its cause as the `source`; `one_line` joins the
//! chain into the single line the user sees.

use std::fmt;

use crate::atomic_file::WriteError;
use crate::bridge::BridgeError;
use crate::cluster::ClusterError;
use crate::diff::DiffError;
use crate::kernels::gemm::LimitError;
use crate::model::error::{WindowEnd, WindowError};
use crate::model::{CatalogError, IdKind, ModelError};
use crate::report::ReportError;
use crate::results::ReadError;
pub use crate::text::chain;

/// A failure that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage or bad input, said in words (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something went wrong while running, said in words (exit 1).
    #[error("{0}")]
    Runtime(String),
    /// A results or merged file could not be read (exit 2).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An output file could not be written (exit 1).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A view that could not be rendered or written, or an output that cannot be used.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Two results files that cannot be compared (exit 2).
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// A kernel and shape beyond the adapter's limits (exit 2).
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A projection the model refuses, with the flags that change it (exit 2).
    #[error("{}{}", chain(.error), hint_text(.hint))]
    Model {
        error: ModelError,
        hint: &'static str,
    },
    /// A catalog that cannot be used, or an unknown id (exit 2).
    #[error("{}{}", chain(.error), hint_text(.hint))]
    Catalog {
        error: CatalogError,
        hint: &'static str,
    },
    /// Rank files, launcher variables or an output template that a job cannot use (exit 2).
    #[error("{}{}", chain(.error), hint_text(.hint))]
    Cluster {
        error: Box<ClusterError>,
        hint: &'static str,
    },
    /// A measurement that cannot be bridged to a projection (exit 2).
    #[error("{}{}", chain(.error), hint_text(.hint))]
    Bridge {
        error: BridgeError,
        hint: &'static str,
    },
    /// A run stopped by SIGINT or SIGTERM (exit 130 or 143, the shell's 128 + signal).
    #[error("interrupted by {signal}")]
    Interrupted { signal: StopSignal },
    /// The GPU device was lost (driver reset, device removed or destroyed) (exit 1).
    /// `during` names the work in flight ("measuring tiled f32 512x512x512"), added by the
    /// measuring loop that knew it.
    #[error("lost the device{}: {reason}", during_text(.during))]
    DeviceLost {
        during: Option<String>,
        reason: String,
    },
    /// The device would not hold a benchmark's buffers: out of memory, or a buffer it
    /// refused when allocated (exit 1; `run` records it as skipped and goes on).
    #[error("{what}: the device refused its buffers: {reason}")]
    Allocation { what: String, reason: String },
    /// A run that ended early after writing what it had measured: its cause (which gives
    /// the exit code) and where the partial results went.
    #[error("{cause}; {kept}")]
    Stopped { cause: Box<Error>, kept: String },
}

/// The signals that stop a run early, keeping what it measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
pub enum StopSignal {
    #[strum(serialize = "SIGINT")]
    Interrupt,
    #[strum(serialize = "SIGTERM")]
    Terminate,
}

impl StopSignal {
    /// The exit code of a process stopped by this signal: 128 plus its number, as shells
    /// report a process the signal killed.
    pub fn exit_code(self) -> i32 {
        match self {
            StopSignal::Interrupt => 130,
            StopSignal::Terminate => 143,
        }
    }
}

fn during_text(during: &Option<String>) -> String {
    during
        .as_deref()
        .map(|d| format!(" while {d}"))
        .unwrap_or_default()
}

fn hint_text(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(" ({hint})")
    }
}

/// The command-line flags that change what a model error is about.
fn model_hint(e: &ModelError) -> &'static str {
    match e {
        ModelError::NoPeak { .. } => "choose another --dtype, --train-dtype or --serve-dtype",
        ModelError::NoPowerFigure { .. } => "give --gpus N instead",
        ModelError::ModelFigures(_) => {
            "custom models take --params, --active-params, --layers, --kv-heads, --head-dim \
             (or --kv-bytes-per-token), --experts and --experts-per-token; --inference-share 0 \
             projects training only"
        }
        ModelError::Layout(_) => "change --layout, or leave it out to search",
        ModelError::DoesNotFit(_) => "lower --batch, change --layout, or add accelerators",
        ModelError::LatencyTarget(_) => "relax --tpot-ms / --ttft-ms",
        ModelError::BudgetBelowOne { .. } => "give a larger --budget",
        ModelError::NotATrainingFormat(_) => "train in bf16, fp8 or fp4 with --train-dtype",
        ModelError::Window(WindowError::OutOfRange { end, .. }) => match end {
            WindowEnd::First => "change --from",
            WindowEnd::Last => "change --to",
        },
        ModelError::Window(WindowError::Reversed { .. }) => {
            "--from takes the earlier year, --to the later"
        }
        ModelError::EmptyFleet(_) => "",
    }
}

/// Where the known ids of a catalog are listed.
fn catalog_hint(e: &CatalogError) -> &'static str {
    match e {
        CatalogError::UnknownId { kind, .. } => match kind {
            IdKind::Accelerator => "list them with `fleetbench accelerators`",
            IdKind::Fleet => "list them with `fleetbench fleets`",
            IdKind::Model => "list them with `fleetbench project --help`",
        },
        CatalogError::Model(m) => model_hint(m),
        _ => "",
    }
}

fn cluster_hint(e: &ClusterError) -> &'static str {
    match e {
        ClusterError::Read(_) | ClusterError::MergedInput { .. } | ClusterError::NoRank { .. } => {
            "pass --allow-partial to merge the other files"
        }
        ClusterError::DuplicateRank { .. } => {
            "pass one job's files, or --allow-partial to keep the first"
        }
        ClusterError::MissingRanks { .. } => "pass --allow-partial to merge the others",
        ClusterError::PartialRank { .. } => {
            "pass --allow-partial to merge what it measured, or run that rank again"
        }
        ClusterError::NoCommonBenchmark => {
            "were they run with different --kernel, --dtype or --sizes?"
        }
        ClusterError::NoMatchingBenchmark { .. } => "change --kernel, --dtype or --size",
        ClusterError::InputIsOutput { .. } => "give merge another --output",
        ClusterError::BadTemplate { .. } | ClusterError::UnknownPlaceholder { .. } => {
            "fix the --output template"
        }
        ClusterError::NoPlaceholderValue { .. } => {
            "run under srun, mpirun or a Kubernetes Indexed Job, or drop the placeholder from \
             --output"
        }
        _ => "",
    }
}

fn bridge_hint(e: &BridgeError) -> &'static str {
    match e {
        BridgeError::EfficiencyAboveOne { .. } | BridgeError::NoEfficiency { .. } => {
            "give --mfu a value instead of `measured`"
        }
        BridgeError::NoVerifiedGemm { .. } => "run with --dtype f32 or f16",
        BridgeError::Model(m) => model_hint(m),
        _ => "",
    }
}

impl From<ModelError> for Error {
    fn from(error: ModelError) -> Self {
        let hint = model_hint(&error);
        Error::Model { error, hint }
    }
}

impl From<CatalogError> for Error {
    fn from(error: CatalogError) -> Self {
        let hint = catalog_hint(&error);
        Error::Catalog { error, hint }
    }
}

impl From<ClusterError> for Error {
    fn from(error: ClusterError) -> Self {
        let hint = cluster_hint(&error);
        Error::Cluster {
            error: Box::new(error),
            hint,
        }
    }
}

impl From<BridgeError> for Error {
    fn from(error: BridgeError) -> Self {
        let hint = bridge_hint(&error);
        Error::Bridge { error, hint }
    }
}

impl Error {
    /// Builds a usage error from anything printable.
    pub fn usage(message: impl fmt::Display) -> Self {
        Error::Usage(message.to_string())
    }

    /// Builds a runtime error from anything printable.
    pub fn runtime(message: impl fmt::Display) -> Self {
        Error::Runtime(message.to_string())
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_)
            | Error::Read(_)
            | Error::Diff(_)
            | Error::Limit(_)
            | Error::Model { .. }
            | Error::Catalog { .. }
            | Error::Cluster { .. }
            | Error::Bridge { .. } => 2,
            Error::Report(e) if e.is_usage() => 2,
            Error::Runtime(_)
            | Error::Write(_)
            | Error::Report(_)
            | Error::DeviceLost { .. }
            | Error::Allocation { .. } => 1,
            Error::Interrupted { signal } => signal.exit_code(),
            Error::Stopped { cause, .. } => cause.exit_code(),
        }
    }

    /// Whether this error ends a measuring run at once (a signal, a lost device) rather
    /// than failing one piece of work: loops that try many things (the autotuner's
    /// candidates, a run's GEMMs) must stop on it instead of counting it and going on.
    pub fn ends_run(&self) -> bool {
        matches!(
            self,
            Error::Interrupted { .. } | Error::DeviceLost { .. } | Error::Stopped { .. }
        )
    }

    /// A lost device's error with the work in flight named, when not named already.
    pub fn during(self, work: impl FnOnce() -> String) -> Self {
        match self {
            Error::DeviceLost {
                during: None,
                reason,
            } => Error::DeviceLost {
                during: Some(work()),
                reason,
            },
            other => other,
        }
    }

    /// The message and every cause behind it, on one line: "x.json: cannot read: No such
    /// file or directory (os error 2)".
    pub fn one_line(&self) -> String {
        chain(self)
    }
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_one_line_keeps_the_cause() {
        let err = Error::from(crate::results::read(Path::new("/no/such/file.json")).unwrap_err());
        let line = err.one_line();
        assert!(
            line.starts_with("/no/such/file.json: cannot read: "),
            "{line}"
        );
        assert!(line.contains("No such file"), "{line}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn a_wrapped_error_is_said_once_with_its_cause_and_then_its_hint() {
        let read = crate::results::read(Path::new("/no/such/rank.json")).unwrap_err();
        let err = Error::from(ClusterError::Read(read));
        let line = err.one_line();
        assert_eq!(line.matches("/no/such/rank.json").count(), 1, "{line}");
        assert!(line.contains("No such file"), "{line}");
        assert!(
            line.ends_with("(pass --allow-partial to merge the other files)"),
            "{line}"
        );
    }
}
