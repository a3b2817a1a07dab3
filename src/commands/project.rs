//! `fleetbench project` (placeholder until the model lands).

use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct ProjectArgs {}

pub fn execute(_args: &ProjectArgs) -> Result<()> {
    Err(Error::runtime("project: not built yet"))
}
