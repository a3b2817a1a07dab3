//! Training: fleet FLOP/s = count × dense peak × MFU × goodput; tokens/s = FLOP/s /
//! (6 × active parameters); days and accelerator-hours for a compute budget; how many
//! such runs fit in a year.

use serde::Serialize;

use super::range::Range;

const SECONDS_PER_DAY: f64 = 86_400.0;
const DAYS_PER_YEAR: f64 = 365.25;

/// What a fleet's training share achieves, each figure a range.
#[derive(Debug, Clone, Serialize)]
pub struct Training {
    /// Accelerators training.
    pub accelerators: Range,
    /// Achieved fleet FLOP/s (peak × MFU × goodput).
    pub flops_per_s: Range,
    /// Training tokens per second; `None` when the model's parameters are unknown.
    pub tokens_per_s: Option<Range>,
    /// Wall-clock days for the model's compute; `None` without a compute figure.
    pub days: Option<Range>,
    /// Accelerator-hours for the model's compute (independent of fleet size).
    pub gpu_hours: Option<Range>,
    pub models_per_year: Option<Range>,
}

/// Useful FLOP/s one accelerator delivers while training.
pub fn effective_flops(peak: Range, mfu: Range, goodput: Range) -> Range {
    peak.times(mfu).times(goodput)
}

/// Projects training on `accelerators` accelerators (a positive range).
pub fn project(
    accelerators: Range,
    per_accelerator: Range,
    active_params: Option<f64>,
    compute_flop: Option<f64>,
) -> Training {
    let flops_per_s = per_accelerator.times(accelerators);
    let seconds = compute_flop.map(|c| flops_per_s.recip_times(c));
    Training {
        accelerators,
        flops_per_s,
        tokens_per_s: active_params.map(|a| flops_per_s.scale(1.0 / (6.0 * a))),
        days: seconds.map(|s| s.scale(1.0 / SECONDS_PER_DAY)),
        gpu_hours: compute_flop.map(|c| per_accelerator.recip_times(c / 3600.0)),
        models_per_year: seconds.map(|s| s.recip_times(DAYS_PER_YEAR * SECONDS_PER_DAY)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_times_rate_gives_back_the_compute() {
        let t = project(
            Range::exact(1000.0),
            Range::exact(1e15),
            Some(1e9),
            Some(8.64e22),
        );
        assert!((t.days.unwrap().central - 1.0).abs() < 1e-9);
        assert!((t.gpu_hours.unwrap().central - 24_000.0).abs() < 1e-6);
        assert!((t.tokens_per_s.unwrap().central - 1e18 / 6e9).abs() < 1e-3);
    }
}
