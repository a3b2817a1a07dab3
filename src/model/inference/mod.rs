//! Serving as requests. A request is a prefill of its input tokens (compute-bound) and one
//! decode step per output token; throughput counts both. A replica is laid out TP × PP ×
//! EP over accelerators (`layout`), decodes a batch that continuous batching fills up to
//! memory (lowered for latency targets), and runs at a roofline per step (`step`); the
//! layout with the most output tokens/s per accelerator is chosen (`search`). The fleet
//! runs as many replicas as its serving accelerators hold.

pub mod layout;
pub mod search;
pub mod step;

use serde::Serialize;

use self::layout::{Layout, Limits};
use self::search::{Bound, Search};
use self::step::{Hardware, Knobs, Replica, Request, Shape, Timing};
use super::accelerator::Accelerator;
use super::assumptions::{Assumptions, BatchChoice};
use super::error::ModelError;
use super::precision::kv_bytes;
use super::range::Range;
use super::reference::ReferenceModel;
use super::users::{self, Users};

const JOULES_PER_MWH: f64 = 3.6e9;

/// Why a serving projection was not made, while the training half stands.
#[derive(Debug, Clone, PartialEq)]
pub enum InferenceGap {
    /// The model is larger than the serving accelerators' memory.
    DoesNotFit(String),
    /// The model lacks a figure serving needs (parameters, layers, KV cache, experts).
    MissingFigures(String),
    /// No share of the fleet serves.
    Unavailable(String),
}

impl InferenceGap {
    pub fn message(&self) -> &str {
        match self {
            InferenceGap::DoesNotFit(m)
            | InferenceGap::MissingFigures(m)
            | InferenceGap::Unavailable(m) => m,
        }
    }
}

/// What the serving share of a fleet achieves; rates are ranges.
#[derive(Debug, Clone, Serialize)]
pub struct Inference {
    /// Accelerators serving.
    pub accelerators: Range,
    /// Accelerators one replica spans, its layout, and the replicas the fleet runs.
    pub replica_size: u32,
    pub layout: Layout,
    pub replicas: Range,
    /// Sequences each replica decodes together.
    pub batch: u64,
    /// What sets the throughput at the central assumptions.
    pub bound: Bound,
    /// Output (decode) tokens/s per accelerator.
    pub decode_tokens_per_s_per_accelerator: Range,
    /// Input (prefill) tokens/s per accelerator, in the same steady state.
    pub prefill_tokens_per_s_per_accelerator: Range,
    /// Fleet output tokens/s.
    pub tokens_per_s: Range,
    pub requests_per_s: Range,
    /// Time per output token and time to first token, milliseconds.
    pub tpot_ms: Range,
    pub ttft_ms: Range,
    /// Weekly-active-user equivalents (see `users`).
    pub users_served: Range,
    pub users: Users,
    /// Facility joules per output token; `None` when the accelerator has no power figure.
    pub joules_per_token: Option<Range>,
    pub tokens_per_mwh: Option<Range>,
}

/// The serving knobs at the low, central and high ends of their ranges, ordered so that
/// throughput is lowest at `low`.
fn knob_corners(a: &Assumptions) -> [Knobs; 3] {
    let eff = a.serving_efficiency().value;
    let lat = a.allreduce_latency_us.value.scale(1e-6);
    let pp = a.pipeline_efficiency.value;
    let ep = a.expert_parallel_efficiency.value;
    let usable = a.memory_usable.value;
    let knobs = |e, l, p, x| Knobs {
        efficiency: e,
        allreduce_latency_s: l,
        pipeline_efficiency: p,
        expert_parallel_efficiency: x,
        memory_usable: usable,
    };
    [
        knobs(eff.low, lat.high, pp.low, ep.low),
        knobs(eff.central, lat.central, pp.central, ep.central),
        knobs(eff.high, lat.low, pp.high, ep.high),
    ]
}

fn hardware(acc: &Accelerator, peak: f64) -> Hardware {
    Hardware {
        peak_flops: peak,
        bandwidth: acc.bandwidth_bytes_per_s(),
        memory: acc.memory_bytes(),
        domain: acc.scaleup_domain,
        link: acc.scaleup_bytes_per_s(),
    }
}

