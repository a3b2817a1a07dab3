//! Straggler detection: a rank is a straggler when it failed verification on any GEMM, or
//! when its throughput on the merge's benchmark falls more than a threshold below the
//! median of the ranks with the same adapter kind (name, backend and driver). Ranks are
//! only compared within their kind, so a mixed cluster does not flag its slower model.

use crate::results::Summary;
use crate::results::cluster::{Straggler, StragglerReason};

/// What detection needs to know about a rank.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub rank: u32,
    pub host: &'a str,
    /// The adapter kind's label; ranks are compared only with the same label.
    pub kind: &'a str,
    pub gflops: Option<f64>,
    /// GEMMs that failed verification, as "kernel dtype MxNxK".
    pub failed: &'a [String],
}

/// The median GFLOP/s of a kind's measured ranks that passed verification.
pub fn median_of_kind(candidates: &[Candidate<'_>], kind: &str) -> Option<f64> {
    let values: Vec<f64> = candidates
        .iter()
        .filter(|c| c.kind == kind && c.failed.is_empty())
        .filter_map(|c| c.gflops)
        .collect();
    Summary::of(&values).map(|s| s.median)
}

/// Flags the stragglers, in rank order; `threshold` is a fraction (0.10 for 10%).
pub fn find(candidates: &[Candidate<'_>], threshold: f64) -> Vec<Straggler> {
    let mut out = Vec::new();
    for c in candidates {
        let median = median_of_kind(candidates, c.kind);
        let flag = |reason, detail: String, below| Straggler {
            rank: c.rank,
            host: c.host.to_string(),
            adapter: c.kind.to_string(),
            reason,
            detail,
            gflops: c.gflops,
            median_of_kind: median,
            below_median_percent: below,
        };
        if !c.failed.is_empty() {
            out.push(flag(
                StragglerReason::VerificationFailed,
                format!("failed verification: {}", c.failed.join(", ")),
                None,
            ));
            continue;
        }
        if let (Some(value), Some(median)) = (c.gflops, median) {
            if median > 0.0 && value < median * (1.0 - threshold) {
                let below = (1.0 - value / median) * 100.0;
                out.push(flag(
                    StragglerReason::Slow,
                    format!(
                        "{} GFLOP/s is {below:.1}% below the median {} of its adapter kind",
                        significant(value),
                        significant(median)
                    ),
                    Some(below),
                ));
            }
        }
    }
    out.sort_by_key(|s| s.rank);
    out
}

/// A rate with about three significant digits (software adapters measure below 1 GFLOP/s).
fn significant(value: f64) -> String {
    let decimals = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else if value.abs() >= 1.0 {
        2
    } else {
        3
    };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(rank: u32, kind: &'static str, gflops: Option<f64>) -> Candidate<'static> {
        Candidate {
            rank,
            host: "n",
            kind,
            gflops,
            failed: &[],
        }
    }

    #[test]
    fn slow_rank_is_flagged_only_against_its_own_kind() {
        let ranks = [
            candidate(0, "a", Some(100.0)),
            candidate(1, "a", Some(98.0)),
            candidate(2, "a", Some(80.0)),
            candidate(3, "b", Some(20.0)),
        ];
        let found = find(&ranks, 0.10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rank, 2);
        assert_eq!(found[0].reason, StragglerReason::Slow);
        assert_eq!(found[0].median_of_kind, Some(98.0));
        let below = found[0].below_median_percent.unwrap();
        assert!((below - 18.367).abs() < 0.01, "{below}");
    }

    #[test]
    fn exactly_at_the_threshold_is_not_a_straggler() {
        let ranks = [
            candidate(0, "a", Some(100.0)),
            candidate(1, "a", Some(100.0)),
            candidate(2, "a", Some(90.0)),
        ];
        assert!(find(&ranks, 0.10).is_empty());
        assert_eq!(find(&ranks, 0.05).len(), 1);
    }

    #[test]
    fn failed_verification_is_a_straggler_whatever_its_speed() {
        let failed = vec!["tiled f32 64x64x64".to_string()];
        let ranks = [
            candidate(0, "a", Some(100.0)),
            Candidate {
                failed: &failed,
                ..candidate(1, "a", Some(500.0))
            },
        ];
        let found = find(&ranks, 0.10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].reason, StragglerReason::VerificationFailed);
        assert!(found[0].detail.contains("tiled f32 64x64x64"));
    }
}
