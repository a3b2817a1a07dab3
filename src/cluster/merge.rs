//! Merging per-rank results into one cluster result: the JSON contract `merge` writes
//! (`kind: "cluster"`, read later by `project --from`), the checks across files (one job,
//! one world size, no duplicate or missing rank), the benchmark the cluster total is taken
//! on, per-node and per-adapter GEMM figures, the measured cluster GFLOP/s and stragglers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::inputs::RankFile;
use super::stragglers::{self, Candidate, Straggler};
use crate::error::{Error, Result};
use crate::measure::stats::Summary;
use crate::results::{GemmRecord, ToolInfo};

/// Version of the merged-result layout; bump when a field changes meaning.
pub const CLUSTER_SCHEMA_VERSION: u32 = 1;

/// How to merge.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Merge what can be merged (skipping bad files, duplicate and missing ranks), saying so.
    pub allow_partial: bool,
    /// Straggler threshold as a fraction (0.10 = 10% below the median of the kind).
    pub threshold: f64,
    pub kernel: Option<String>,
    pub dtype: Option<String>,
    pub shape: Option<[u32; 3]>,
}

/// The merged result (`merge --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterResults {
    pub schema_version: u32,
    /// Always "cluster": tells a merged file from a per-rank one.
    pub kind: String,
    pub tool: ToolInfo,
    pub launcher: Option<String>,
    pub job_id: Option<String>,
    /// Ranks the job had: the launcher's world size, else one more than the highest rank.
    pub world_size: u32,
    /// True when the launcher recorded the world size (false: inferred from the ranks).
    pub world_size_recorded: bool,
    /// Every rank of the world was read and counted.
    pub complete: bool,
    pub missing_ranks: Vec<u32>,
    /// One line per input that was not merged (only with --allow-partial).
    pub skipped: Vec<String>,
    /// The GEMM the cluster total, per-rank figures and stragglers are taken on.
    pub benchmark: Benchmark,
    pub straggler_threshold_percent: f64,
    pub ranks: Vec<RankEntry>,
    /// Per host: its ranks and their summed GFLOP/s (for per-node charts).
    pub nodes: Vec<NodeEntry>,
    /// Per host and adapter kind: every GEMM's median / min / max over the ranks.
    pub groups: Vec<Group>,
    /// Per adapter kind over the whole cluster.
    pub adapters: Vec<Group>,
    pub cluster_gflops: ClusterTotal,
    pub stragglers: Vec<Straggler>,
    pub notes: Vec<String>,
}

/// The benchmark the cluster figures are taken on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmark {
    pub kernel: String,
    pub dtype: String,
    pub m: u32,
    pub n: u32,
    pub k: u32,
    /// How it was chosen, in words.
    pub chosen_by: String,
}

impl Benchmark {
    /// "tiled f32 1024x1024x1024".
    pub fn label(&self) -> String {
        format!(
            "{} {} {}x{}x{}",
            self.kernel, self.dtype, self.m, self.n, self.k
        )
    }
}

/// An adapter kind: ranks with equal name, backend and driver are compared together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AdapterKind {
    pub name: String,
    pub backend: String,
    pub driver: String,
}

impl AdapterKind {
    /// "llvmpipe (vulkan, llvmpipe)".
    pub fn label(&self) -> String {
        if self.driver.is_empty() {
            format!("{} ({})", self.name, self.backend)
        } else {
            format!("{} ({}, {})", self.name, self.backend, self.driver)
        }
    }
}

/// One rank as merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    pub rank: u32,
    pub host: String,
    pub local_rank: Option<u32>,
    pub job_id: Option<String>,
    pub adapter: AdapterKind,
    /// Median GFLOP/s on the merge's benchmark; null when it failed verification.
    pub gflops: Option<f64>,
    /// Every GEMM in the rank's file passed verification.
    pub verified: bool,
    /// The GEMMs that failed, as "kernel dtype MxNxK".
    pub failed: Vec<String>,
    /// Seconds since the epoch when the rank's run started.
    pub started_unix: u64,
    pub file: String,
}

/// One host's share of the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEntry {
    pub host: String,
    pub ranks: Vec<u32>,
    pub adapters: Vec<String>,
    /// Sum of its ranks' GFLOP/s on the benchmark (verified ranks only).
    pub gflops: f64,
    pub ranks_counted: usize,
}

/// GEMM figures over a set of ranks (one host and adapter kind, or one kind cluster-wide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The host, for per-node groups; null for cluster-wide adapter groups.
    pub host: Option<String>,
    pub adapter: AdapterKind,
    pub ranks: Vec<u32>,
    pub gemm: Vec<GemmFigures>,
}

