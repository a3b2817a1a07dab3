//! `fleetbench accelerators` and `fleetbench fleets`: the catalogs with every figure's
//! source and status (views in `report::catalog_tables`).

use super::model_args::CommonArgs;
use crate::error::Result;
use crate::model::Catalog;
use crate::report::catalog_tables::{AcceleratorsView, FleetsView};

/// Arguments of `fleetbench accelerators`.
#[derive(Debug, clap::Args)]
pub struct AcceleratorsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `fleetbench fleets`.
#[derive(Debug, clap::Args)]
pub struct FleetsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `fleetbench accelerators`.
pub fn execute_accelerators(args: &AcceleratorsArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let catalog = Catalog::load(args.common.catalog.as_deref())?;
    Ok(destination.write(&AcceleratorsView::new(&catalog))?)
}

/// Runs `fleetbench fleets`.
pub fn execute_fleets(args: &FleetsArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let catalog = Catalog::load(args.common.catalog.as_deref())?;
    Ok(destination.write(&FleetsView::new(&catalog))?)
}
