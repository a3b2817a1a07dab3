//! The assumptions a projection rests on (MFU, goodput, PUE, power overhead, serving
//! utilisation, batch, context, tokens per user), each with its value and where it comes
//! from. Defaults are read from `data/assumptions.toml`; every field can be overridden
//! (a single value or a low/central/high range) by a caller or a command-line flag.

use serde::{Deserialize, Serialize};

use super::accelerator::DType;
use super::range::Range;

/// A value with its status and source, as printed under every projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced<T> {
    pub value: T,
    pub status: String,
    pub source: String,
}

impl<T> Sourced<T> {
    /// A value the user supplied through a flag (or a caller through the API).
    pub fn user(value: T, flag: &str) -> Self {
        Sourced {
            value,
            status: "user".into(),
            source: format!("set with {flag}"),
        }
    }
}

/// The catalog's default assumptions (`data/assumptions.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub mfu: Sourced<Range>,
    pub goodput: Sourced<Range>,
    pub pue: Sourced<Range>,
    pub tdp_overhead: Sourced<Range>,
    pub compute_util: Sourced<Range>,
    pub bandwidth_util: Sourced<Range>,
    pub memory_usable: Sourced<f64>,
    pub batch: Sourced<f64>,
    pub context_tokens: Sourced<f64>,
    pub tokens_per_user_day: Sourced<f64>,
    pub model: Sourced<String>,
}

/// Everything a projection assumes besides the fleet and the model.
#[derive(Debug, Clone, Serialize)]
pub struct Assumptions {
    pub dtype: DType,
    /// Model FLOPs utilisation during training.
    pub mfu: Sourced<Range>,
    /// Fraction of wall-clock time doing useful training steps.
    pub goodput: Sourced<Range>,
    /// Overrides the fleet's own PUE when set.
    pub pue: Option<Sourced<Range>>,
    /// All-in power / TDP for accelerators with no system power figure.
    pub tdp_overhead: Sourced<Range>,
    /// Share of peak FLOP/s reached while serving (decode compute bound and prefill).
    pub compute_util: Sourced<Range>,
    /// Share of memory bandwidth reached while decoding.
    pub bandwidth_util: Sourced<Range>,
    /// Share of accelerator memory usable for weights and KV cache.
    pub memory_usable: Sourced<f64>,
    /// Sequences decoded together per model replica.
    pub batch: Sourced<f64>,
    /// Average context held in the KV cache per sequence, in tokens.
    pub context_tokens: Sourced<f64>,
    pub tokens_per_user_day: Sourced<f64>,
    /// Share of the fleet serving; `None` means each section uses the whole fleet.
    pub inference_share: Option<f64>,
}

impl Assumptions {
    /// The catalog defaults, training in `dtype`.
    pub fn from_defaults(defaults: &Defaults, dtype: DType) -> Self {
        Assumptions {
            dtype,
            mfu: defaults.mfu.clone(),
            goodput: defaults.goodput.clone(),
            pue: None,
            tdp_overhead: defaults.tdp_overhead.clone(),
            compute_util: defaults.compute_util.clone(),
            bandwidth_util: defaults.bandwidth_util.clone(),
            memory_usable: defaults.memory_usable.clone(),
            batch: defaults.batch.clone(),
            context_tokens: defaults.context_tokens.clone(),
            tokens_per_user_day: defaults.tokens_per_user_day.clone(),
            inference_share: None,
        }
    }

    /// The share of the fleet training and the share serving.
    pub fn split(&self) -> (f64, f64) {
        match self.inference_share {
            Some(share) => (1.0 - share, share),
            None => (1.0, 1.0),
        }
    }
}
