//! The assumptions a projection rests on (MFU, training speedups, failure rate, PUE, power
//! overheads, serving efficiency per format, request shape, users), each with its value and
//! where it comes from. Defaults are read from `data/assumptions.toml`; a caller (or a
//! command-line flag) overrides any of them with a single value or a low/central/high range.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::accelerator::{Accelerator, DType, PowerAssumptions};
use super::error::ModelError;
use super::inference::layout::Layout;
use super::precision::{Precision, PrecisionChoice};
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
    /// A value the user supplied (through a flag, or a caller through the API).
    pub fn user(value: T, how: &str) -> Self {
        Sourced {
            value,
            status: "user".into(),
            source: format!("set with {how}"),
        }
    }
}

/// A fitted power law y = coefficient × x^exponent (the optimal batch in tokens, or the
/// optimal model scale in FLOPs per token, against the compute C in FLOP).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerLaw {
    pub coefficient: f64,
    pub exponent: f64,
}

impl PowerLaw {
    /// The law's value at `x`: coefficient × x^exponent.
    pub fn at(&self, x: f64) -> f64 {
        self.coefficient * x.powf(self.exponent)
    }

    /// The `x` at which the law reaches `y`.
    pub fn inverse(&self, y: f64) -> f64 {
        (y / self.coefficient).powf(1.0 / self.exponent)
    }
}

/// The catalog's default assumptions (`data/assumptions.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub mfu: Sourced<Range>,
    pub fp8_training_speedup: Sourced<Range>,
    pub fp4_training_speedup: Sourced<Range>,
    pub failure_rate_per_accelerator_hour: Sourced<Range>,
    pub interruption_cost_hours: Sourced<Range>,
    pub min_tokens_per_accelerator: Sourced<f64>,
    pub critical_batch: Sourced<PowerLaw>,
    pub compute_optimal_model: Sourced<PowerLaw>,
    pub pue: Sourced<Range>,
    pub host_overhead_kw: Sourced<Range>,
    pub scaleout_share: Sourced<Range>,
    pub serving_efficiency: BTreeMap<DType, Sourced<Range>>,
    pub memory_usable: Sourced<f64>,
    pub allreduce_latency_us: Sourced<Range>,
    pub pipeline_efficiency: Sourced<Range>,
    pub expert_parallel_efficiency: Sourced<Range>,
    pub input_tokens: Sourced<f64>,
    pub output_tokens: Sourced<f64>,
    pub messages_per_user_day: Sourced<f64>,
    pub peak_to_average: Sourced<Range>,
    pub online_population: Sourced<f64>,
    /// The serving share `timeline` uses when no ramp is given.
    pub timeline_inference_share: Sourced<f64>,
    pub model: Sourced<String>,
}

/// How many sequences a replica decodes together.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum BatchChoice {
    /// The largest batch whose KV cache fits (continuous batching fills memory), lowered
    /// until any latency target holds.
    #[default]
    Auto,
    Fixed(u64),
}

/// Serialised like every other assumption, `{value, status, source}` (the shape scripts
/// read since the batch was a fixed figure); `value` is `"auto"` or the fixed batch.
impl Serialize for BatchChoice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Value {
            Auto(&'static str),
            Fixed(u64),
        }
        let (value, status, source) = match self {
            BatchChoice::Auto => (
                Value::Auto("auto"),
                "derived",
                "the largest batch whose weights and KV cache fit a replica's memory \
                 (continuous batching fills it), lowered until any latency target holds; \
                 the batch chosen is inference.batch",
            ),
            BatchChoice::Fixed(n) => (Value::Fixed(*n), "user", "fixed by the user"),
        };
        Sourced {
            value,
            status: status.into(),
            source: source.into(),
        }
        .serialize(s)
    }
}

/// Latency targets a serving layout and batch must meet, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LatencyTargets {
    /// Time per output token.
    pub tpot_ms: Option<f64>,
    /// Time to first token.
    pub ttft_ms: Option<f64>,
}

