//! Reference models to project: parameters (total and active), training tokens and
//! compute, the architecture serving needs (layers, KV heads and head dimension, or a
//! latent KV width; experts for mixture-of-experts models), the published global batch,
//! and sources. A custom model from the command line is the same type with the user's
//! figures.

use serde::{Deserialize, Serialize};

use super::error::ModelError;

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
    /// Transformer layers.
    pub layers: Option<u32>,
    /// Key/value heads (grouped-query attention) and their dimension.
    pub kv_heads: Option<u32>,
    pub head_dim: Option<u32>,
    /// Latent KV width per layer (multi-head latent attention: one cached vector per token).
    pub kv_latent_dim: Option<u32>,
    /// Model (residual) width: the size of each tensor-parallel all-reduce per token.
    pub hidden: Option<u32>,
    /// KV cache per token of context at 16-bit precision, in bytes, when given directly
    /// rather than derived from the architecture.
    pub kv_bytes_per_token: Option<f64>,
    /// Routed experts, experts each token is sent to, and the routed experts' parameters.
    pub experts: Option<u32>,
    pub experts_per_token: Option<u32>,
    pub expert_params: Option<f64>,
    /// Global batch in tokens the model was trained with, when published.
    pub global_batch_tokens: Option<f64>,
    pub status: String,
    pub source: String,
    pub notes: String,
}

/// The split of a model's weights that serving needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Parameters every token uses (attention, embeddings, dense layers, shared experts).
    pub shared: f64,
    /// Routed expert parameters (zero for a dense model).
    pub routed: f64,
    /// Routed experts and how many each token uses (1 of 1 for a dense model).
    pub experts: f64,
    pub experts_per_token: f64,
    /// Parameters active per token.
    pub active: f64,
}

impl Weights {
    pub fn total(&self) -> f64 {
        self.shared + self.routed
    }

    pub fn is_moe(&self) -> bool {
        self.routed > 0.0
    }

    /// Expected share of the routed experts a step of `tokens` tokens touches, under
    /// uniform routing: 1 − (1 − k/E)^tokens.
    pub fn routed_share_touched(&self, tokens: f64) -> f64 {
        if !self.is_moe() {
            return 0.0;
        }
        1.0 - (1.0 - self.experts_per_token / self.experts).powf(tokens.max(0.0))
    }
}

