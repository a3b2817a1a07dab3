//! Running under a cluster launcher (Slurm, Open MPI, Kubernetes Indexed Jobs): who this
//! process is in the job (rank, world size, local rank, job id, host), output paths with
//! placeholders, and `merge`, which gathers per-rank results into one cluster result and
//! flags stragglers.

pub mod error;
pub mod inputs;
pub mod merge;
pub mod rank;
pub mod stragglers;

pub use crate::results::cluster::{ClusterResults, RankInfo};
pub use error::ClusterError;
pub use merge::MergeOptions;
