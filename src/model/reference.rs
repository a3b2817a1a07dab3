//! Reference models to project: parameters (total and active), training tokens and
//! compute, the KV-cache size per token used by the inference roofline, and sources.
//! A custom model from the command line is the same type with the user's figures.

use serde::{Deserialize, Serialize};

/// A model whose training and serving a fleet is asked about.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceModel {
    pub id: String,
    pub name: String,
    /// Total parameters; `None` when not public (GPT-4).
    pub params: Option<f64>,
    /// Parameters active per token (MoE); equal to `params` for dense models.
    pub active_params: Option<f64>,
    /// Training tokens.
    pub tokens: Option<f64>,
    /// Training compute in FLOP.
    pub compute_flop: Option<f64>,
    /// KV cache per token of context, at 16-bit precision, in bytes.
    pub kv_bytes_per_token: Option<f64>,
    pub status: String,
    pub source: String,
    pub notes: String,
}

impl ReferenceModel {
    /// Parameters read per token: the active count, else the total.
    pub fn active(&self) -> Option<f64> {
        self.active_params.or(self.params)
    }

    /// Training compute: stated, else 6 × active parameters × tokens.
    pub fn training_flop(&self) -> Option<f64> {
        self.compute_flop
            .or_else(|| Some(6.0 * self.active()? * self.tokens?))
    }

    /// A one-line description used in outputs.
    pub fn describe(&self) -> String {
        let params = match (self.params, self.active_params) {
            (Some(p), Some(a)) if a < p => format!(
                "{} params, {} active",
                super::units::si(p),
                super::units::si(a)
            ),
            (Some(p), _) => format!("{} params", super::units::si(p)),
            (None, _) => "params not public".to_string(),
        };
        let compute = self
            .training_flop()
            .map(|c| format!(", {c:.3e} FLOP"))
            .unwrap_or_default();
        format!("{} ({params}{compute})", self.id)
    }
}
