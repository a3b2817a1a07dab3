//! A projection: a scenario (accelerator, fleet size, PUE, model) under assumptions,
//! turned into count, power, training and inference figures with ranges. This is the
//! pure API other callers use (e.g. with a measured local GPU as the accelerator and a
//! measured efficiency as MFU).

use serde::Serialize;

use super::accelerator::{Accelerator, PowerMethod};
use super::assumptions::{Assumptions, Sourced};
use super::inference::{self, Inference, InferenceGap};
use super::power;
use super::range::Range;
use super::reference::ReferenceModel;
use super::training::{self, Training};
use crate::error::{Error, Result};

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
}

/// A projection's figures, each a range.
#[derive(Debug, Clone)]
pub struct Projection {
    pub id: String,
    pub accelerator: String,
    pub model: ReferenceModel,
    pub count: Range,
    /// Facility power in watts; `None` when the accelerator has no power figure.
    pub power_w: Option<Range>,
    pub all_in_kw: Option<(Range, PowerMethod)>,
    pub pue: Sourced<Range>,
    /// Dense peak FLOP/s per accelerator in the chosen data type.
    pub peak_flops: Range,
    /// The count the model derives from a stated power, when a count is stated too.
    pub modelled_count: Option<Range>,
    /// Set when the source's count and power disagree with the model.
    pub disagreement: Option<String>,
    pub training: Option<Training>,
    pub inference: std::result::Result<Inference, InferenceGap>,
}

/// Counts and powers, with the model's check of a stated pair.
#[derive(Debug, Clone, Copy, Serialize)]
struct Sizing {
    count: Range,
    power_w: Option<Range>,
    modelled_count: Option<Range>,
}

fn size(scenario: &Scenario, per_acc_w: Option<Range>) -> Result<(Sizing, Option<String>)> {
    let no_power = || {
        Error::usage(format!(
            "{} has no published power figure, so a count cannot be derived from power; give --gpus N instead",
            scenario.accelerator.id
        ))
    };
    Ok(match scenario.size {
        FleetSize::Count(count) => {
            let power_w = per_acc_w.map(|w| power::power_from_count(count, w));
            (
                Sizing {
                    count,
                    power_w,
                    modelled_count: None,
                },
                None,
            )
        }
        FleetSize::Power(power_w) => {
            let count = power::count_from_power(power_w, per_acc_w.ok_or_else(no_power)?);
            (
                Sizing {
                    count,
                    power_w: Some(power_w),
                    modelled_count: None,
                },
                None,
            )
        }
        FleetSize::CountAndPower { count, power_w } => {
            let modelled_count = per_acc_w.map(|w| power::count_from_power(power_w, w));
            let check = modelled_count.and_then(|m| power::disagreement(count, m, power_w));
            (
                Sizing {
                    count,
                    power_w: Some(power_w),
                    modelled_count,
                },
                check,
            )
        }
    })
}

/// Projects a scenario. Fails (usage error) when the accelerator lacks the data type or,
/// sized by power, a power figure; an inference that cannot be made is reported in
/// `Projection::inference` so the training half still stands.
pub fn project(scenario: &Scenario, a: &Assumptions) -> Result<Projection> {
    let acc = &scenario.accelerator;
    let peak = acc.peak_flops(a.dtype).map_err(Error::usage)?;
    let pue = a.pue.clone().unwrap_or_else(|| scenario.pue.clone());
    let all_in = acc.all_in_kw(a.tdp_overhead.value);
    let per_acc_w = all_in.map(|(kw, _)| power::facility_w_per_accelerator(kw, pue.value));
    let (sizing, disagreement) = size(scenario, per_acc_w)?;
    let (train_share, serve_share) = a.split();
    let model = &scenario.model;
    let training = (train_share > 0.0).then(|| {
        let per = training::effective_flops(peak, a.mfu.value, a.goodput.value);
        training::project(
            sizing.count.scale(train_share),
            per,
            model.active(),
            model.training_flop(),
        )
    });
    let inference = if serve_share > 0.0 {
        inference::project(
            acc,
            peak,
            model,
            a,
            sizing.count.scale(serve_share),
            per_acc_w,
        )
    } else {
        Err(InferenceGap::Unavailable(
            "--inference-share 0: no accelerator serves".into(),
        ))
    };
    Ok(Projection {
        id: scenario.id.clone(),
        accelerator: acc.id.clone(),
        model: model.clone(),
        count: sizing.count,
        power_w: sizing.power_w,
        all_in_kw: all_in,
        pue,
        peak_flops: peak,
        modelled_count: sizing.modelled_count,
        disagreement,
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
