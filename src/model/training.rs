//! Training: the fleet's aggregate compute, and the largest single job. One job can use no
//! more accelerators than its global batch feeds (batch tokens ÷ the fewest tokens per
//! accelerator published at scale) nor than its largest site holds. Goodput falls with job
//! size: 1 ÷ (1 + failures per accelerator-hour × accelerators × hours lost per
//! interruption). Days to train and models per year come from that job, never from the
//! whole fleet as one machine; how many such jobs the fleet holds side by side is reported
//! beside them.

use serde::Serialize;

use super::range::Range;

const SECONDS_PER_DAY: f64 = 86_400.0;
const DAYS_PER_YEAR: f64 = 365.25;

/// How goodput is obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goodput {
    /// A fixed share of wall-clock time (the user's).
    Fixed(Range),
    /// From a failure rate per accelerator-hour and the hours each interruption costs.
    Failures { rate: Range, cost_hours: Range },
}

impl Goodput {
    /// Goodput of a job of `n` accelerators at the given corner (0 low, 1 central, 2 high).
    fn at(&self, n: f64, corner: usize) -> f64 {
        match self {
            Goodput::Fixed(g) => pick(g, corner),
            // Low goodput pairs the high failure rate with the high cost.
            Goodput::Failures { rate, cost_hours } => {
                let flip = 2 - corner;
                1.0 / (1.0 + pick(rate, flip) * n * pick(cost_hours, flip))
            }
        }
    }
}

fn pick(r: &Range, corner: usize) -> f64 {
    [r.low, r.central, r.high][corner]
}

/// What limits one training job's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobLimits {
    /// Global batch in tokens, and the fewest tokens per accelerator per step published.
    pub global_batch_tokens: Option<f64>,
    pub min_tokens_per_accelerator: f64,
    /// Accelerators the largest site holds, when the fleet spans sites.
    pub site_accelerators: Option<Range>,
}

/// What bounds the largest job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobBound {
    Fleet,
    GlobalBatch,
    LargestSite,
}

impl JobBound {
    pub fn label(self) -> &'static str {
        match self {
            JobBound::Fleet => "the training accelerators",
            JobBound::GlobalBatch => "the global batch",
            JobBound::LargestSite => "the largest site",
        }
    }
}

/// The largest single training job.
#[derive(Debug, Clone, Serialize)]
pub struct LargestJob {
    pub accelerators: Range,
    pub limited_by: JobBound,
    pub global_batch_tokens: Option<f64>,
    pub goodput: Range,
    /// Wall-clock days for the model's compute; `None` without a compute figure.
    pub days: Option<Range>,
    /// Such jobs the training accelerators hold side by side.
    pub side_by_side: Range,
}

/// What a fleet's training share achieves, each figure a range.
#[derive(Debug, Clone, Serialize)]
pub struct Training {
    /// Accelerators training.
    pub accelerators: Range,
    /// Achieved fleet FLOP/s (every accelerator at the largest job's goodput).
    pub flops_per_s: Range,
    /// Training tokens per second; `None` when the model's parameters are unknown.
    pub tokens_per_s: Option<Range>,
    /// Days for the model's compute on the largest job.
    pub days: Option<Range>,
    /// Accelerator-hours for the model's compute on the largest job.
    pub gpu_hours: Option<Range>,
    /// Such models the largest job trains per year, one after another.
    pub models_per_year: Option<Range>,
    pub largest_job: LargestJob,
}

/// Accelerators the largest job uses, and what limits it.
fn job_size(accelerators: Range, limits: &JobLimits) -> (Range, JobBound) {
    let mut size = (accelerators, JobBound::Fleet);
    if let Some(batch) = limits.global_batch_tokens {
        let fed = Range::exact((batch / limits.min_tokens_per_accelerator).floor().max(1.0));
        if fed.central < size.0.central {
            size = (size.0.min(fed), JobBound::GlobalBatch);
        } else {
            size.0 = size.0.min(fed);
        }
    }
    if let Some(site) = limits.site_accelerators {
        if site.central < size.0.central {
            size = (size.0.min(site), JobBound::LargestSite);
        } else {
            size.0 = size.0.min(site);
        }
    }
    size
}

/// Whole jobs of `job` accelerators that `accelerators` hold. Each bound pairs a fleet
/// with the job cut from that same fleet (a job never exceeds its fleet, so each holds at
/// least one); the range spans the three.
fn side_by_side(accelerators: Range, job: Range) -> Range {
    let held = |fleet: f64, one_job: f64| (fleet / one_job).floor();
    let corners = [
        held(accelerators.low, job.low),
        held(accelerators.central, job.central),
        held(accelerators.high, job.high),
    ];
    Range {
        low: corners.iter().copied().fold(f64::INFINITY, f64::min),
        central: corners[1],
        high: corners.iter().copied().fold(0.0, f64::max),
    }
}