/// Median / min / max over ranks of each rank's median GFLOP/s for one GEMM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmFigures {
    pub kernel: String,
    pub dtype: String,
    pub m: u32,
    pub n: u32,
    pub k: u32,
    /// Ranks that measured it and passed verification.
    pub ranks_verified: usize,
    /// Ranks that ran it and failed verification.
    pub ranks_failed: usize,
    /// Over the verified ranks' medians; null when none passed.
    pub gflops: Option<Summary>,
}

/// The measured cluster throughput: the sum of the ranks' median GFLOP/s on the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterTotal {
    pub total: f64,
    pub ranks_counted: usize,
    pub ranks_expected: u32,
    /// True only when every rank of the world is in the total.
    pub complete: bool,
    /// Ranks not in the total, each with why.
    pub excluded: Vec<Excluded>,
    /// The benchmark, as "kernel dtype MxNxK".
    pub benchmark: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub rank: u32,
    pub reason: String,
}

type Key = (String, String, u32, u32, u32);

fn key_of(g: &GemmRecord) -> Key {
    (g.kernel.clone(), g.dtype.clone(), g.m, g.n, g.k)
}

fn key_label(key: &Key) -> String {
    format!("{} {} {}x{}x{}", key.0, key.1, key.2, key.3, key.4)
}

/// A record's median when it passed verification.
fn verified_median(g: &GemmRecord) -> Option<f64> {
    g.gflops.filter(|_| g.verified).map(|s| s.median)
}

