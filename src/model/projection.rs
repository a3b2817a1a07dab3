//! A projection: a scenario (accelerator, fleet size, PUE, largest site, model) under
//! assumptions, turned into count, power, training and inference figures with ranges. This
//! is the pure API other callers use (e.g. with a measured local GPU as the accelerator and
//! a measured efficiency as MFU).

use serde::Serialize;

use super::accelerator::{Accelerator, PowerMethod};
use super::assumptions::{Assumptions, Sourced};
use super::error::ModelError;
use super::fleet::Site;
use super::inference::{self, Inference, InferenceGap};
use super::power::{self, Binding};
use super::precision::{self, Bf16Peak, Precision};
use super::range::Range;
use super::reference::ReferenceModel;
use super::training::{self, Goodput, JobLimits, Training};

/// How big a fleet is: a count, a facility power, or both as a source states them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FleetSize {
    Count(Range),
    /// Facility power in watts.
    Power(Range),
    CountAndPower {
        count: Range,
        power_w: Range,
    },
}

/// Everything a projection needs besides the assumptions.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The fleet id, or a label such as "h100 x 16384".
    pub id: String,
    pub accelerator: Accelerator,
    pub size: FleetSize,
    /// The fleet's PUE (an assumption's `pue` overrides it).
    pub pue: Sourced<Range>,
    pub model: ReferenceModel,
    /// The largest site, when the fleet spans several.
    pub site: Option<Site>,
}

/// A projection's figures, each a range.
#[derive(Debug, Clone)]
pub struct Projection {
    pub id: String,
    pub accelerator: String,
    /// The accelerator's thermal design power, where published.
    pub tdp_w: Option<f64>,
    pub model: ReferenceModel,
    pub precision: Precision,
    /// Accelerators projected (the binding one of a stated count and power).
    pub count: Range,
    /// What the source states, what its power feeds, and which binds (both stated).
    pub count_stated: Option<Range>,
    pub count_power_fed: Option<Range>,
    pub binding: Option<Binding>,
    /// Facility power in watts; `None` when the accelerator has no power figure.
    pub power_w: Option<Range>,
    pub all_in_kw: Option<(Range, PowerMethod)>,
    pub pue: Sourced<Range>,
    /// Dense peak FLOP/s per accelerator in the training format (BF16 derived where
    /// unpublished) and in the serving format.
    pub peak_flops: Range,
    /// The BF16 peak MFU is quoted against (`None` for an accelerator without BF16, FP8
    /// or FP4, which trains in its own format).
    pub bf16_peak: Option<Bf16Peak>,
    pub serve_peak_flops: Range,
    /// The count the model derives from a stated power, when a count is stated too.
    pub modelled_count: Option<Range>,
    /// Set when the source's count and power disagree with the model.
    pub disagreement: Option<String>,
    /// The fleet's largest site, when it spans several (it bounds one training job).
    pub site: Option<Site>,
    pub training: Option<Training>,
    pub inference: std::result::Result<Inference, InferenceGap>,
}

/// Counts and powers, with the model's check of a stated pair.
#[derive(Debug, Clone, Serialize)]
struct Sizing {
    count: Range,
    power_w: Option<Range>,
    count_stated: Option<Range>,
    count_power_fed: Option<Range>,
    binding: Option<Binding>,
    disagreement: Option<String>,
}

fn size(scenario: &Scenario, per_acc_w: Option<Range>) -> Result<Sizing, ModelError> {
    let no_power = || ModelError::NoPowerFigure {
        accelerator: scenario.accelerator.id.clone(),
    };
    let sizing = |count, power_w| Sizing {
        count,
        power_w,
        count_stated: None,
        count_power_fed: None,
        binding: None,
        disagreement: None,
    };
    Ok(match scenario.size {
        FleetSize::Count(count) => {
            sizing(count, per_acc_w.map(|w| power::power_from_count(count, w)))
        }
        FleetSize::Power(power_w) => sizing(
            power::count_from_power(power_w, per_acc_w.ok_or_else(no_power)?),
            Some(power_w),
        ),
        FleetSize::CountAndPower { count, power_w } => {
            let fed = per_acc_w.map(|w| power::count_from_power(power_w, w));
            let (projected, binding) = match fed {
                Some(fed) => power::binding_count(count, fed),
                None => (count, Binding::Count),
            };
            Sizing {
                count: projected,
                power_w: Some(power_w),
                count_stated: Some(count),
                count_power_fed: fed,
                binding: fed.map(|_| binding),
                disagreement: fed.and_then(|m| power::disagreement(count, m, power_w)),
            }
        }
    })
}

