//! This process's place in a launched job, read from the launcher's environment.

use serde::{Deserialize, Serialize};

/// Rank, world size and job of one process (all None outside a launcher).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInfo {
    pub host: String,
    pub rank: Option<u32>,
    pub world_size: Option<u32>,
    pub local_rank: Option<u32>,
    pub job_id: Option<String>,
    /// slurm, mpi, kubernetes; None when not launched by one.
    pub launcher: Option<String>,
}

impl RankInfo {
    /// Reads the launcher's variables (placeholder: not launched).
    pub fn detect() -> RankInfo {
        RankInfo::default()
    }
}

/// Expands `{host}`, `{rank}`, `{local_rank}` and `{job}` in an output path (placeholder:
/// returned unchanged).
pub fn expand_output(path: &std::path::Path, _rank: &RankInfo) -> crate::error::Result<std::path::PathBuf> {
    Ok(path.to_path_buf())
}