/// The figures serving needs, resolved from a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Architecture {
    pub weights: Weights,
    pub layers: u32,
    /// KV bytes per token at 16-bit precision.
    pub kv_bytes_per_token_16bit: f64,
    /// Heads the KV cache splits into across tensor-parallel ranks (1 for a latent cache,
    /// which every rank holds whole).
    pub kv_split: u32,
    pub hidden: f64,
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

    pub fn is_moe(&self) -> bool {
        matches!((self.params, self.active_params), (Some(p), Some(a)) if a < p)
    }

    /// KV cache bytes per token at 16-bit: stated, else from the architecture.
    pub fn kv_bytes_16bit(&self) -> Option<f64> {
        if let Some(b) = self.kv_bytes_per_token {
            return Some(b);
        }
        let layers = f64::from(self.layers?);
        if let Some(latent) = self.kv_latent_dim {
            return Some(layers * f64::from(latent) * 2.0);
        }
        Some(layers * f64::from(self.kv_heads?) * f64::from(self.head_dim?) * 2.0 * 2.0)
    }

    /// Everything serving needs, or what is missing.
    pub fn architecture(&self) -> Result<Architecture, ModelError> {
        let missing = |what: &str| {
            ModelError::ModelFigures(format!(
                "{}: serving needs {what}, which the model does not give",
                self.id
            ))
        };
        let active = self
            .active()
            .ok_or_else(|| missing("the parameter count"))?;
        let layers = self.layers.ok_or_else(|| missing("the number of layers"))?;
        let kv = self.kv_bytes_16bit().ok_or_else(|| {
            missing("the KV cache size (KV heads and head dimension, or bytes per token)")
        })?;
        let weights = self.weights(active)?;
        // Residual width when not given: a transformer has ~12 × layers × width² parameters.
        let hidden = self
            .hidden
            .map(f64::from)
            .unwrap_or_else(|| (weights.shared.max(active) / (12.0 * f64::from(layers))).sqrt());
        let kv_split = match (self.kv_latent_dim, self.kv_heads) {
            (Some(_), _) => 1,
            (None, Some(h)) => h,
            (None, None) => u32::MAX,
        };
        Ok(Architecture {
            weights,
            layers,
            kv_bytes_per_token_16bit: kv,
            kv_split,
            hidden,
        })
    }

    fn weights(&self, active: f64) -> Result<Weights, ModelError> {
        let total = self.params.unwrap_or(active);
        if !self.is_moe() {
            return Ok(Weights {
                shared: total,
                routed: 0.0,
                experts: 1.0,
                experts_per_token: 1.0,
                active: total,
            });
        }
        let (Some(e), Some(k)) = (self.experts, self.experts_per_token) else {
            return Err(ModelError::ModelFigures(format!(
                "{} is a mixture of experts ({} active of {} parameters): serving needs its \
                 expert count and experts per token",
                self.id,
                super::units::si(active),
                super::units::si(total)
            )));
        };
        if k == 0 || k >= e {
            return Err(ModelError::ModelFigures(format!(
                "{}: experts per token ({k}) must be at least 1 and fewer than the experts ({e})",
                self.id
            )));
        }
        let (e, k) = (f64::from(e), f64::from(k));
        // active = shared + routed × k/E and total = shared + routed, unless stated.
        let routed = self
            .expert_params
            .unwrap_or((total - active) / (1.0 - k / e));
        let shared = total - routed;
        if !(shared > 0.0 && routed > 0.0) {
            return Err(ModelError::ModelFigures(format!(
                "{}: the expert parameters ({}) leave no shared parameters of {} in total",
                self.id,
                super::units::si(routed),
                super::units::si(total)
            )));
        }
        Ok(Weights {
            shared,
            routed,
            experts: e,
            experts_per_token: k,
            active,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mixtral() -> ReferenceModel {
        ReferenceModel {
            id: "mixtral".into(),
            params: Some(46.7e9),
            active_params: Some(12.9e9),
            layers: Some(32),
            kv_heads: Some(8),
            head_dim: Some(128),
            experts: Some(8),
            experts_per_token: Some(2),
            ..ReferenceModel::default()
        }
    }

    #[test]
    fn moe_split_reproduces_total_and_active() {
        let w = mixtral().architecture().unwrap().weights;
        assert!((w.total() - 46.7e9).abs() < 1.0);
        assert!((w.shared + w.routed * 2.0 / 8.0 - 12.9e9).abs() < 1e3);
        // One token touches k/E of the routed experts; a big batch touches them all.
        assert!((w.routed_share_touched(1.0) - 0.25).abs() < 1e-12);
        assert!(w.routed_share_touched(1e4) > 0.999_999);
    }

    #[test]
    fn moe_without_expert_figures_is_refused() {
        let mut m = mixtral();
        m.experts = None;
        let e = m.architecture().unwrap_err().to_string();
        assert!(e.contains("expert count"), "{e}");
    }

    #[test]
    fn kv_per_token_from_gqa_or_latent_attention() {
        let m = mixtral();
        assert_eq!(m.kv_bytes_16bit(), Some(32.0 * 8.0 * 128.0 * 2.0 * 2.0));
        let mla = ReferenceModel {
            layers: Some(61),
            kv_latent_dim: Some(576),
            ..ReferenceModel::default()
        };
        assert_eq!(mla.kv_bytes_16bit(), Some(61.0 * 576.0 * 2.0));
    }
}
