//! The timing loop shared by GEMMs and probes: warm-up (the first dispatch compiles the
//! shader on many drivers), calibration of how many dispatches one sample holds so each
//! sample is long enough to time, then the samples themselves. A stop asked for by a
//! signal (`stop`) ends the loop before its next dispatch.

use super::stop;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::timing::{Sample, Timer, TimingMethod};

/// How much to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingPlan {
    pub warmup: u32,
    pub samples: u32,
    /// Each sample repeats the dispatch until it lasts at least this long.
    pub min_sample_seconds: f64,
    /// Never more dispatches than this in one sample.
    pub max_repeats: u32,
}

/// Per-dispatch times of every sample and how they were measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Timings {
    pub seconds_per_dispatch: Vec<f64>,
    pub repeats: u32,
    pub method: TimingMethod,
    /// Samples whose timestamps were rejected in favour of the wall clock.
    pub rejected_stamps: u32,
}

/// Warms up, calibrates and samples `dispatch` (which records one dispatch into a pass).
pub fn sample(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &SamplingPlan,
    dispatch: impl Fn(&mut wgpu::ComputePass<'_>),
) -> Result<Timings> {
    let run = |repeats: u32| -> Result<Sample> {
        stop::check()?;
        timer.time_pass(ctx, |pass| {
            for _ in 0..repeats {
                dispatch(pass);
            }
        })
    };
    let mut single = run(1)?;
    for _ in 0..plan.warmup {
        single = run(1)?;
    }
    let repeats = repeats_for(single.seconds, plan);
    let mut seconds_per_dispatch = Vec::with_capacity(plan.samples as usize);
    let mut rejected_stamps = 0;
    for _ in 0..plan.samples.max(1) {
        let sample = run(repeats)?;
        if sample.method != timer.preferred_method() {
            rejected_stamps += 1;
        }
        seconds_per_dispatch.push(sample.seconds / f64::from(repeats));
    }
    let method = if rejected_stamps == 0 {
        timer.preferred_method()
    } else {
        TimingMethod::WallClock
    };
    Ok(Timings {
        seconds_per_dispatch,
        repeats,
        method,
        rejected_stamps,
    })
}

/// Dispatches per sample so that one sample lasts `min_sample_seconds`.
fn repeats_for(single_seconds: f64, plan: &SamplingPlan) -> u32 {
    if single_seconds.is_nan() || single_seconds <= 0.0 {
        return plan.max_repeats.max(1);
    }
    let wanted = (plan.min_sample_seconds / single_seconds).ceil();
    (wanted.clamp(1.0, f64::from(plan.max_repeats.max(1)))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: SamplingPlan = SamplingPlan {
        warmup: 1,
        samples: 3,
        min_sample_seconds: 0.05,
        max_repeats: 100,
    };

    #[test]
    fn short_dispatches_are_repeated_up_to_the_cap() {
        assert_eq!(repeats_for(0.01, &PLAN), 5);
        assert_eq!(repeats_for(1e-6, &PLAN), 100);
        assert_eq!(repeats_for(1.0, &PLAN), 1);
        assert_eq!(repeats_for(0.0, &PLAN), 100);
    }
}
