//! What can fail while rendering a view: the renderers' own errors, kept as causes. All are
//! runtime failures (exit 1): the data was valid, the writer or drawing library was not.

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
