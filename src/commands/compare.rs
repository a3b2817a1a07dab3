//! `fleetbench compare`: several accelerators side by side at equal facility power
//! (`--power 1GW`), equal count (`--gpus N`) or equal money (`--budget 10B` of capex:
//! accelerators and their facility), with one model and one set of assumptions, so vendors
//! are compared on the same footing, each with its capex, $/accelerator-hour and $/million
//! output tokens.

use super::model_args::{ProjectionFlags, parse_power, positive};
use crate::bridge::MfuChoice;
use crate::error::{Error, Result};
use crate::model::comparison::{self, SHARED_PRECISION};
use crate::model::units::{self, si};
use crate::model::{Catalog, FleetSize, Range};
use crate::report::projection::{ComparisonView, resolved_assumptions};

/// Arguments of `fleetbench compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Comma-separated accelerator ids, e.g. h100,b200,mi355x,rubin,tpu-v7,trainium2.
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub accelerators: Vec<String>,
    /// Equal facility power for each, e.g. 1GW.
    #[arg(long, value_parser = parse_power, required_unless_present_any = ["gpus", "budget"])]
    pub power: Option<f64>,
    /// Equal count of each.
    #[arg(long, value_name = "N", value_parser = positive("--gpus"), conflicts_with = "power")]
    pub gpus: Option<f64>,
    /// Equal capex for each, in USD with k/M/B/T suffixes (e.g. 10B): the accelerators it
    /// buys with their share of the facility.
    #[arg(long, value_name = "USD", value_parser = parse_budget, conflicts_with_all = ["power", "gpus"])]
    pub budget: Option<f64>,
    #[command(flatten)]
    pub flags: ProjectionFlags,
}

fn parse_budget(text: &str) -> std::result::Result<f64, crate::model::error::InputError> {
    crate::model::units::parse_usd(text, "--budget")
}

/// Runs `fleetbench compare`.
pub fn execute(args: &CompareArgs) -> Result<()> {
    let destination = args.flags.common.output.destination()?;
    args.flags.assumptions.one_inference_share()?;
    let catalog = Catalog::load(args.flags.common.catalog.as_deref())?;
    let accelerators = args
        .accelerators
        .iter()
        .map(|id| catalog.accelerator(id.trim()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if accelerators.is_empty() {
        return Err(Error::usage("--accelerators needs at least one id"));
    }
    let model = args.flags.model.resolve(&catalog)?;
    if args.flags.assumptions.mfu == Some(MfuChoice::Measured) {
        return Err(Error::usage(
            "--mfu measured needs a results file: use `fleetbench project --from results.json --mfu measured`",
        ));
    }
    // Each accelerator resolves its own formats; these are the shared assumptions.
    let shared = args
        .flags
        .assumptions
        .resolve_in(&catalog, SHARED_PRECISION);
    let ids: Vec<&str> = accelerators.iter().map(|a| a.id.as_str()).collect();
    let costs = args.flags.costs.resolve(&catalog, &shared, &ids)?;
    let choice = args.flags.assumptions.precision();
    let at = |size: FleetSize| {
        comparison::compare(&catalog, &accelerators, size, &model, &shared, &choice)
    };
    let (compared, basis) = match (args.budget, args.gpus, args.power) {
        (Some(usd), _, _) => (
            comparison::compare_at_budget(
                &catalog,
                &accelerators,
                usd,
                &model,
                &shared,
                &choice,
                &costs,
            ),
            format!("at {} of capex each", units::usd(usd)),
        ),
        (None, Some(n), _) => (
            at(FleetSize::Count(Range::exact(n))),
            format!("at {} accelerators each", si(n)),
        ),
        (None, None, Some(w)) => (
            at(FleetSize::Power(Range::exact(w))),
            format!("at {}W facility power each", si(w)),
        ),
        (None, None, None) => {
            return Err(Error::usage(
                "give --power (e.g. 1GW), --gpus N or --budget (e.g. 10B)",
            ));
        }
    };
    // Nothing projected is nothing to compare: say why the first one could not be.
    if compared.iter().all(|c| c.outcome.is_err()) {
        return match compared.into_iter().next().map(|c| c.outcome) {
            Some(Err(first)) => Err(first.into()),
            _ => Err(Error::usage("no accelerator to compare")),
        };
    }
    let each = resolved_assumptions(&compared, &shared);
    Ok(destination.write(&ComparisonView::new(
        &compared, &shared, &each, basis, &costs,
    ))?)
}
