//! One run's results file: what `run` writes and what later commands (`project --from`,
//! `report`, `merge`, `diff`) read. Its field names are a contract; bump `SCHEMA_VERSION`
//! when they change.

use serde::{Deserialize, Serialize};

use super::adapter::AdapterDescription;
use super::cluster::RankInfo;
use super::stats::Summary;
use super::tuning::TuneRecord;
use crate::kernels::{Dtype, GemmShape, KernelId};

/// Version of the results-file layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole output of one `run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub environment: Environment,
    pub adapter: AdapterDescription,
    /// This process's place in a launched job (Slurm, MPI, Kubernetes); absent outside one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<RankInfo>,
    /// `timestamp` when every figure came from GPU timestamps, else `wall_clock`.
    pub timing: Timing,
    pub peaks: Peaks,
    /// How each `tuned` kernel was chosen (cache, search or default).
    #[serde(default)]
    pub tuning: Vec<TuneRecord>,
    pub gemm: Vec<GemmRecord>,
    /// GEMMs the device would not hold (out of memory, or a buffer refused when allocated);
    /// the run went on without them. Absent when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedGemm>,
    /// False when the run stopped before measuring everything it planned (a signal, a
    /// lost device): `gemm` then holds what was measured before. Files written before the
    /// field existed were complete.
    #[serde(default = "complete_by_default")]
    pub complete: bool,
    /// Why an incomplete run stopped, in words ("interrupted by SIGINT", "lost the device
    /// while measuring tiled f32 512x512x512: ..."). Absent for a complete run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

fn complete_by_default() -> bool {
    true
}

/// A GEMM the run planned but could not allocate, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedGemm {
    pub kernel: KernelId,
    pub dtype: Dtype,
    /// M, N and K, written flat (`m`, `n`, `k`) in the file.
    #[serde(flatten)]
    pub shape: GemmShape,
    /// The transformer GEMM this shape stands for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// The device's error, on one line.
    pub reason: String,
}

impl SkippedGemm {
    /// "kernel dtype MxNxK", as a measured GEMM's label.
    pub fn label(&self) -> String {
        GemmKey {
            kernel: self.kernel,
            dtype: self.dtype,
            shape: self.shape,
        }
        .label()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    pub fn current() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Where and how the run happened, so two results files can be compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub os: String,
    pub arch: String,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// The command line exactly as given.
    pub command_line: Vec<String>,
    /// The git commit fleetbench was built from, where known.
    #[serde(default)]
    pub git_commit: Option<String>,
    /// The wgpu version fleetbench was built with.
    #[serde(default)]
    pub wgpu_version: Option<String>,
}

impl Environment {
    pub fn current() -> Self {
        Environment {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            started_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            command_line: std::env::args().collect(),
            git_commit: crate::build_info::git_commit().map(str::to_string),
            wgpu_version: crate::build_info::dependency_version("wgpu").map(str::to_string),
        }
    }
}

/// The device's own ceilings, measured by the probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peaks {
    /// The figure each efficiency divides by, per element type: the probe's best, or a
    /// verified GEMM's median where one beat the probe even after its wider search (that
    /// probe's record then names the GEMM in `exceeded_by`).
    pub fma_gflops: FmaPeaks,
    /// Copy bandwidth, bytes read plus written, in GB/s: the figure the roofline uses.
    pub bandwidth_gbps: f64,
    /// Each probe's best configuration and rate (FMA per element type; read, write and
    /// copy bandwidth). Absent from files written before the probes were searched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeRecord>,
}

impl Peaks {
    /// The record of one probe (`dtype` for FMA probes, None for bandwidth), when kept.
    pub fn probe(&self, probe: ProbeKind, dtype: Option<Dtype>) -> Option<&ProbeRecord> {
        self.probes
            .iter()
            .find(|p| p.probe == probe && p.dtype == dtype)
    }
}

/// Throughput per element type (median): GFLOP/s for f32 and f16, GOP/s for i8 (each
/// `dot4I8Packed` counted as 8 operations: 4 multiplies and 4 adds); f16 and i8 only when
/// measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FmaPeaks {
    pub f32: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub f16: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub i8: Option<f64>,
}

