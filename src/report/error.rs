//! What can fail while rendering a view and writing it: the renderers' own errors and the
//! file's, kept as causes. A destination that cannot be used is bad input (exit 2); the
//! rest are runtime failures (exit 1): the data was valid, the writer was not.

use std::path::PathBuf;

use crate::atomic_file::WriteError;

/// A failure of `report`: rendering, writing, or an output that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    /// An output file that cannot be written, found before any work starts.
    #[error(transparent)]
    Unwritable(WriteError),
    #[error(
        "{}: HTML is written by `fleetbench report RESULTS --html FILE`; give --output a \
         .json, .csv, .md or .txt file",
        .0.display()
    )]
    HtmlOutput(PathBuf),
}

impl ReportError {
    /// Whether the user's input is at fault (exit 2) rather than the run (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ReportError::Unwritable(_) | ReportError::HtmlOutput(_)
        )
    }
}

/// `report`'s result.
pub type Result<T> = std::result::Result<T, ReportError>;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not write CSV")]
    Csv(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("could not serialise JSON")]
    Json(#[from] serde_json::Error),
    #[error("could not draw a chart: {0}")]
    Draw(String),
    #[error("internal: JSON is rendered from a view, not from tables")]
    JsonFromTables,
}

impl RenderError {
    /// A CSV writer's failure, whatever its type.
    pub fn csv(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        RenderError::Csv(Box::new(error))
    }
}
