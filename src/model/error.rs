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
}

impl From<ModelError> for crate::error::Error {
    fn from(e: ModelError) -> Self {
        crate::error::Error::usage(e)
    }
}
