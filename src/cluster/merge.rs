//! Merging per-rank results into one cluster result: the JSON contract `merge` writes
//! (`kind: "cluster"`, read later by `project --from`), the checks across files (one job,
//! one world size, no duplicate or missing rank), the benchmark the cluster total is taken
//! on, per-node and per-adapter GEMM figures, the measured cluster GFLOP/s and stragglers.

use std::collections::{BTreeMap, BTreeSet};

use super::error::ClusterError;
use super::inputs::RankFile;
use super::stragglers::{self, Candidate};
use crate::kernels::{Dtype, GemmShape, KernelId};
use crate::results::cluster::{
    AdapterKind, Benchmark, CLUSTER_SCHEMA_VERSION, ClusterKind, ClusterResults, ClusterTotal,
    Excluded, GemmFigures, Group, NodeEntry, RankEntry,
};
use crate::results::{GemmKey, GemmRecord, Summary, ToolInfo};

type Result<T> = std::result::Result<T, ClusterError>;

/// How to merge.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Merge what can be merged (skipping bad files, duplicate and missing ranks), saying so.
    pub allow_partial: bool,
    /// Straggler threshold as a fraction (0.10 = 10% below the median of the kind).
    pub threshold: f64,
    pub kernel: Option<KernelId>,
    pub dtype: Option<Dtype>,
    pub shape: Option<GemmShape>,
}

fn record<'a>(file: &'a RankFile, key: &GemmKey) -> Option<&'a GemmRecord> {
    file.results.gemm.iter().find(|g| g.key() == *key)
}