impl FmaPeaks {
    /// The peak for an element type, when measured. Mixed precision (f16 inputs, f32
    /// sums) runs f32 FMAs, so its ceiling is the f32 peak.
    pub fn for_dtype(&self, dtype: Dtype) -> Option<f64> {
        match dtype {
            Dtype::F32 | Dtype::F16F32 => Some(self.f32),
            Dtype::F16 => self.f16,
            Dtype::I8 => self.i8,
        }
    }

    /// Sets the peak of an element type (mixed precision shares f32's).
    pub fn set(&mut self, dtype: Dtype, value: f64) {
        match dtype {
            Dtype::F32 | Dtype::F16F32 => self.f32 = value,
            Dtype::F16 => self.f16 = Some(value),
            Dtype::I8 => self.i8 = Some(value),
        }
    }
}

/// Which probe a record is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// Arithmetic throughput (FMA for floats, dot4I8Packed for i8).
    Fma,
    /// Memory read bandwidth.
    Read,
    /// Memory write bandwidth.
    Write,
    /// Memory copy bandwidth (bytes read plus written).
    Copy,
}

/// One probe's best configuration and what it measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    pub probe: ProbeKind,
    /// The element type of an FMA probe; absent for bandwidth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<Dtype>,
    /// GFLOP/s (f32, f16), GOP/s (i8) or GB/s over the best configuration's samples.
    pub rate: Summary,
    /// The best configuration, e.g. "4 x vec4 accumulators, workgroup 64".
    pub configuration: String,
    /// Configurations measured to find it.
    pub candidates: usize,
    /// A verified GEMM that still beat this probe after the wider search: the element
    /// type's peak is then that GEMM's median, not the probe's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceeded_by: Option<ExceedingGemm>,
}

/// The verified GEMM whose figure stands in for a probe it beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceedingGemm {
    /// "kernel dtype MxNxK".
    pub benchmark: String,
    /// Its median GFLOP/s (GOP/s for i8).
    pub gflops: f64,
}

/// How an elapsed time was obtained.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// GPU timestamp queries, each cross-checked against the wall clock.
    Timestamp,
    /// The wall clock around submit and wait.
    WallClock,
}

impl Timing {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One GEMM benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmRecord {
    pub kernel: KernelId,
    /// The kernel's family, tile and workgroup geometry.
    pub geometry: String,
    /// The transformer GEMM this shape stands for (e.g. "llama-3-70b mlp_up"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    pub dtype: Dtype,
    /// M, N and K, written flat (`m`, `n`, `k`) in the file.
    #[serde(flatten)]
    pub shape: GemmShape,
    /// GFLOP/s (2MNK per run) over the samples; null when verification failed.
    pub gflops: Option<Summary>,
    pub samples: usize,
    pub verified: bool,
    pub max_error: f64,
    pub error_bound: f64,
    /// Entries compared with the CPU reference.
    pub checked_entries: usize,
    /// Median GFLOP/s over the measured FMA peak of this dtype; null when not measured.
    pub efficiency: Option<f64>,
    /// How this benchmark was timed; null when not timed.
    pub timing: Option<Timing>,
}

/// What identifies one GEMM benchmark across files (ranks of a merge, runs of a diff).
/// Ordered by name, so tables list kernels alphabetically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GemmKey {
    pub kernel: KernelId,
    pub dtype: Dtype,
    pub shape: GemmShape,
}

impl GemmKey {
    fn order(&self) -> (&'static str, &'static str, u32, u32, u32) {
        let GemmShape { m, n, k } = self.shape;
        (self.kernel.as_str(), self.dtype.as_str(), m, n, k)
    }

    /// "kernel dtype MxNxK".
    pub fn label(&self) -> String {
        format!("{} {} {}", self.kernel, self.dtype, self.shape.label())
    }
}

impl Ord for GemmKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order().cmp(&other.order())
    }
}

impl PartialOrd for GemmKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl GemmRecord {
    pub fn key(&self) -> GemmKey {
        GemmKey {
            kernel: self.kernel,
            dtype: self.dtype,
            shape: self.shape,
        }
    }

    /// "kernel dtype MxNxK", the name a row goes by in merges and diffs.
    pub fn label(&self) -> String {
        self.key().label()
    }

    /// The median GFLOP/s when the result passed verification.
    pub fn verified_median(&self) -> Option<f64> {
        self.gflops.filter(|_| self.verified).map(|s| s.median)
    }
}

impl RunResults {
    /// The adapter as a short label, e.g. "llvmpipe (vulkan, software)".
    pub fn adapter_label(&self) -> String {
        self.adapter.label()
    }
}
