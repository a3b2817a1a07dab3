//! The results file: what `run` writes and what later commands (`project --from`,
//! `report`, `merge`) read. This is the seam between measuring and projecting, so its
//! field names are a contract; bump `SCHEMA_VERSION` when they change.

use serde::{Deserialize, Serialize};

use crate::cluster::RankInfo;
use crate::gpu::AdapterDescription;
use crate::measure::autotune::TuneRecord;
use crate::measure::stats::Summary;

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
    pub timing: String,
    pub peaks: Peaks,
    /// How each `tuned` kernel was chosen (cache, search or default).
    #[serde(default)]
    pub tuning: Vec<TuneRecord>,
    pub gemm: Vec<GemmRecord>,
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
            git_commit: option_env!("FLEETBENCH_GIT_COMMIT").map(str::to_string),
            wgpu_version: option_env!("FLEETBENCH_WGPU_VERSION").map(str::to_string),
        }
    }
}

/// The device's own ceilings, measured by the probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peaks {
    pub fma_gflops: FmaPeaks,
    /// Shader copy bandwidth, bytes read plus written, in GB/s.
    pub bandwidth_gbps: f64,
}

/// FMA throughput per element type (median GFLOP/s); f16 only when measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FmaPeaks {
    pub f32: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub f16: Option<f64>,
}

impl FmaPeaks {
    /// The peak for a dtype name, when measured.
    pub fn for_dtype(&self, dtype: &str) -> Option<f64> {
        match dtype {
            "f32" => Some(self.f32),
            "f16" => self.f16,
            _ => None,
        }
    }
}

/// One GEMM benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmRecord {
    pub kernel: String,
    /// The kernel's family, tile and workgroup geometry.
    pub geometry: String,
    /// The transformer GEMM this shape stands for (e.g. "llama-3-70b mlp_up"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    pub dtype: String,
    pub m: u32,
    pub n: u32,
    pub k: u32,
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
    /// How this benchmark was timed (`timestamp` or `wall_clock`); null when not timed.
    pub timing: Option<String>,
}

impl RunResults {
    /// The adapter as a short label, e.g. "llvmpipe (vulkan, software)".
    pub fn adapter_label(&self) -> String {
        self.adapter.label()
    }
}
