//! The cluster side of the seam: where a process stood in a launched job (`RankInfo`, in
//! every per-rank results file) and the merged cluster result `merge` writes
//! (`kind: "cluster"`), read later by `project --from`, `report` and `diff`.

use serde::{Deserialize, Serialize};

use super::adapter::{AdapterDescription, Backend};
use super::run::ToolInfo;
use super::stats::Summary;
use crate::kernels::{Dtype, GemmShape, KernelId};

/// The launcher a process ran under.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Launcher {
    Slurm,
    Mpi,
    Kubernetes,
}

impl Launcher {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Rank, world size and job of one process (all None outside a launcher).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInfo {
    pub host: String,
    pub rank: Option<u32>,
    pub world_size: Option<u32>,
    pub local_rank: Option<u32>,
    pub job_id: Option<String>,
    /// None when not launched by one.
    pub launcher: Option<Launcher>,
}

/// Version of the merged-result layout; bump when a field changes meaning.
pub const CLUSTER_SCHEMA_VERSION: u32 = 1;

/// The merged result (`merge --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterResults {
    pub schema_version: u32,
    /// Always "cluster": tells a merged file from a per-rank one.
    pub kind: ClusterKind,
    pub tool: ToolInfo,
    pub launcher: Option<Launcher>,
    pub job_id: Option<String>,
    /// Ranks the job had: the launcher's world size, else one more than the highest rank.
    pub world_size: u32,
    /// True when the launcher recorded the world size (false: inferred from the ranks).
    pub world_size_recorded: bool,
    /// Every rank of the world was read, whole, and counted.
    pub complete: bool,
    pub missing_ranks: Vec<u32>,
    /// Ranks whose run stopped early (`--allow-partial` merged what they measured).
    /// Absent when none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial_ranks: Vec<u32>,
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

/// The `kind` a merged file carries, so it is told apart from a per-rank file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    Cluster,
}

/// The benchmark the cluster figures are taken on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmark {
    pub kernel: KernelId,
    pub dtype: Dtype,
    #[serde(flatten)]
    pub shape: GemmShape,
    /// How it was chosen, in words.
    pub chosen_by: String,
}

impl Benchmark {
    /// "tiled f32 1024x1024x1024".
    pub fn label(&self) -> String {
        format!("{} {} {}", self.kernel, self.dtype, self.shape.label())
    }
}

/// An adapter kind: ranks with equal name, backend and driver are compared together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AdapterKind {
    pub name: String,
    pub backend: Backend,
    pub driver: String,
}

impl From<&AdapterDescription> for AdapterKind {
    fn from(adapter: &AdapterDescription) -> Self {
        AdapterKind {
            name: adapter.name.clone(),
            backend: adapter.backend,
            driver: adapter.driver.clone(),
        }
    }
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
    pub kernel: KernelId,
    pub dtype: Dtype,
    #[serde(flatten)]
    pub shape: GemmShape,
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

/// Why a rank is a straggler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StragglerReason {
    /// Throughput more than the threshold below the median of its adapter kind.
    Slow,
    /// At least one GEMM in its file failed verification.
    VerificationFailed,
}

/// One flagged rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Straggler {
    pub rank: u32,
    pub host: String,
    pub adapter: String,
    pub reason: StragglerReason,
    /// One line for people: what was measured or which GEMM failed.
    pub detail: String,
    /// The rank's median GFLOP/s on the merge's benchmark (null when not verified).
    pub gflops: Option<f64>,
    /// Median over the ranks of the same adapter kind that passed verification.
    pub median_of_kind: Option<f64>,
    /// How far below that median, in percent (slow stragglers only).
    pub below_median_percent: Option<f64>,
}
