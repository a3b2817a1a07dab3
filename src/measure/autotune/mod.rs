//! The autotuner: for one adapter, element type and shape class, try kernel families and
//! geometries within the adapter's limits, verify each candidate against the CPU
//! reference, time the survivors, re-time the best few side by side, and keep the one
//! ahead in most rounds, remembered in the tuning cache. The search stops at a time
//! budget, and the candidate order (defaults first, families alternating) makes a short
//! budget useful.
//! A candidate that fails to compile or verify is counted and skipped; a lost device or a
//! stop signal ends the search at once (every later candidate would fail the same way),
//! and nothing is cached.

pub mod cache;
pub mod candidates;

use std::time::{Duration, Instant};

use super::gemm::{GemmRunner, PreparedGemm};
use super::sampling::SamplingPlan;
use super::stats::Summary;
use super::stop;
use crate::error::Result;
use crate::kernels::{Dtype, GemmKernel, GemmShape};
pub use crate::results::tuning::{ShapeClass, TuneRecord, TuneSource};
use cache::{CacheEntry, CacheKey, TuneCache};

/// How to tune.
#[derive(Debug, Clone, PartialEq)]
pub struct TunePlan {
    /// Wall-clock budget for one search.
    pub budget: Duration,
    /// Read the cache (false with `--retune`).
    pub read_cache: bool,
    /// Search at all (false with `--no-tune`: cached winner or the tiled default).
    pub search: bool,
}

/// Candidates re-timed side by side at the end of a search.
const FINALISTS: usize = 5;
/// Interleaved rounds the finalists are re-timed in (about 1 s in all at 512³ on lavapipe).
const FINAL_ROUNDS: usize = 5;
/// One quick sample per candidate: enough to rank it, and to drop the hopeless.
const QUICK: SamplingPlan = SamplingPlan {
    warmup: 0,
    samples: 1,
    min_sample_seconds: 0.02,
    max_repeats: 50,
};
/// A candidate slower than this fraction of the best so far is not sampled further.
const HOPELESS_SHARE: f64 = 0.25;

/// Finds (or recalls) the fastest verified kernel for `dtype` and `class`. Candidates
/// compile through `runner`'s pipeline cache, so a search at a second shape class, and
/// the GEMMs that follow, reuse what the first compiled.
pub fn tuned_kernel(
    runner: GemmRunner<'_>,
    cache: &mut TuneCache,
    plan: &TunePlan,
    dtype: Dtype,
    class: ShapeClass,
    progress: &dyn Fn(String),
) -> Result<(GemmKernel, TuneRecord)> {
    let key = CacheKey::new(&runner.ctx.description, dtype, class);
    let notes = space_notes(runner, dtype);
    let record = |kernel: &GemmKernel, source: TuneSource, gflops: Option<f64>| TuneRecord {
        dtype,
        class,
        kernel: kernel.describe(),
        source,
        gflops,
        candidates_tried: 0,
        candidates_failed: 0,
        seconds: 0.0,
        notes: notes.clone(),
    };
    // A cached kernel whose family needs a feature this device was opened without (an
    // experimental one, say) is searched anew rather than refused.
    if plan.read_cache
        && let Some(hit) = cache.get(&key)
        && runner.ctx.has(hit.kernel.family.required_features())
    {
        return Ok((
            hit.kernel,
            record(&hit.kernel, TuneSource::Cache, Some(hit.gflops)),
        ));
    }
    if !plan.search {
        let fallback = GemmKernel::tiled_default();
        return Ok((fallback, record(&fallback, TuneSource::Default, None)));
    }
    if cache.has_other_driver(&key) {
        progress(format!(
            "tuning {dtype} {}: cached kernels are for another driver",
            class.as_str()
        ));
    }
    let (winner, mut tuned) = search(runner, plan, dtype, class, progress)?;
    tuned.kernel = winner.describe();
    tuned.notes = notes;
    // A winner without a positive rate (every timing failed) is used but not remembered.
    if let Some(gflops) = tuned.gflops.filter(|g| g.is_finite() && *g > 0.0) {
        cache.put(CacheEntry {
            key,
            kernel: winner,
            gflops,
            tuned_unix: now_unix(),
        })?;
    }
    Ok((winner, tuned))
}

/// What this adapter's search space leaves out in `dtype`, and why, one line each.
fn space_notes(runner: GemmRunner<'_>, dtype: Dtype) -> Vec<String> {
    runner.ctx.coop.note_for(dtype).into_iter().collect()
}

