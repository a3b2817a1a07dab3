//! `fleetbench compare`: several accelerators side by side at equal facility power
//! (`--power 1GW`) or equal count (`--gpus N`), with one model and one set of
//! assumptions, so vendors are compared on the same footing.

use super::model_args::{AssumptionArgs, CommonArgs, ModelArgs, parse_power, positive};
use crate::bridge::MfuChoice;
use crate::error::{Error, Result};
use crate::model::comparison::{self, SHARED_PRECISION};
use crate::model::units::si;
use crate::model::{Catalog, FleetSize, Range};
use crate::report::projection::{ComparisonView, resolved_assumptions};

/// Arguments of `fleetbench compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Comma-separated accelerator ids, e.g. h100,b200,mi355x,rubin,tpu-v7,trainium2.
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub accelerators: Vec<String>,
    /// Equal facility power for each, e.g. 1GW.
    #[arg(long, value_parser = parse_power, required_unless_present = "gpus")]
    pub power: Option<f64>,
    /// Equal count of each.
    #[arg(long, value_name = "N", value_parser = positive("--gpus"), conflicts_with = "power")]
    pub gpus: Option<f64>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `fleetbench compare`.
pub fn execute(args: &CompareArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    args.assumptions.one_inference_share()?;
    let catalog = Catalog::load(args.common.catalog.as_deref())?;
    let accelerators = args
        .accelerators
        .iter()
        .map(|id| catalog.accelerator(id.trim()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if accelerators.is_empty() {
        return Err(Error::usage("--accelerators needs at least one id"));
    }
    let model = args.model.resolve(&catalog)?;
    if args.assumptions.mfu == Some(MfuChoice::Measured) {
        return Err(Error::usage(
            "--mfu measured needs a results file: use `fleetbench project --from results.json --mfu measured`",
        ));
    }
    // Each accelerator resolves its own formats; these are the shared assumptions.
    let shared = args.assumptions.resolve_in(&catalog, SHARED_PRECISION);
    let (size, basis) = match (args.gpus, args.power) {
        (Some(n), _) => (
            FleetSize::Count(Range::exact(n)),
            format!("at {} accelerators each", si(n)),
        ),
        (None, Some(w)) => (
            FleetSize::Power(Range::exact(w)),
            format!("at {}W facility power each", si(w)),
        ),
        (None, None) => return Err(Error::usage("give --power (e.g. 1GW) or --gpus N")),
    };
    let compared = comparison::compare(
        &catalog,
        &accelerators,
        size,
        &model,
        &shared,
        &args.assumptions.precision(),
    );
    let each = resolved_assumptions(&compared, &shared);
    destination.write(&ComparisonView::new(&compared, &shared, &each, basis))
}