/// The global batch one job trains with: the user's, else the model's published one,
/// else the compute-optimal batch law at the model's training compute, or (that unknown)
/// at the compute its size is compute-optimal for.
fn global_batch(model: &ReferenceModel, a: &Assumptions) -> Option<f64> {
    a.global_batch_tokens
        .as_ref()
        .map(|s| s.value)
        .or(model.global_batch_tokens)
        .or_else(|| {
            let compute = model.training_flop().or_else(|| {
                model
                    .active()
                    .map(|active| a.compute_optimal_model.value.inverse(6.0 * active))
            })?;
            Some(a.critical_batch.value.at(compute))
        })
}

fn goodput(a: &Assumptions) -> Goodput {
    match &a.goodput {
        Some(g) => Goodput::Fixed(g.value),
        None => Goodput::Failures {
            rate: a.failure_rate_per_accelerator_hour.value,
            cost_hours: a.interruption_cost_hours.value,
        },
    }
}

/// Accelerators the largest site holds, from its count or its power.
fn site_accelerators(site: Option<&Site>, per_acc_w: Option<Range>) -> Option<Range> {
    let site = site?;
    site.count.or_else(|| {
        site.power_gw
            .zip(per_acc_w)
            .map(|(gw, w)| power::count_from_power(gw.scale(1e9), w))
    })
}

/// Projects a scenario. Fails when the accelerator lacks a format, or is sized by power
/// without a power figure, or when a serving constraint the user fixed cannot hold; an
/// inference that cannot be made otherwise is reported in `Projection::inference` so the
/// training half still stands.
pub fn project(scenario: &Scenario, a: &Assumptions) -> Result<Projection, ModelError> {
    let acc = &scenario.accelerator;
    let model = &scenario.model;
    let pue = a.pue.clone().unwrap_or_else(|| scenario.pue.clone());
    let all_in = acc.all_in_kw(&a.power());
    let per_acc_w = all_in.map(|(kw, _)| power::facility_w_per_accelerator(kw, pue.value));
    let sizing = size(scenario, per_acc_w)?;
    let (train_share, serve_share) = a.split();
    let bf16_peak = precision::bf16_peak(acc).ok();
    let peak_flops = match (a.precision.train, &bf16_peak) {
        (super::accelerator::DType::Bf16, Some(bf16)) => bf16.flops,
        (other, _) => acc.peak_flops(other)?,
    };
    let training = if train_share > 0.0 {
        let limits = JobLimits {
            global_batch_tokens: global_batch(model, a),
            min_tokens_per_accelerator: a.min_tokens_per_accelerator.value,
            site_accelerators: site_accelerators(scenario.site.as_ref(), per_acc_w),
        };
        Some(training::project(
            sizing.count.scale(train_share),
            precision::training_flops(acc, a)?,
            model.active(),
            model.training_flop(),
            &limits,
            goodput(a),
        ))
    } else {
        None
    };
    let serve_peak_flops = acc.peak_flops(a.precision.serve)?;
    let inference = if serve_share > 0.0 {
        inference::project(acc, model, a, sizing.count.scale(serve_share), per_acc_w)?
    } else {
        Err(InferenceGap::Unavailable(
            "no share of the fleet serves".into(),
        ))
    };
    Ok(Projection {
        id: scenario.id.clone(),
        accelerator: acc.id.clone(),
        tdp_w: acc.tdp_w,
        model: model.clone(),
        precision: a.precision,
        count: sizing.count,
        count_stated: sizing.count_stated,
        count_power_fed: sizing.count_power_fed,
        binding: sizing.binding,
        power_w: sizing.power_w,
        all_in_kw: all_in,
        pue,
        peak_flops,
        bf16_peak,
        serve_peak_flops,
        modelled_count: sizing.count_power_fed,
        disagreement: sizing.disagreement,
        site: scenario.site.clone(),
        training,
        inference,
    })
}

/// How many of a measured local GPU (at `local_flops_per_s` achieved) match a fleet's
/// achieved training FLOP/s: the "equivalents of this GPU" of issue 4.
pub fn local_equivalents(fleet_flops_per_s: Range, local_flops_per_s: f64) -> Option<Range> {
    (local_flops_per_s.is_finite() && local_flops_per_s > 0.0)
        .then(|| fleet_flops_per_s.scale(1.0 / local_flops_per_s))
}
