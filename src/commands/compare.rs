//! `fleetbench compare` (placeholder until the model lands).

use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct CompareArgs {}

pub fn execute(_args: &CompareArgs) -> Result<()> {
    Err(Error::runtime("compare: not built yet"))
}
