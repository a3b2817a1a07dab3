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
    Environment, FmaPeaks, GemmKey, GemmRecord, Peaks, RunResults, SCHEMA_VERSION, Timing, ToolInfo,
};
pub use stats::Summary;
pub use tuning::{ShapeClass, TuneRecord, TuneSource};