fn search(
    runner: GemmRunner<'_>,
    plan: &TunePlan,
    dtype: Dtype,
    class: ShapeClass,
    progress: &dyn Fn(String),
) -> Result<(GemmKernel, TuneRecord)> {
    let start = Instant::now();
    let shape = class.representative();
    let ctx = runner.ctx;
    let list = candidates::candidates(
        &ctx.limits,
        ctx.fixed_subgroup_size(),
        ctx.coop.offer(),
        dtype,
        shape,
    );
    let mut timed: Vec<(f64, PreparedGemm)> = Vec::new();
    let mut failed = 0;
    let mut tried = 0;
    for kernel in &list {
        if start.elapsed() >= plan.budget && !timed.is_empty() {
            break;
        }
        tried += 1;
        progress(format!(
            "tuning {dtype} {}: candidate {tried}/{}",
            class.as_str(),
            list.len()
        ));
        stop::check()?;
        match try_candidate(runner, *kernel, dtype, shape, best_of(&timed)) {
            Ok(Some(entry)) => timed.push(entry),
            Ok(None) => {}
            Err(err) if err.ends_run() => {
                return Err(err.during(|| {
                    format!(
                        "tuning {dtype} {} kernels on {} (candidate {tried}: {})",
                        class.as_str(),
                        shape.label(),
                        kernel.describe()
                    )
                }));
            }
            Err(_) => failed += 1,
        }
    }
    let finalists = finalists(runner, &mut timed).map_err(|err| {
        err.during(|| {
            format!(
                "tuning {dtype} {} kernels on {} (re-timing the finalists)",
                class.as_str(),
                shape.label()
            )
        })
    })?;
    let (gflops, winner) = finalists
        .into_iter()
        .next()
        .map(|(g, k)| (Some(g), k))
        .unwrap_or((None, GemmKernel::tiled_default()));
    let record = TuneRecord {
        dtype,
        class,
        kernel: String::new(),
        source: TuneSource::Search,
        gflops,
        candidates_tried: tried,
        candidates_failed: failed,
        seconds: start.elapsed().as_secs_f64(),
        notes: Vec::new(),
    };
    Ok((winner, record))
}

/// Compiles, verifies and times one candidate. Ok(None) when it is correct but hopeless;
/// Err when it fails to compile or verify (the search goes on without it).
fn try_candidate(
    runner: GemmRunner<'_>,
    kernel: GemmKernel,
    dtype: Dtype,
    shape: GemmShape,
    best: f64,
) -> Result<Option<(f64, PreparedGemm)>> {
    let (prepared, verification) = runner.prepare_and_verify(kernel, dtype, shape)?;
    if !verification.verified {
        return Err(crate::error::Error::runtime(
            "candidate failed verification",
        ));
    }
    let gflops = sampled_gflops(runner, &QUICK, &prepared)?;
    Ok((gflops >= best * HOPELESS_SHARE).then_some((gflops, prepared)))
}

fn best_of(timed: &[(f64, PreparedGemm)]) -> f64 {
    timed.iter().map(|(g, _)| *g).fold(0.0, f64::max)
}

/// Re-times the best few side by side, interleaved, so a noisy first sample does not
/// decide; returns (median GFLOP/s, kernel) for each finalist, the likeliest winner
/// first (see `rank_by_round_ratios`).
fn finalists(
    runner: GemmRunner<'_>,
    timed: &mut Vec<(f64, PreparedGemm)>,
) -> Result<Vec<(f64, GemmKernel)>> {
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    timed.truncate(FINALISTS);
    let plan = SamplingPlan {
        warmup: 0,
        samples: 1,
        min_sample_seconds: 0.03,
        max_repeats: 100,
    };
    let mut rounds: Vec<Vec<f64>> = Vec::with_capacity(FINAL_ROUNDS);
    for _round in 0..FINAL_ROUNDS {
        let mut round = Vec::with_capacity(timed.len());
        for (_, prepared) in timed.iter() {
            round.push(sampled_gflops(runner, &plan, prepared)?);
        }
        rounds.push(round);
    }
    let order = rank_by_round_ratios(&rounds);
    Ok(order
        .into_iter()
        .filter_map(|i| {
            let rates: Vec<f64> = rounds.iter().map(|round| round[i]).collect();
            Summary::of(&rates).map(|s| (s.median, timed[i].1.kernel))
        })
        .collect())
}

/// Samples one prepared GEMM under `plan`: its median GFLOP/s, 0 when no sample was taken.
fn sampled_gflops(
    runner: GemmRunner<'_>,
    plan: &SamplingPlan,
    prepared: &PreparedGemm,
) -> Result<f64> {
    let timings = runner.sample(plan, prepared)?;
    Ok(Summary::of(&timings.seconds_per_dispatch)
        .map_or(0.0, |s| s.rate(prepared.shape.flops() / 1e9).median))
}

