//! What can go wrong inside the model, as data: each variant says what is wrong in one
//! line and never names a command-line flag (the command layer adds flag hints). At the
//! command boundary a `ModelError` becomes the crate's usage error (exit code 2).

use super::accelerator::DType;

/// A projection the model refuses to make, with its cause.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("{accelerator} has no {dtype} peak in the catalog (published: {published})")]
    NoPeak {
        accelerator: String,
        dtype: DType,
        published: String,
    },
    #[error("{accelerator} has no published power figure, so a count cannot be derived from power")]
    NoPowerFigure { accelerator: String },
    #[error("fleet '{0}' has neither a count nor a power")]
    EmptyFleet(String),
    #[error("{0}")]
    ModelFigures(String),
    #[error("{0}")]
    Layout(String),
    #[error("{0}")]
    DoesNotFit(String),
    #[error("{0}")]
    LatencyTarget(String),
    #[error("{0} is not a training format: no published training run uses it")]
    NotATrainingFormat(DType),
    #[error(
        "{} buys {} {accelerator} with their facility ({} each): less than one",
        super::units::usd(*budget_usd),
        super::units::sig3(*accelerators),
        super::units::usd(*unit_usd)
    )]
    BudgetBelowOne {
        accelerator: String,
        budget_usd: f64,
        accelerators: f64,
        unit_usd: f64,
    },
}

/// A catalog that cannot be read, parsed or trusted, or an id it does not hold.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TOML that does not parse, or fields of the wrong shape (the line when known).
    #[error("catalog {name}:{} {message}", line.map(|l| format!(" line {l}:")).unwrap_or_default())]
    Parse {
        name: String,
        line: Option<usize>,
        message: String,
    },
    /// An entry whose figures cannot be used.
    #[error("{origin}: {entry}: {problem}")]
    Invalid {
        origin: String,
        entry: String,
        problem: String,
    },
    #[error("unknown {kind} '{wanted}'{}", suggestion.as_ref().map(|s| format!(": did you mean '{s}'?")).unwrap_or_default())]
    UnknownId {
        kind: IdKind,
        wanted: String,
        suggestion: Option<String>,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Cost(#[from] super::cost::CostGap),
}

/// What kind of catalog entry an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Accelerator,
    Fleet,
    Model,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Accelerator => "accelerator",
            IdKind::Fleet => "fleet",
            IdKind::Model => "model",
        })
    }
}
