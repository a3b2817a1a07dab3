//! Two results files compared GEMM by GEMM (`fleetbench diff BASE NEW`): rows matched by
//! kernel, dtype and shape, the change in median GFLOP/s, the noise band the two runs'
//! min–max spreads give, and one verdict per row. Reading the files and rendering the
//! comparison belong to the command; this module turns two `ResultsFile`s into a `Diff`.
//!
//! The verdict rule, stated once here and repeated in every output (`RULE`):
//! - noise: the two runs' min–max ranges overlap. For a slowdown that is
//!   `new.max >= base.min`; said as a band, the change of medians is no larger than the
//!   spreads facing each other (base median − base min, plus new max − new median, over
//!   the base median; mirrored for a speedup);
//! - otherwise faster or slower when the change is at least the threshold, and within
//!   threshold when it is smaller;
//! - a GEMM that failed verification in NEW (and passed in BASE) is a regression too.
//!
//! A merged cluster file is compared on its per-adapter GEMM figures (`adapters`): the
//! median, min and max over the ranks' medians of each adapter kind. When each file holds
//! one adapter kind rows are matched by kernel, dtype and shape, and a different adapter
//! or driver is stated; when a merged file holds several kinds, the adapter kind is part
//! of the match, so an H100's figures are only compared with an H100's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::results::cluster::{AdapterKind, ClusterResults, GemmFigures};
use crate::results::{GemmKey, GemmRecord, ResultsFile, RunResults, Summary, Timing};

/// The verdict rule in words, carried by every output of a diff.
pub const RULE: &str = "change = NEW median / BASE median - 1. Noise: the two runs' min-max \
    ranges overlap (the change is no larger than the spreads facing each other). Otherwise \
    faster or slower when the change is at least the threshold, else within threshold. A \
    GEMM failing verification in NEW is a regression.";

/// Why two files cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "{}: {label}: GFLOP/s median {median}, min {min}, max {max} are not positive \
         figures with min <= median <= max",
        path.display()
    )]
    BadFigures {
        path: PathBuf,
        label: String,
        median: f64,
        min: f64,
        max: f64,
    },
    #[error(
        "{} and {}: {label}: the GFLOP/s figures are too far apart for a finite ratio",
        base.display(),
        new.display()
    )]
    TooFarApart {
        base: PathBuf,
        new: PathBuf,
        label: String,
    },
    #[error(
        "{} and {} have no GEMM (kernel, dtype, shape{}) in common: nothing to compare",
        base.display(),
        new.display(),
        if *by_adapter { ", adapter kind" } else { "" }
    )]
    NothingInCommon {
        base: PathBuf,
        new: PathBuf,
        by_adapter: bool,
    },
}

/// What one file contributes to a diff: who measured, with what, and each GEMM's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub file: String,
    /// "run" for a run's results file, "cluster" for a merged file.
    pub kind: &'static str,
    pub adapters: Vec<AdapterSeen>,
    pub fleetbench_version: String,
    pub git_commit: Option<String>,
    /// How the run timed its GEMMs; null for a merged file.
    pub timing: Option<Timing>,
    #[serde(skip)]
    gemm: Vec<Measured>,
}

/// An adapter as a file records it (a merged file records no driver version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdapterSeen {
    #[serde(flatten)]
    pub kind: AdapterKind,
    pub driver_info: Option<String>,
}

impl AdapterSeen {
    /// "llvmpipe (vulkan, llvmpipe) Mesa 23.2".
    pub fn label(&self) -> String {
        match &self.driver_info {
            Some(info) if !info.is_empty() => format!("{} {info}", self.kind.label()),
            _ => self.kind.label(),
        }
    }

