//! The seam between measuring and everything that reads a measurement: the plain data that
//! goes into a results file (`run`) or a merged cluster file (`merge`), and the one loader
//! for both. It depends on serde and the kernel/dtype vocabulary only, never on wgpu, the
//! measuring engine, the cluster launcher code or any renderer: `gpu`, `measure` and
//! `cluster` produce these values; `bridge`, `report` and the commands consume them.
//!
//! Field names are a contract (documented in `docs/results.schema.json`); bump the
//! matching schema version when one changes meaning.

pub mod adapter;
pub mod cluster;
mod read;
pub mod run;
pub mod stats;
pub mod tuning;

pub use adapter::{AdapterDescription, Backend, DeviceType, GemmLimits};
pub use cluster::{CLUSTER_SCHEMA_VERSION, ClusterResults, Launcher, RankInfo};
pub use read::{ReadError, ResultsFile, parse, read};
pub use run::{
    Environment, FmaPeaks, GemmKey, GemmRecord, Peaks, RunResults, SCHEMA_VERSION, SkippedGemm,
    Timing, ToolInfo,
};
pub use stats::Summary;
pub use tuning::{ShapeClass, TuneRecord, TuneSource};

#[cfg(test)]
mod tests {
    use super::*;

    /// The names tables print (strum) are the names files hold (serde).
    fn same_names<T: serde::Serialize + Copy + Into<&'static str>>(values: &[T]) {
        for &v in values {
            let written = serde_json::to_value(v).unwrap();
            assert_eq!(written.as_str(), Some(v.into()));
        }
    }

    #[test]
    fn displayed_names_are_the_serialised_ones() {
        same_names(&[
            Backend::Vulkan,
            Backend::Metal,
            Backend::Dx12,
            Backend::Gl,
            Backend::Other,
        ]);
        same_names(&[
            DeviceType::DiscreteGpu,
            DeviceType::IntegratedGpu,
            DeviceType::VirtualGpu,
            DeviceType::Cpu,
            DeviceType::Other,
        ]);
        same_names(&[Launcher::Slurm, Launcher::Mpi, Launcher::Kubernetes]);
        same_names(&[Timing::Timestamp, Timing::WallClock]);
        same_names(&[ShapeClass::Square, ShapeClass::Skinny]);
        same_names(&[TuneSource::Cache, TuneSource::Search, TuneSource::Default]);
    }
}