/// Everything a projection assumes besides the fleet and the model.
#[derive(Debug, Clone, Serialize)]
pub struct Assumptions {
    #[serde(flatten)]
    pub precision: Precision,
    /// Model FLOPs utilisation during training, against the BF16 dense peak.
    pub mfu: Sourced<Range>,
    pub fp8_training_speedup: Sourced<Range>,
    pub fp4_training_speedup: Sourced<Range>,
    /// A fixed goodput instead of the failure model, when the user gives one. Serialised
    /// by the projection's JSON, which knows the largest job's goodput otherwise.
    #[serde(skip)]
    pub goodput: Option<Sourced<Range>>,
    pub failure_rate_per_accelerator_hour: Sourced<Range>,
    pub interruption_cost_hours: Sourced<Range>,
    pub min_tokens_per_accelerator: Sourced<f64>,
    pub critical_batch: Sourced<PowerLaw>,
    /// Compute-optimal model scale (FLOPs per token) against compute: inverted, it gives
    /// the compute a model without a published training compute was sized for.
    pub compute_optimal_model: Sourced<PowerLaw>,
    /// A global batch in tokens instead of the model's published (or the law's) one.
    pub global_batch_tokens: Option<Sourced<f64>>,
    /// Overrides the fleet's own PUE when set.
    #[serde(skip)]
    pub pue: Option<Sourced<Range>>,
    pub host_overhead_kw: Sourced<Range>,
    pub scaleout_share: Sourced<Range>,
    /// Share of peak compute and bandwidth a serving stack reaches, per format.
    pub serving_efficiency: BTreeMap<DType, Sourced<Range>>,
    /// Share of accelerator memory usable for weights and KV cache.
    pub memory_usable: Sourced<f64>,
    pub allreduce_latency_us: Sourced<Range>,
    pub pipeline_efficiency: Sourced<Range>,
    pub expert_parallel_efficiency: Sourced<Range>,
    pub batch: BatchChoice,
    /// A serving layout fixed by the user; `None` searches for the best.
    pub layout: Option<Layout>,
    pub latency: LatencyTargets,
    pub input_tokens: Sourced<f64>,
    pub output_tokens: Sourced<f64>,
    pub messages_per_user_day: Sourced<f64>,
    /// Tokens a user consumes per day, when the user fixes it instead of deriving it.
    #[serde(skip)]
    pub tokens_per_user_day_override: Option<Sourced<f64>>,
    pub peak_to_average: Sourced<Range>,
    pub online_population: Sourced<f64>,
    /// Share of the fleet serving; `None` means each section uses the whole fleet.
    pub inference_share: Option<f64>,
}

impl Assumptions {
    /// The catalog defaults, in the given formats.
    pub fn from_defaults(d: &Defaults, precision: Precision) -> Self {
        Assumptions {
            precision,
            mfu: d.mfu.clone(),
            fp8_training_speedup: d.fp8_training_speedup.clone(),
            fp4_training_speedup: d.fp4_training_speedup.clone(),
            goodput: None,
            failure_rate_per_accelerator_hour: d.failure_rate_per_accelerator_hour.clone(),
            interruption_cost_hours: d.interruption_cost_hours.clone(),
            min_tokens_per_accelerator: d.min_tokens_per_accelerator.clone(),
            critical_batch: d.critical_batch.clone(),
            compute_optimal_model: d.compute_optimal_model.clone(),
            global_batch_tokens: None,
            pue: None,
            host_overhead_kw: d.host_overhead_kw.clone(),
            scaleout_share: d.scaleout_share.clone(),
            serving_efficiency: d.serving_efficiency.clone(),
            memory_usable: d.memory_usable.clone(),
            allreduce_latency_us: d.allreduce_latency_us.clone(),
            pipeline_efficiency: d.pipeline_efficiency.clone(),
            expert_parallel_efficiency: d.expert_parallel_efficiency.clone(),
            batch: BatchChoice::Auto,
            layout: None,
            latency: LatencyTargets::default(),
            input_tokens: d.input_tokens.clone(),
            output_tokens: d.output_tokens.clone(),
            messages_per_user_day: d.messages_per_user_day.clone(),
            tokens_per_user_day_override: None,
            peak_to_average: d.peak_to_average.clone(),
            online_population: d.online_population.clone(),
            inference_share: None,
        }
    }

    /// These assumptions in the formats `choice` resolves to on `acc`.
    pub fn for_accelerator(
        &self,
        acc: &Accelerator,
        choice: &PrecisionChoice,
    ) -> Result<Self, ModelError> {
        Ok(Assumptions {
            precision: choice.resolve(acc)?,
            ..self.clone()
        })
    }

    /// The share of the fleet training and the share serving.
    pub fn split(&self) -> (f64, f64) {
        match self.inference_share {
            Some(share) => (1.0 - share, share),
            None => (1.0, 1.0),
        }
    }

    /// Serving efficiency of the serving format (BF16's where the format has none).
    pub fn serving_efficiency(&self) -> Sourced<Range> {
        let dtype = self.precision.serve;
        self.serving_efficiency
            .get(&dtype)
            .or_else(|| self.serving_efficiency.get(&DType::Bf16))
            .cloned()
            .unwrap_or_else(|| Sourced {
                value: Range::exact(0.5),
                status: "assumed".into(),
                source: format!("no serving efficiency for {dtype} in the catalog"),
            })
    }

    pub fn power(&self) -> PowerAssumptions {
        PowerAssumptions {
            host_overhead_kw: self.host_overhead_kw.value,
            scaleout_share: self.scaleout_share.value,
        }
    }

    /// Tokens per request (input + output): the longest context a sequence holds.
    pub fn context_tokens(&self) -> Sourced<f64> {
        Sourced {
            value: self.input_tokens.value + self.output_tokens.value,
            status: "derived".into(),
            source: "input tokens + output tokens per request".into(),
        }
    }

    /// Tokens a user consumes per day, input and output counted: messages per user per
    /// day × tokens per request, unless fixed by the user.
    pub fn tokens_per_user_day(&self) -> Sourced<f64> {
        if let Some(t) = &self.tokens_per_user_day_override {
            return t.clone();
        }
        Sourced {
            value: self.messages_per_user_day.value * self.context_tokens().value,
            status: "derived".into(),
            source: format!(
                "{} messages per weekly user per day ({}) x (input + output) tokens per request",
                super::units::sig3(self.messages_per_user_day.value),
                self.messages_per_user_day.status
            ),
        }
    }
}