    /// Same device and driver; the driver version counts where both files record it.
    fn same_as(&self, other: &AdapterSeen) -> bool {
        self.kind == other.kind
            && match (&self.driver_info, &other.driver_info) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// One GEMM's figures in one file.
#[derive(Debug, Clone, PartialEq)]
struct Measured {
    adapter: AdapterKind,
    key: GemmKey,
    /// Median / min / max GFLOP/s (over samples, or over ranks for a merged file).
    gflops: Option<Summary>,
    /// Failed verification (on any rank), or was not measured.
    failed: bool,
}

impl Side {
    /// Reads what a diff needs from a results or merged file, checking every figure.
    pub fn of(path: &Path, file: &ResultsFile) -> Result<Side, DiffError> {
        let side = match file {
            ResultsFile::Run(run) => Side::of_run(path, run),
            ResultsFile::Cluster(cluster) => Side::of_cluster(path, cluster),
        };
        for m in &side.gemm {
            if let Some(s) = m.gflops.filter(|s| !ordered_positive(s)) {
                return Err(DiffError::BadFigures {
                    path: path.to_path_buf(),
                    label: m.key.label(),
                    median: s.median,
                    min: s.min,
                    max: s.max,
                });
            }
        }
        Ok(side)
    }

    fn of_run(path: &Path, run: &RunResults) -> Side {
        let adapter = AdapterKind::from(&run.adapter);
        let measured = |g: &GemmRecord| Measured {
            adapter: adapter.clone(),
            key: g.key(),
            gflops: g.gflops,
            failed: !g.verified || g.gflops.is_none(),
        };
        Side {
            file: path.display().to_string(),
            kind: "run",
            adapters: vec![AdapterSeen {
                kind: adapter.clone(),
                driver_info: Some(run.adapter.driver_info.clone()),
            }],
            fleetbench_version: run.tool.version.clone(),
            git_commit: run.environment.git_commit.clone(),
            timing: Some(run.timing),
            gemm: run.gemm.iter().map(measured).collect(),
        }
    }

    fn of_cluster(path: &Path, cluster: &ClusterResults) -> Side {
        let mut gemm = Vec::new();
        for group in &cluster.adapters {
            gemm.extend(group.gemm.iter().map(|f: &GemmFigures| Measured {
                adapter: group.adapter.clone(),
                key: GemmKey {
                    kernel: f.kernel,
                    dtype: f.dtype,
                    shape: f.shape,
                },
                gflops: f.gflops,
                failed: f.ranks_failed > 0 || f.gflops.is_none(),
            }));
        }
        Side {
            file: path.display().to_string(),
            kind: "cluster",
            adapters: cluster
                .adapters
                .iter()
                .map(|g| AdapterSeen {
                    kind: g.adapter.clone(),
                    driver_info: None,
                })
                .collect(),
            fleetbench_version: cluster.tool.version.clone(),
            git_commit: None,
            timing: None,
            gemm,
        }
    }

    /// Each GEMM under the key rows are matched by; the n-th repeat of a GEMM in a file
    /// (a workload whose layers share a shape) is matched with the n-th in the other.
    fn keyed(&self, by_adapter: bool) -> BTreeMap<RowKey, &Measured> {
        let mut rows = BTreeMap::new();
        for m in &self.gemm {
            let mut key = RowKey {
                adapter: by_adapter.then(|| m.adapter.clone()),
                gemm: m.key,
                repeat: 1,
            };
            while rows.contains_key(&key) {
                key.repeat += 1;
            }
            rows.insert(key, m);
        }
        rows
    }
}

fn ordered_positive(s: &Summary) -> bool {
    [s.min, s.median, s.max].iter().all(|v| v.is_finite())
        && 0.0 < s.min
        && s.min <= s.median
        && s.median <= s.max
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RowKey {
    adapter: Option<AdapterKind>,
    gemm: GemmKey,
    repeat: u32,
}

/// What a row's comparison says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Faster,
    Slower,
    /// The two min–max ranges overlap.
    Noise,
    /// Beyond the noise, but smaller than the threshold.
    WithinThreshold,
    /// Passed verification in BASE, failed (or was not measured) in NEW: a regression.
    FailedInNew,
    FailedInBase,
    FailedInBoth,
    OnlyInBase,
    OnlyInNew,
}

impl Verdict {
    /// The word tables show.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "SLOWER",
            Verdict::Noise => "noise",
            Verdict::WithinThreshold => "within threshold",
            Verdict::FailedInNew => "FAILED verification in new",
            Verdict::FailedInBase => "failed verification in base",
            Verdict::FailedInBoth => "failed verification in both",
            Verdict::OnlyInBase => "only in base",
            Verdict::OnlyInNew => "only in new",
        }
    }

