//! `fleetbench accelerators` and `fleetbench fleets` (placeholder until the model lands).

use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct AcceleratorsArgs {}

#[derive(Debug, clap::Args)]
pub struct FleetsArgs {}

pub fn execute_accelerators(_args: &AcceleratorsArgs) -> Result<()> {
    Err(Error::runtime("accelerators: not built yet"))
}

pub fn execute_fleets(_args: &FleetsArgs) -> Result<()> {
    Err(Error::runtime("fleets: not built yet"))
}
