//! `fleetbench project`: one fleet (from the catalog, or an accelerator with `--gpus` or
//! `--power`) and one model, projected for training and serving with ranges, the
//! assumptions printed under the figures; with `--from`, also in equivalents of what a
//! results file measured.

use std::path::PathBuf;

use super::model_args::{ProjectionFlags, parse_power, positive};
use crate::bridge::{self, MfuChoice};
use crate::error::{Error, Result};
use crate::model::scenario;
use crate::model::{
    self, Assumptions, Catalog, FleetSize, InferenceGap, Projection, Range, Scenario,
};
use crate::report::Destination;
use crate::report::projection::ProjectionView;

/// Arguments of `fleetbench project`.
#[derive(Debug, clap::Args)]
pub struct ProjectArgs {
    /// A fleet id from `fleetbench fleets`.
    #[arg(long, value_name = "ID", conflicts_with_all = ["accelerator", "gpus", "power"])]
    pub fleet: Option<String>,
    /// An accelerator id from `fleetbench accelerators` (with --gpus or --power).
    #[arg(long, value_name = "ID")]
    pub accelerator: Option<String>,
    /// Number of accelerators.
    #[arg(long, value_name = "N", value_parser = positive("--gpus"), conflicts_with = "power")]
    pub gpus: Option<f64>,
    /// Facility power, e.g. 1.5GW, 500MW, 120kW.
    #[arg(long, value_parser = parse_power)]
    pub power: Option<f64>,
    /// A results file from `fleetbench run` (or a merged one from `merge`): every fleet (or
    /// --fleet) is also given in equivalents of what it measured; enables `--mfu measured`.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ProjectionFlags,
}

fn scenario(
    args: &ProjectArgs,
    catalog: &Catalog,
    model: model::ReferenceModel,
) -> Result<Scenario> {
    if let Some(id) = &args.fleet {
        return Ok(Scenario::from_fleet(catalog, catalog.fleet(id)?, model)?);
    }
    let Some(id) = &args.accelerator else {
        return Err(Error::usage(
            "say what to project: --fleet ID, or --accelerator ID with --gpus N or --power 1GW",
        ));
    };
    let size = match (args.gpus, args.power) {
        (Some(n), _) => scenario::count(n),
        (None, Some(w)) => FleetSize::Power(Range::exact(w)),
        (None, None) => {
            return Err(Error::usage(
                "--accelerator needs --gpus N or --power (e.g. 1GW)",
            ));
        }
    };
    Ok(Scenario::from_accelerator(catalog, id, size, model)?)
}

/// Serving asked for (a share above 0) but impossible, or a custom model without the
/// figures serving needs (unless training only): bad input. A catalog model's gap is
/// otherwise reported beside the training half.
fn refuse_gap(p: &Projection, a: &Assumptions) -> Result<()> {
    let custom = p.model.status == "user";
    let (message, hint) = match &p.inference {
        Err(InferenceGap::DoesNotFit(m)) if a.inference_share.is_some_and(|s| s > 0.0) => {
            (m, "add accelerators or choose a smaller --serve-dtype")
        }
        Err(InferenceGap::MissingFigures(m)) if custom && a.inference_share != Some(0.0) => (
            m,
            "give --layers, --kv-heads and --head-dim (or --kv-bytes-per-token), and \
             --experts and --experts-per-token for a mixture of experts; or \
             --inference-share 0 for training only",
        ),
        _ => return Ok(()),
    };
    Err(Error::usage(format!("{message} ({hint})")))
}

/// Runs `fleetbench project`.
pub fn execute(args: &ProjectArgs) -> Result<()> {
    let destination = args.flags.common.output.destination()?;
    args.flags.assumptions.one_inference_share()?;
    let catalog = Catalog::load(args.flags.common.catalog.as_deref())?;
    let model = args.flags.model.resolve(&catalog)?;
    let measured = args.from.as_deref().map(crate::results::read).transpose()?;
    let mfu = args.flags.assumptions.mfu.unwrap_or(MfuChoice::Catalog);
    if mfu == MfuChoice::Measured && measured.is_none() {
        return Err(Error::usage(
            "--mfu measured needs a results file: add --from results.json",
        ));
    }
    if let (Some(file), None, None) = (&measured, &args.fleet, &args.accelerator) {
        return summary_of_fleets(&destination, &catalog, &model, file, mfu);
    }
    let scenario = scenario(args, &catalog, model)?;
    let mut assumptions = args
        .flags
        .assumptions
        .resolve(&catalog, &scenario.accelerator)?;
    let measured = measured
        .map(|file| bridge::measured(&file, assumptions.precision.train))
        .transpose()?;
    if let (MfuChoice::Measured, Some(m)) = (mfu, &measured) {
        assumptions.mfu = bridge::measured_mfu(m)?;
    }
    let projection = model::project(&scenario, &assumptions)?;
    refuse_gap(&projection, &assumptions)?;
    let costs =
        args.flags
            .costs
            .resolve(&catalog, &assumptions, &[scenario.accelerator.id.as_str()])?;
    Ok(destination.write(&ProjectionView::new(
        &projection,
        &assumptions,
        measured.as_ref(),
        &costs,
    ))?)
}

/// `project --from FILE` without a fleet: every catalog fleet against the measurement.
fn summary_of_fleets(
    destination: &Destination,
    catalog: &Catalog,
    model: &model::ReferenceModel,
    file: &crate::results::ResultsFile,
    mfu: MfuChoice,
) -> Result<()> {
    let summary = bridge::summarise(
        catalog,
        &[],
        model,
        &|dtype| bridge::measured(file, dtype),
        mfu,
    )?;
    Ok(destination.write(&summary)?)
}