    /// A row that fails `--fail-on-regression`.
    pub fn is_regression(self) -> bool {
        matches!(self, Verdict::Slower | Verdict::FailedInNew)
    }
}

/// One GEMM compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The adapter kind, when rows are matched by it (a merged file with several kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter: Option<AdapterKind>,
    pub kernel: KernelId,
    pub dtype: Dtype,
    #[serde(flatten)]
    pub shape: GemmShape,
    /// 2 for the second GEMM of this kernel, dtype and shape in a file, and so on.
    pub repeat: u32,
    pub base: Option<Summary>,
    pub new: Option<Summary>,
    /// NEW median / BASE median - 1; null unless both passed verification.
    pub change: Option<f64>,
    /// How large a change the two spreads allow in its direction (the noise band).
    pub noise_band: Option<f64>,
    pub verdict: Verdict,
}

impl Row {
    /// "tiled f32 64x64x64", with the adapter and repeat when they tell rows apart.
    pub fn label(&self) -> String {
        let mut label = format!("{} {} {}", self.kernel, self.dtype, self.shape.label());
        if self.repeat > 1 {
            label.push_str(&format!(" #{}", self.repeat));
        }
        if let Some(adapter) = &self.adapter {
            label.push_str(&format!(" on {}", adapter.label()));
        }
        label
    }
}

/// How many rows got each verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub faster: usize,
    pub slower: usize,
    pub noise: usize,
    pub within_threshold: usize,
    pub failed: usize,
    pub only_in_base: usize,
    pub only_in_new: usize,
}

/// The whole comparison (its JSON is `diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub base: Side,
    pub new: Side,
    pub threshold_percent: f64,
    pub rule: &'static str,
    /// "kernel, dtype and shape", plus "adapter kind" when a merged file holds several.
    pub matched_by: &'static str,
    /// The two files were measured on different adapters or drivers.
    pub adapters_differ: bool,
    /// Everything that differs between the two runs besides the figures, one line each.
    pub differences: Vec<String>,
    pub counts: Counts,
    pub rows: Vec<Row>,
}

impl Diff {
    /// Compares NEW against BASE; `threshold` is a fraction (0.05 for 5%).
    pub fn new(base: Side, new: Side, threshold: f64) -> Result<Diff, DiffError> {
        let by_adapter = base.adapters.len() > 1 || new.adapters.len() > 1;
        let base_rows = base.keyed(by_adapter);
        let new_rows = new.keyed(by_adapter);
        if !base_rows.keys().any(|k| new_rows.contains_key(k)) {
            return Err(DiffError::NothingInCommon {
                base: PathBuf::from(&base.file),
                new: PathBuf::from(&new.file),
                by_adapter,
            });
        }
        let mut keys: Vec<&RowKey> = base_rows.keys().chain(new_rows.keys()).collect();
        keys.sort();
        keys.dedup();
        let rows: Vec<Row> = keys
            .into_iter()
            .map(|key| compare(key, base_rows.get(key), new_rows.get(key), threshold))
            .collect();
        // Positive finite figures can still be too far apart for a finite ratio (1e300
        // against 1e-300); no NaN or inf reaches an output.
        let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
        if let Some(row) = rows
            .iter()
            .find(|r| !finite(r.change) || !finite(r.noise_band))
        {
            return Err(DiffError::TooFarApart {
                base: PathBuf::from(&base.file),
                new: PathBuf::from(&new.file),
                label: row.label(),
            });
        }
        let (adapters_differ, differences) = differences(&base, &new);
        Ok(Diff {
            threshold_percent: threshold * 100.0,
            rule: RULE,
            matched_by: if by_adapter {
                "adapter kind, kernel, dtype and shape"
            } else {
                "kernel, dtype and shape"
            },
            adapters_differ,
            differences,
            counts: count(&rows),
            rows,
            base,
            new,
        })
    }

