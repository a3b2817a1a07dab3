//! `fleetbench report` (placeholder until the HTML report lands).

use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {}

pub fn execute(_args: &ReportArgs) -> Result<()> {
    Err(Error::runtime("report: not built yet"))
}