fn record<'a>(file: &'a RankFile, key: &Key) -> Option<&'a GemmRecord> {
    file.results.gemm.iter().find(|g| key_of(g) == *key)
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
        f.results.cluster.as_ref().and_then(|c| c.launcher.clone())
    })?;
    let recorded_size = one_value(&files, "world size", |f| {
        f.results.cluster.as_ref().and_then(|c| c.world_size)
    })?;

    // Duplicate ranks: an error, or the first file (by path) is kept.
    let mut kept: Vec<RankFile> = Vec::with_capacity(files.len());
    for file in files {
        if let Some(first) = kept.iter().find(|k| k.rank == file.rank) {
            let line = format!(
                "{}: rank {} again (already in {})",
                file.path.display(),
                file.rank,
                first.path.display()
            );
            if !opts.allow_partial {
                return Err(Error::usage(format!(
                    "{line}; pass one job's files, or --allow-partial to keep the first"
                )));
            }
            skipped.push(line);
            continue;
        }
        kept.push(file);
    }
    let files = kept;

    let highest = files.iter().map(|f| f.rank).max().unwrap_or(0);
    let world_size = match recorded_size {
        Some(size) => {
            if let Some(out) = files.iter().find(|f| f.rank >= size) {
                return Err(Error::usage(format!(
                    "{}: rank {} is outside the world size {size}",
                    out.path.display(),
                    out.rank
                )));
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
        return Err(Error::usage(format!(
            "missing rank{} {} of world size {world_size}{} ({} file{} read); pass \
             --allow-partial to merge the others",
            if missing.len() == 1 { "" } else { "s" },
            list(&missing),
            job_id
                .as_deref()
                .map(|j| format!(" in job {j}"))
                .unwrap_or_default(),
            files.len(),
            if files.len() == 1 { "" } else { "s" },
        )));
    }

    let benchmark = choose_benchmark(&files, opts)?;
    let bench_key: Key = (
        benchmark.kernel.clone(),
        benchmark.dtype.clone(),
        benchmark.m,
        benchmark.n,
        benchmark.k,
    );

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
        kind: "cluster".into(),
        tool: ToolInfo::current(),
        launcher,
        job_id,
        world_size,
        world_size_recorded: recorded_size.is_some(),
        complete: missing.is_empty(),
        missing_ranks: missing,
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

/// "0, 2, 3".
fn list(ranks: &[u32]) -> String {
    ranks
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The one value of a field across files; two different values are a usage error naming
/// a file of each.
fn one_value<T: PartialEq + Clone + std::fmt::Debug>(
    files: &[RankFile],
    what: &str,
    get: impl Fn(&RankFile) -> Option<T>,
) -> Result<Option<T>> {
    let Some(first) = files.first() else {
        return Ok(None);
    };
    let value = get(first);
    if let Some(other) = files.iter().find(|f| get(f) != value) {
        let show = |v: Option<T>| v.map_or("none".to_string(), |v| format!("{v:?}"));
        return Err(Error::usage(format!(
            "{}: {what} {} differs from {} in {}; merge the files of one job at a time",
            other.path.display(),
            show(get(other)),
            show(value),
            first.path.display()
        )));
    }
    Ok(value)
}

fn rank_entry(file: &RankFile, bench: &Key) -> RankEntry {
    let r = &file.results;
    let cluster = r.cluster.clone().unwrap_or_default();
    let failed: Vec<String> = r
        .gemm
        .iter()
        .filter(|g| !g.verified)
        .map(|g| key_label(&key_of(g)))
        .collect();
    RankEntry {
        rank: file.rank,
        host: cluster.host,
        local_rank: cluster.local_rank,
        job_id: cluster.job_id,
        adapter: AdapterKind {
            name: r.adapter.name.clone(),
            backend: r.adapter.backend.clone(),
            driver: r.adapter.driver.clone(),
        },
        gflops: record(file, bench).and_then(verified_median),
        verified: failed.is_empty(),
        failed,
        started_unix: r.environment.started_unix,
        file: file.path.display().to_string(),
    }
}

/// The benchmark every rank ran that the total is taken on: the flags' choice, or the best
/// verified kernel at the largest size common to all ranks (f32 when every rank has it).
fn choose_benchmark(files: &[RankFile], opts: &MergeOptions) -> Result<Benchmark> {
    let mut common: Option<BTreeSet<Key>> = None;
    for file in files {
        let keys: BTreeSet<Key> = file.results.gemm.iter().map(key_of).collect();
        common = Some(match common {
            None => keys,
            Some(c) => c.intersection(&keys).cloned().collect(),
        });
    }
    let common = common.unwrap_or_default();
    if common.is_empty() {
        return Err(Error::usage(
            "the files have no GEMM benchmark in common (were they run with different \
             --kernel, --dtype or --sizes?)",
        ));
    }
    let by_flags = opts.kernel.is_some() || opts.dtype.is_some() || opts.shape.is_some();
    let mut candidates: Vec<&Key> = common
        .iter()
        .filter(|k| opts.kernel.as_ref().is_none_or(|want| *want == k.0))
        .filter(|k| opts.dtype.as_ref().is_none_or(|want| *want == k.1))
        .filter(|k| opts.shape.is_none_or(|s| s == [k.2, k.3, k.4]))
        .collect();
    if candidates.is_empty() {
        let labels: Vec<String> = common.iter().map(key_label).collect();
        return Err(Error::usage(format!(
            "no benchmark matching {} was run by every rank; common to all: {}",
            [
                opts.kernel.as_ref().map(|k| format!("--kernel {k}")),
                opts.dtype.as_ref().map(|d| format!("--dtype {d}")),
                opts.shape.map(|[m, n, k]| format!("--size {m}x{n}x{k}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            labels.join(", ")
        )));
    }
    if opts.dtype.is_none() && candidates.iter().any(|k| k.1 == "f32") {
        candidates.retain(|k| k.1 == "f32");
    }
    let volume = |k: &Key| {
        (
            u64::from(k.2) * u64::from(k.3) * u64::from(k.4),
            k.2,
            k.3,
            k.4,
        )
    };
    let largest = candidates
        .iter()
        .map(|k| volume(k))
        .max()
        .expect("non-empty");
    candidates.retain(|k| volume(k) == largest);
    let cluster_median = |key: &Key| {
        let values: Vec<f64> = files
            .iter()
            .filter_map(|f| record(f, key).and_then(verified_median))
            .collect();
        Summary::of(&values).map(|s| s.median)
    };
    let best = candidates
        .iter()
        .max_by(|a, b| {
            let (x, y) = (cluster_median(a), cluster_median(b));
            x.unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&y.unwrap_or(f64::NEG_INFINITY))
                .then_with(|| b.0.cmp(&a.0))
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
        kernel: best.0.clone(),
        dtype: best.1.clone(),
        m: best.2,
        n: best.3,
        k: best.4,
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
            let mut keys: BTreeSet<Key> = BTreeSet::new();
            for &i in &members {
                keys.extend(files[i].results.gemm.iter().map(key_of));
            }
            let gemm = keys
                .into_iter()
                .map(|key| {
                    let records: Vec<&GemmRecord> = members
                        .iter()
                        .filter_map(|&i| record(&files[i], &key))
                        .collect();
                    let values: Vec<f64> =
                        records.iter().filter_map(|g| verified_median(g)).collect();
                    GemmFigures {
                        ranks_verified: values.len(),
                        ranks_failed: records.iter().filter(|g| !g.verified).count(),
                        gflops: Summary::of(&values),
                        kernel: key.0,
                        dtype: key.1,
                        m: key.2,
                        n: key.3,
                        k: key.4,
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