    /// The rows that fail `--fail-on-regression`.
    pub fn regressions(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.verdict.is_regression())
    }
}

fn compare(key: &RowKey, base: Option<&&Measured>, new: Option<&&Measured>, threshold: f64) -> Row {
    let mut row = Row {
        adapter: key.adapter.clone(),
        kernel: key.gemm.kernel,
        dtype: key.gemm.dtype,
        shape: key.gemm.shape,
        repeat: key.repeat,
        base: base.and_then(|m| m.gflops),
        new: new.and_then(|m| m.gflops),
        change: None,
        noise_band: None,
        verdict: Verdict::Noise,
    };
    row.verdict = match (base, new) {
        (None, _) => Verdict::OnlyInNew,
        (_, None) => Verdict::OnlyInBase,
        (Some(b), Some(n)) => match (b.failed, n.failed, b.gflops, n.gflops) {
            (true, true, ..) => Verdict::FailedInBoth,
            (true, false, ..) => Verdict::FailedInBase,
            (false, true, ..) => Verdict::FailedInNew,
            (false, false, Some(b), Some(n)) => {
                let (change, band) = change_and_band(&b, &n);
                row.change = Some(change);
                row.noise_band = Some(band);
                verdict(change, band, threshold)
            }
            // Not failed means measured: `failed` is set whenever figures are missing.
            (false, false, ..) => Verdict::FailedInBoth,
        },
    };
    row
}

/// The relative change of medians and the noise band in its direction: the spreads of
/// the two runs that face each other, over the base median. `|change| <= band` exactly
/// when the two min–max ranges overlap.
fn change_and_band(base: &Summary, new: &Summary) -> (f64, f64) {
    let change = new.median / base.median - 1.0;
    let facing = if change < 0.0 {
        (base.median - base.min) + (new.max - new.median)
    } else {
        (base.max - base.median) + (new.median - new.min)
    };
    (change, facing / base.median)
}

fn verdict(change: f64, band: f64, threshold: f64) -> Verdict {
    if change.abs() <= band {
        Verdict::Noise
    } else if change.abs() < threshold {
        Verdict::WithinThreshold
    } else if change > 0.0 {
        Verdict::Faster
    } else {
        Verdict::Slower
    }
}

fn count(rows: &[Row]) -> Counts {
    let mut counts = Counts::default();
    for row in rows {
        let slot = match row.verdict {
            Verdict::Faster => &mut counts.faster,
            Verdict::Slower => &mut counts.slower,
            Verdict::Noise => &mut counts.noise,
            Verdict::WithinThreshold => &mut counts.within_threshold,
            Verdict::FailedInNew | Verdict::FailedInBase | Verdict::FailedInBoth => {
                &mut counts.failed
            }
            Verdict::OnlyInBase => &mut counts.only_in_base,
            Verdict::OnlyInNew => &mut counts.only_in_new,
        };
        *slot += 1;
    }
    counts
}