/// Ranks candidates timed in interleaved rounds (`rounds[r][i]`: candidate i's rate in
/// round r), fastest first, by the median over rounds of each one's share of its round's
/// best. On an adapter whose speed drifts (lavapipe's slow phases move every kernel by
/// up to a quarter between rounds) a ratio within one round compares kernels measured
/// side by side, where a median of raw rates lets one slow round decide. A rate that is
/// missing, zero or not finite counts as no share in its round; equal shares keep the
/// candidates' incoming order (their first quick samples').
fn rank_by_round_ratios(rounds: &[Vec<f64>]) -> Vec<usize> {
    let candidates = rounds.iter().map(Vec::len).max().unwrap_or(0);
    let usable = |rate: f64| rate.is_finite() && rate > 0.0;
    let share = |i: usize| -> f64 {
        let shares: Vec<f64> = rounds
            .iter()
            .filter_map(|round| {
                let best = round
                    .iter()
                    .copied()
                    .filter(|r| usable(*r))
                    .fold(0.0, f64::max);
                let rate = round.get(i).copied().filter(|r| usable(*r)).unwrap_or(0.0);
                (best > 0.0).then(|| rate / best)
            })
            .collect();
        Summary::of(&shares).map_or(0.0, |s| s.median)
    };
    let shares: Vec<f64> = (0..candidates).map(share).collect();
    let mut order: Vec<usize> = (0..candidates).collect();
    order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]));
    order
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_classes() {
        assert_eq!(ShapeClass::of(GemmShape::square(1024)), ShapeClass::Square);
        assert_eq!(
            ShapeClass::of(GemmShape {
                m: 16,
                n: 4096,
                k: 4096
            }),
            ShapeClass::Skinny
        );
        assert_eq!(
            ShapeClass::of(GemmShape {
                m: 4096,
                n: 64,
                k: 4096
            }),
            ShapeClass::Skinny
        );
    }

    /// A kernel ahead in four rounds of five wins, though a slow phase during its first
    /// round put its median raw rate below the other's.
    #[test]
    fn round_ratios_pick_the_kernel_ahead_side_by_side() {
        let rounds = vec![
            vec![60.0, 90.0],
            vec![100.0, 90.0],
            vec![100.0, 92.0],
            vec![55.0, 50.0],
            vec![52.0, 48.0],
        ];
        let raw_median = |i: usize| {
            Summary::of(&rounds.iter().map(|r| r[i]).collect::<Vec<_>>())
                .unwrap()
                .median
        };
        assert!(raw_median(0) < raw_median(1));
        assert_eq!(rank_by_round_ratios(&rounds), vec![0, 1]);
    }

    #[test]
    fn round_ratios_of_nothing_rank_nothing() {
        assert!(rank_by_round_ratios(&[]).is_empty());
        assert_eq!(rank_by_round_ratios(&[vec![0.0, 0.0]]), vec![0, 1]);
    }

    /// A failed timing (infinite or NaN rate, or a round cut short) costs its candidate
    /// that round's share but does not blank the others'.
    #[test]
    fn round_ratios_survive_a_broken_timing() {
        let rounds = vec![
            vec![f64::INFINITY, 50.0, 40.0],
            vec![60.0, f64::NAN, 40.0],
            vec![60.0, 50.0],
        ];
        assert_eq!(rank_by_round_ratios(&rounds), vec![0, 1, 2]);
    }

    proptest::proptest! {
        /// Scaling each round by its own factor (the adapter drifting between rounds)
        /// never changes the ranking, which a median of raw rates would; and a kernel
        /// fastest in every round ranks first.
        #[test]
        fn round_ratios_ignore_drift(
            rounds in proptest::collection::vec(
                proptest::collection::vec(1.0f64..100.0, 3), 1..7),
            factors in proptest::collection::vec(0.2f64..2.0, 7),
            lead in 1.01f64..2.0,
        ) {
            let mut rounds = rounds;
            for round in &mut rounds {
                round[0] = round.iter().copied().fold(0.0, f64::max) * lead;
            }
            let drifting: Vec<Vec<f64>> = rounds
                .iter()
                .zip(&factors)
                .map(|(round, f)| round.iter().map(|r| r * f).collect())
                .collect();
            let order = rank_by_round_ratios(&drifting);
            proptest::prop_assert_eq!(order[0], 0);
            proptest::prop_assert_eq!(order, rank_by_round_ratios(&rounds));
        }
    }
}