fn range_of(values: [f64; 3]) -> Range {
    let mut v = values;
    v.sort_by(f64::total_cmp);
    Range {
        low: v[0],
        central: values[1].clamp(v[0], v[2]),
        high: v[2],
    }
}

/// Projects serving on `accelerators` serving accelerators. The outer error is a refusal
/// (a latency target, layout or batch the user fixed that cannot hold); the inner one a
/// gap reported beside the training half.
pub fn project(
    acc: &Accelerator,
    model: &ReferenceModel,
    a: &Assumptions,
    accelerators: Range,
    facility_w_per_accelerator: Option<Range>,
) -> Result<Result<Inference, InferenceGap>, ModelError> {
    let serve = a.precision.serve;
    let arch = match model.architecture() {
        Ok(arch) => arch,
        Err(e) => return Ok(Err(InferenceGap::MissingFigures(e.to_string()))),
    };
    let peak = acc.peak_flops(serve)?;
    let shape = Shape {
        arch,
        weight_bytes: serve.bytes(),
        kv_bytes: kv_bytes(serve),
    };
    let request = Request {
        input: a.input_tokens.value,
        output: a.output_tokens.value,
    };
    let corners = knob_corners(a);
    let what = format!("{} in {serve}", model.id);
    let search = Search {
        what: &what,
        hw: hardware(acc, peak.central),
        shape,
        request,
        knobs: corners[1],
        limits: Limits {
            domain: acc.scaleup_domain,
            has_fabric: acc.scaleup_bw_gbps.is_some(),
            layers: arch.layers,
            experts: arch.weights.experts as u32,
            accelerators: accelerators.low.floor(),
        },
        batch: a.batch,
        layout: a.layout,
        targets: a.latency,
    };
    let plan = match search.best() {
        Ok(plan) => plan,
        Err(ModelError::DoesNotFit(m)) if a.batch == BatchChoice::Auto && a.layout.is_none() => {
            return Ok(Err(InferenceGap::DoesNotFit(m)));
        }
        Err(e) => return Err(e),
    };
    let peaks = [peak.low, peak.central, peak.high];
    let timings: [Timing; 3] = std::array::from_fn(|i| {
        Replica {
            hw: hardware(acc, peaks[i]),
            ..plan.replica
        }
        .timing(plan.batch, request, &corners[i])
    });
    Ok(Ok(fleet(
        plan.replica.layout,
        plan.batch,
        plan.bound,
        &timings,
        accelerators,
        facility_w_per_accelerator,
        a,
    )))
}

/// The fleet's figures from one replica's timings at the three corners.
fn fleet(
    layout: Layout,
    batch: f64,
    bound: Bound,
    t: &[Timing; 3],
    accelerators: Range,
    facility_w: Option<Range>,
    a: &Assumptions,
) -> Inference {
    let n = f64::from(layout.accelerators());
    let per_replica = |f: fn(&Timing) -> f64| range_of([f(&t[0]), f(&t[1]), f(&t[2])]);
    let replicas = Range {
        low: (accelerators.low / n).floor(),
        central: (accelerators.central / n).floor(),
        high: (accelerators.high / n).floor(),
    };
    let output = per_replica(|t| t.output_tokens_per_s);
    let requests = replicas.times(per_replica(|t| t.requests_per_s));
    let per_acc = output.scale(1.0 / n);
    let users = users::served(requests, a);
    let joules = facility_w.map(|w| w.per(per_acc));
    Inference {
        accelerators,
        replica_size: layout.accelerators(),
        layout,
        replicas,
        batch: batch as u64,
        bound,
        decode_tokens_per_s_per_accelerator: per_acc,
        prefill_tokens_per_s_per_accelerator: per_replica(|t| t.input_tokens_per_s).scale(1.0 / n),
        tokens_per_s: replicas.times(output),
        requests_per_s: requests,
        tpot_ms: per_replica(|t| t.tpot * 1e3),
        ttft_ms: per_replica(|t| t.ttft * 1e3),
        users_served: users.weekly_equivalents,
        users,
        joules_per_token: joules,
        tokens_per_mwh: joules.map(|j| j.recip_times(JOULES_PER_MWH)),
    }
}