/// Whether the adapters differ, and one line per thing that differs between the runs.
fn differences(base: &Side, new: &Side) -> (bool, Vec<String>) {
    let mut lines = Vec::new();
    let same_adapters = base.adapters.len() == new.adapters.len()
        && base
            .adapters
            .iter()
            .all(|b| new.adapters.iter().any(|n| b.same_as(n)));
    if !same_adapters {
        let labels = |s: &Side| {
            s.adapters
                .iter()
                .map(AdapterSeen::label)
                .collect::<Vec<_>>()
                .join("; ")
        };
        lines.push(format!(
            "Different adapters or drivers: BASE ran on {}, NEW on {}; the change compares \
             two devices, not two versions of the code.",
            labels(base),
            labels(new)
        ));
    }
    if let (Some(b), Some(n)) = (base.timing, new.timing) {
        if b != n {
            lines.push(format!("Timing differs: BASE by {b}, NEW by {n}."));
        }
    }
    if base.kind != new.kind {
        lines.push(format!(
            "BASE is a {} file, NEW a {} file: a merged file's min-max is over ranks, a \
             run's over samples.",
            base.kind, new.kind
        ));
    }
    (!same_adapters, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(median: f64, min: f64, max: f64) -> Summary {
        Summary { median, min, max }
    }

    #[test]
    fn overlapping_ranges_are_noise_whatever_the_change() {
        let base = summary(100.0, 90.0, 110.0);
        let new = summary(75.0, 60.0, 91.0);
        let (change, band) = change_and_band(&base, &new);
        assert!((change + 0.25).abs() < 1e-12);
        assert!((band - 0.26).abs() < 1e-12, "{band}");
        assert_eq!(verdict(change, band, 0.05), Verdict::Noise);
    }

    #[test]
    fn disjoint_ranges_are_faster_or_slower_beyond_the_threshold() {
        let base = summary(100.0, 99.0, 101.0);
        let slower = summary(70.0, 69.0, 71.0);
        let (change, band) = change_and_band(&base, &slower);
        assert_eq!(verdict(change, band, 0.05), Verdict::Slower);
        let (change, band) = change_and_band(&slower, &base);
        assert_eq!(verdict(change, band, 0.05), Verdict::Faster);
        let nudged = summary(103.0, 102.5, 103.5);
        let (change, band) = change_and_band(&base, &nudged);
        assert_eq!(verdict(change, band, 0.05), Verdict::WithinThreshold);
        assert_eq!(verdict(change, band, 0.0), Verdict::Faster);
    }

    #[test]
    fn the_band_matches_range_overlap_exactly() {
        // Touching ranges (new.max == base.min) are noise; a hair apart is not.
        let base = summary(100.0, 90.0, 110.0);
        let touching = summary(80.0, 70.0, 90.0);
        let (change, band) = change_and_band(&base, &touching);
        assert_eq!(verdict(change, band, 0.0), Verdict::Noise);
        let apart = summary(80.0, 70.0, 89.999);
        let (change, band) = change_and_band(&base, &apart);
        assert_eq!(verdict(change, band, 0.0), Verdict::Slower);
    }

    fn ordered(values: [f64; 3]) -> Summary {
        let mut v = values;
        v.sort_by(f64::total_cmp);
        summary(v[1], v[0], v[2])
    }

    proptest::proptest! {
        /// For any positive figures the verdict is noise exactly when the min-max ranges
        /// overlap (away from touching, where rounding decides), and nothing is NaN.
        #[test]
        fn noise_is_range_overlap(
            b in proptest::array::uniform3(1e-3..1e6f64),
            n in proptest::array::uniform3(1e-3..1e6f64),
        ) {
            let (base, new) = (ordered(b), ordered(n));
            let (change, band) = change_and_band(&base, &new);
            proptest::prop_assert!(change.is_finite() && band.is_finite() && band >= 0.0);
            let gap = (base.min - new.max).max(new.min - base.max);
            proptest::prop_assume!(gap.abs() > 1e-9 * base.median);
            let noise = verdict(change, band, 0.0) == Verdict::Noise;
            proptest::prop_assert_eq!(noise, gap < 0.0);
        }
    }

    #[test]
    fn figures_must_be_positive_and_ordered() {
        assert!(ordered_positive(&summary(2.0, 1.0, 3.0)));
        assert!(!ordered_positive(&summary(2.0, 3.0, 1.0)));
        assert!(!ordered_positive(&summary(0.0, 0.0, 0.0)));
        assert!(!ordered_positive(&summary(2.0, -1.0, 3.0)));
    }
}