/// Merges loaded rank files (`skipped` are the lines of inputs already left out).
pub fn merge(
    mut files: Vec<RankFile>,
    skipped: Vec<String>,
    opts: &MergeOptions,
) -> Result<ClusterResults> {
    let mut notes = Vec::new();
    let mut skipped = skipped;
    files.sort_by(|a, b| (a.rank, &a.path).cmp(&(b.rank, &b.path)));

    let job_id = one_value(&files, "job", |f| {
        f.results.cluster.as_ref().and_then(|c| c.job_id.clone())
    })?;
    let launcher = one_value(&files, "launcher", |f| {
        f.results.cluster.as_ref().and_then(|c| c.launcher)
    })?;
    let recorded_size = one_value(&files, "world size", |f| {
        f.results.cluster.as_ref().and_then(|c| c.world_size)
    })?;

    // Duplicate ranks: an error, or the first file (by path) is kept.
    let mut kept: Vec<RankFile> = Vec::with_capacity(files.len());
    for file in files {
        if let Some(first) = kept.iter().find(|k| k.rank == file.rank) {
            let duplicate = ClusterError::DuplicateRank {
                path: file.path.clone(),
                rank: file.rank,
                first: first.path.clone(),
            };
            if !opts.allow_partial {
                return Err(duplicate);
            }
            skipped.push(duplicate.to_string());
            continue;
        }
        kept.push(file);
    }
    let files = kept;

    let highest = files.iter().map(|f| f.rank).max().unwrap_or(0);
    let world_size = match recorded_size {
        Some(size) => {
            if let Some(out) = files.iter().find(|f| f.rank >= size) {
                return Err(ClusterError::RankOutsideWorld {
                    path: out.path.clone(),
                    rank: out.rank,
                    world_size: size,
                });
            }
            size
        }
        None => {
            notes.push(format!(
                "The launcher recorded no world size; ranks 0 to {highest} are taken to be all of them."
            ));
            highest + 1
        }
    };
    let present: BTreeSet<u32> = files.iter().map(|f| f.rank).collect();
    let missing: Vec<u32> = (0..world_size).filter(|r| !present.contains(r)).collect();
    if !missing.is_empty() && !opts.allow_partial {
        return Err(ClusterError::MissingRanks {
            missing,
            world_size,
            job: job_id,
            files_read: files.len(),
        });
    }

    let partial_ranks: Vec<u32> = files
        .iter()
        .filter(|f| !f.results.complete)
        .map(|f| f.rank)
        .collect();
    if !partial_ranks.is_empty() {
        let list: Vec<String> = partial_ranks.iter().map(u32::to_string).collect();
        notes.push(format!(
            "Partial rank{} {}: the run stopped early; only what it measured is merged, and \
             the benchmark is chosen among what every rank measured.",
            if list.len() == 1 { "" } else { "s" },
            list.join(", ")
        ));
    }
    let benchmark = choose_benchmark(&files, opts)?;
    let bench_key = GemmKey {
        kernel: benchmark.kernel,
        dtype: benchmark.dtype,
        shape: benchmark.shape,
    };

    let ranks: Vec<RankEntry> = files.iter().map(|f| rank_entry(f, &bench_key)).collect();
    let kind_labels: Vec<String> = ranks.iter().map(|r| r.adapter.label()).collect();
    let candidates: Vec<Candidate<'_>> = ranks
        .iter()
        .zip(&kind_labels)
        .map(|(r, kind)| Candidate {
            rank: r.rank,
            host: &r.host,
            kind,
            gflops: r.gflops,
            failed: &r.failed,
        })
        .collect();
    let stragglers = stragglers::find(&candidates, opts.threshold);

    let kinds: BTreeSet<&AdapterKind> = ranks.iter().map(|r| &r.adapter).collect();
    if kinds.len() > 1 {
        notes.push(format!(
            "Mixed adapters ({}): each kind is summarised and checked for stragglers on its own.",
            kinds
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    let mut excluded: Vec<Excluded> = missing
        .iter()
        .map(|&rank| Excluded {
            rank,
            reason: "no results file".into(),
        })
        .collect();
    excluded.extend(
        ranks
            .iter()
            .filter(|r| r.gflops.is_none())
            .map(|r| Excluded {
                rank: r.rank,
                reason: format!("{} failed verification", benchmark.label()),
            }),
    );
    excluded.sort_by_key(|e| e.rank);
    let counted: Vec<&RankEntry> = ranks.iter().filter(|r| r.gflops.is_some()).collect();
    let cluster_gflops = ClusterTotal {
        total: counted.iter().filter_map(|r| r.gflops).sum(),
        ranks_counted: counted.len(),
        ranks_expected: world_size,
        complete: excluded.is_empty(),
        excluded,
        benchmark: benchmark.label(),
    };

    Ok(ClusterResults {
        schema_version: CLUSTER_SCHEMA_VERSION,
        kind: ClusterKind::Cluster,
        tool: ToolInfo::current(),
        launcher,
        job_id,
        world_size,
        world_size_recorded: recorded_size.is_some(),
        complete: missing.is_empty() && partial_ranks.is_empty(),
        missing_ranks: missing,
        partial_ranks,
        skipped,
        straggler_threshold_percent: opts.threshold * 100.0,
        nodes: nodes(&ranks),
        groups: groups(&files, &ranks, true),
        adapters: groups(&files, &ranks, false),
        ranks,
        cluster_gflops,
        stragglers,
        benchmark,
        notes,
    })
}

/// The one value of a field across files; two different values are a usage error naming
/// a file of each.
fn one_value<T: PartialEq + Clone + std::fmt::Debug>(
    files: &[RankFile],
    what: &'static str,
    get: impl Fn(&RankFile) -> Option<T>,
) -> Result<Option<T>> {
    let Some(first) = files.first() else {
        return Ok(None);
    };
    let value = get(first);
    if let Some(other) = files.iter().find(|f| get(f) != value) {
        let show = |v: Option<T>| v.map_or("none".to_string(), |v| format!("{v:?}"));
        return Err(ClusterError::DifferentJobs {
            what,
            other: other.path.clone(),
            other_value: show(get(other)),
            first: first.path.clone(),
            first_value: show(value),
        });
    }
    Ok(value)
}

fn rank_entry(file: &RankFile, bench: &GemmKey) -> RankEntry {
    let r = &file.results;
    let cluster = r.cluster.clone().unwrap_or_default();
    let failed: Vec<String> = r
        .gemm
        .iter()
        .filter(|g| !g.verified)
        .map(GemmRecord::label)
        .collect();
    RankEntry {
        rank: file.rank,
        host: cluster.host,
        local_rank: cluster.local_rank,
        job_id: cluster.job_id,
        adapter: AdapterKind::from(&r.adapter),
        gflops: record(file, bench).and_then(GemmRecord::verified_median),
        verified: failed.is_empty(),
        failed,
        started_unix: r.environment.started_unix,
        file: file.path.display().to_string(),
    }
}

/// The benchmark every rank ran that the total is taken on: the flags' choice, or the best
/// verified kernel at the largest size common to all ranks (f32 when every rank has it).
fn choose_benchmark(files: &[RankFile], opts: &MergeOptions) -> Result<Benchmark> {
    let mut common: Option<BTreeSet<GemmKey>> = None;
    for file in files {
        let keys: BTreeSet<GemmKey> = file.results.gemm.iter().map(GemmRecord::key).collect();
        common = Some(match common {
            None => keys,
            Some(c) => c.intersection(&keys).cloned().collect(),
        });
    }
    let common = common.unwrap_or_default();
    if common.is_empty() {
        return Err(ClusterError::NoCommonBenchmark);
    }
    let by_flags = opts.kernel.is_some() || opts.dtype.is_some() || opts.shape.is_some();
    let mut candidates: Vec<&GemmKey> = common
        .iter()
        .filter(|k| opts.kernel.is_none_or(|want| want == k.kernel))
        .filter(|k| opts.dtype.is_none_or(|want| want == k.dtype))
        .filter(|k| opts.shape.is_none_or(|want| want == k.shape))
        .collect();
    if candidates.is_empty() {
        let labels: Vec<String> = common.iter().map(GemmKey::label).collect();
        let wanted = [
            opts.kernel.as_ref().map(|k| format!("kernel {k}")),
            opts.dtype.as_ref().map(|d| format!("dtype {d}")),
            opts.shape.map(|s| format!("size {}", s.label())),
        ];
        return Err(ClusterError::NoMatchingBenchmark {
            wanted: wanted.into_iter().flatten().collect::<Vec<_>>().join(", "),
            common: labels.join(", "),
        });
    }
    if opts.dtype.is_none() && candidates.iter().any(|k| k.dtype == Dtype::F32) {
        candidates.retain(|k| k.dtype == Dtype::F32);
    }
    let volume = |k: &GemmKey| {
        let GemmShape { m, n, k } = k.shape;
        (u64::from(m) * u64::from(n) * u64::from(k), m, n, k)
    };
    let largest = candidates
        .iter()
        .map(|k| volume(k))
        .max()
        .expect("non-empty");
    candidates.retain(|k| volume(k) == largest);
    let cluster_median = |key: &GemmKey| {
        let values: Vec<f64> = files
            .iter()
            .filter_map(|f| record(f, key).and_then(GemmRecord::verified_median))
            .collect();
        Summary::of(&values).map(|s| s.median)
    };
    let best = candidates
        .iter()
        .max_by(|a, b| {
            let (x, y) = (cluster_median(a), cluster_median(b));
            x.unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&y.unwrap_or(f64::NEG_INFINITY))
                .then_with(|| b.kernel.as_str().cmp(a.kernel.as_str()))
        })
        .expect("non-empty");
    let chosen_by = if by_flags {
        "--kernel/--dtype/--size (the fastest match at the largest size)".to_string()
    } else {
        "default: the fastest verified kernel (cluster median) at the largest size every \
         rank ran, f32 when every rank has it"
            .to_string()
    };
    Ok(Benchmark {
        kernel: best.kernel,
        dtype: best.dtype,
        shape: best.shape,
        chosen_by,
    })
}

fn nodes(ranks: &[RankEntry]) -> Vec<NodeEntry> {
    let mut by_host: BTreeMap<&str, Vec<&RankEntry>> = BTreeMap::new();
    for r in ranks {
        by_host.entry(&r.host).or_default().push(r);
    }
    by_host
        .into_iter()
        .map(|(host, rs)| {
            let adapters: BTreeSet<String> = rs.iter().map(|r| r.adapter.label()).collect();
            NodeEntry {
                host: host.to_string(),
                ranks: rs.iter().map(|r| r.rank).collect(),
                adapters: adapters.into_iter().collect(),
                gflops: rs.iter().filter_map(|r| r.gflops).sum(),
                ranks_counted: rs.iter().filter(|r| r.gflops.is_some()).count(),
            }
        })
        .collect()
}

/// Per (host, kind) groups when `per_host`, else per kind over the cluster.
fn groups(files: &[RankFile], ranks: &[RankEntry], per_host: bool) -> Vec<Group> {
    let mut sets: BTreeMap<(Option<&str>, &AdapterKind), Vec<usize>> = BTreeMap::new();
    for (i, r) in ranks.iter().enumerate() {
        let host = per_host.then_some(r.host.as_str());
        sets.entry((host, &r.adapter)).or_default().push(i);
    }
    sets.into_iter()
        .map(|((host, adapter), members)| {
            let mut keys: BTreeSet<GemmKey> = BTreeSet::new();
            for &i in &members {
                keys.extend(files[i].results.gemm.iter().map(GemmRecord::key));
            }
            let gemm = keys
                .into_iter()
                .map(|key| {
                    let records: Vec<&GemmRecord> = members
                        .iter()
                        .filter_map(|&i| record(&files[i], &key))
                        .collect();
                    let values: Vec<f64> =
                        records.iter().filter_map(|g| g.verified_median()).collect();
                    GemmFigures {
                        ranks_verified: values.len(),
                        ranks_failed: records.iter().filter(|g| !g.verified).count(),
                        gflops: Summary::of(&values),
                        kernel: key.kernel,
                        dtype: key.dtype,
                        shape: key.shape,
                    }
                })
                .collect();
            Group {
                host: host.map(str::to_string),
                adapter: adapter.clone(),
                ranks: members.iter().map(|&i| ranks[i].rank).collect(),
                gemm,
            }
        })
        .collect()
}
