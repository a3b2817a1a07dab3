//! Inference from a roofline. Decode tokens/s per model replica is the lower of the
//! compute bound (peak × util / (2 × active params) per token) and the memory bound
//! (bandwidth × util × batch / bytes read per step: weights in the chosen dtype plus the
//! KV cache). A model too large for one accelerator is split tensor-parallel across the
//! fewest that hold it, up to the scale-up domain; beyond that it does not fit.

use serde::Serialize;

use super::accelerator::{Accelerator, DType};
use super::assumptions::Assumptions;
use super::range::Range;
use super::reference::ReferenceModel;
use super::units::si;

/// ChatGPT weekly active users, the yardstick for "users served" (facts/fleets.tsv).
pub const CHATGPT_WEEKLY_USERS: [(&str, f64); 2] = [("2025-08", 700e6), ("2025-10", 800e6)];

const JOULES_PER_MWH: f64 = 3.6e9;

/// Why an inference projection could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum InferenceGap {
    /// Weights and KV cache exceed the memory a replica may span (bad input).
    DoesNotFit(String),
    /// The model lacks a figure inference needs, or no share of the fleet serves.
    Unavailable(String),
}

impl InferenceGap {
    pub fn message(&self) -> &str {
        match self {
            InferenceGap::DoesNotFit(m) | InferenceGap::Unavailable(m) => m,
        }
    }
}

/// What the serving share of a fleet achieves.
#[derive(Debug, Clone, Serialize)]
pub struct Inference {
    /// Accelerators serving.
    pub accelerators: Range,
    /// Accelerators one model replica spans (tensor parallel).
    pub replica_size: u32,
    /// Which roofline bound limits decode at the central values.
    pub bound: &'static str,
    pub decode_tokens_per_s_per_accelerator: Range,
    pub prefill_tokens_per_s_per_accelerator: Range,
    /// Fleet decode tokens/s.
    pub tokens_per_s: Range,
    pub users_served: Range,
    /// Facility joules per generated token; `None` when the accelerator has no power figure.
    pub joules_per_token: Option<Range>,
    pub tokens_per_mwh: Option<Range>,
}

/// Memory a replica needs: weights plus the batch's KV cache, in bytes.
fn bytes_needed(model: &ReferenceModel, dtype: DType, a: &Assumptions, total: f64) -> (f64, f64) {
    let weights = total * dtype.bytes();
    // The catalog gives KV bytes at 16-bit; the cache is kept in the chosen format.
    let kv_per_token = model.kv_bytes_per_token.unwrap_or(0.0) * dtype.bytes() / 2.0;
    let kv = a.batch.value * a.context_tokens.value * kv_per_token;
    (weights, kv)
}

/// The fewest accelerators holding `bytes`, or why none can.
fn replica_size(
    acc: &Accelerator,
    bytes: f64,
    usable: f64,
    what: &str,
) -> Result<u32, InferenceGap> {
    let per = acc.memory_bytes() * usable;
    let needed = (bytes / per).ceil().max(1.0);
    if needed <= f64::from(acc.scaleup_domain) {
        return Ok(needed as u32);
    }
    Err(InferenceGap::DoesNotFit(format!(
        "{what} needs {}B but {} holds {}B usable per accelerator and a replica may span at most {} \
         (its scale-up domain): it does not fit for inference; try a smaller --dtype or another accelerator",
        si(bytes),
        acc.id,
        si(per),
        acc.scaleup_domain
    )))
}

/// Projects decode and prefill on `accelerators` serving accelerators.
pub fn project(
    acc: &Accelerator,
    peak: Range,
    model: &ReferenceModel,
    a: &Assumptions,
    accelerators: Range,
    facility_w_per_accelerator: Option<Range>,
) -> Result<Inference, InferenceGap> {
    let Some(active) = model.active() else {
        return Err(InferenceGap::Unavailable(format!(
            "{}: inference needs the parameter count (not public; give --params)",
            model.id
        )));
    };
    let total = model.params.unwrap_or(active);
    let (weights, kv) = bytes_needed(model, a.dtype, a, total);
    let what = format!(
        "{} in {} ({}B weights + {}B KV cache for {} x {} tokens)",
        model.id,
        a.dtype,
        si(weights),
        si(kv),
        a.batch.value,
        a.context_tokens.value
    );
    let replica = replica_size(acc, weights + kv, a.memory_usable.value, &what)?;
    let n = f64::from(replica);
    // A batch touches at most batch × active parameters (MoE), never more than all of them.
    let weights_read = total.min(active * a.batch.value) * a.dtype.bytes();
    let step_bytes = weights_read + kv;
    let memory = a
        .bandwidth_util
        .value
        .scale(n * acc.bandwidth_bytes_per_s() * a.batch.value / step_bytes);
    let compute = peak.times(a.compute_util.value).scale(n / (2.0 * active));
    let per_replica = compute.min(memory);
    let per_acc = per_replica.scale(1.0 / n);
    let tokens_per_s = per_acc.times(accelerators);
    let joules = facility_w_per_accelerator.map(|w| w.per(per_acc));
    Ok(Inference {
        accelerators,
        replica_size: replica,
        bound: if memory.central < compute.central {
            "memory"
        } else {
            "compute"
        },
        decode_tokens_per_s_per_accelerator: per_acc,
        prefill_tokens_per_s_per_accelerator: compute.scale(1.0 / n),
        tokens_per_s,
        users_served: tokens_per_s.scale(86_400.0 / a.tokens_per_user_day.value),
        joules_per_token: joules,
        tokens_per_mwh: joules.map(|j| j.recip_times(JOULES_PER_MWH)),
    })
}
