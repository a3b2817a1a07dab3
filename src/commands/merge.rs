//! `fleetbench merge` (placeholder until the cluster work lands).

use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct MergeArgs {}

pub fn execute(_args: &MergeArgs) -> Result<()> {
    Err(Error::runtime("merge: not built yet"))
}