/// Projects training on `accelerators` (a positive range), each delivering
/// `per_accelerator` useful FLOP/s before goodput.
pub fn project(
    accelerators: Range,
    per_accelerator: Range,
    active_params: Option<f64>,
    compute_flop: Option<f64>,
    limits: &JobLimits,
    goodput: Goodput,
) -> Training {
    let (job, limited_by) = job_size(accelerators, limits);
    let job_goodput = Range {
        low: goodput.at(job.high, 0),
        central: goodput.at(job.central, 1),
        high: goodput.at(job.low, 2),
    };
    let per_acc_useful = per_accelerator.times(job_goodput);
    let flops_per_s = accelerators.times(per_acc_useful);
    // A job's rate n × per × goodput(n) grows with n, so its corners stay ordered.
    let per = [
        per_accelerator.low,
        per_accelerator.central,
        per_accelerator.high,
    ];
    let jobs = [job.low, job.central, job.high];
    let job_rate = |c: usize| jobs[c] * per[c] * goodput.at(jobs[c], c);
    let job_flops = Range {
        low: job_rate(0),
        central: job_rate(1),
        high: job_rate(2),
    };
    let days = compute_flop.map(|c| job_flops.recip_times(c / SECONDS_PER_DAY));
    Training {
        accelerators,
        flops_per_s,
        tokens_per_s: active_params.map(|a| flops_per_s.scale(1.0 / (6.0 * a))),
        days,
        gpu_hours: compute_flop.map(|c| per_acc_useful.recip_times(c / 3600.0)),
        models_per_year: days.map(|d| d.recip_times(DAYS_PER_YEAR)),
        largest_job: LargestJob {
            accelerators: job,
            limited_by,
            global_batch_tokens: limits.global_batch_tokens,
            goodput: job_goodput,
            days,
            side_by_side: side_by_side(accelerators, job),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_LIMITS: JobLimits = JobLimits {
        global_batch_tokens: None,
        min_tokens_per_accelerator: 1024.0,
        site_accelerators: None,
    };

    #[test]
    fn days_times_rate_gives_back_the_compute() {
        let t = project(
            Range::exact(1000.0),
            Range::exact(1e15),
            Some(1e9),
            Some(8.64e22),
            &NO_LIMITS,
            Goodput::Fixed(Range::exact(1.0)),
        );
        assert!((t.days.unwrap().central - 1.0).abs() < 1e-9);
        assert!((t.gpu_hours.unwrap().central - 24_000.0).abs() < 1e-6);
        assert!((t.tokens_per_s.unwrap().central - 1e18 / 6e9).abs() < 1e-3);
    }

    #[test]
    fn the_global_batch_caps_one_job_and_goodput_falls_with_its_size() {
        let limits = JobLimits {
            global_batch_tokens: Some(16.0 * 1024.0 * 1024.0),
            ..NO_LIMITS
        };
        let failures = Goodput::Failures {
            rate: Range::exact(2e-5),
            cost_hours: Range::exact(0.25),
        };
        let big = project(
            Range::exact(1e6),
            Range::exact(4e14),
            Some(405e9),
            Some(3.8e25),
            &limits,
            failures,
        );
        let job = &big.largest_job;
        assert_eq!(job.accelerators.central, 16_384.0);
        assert_eq!(job.limited_by, JobBound::GlobalBatch);
        assert!((job.goodput.central - 1.0 / (1.0 + 2e-5 * 16_384.0 * 0.25)).abs() < 1e-12);
        // Models per year are the job's, one after another; the fleet holds 61 such jobs.
        let per_job_year = DAYS_PER_YEAR / big.days.unwrap().central;
        assert!((big.models_per_year.unwrap().central - per_job_year).abs() < 1e-9);
        assert_eq!(job.side_by_side.central, 61.0);
        // A fleet whose size is uncertain holds at least one job at every bound.
        let uncertain = project(
            Range::new(2e4, 1e5, 2e5).unwrap(),
            Range::exact(4e14),
            None,
            None,
            &JobLimits {
                site_accelerators: Some(Range::new(2e4, 1e5, 2e5).unwrap()),
                ..NO_LIMITS
            },
            failures,
        );
        assert_eq!(uncertain.largest_job.side_by_side.low, 1.0);
        let small = project(
            Range::exact(1024.0),
            Range::exact(4e14),
            None,
            None,
            &limits,
            failures,
        );
        assert!(small.largest_job.goodput.central > job.goodput.central);
    }
}
