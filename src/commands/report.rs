//! `fleetbench report RESULTS --html FILE`: one self-contained HTML report of a results
//! file (from `run`, or a merged cluster file from `merge`) with its charts, every catalog
//! fleet projected under the default assumptions, the vendor comparison at equal power
//! that `compare` makes, and the fleets over time that `timeline` computes. A bad results
//! file is one line naming it (exit 2); the HTML is written atomically, so an existing
//! report is replaced whole or not at all.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::comparison::Compared;
use crate::model::comparison::{self, SHARED_PRECISION};
use crate::model::cost::CostAssumptions;
use crate::model::scenario::{self, ModelOverrides};
use crate::model::units::{self, si};
use crate::model::{
    self, Assumptions, Catalog, DType, FleetSize, PrecisionChoice, Projection, Range,
    ReferenceModel, Scenario,
};
use crate::report::html::{self, FleetOutcome, Inputs};
use crate::report::projection::{assumption_notes, comparison_table};

/// Arguments of `fleetbench report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results file from `fleetbench run --format json` or `fleetbench merge --format json`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// Write the self-contained HTML report to FILE (atomically).
    #[arg(long, value_name = "FILE", required = true)]
    pub html: PathBuf,
    /// Accelerators of the vendor comparison.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        default_value = "h100,b200,mi355x,rubin,tpu-v7,trainium2"
    )]
    pub accelerators: Vec<String>,
    /// Facility power each vendor gets in the comparison.
    #[arg(long, value_parser = units::parse_power, default_value = "1GW")]
    pub power: f64,
    /// A TOML catalog extending the built-in one (as for `project`).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// Runs `fleetbench report`.
pub fn execute(args: &ReportArgs) -> Result<()> {
    check_html_output(args)?;
    let file = super::read_results(&args.results)?;
    let catalog = Catalog::load(args.catalog.as_deref())?;
    let model = scenario::resolve_model(&catalog, None, ModelOverrides::default())?;
    let fleets = fleet_outcomes(&catalog, &model);
    let size = FleetSize::Power(Range::exact(args.power));
    let (vendors, a) = vendor_outcomes(&catalog, &args.accelerators, size, &model)?;
    let assumptions = vendors
        .iter()
        .find_map(|c| c.outcome.as_ref().ok())
        .map(|p| {
            let a = Assumptions {
                precision: p.precision,
                ..a.clone()
            };
            assumption_notes(p, &a)
                .into_iter()
                .map(|n| n.text)
                .collect()
        })
        .unwrap_or_default();
    let (timeline, timeline_tables) = super::timeline::for_report(&catalog, &model)?;
    let command_line: Vec<String> = std::env::args().collect();
    let inputs = Inputs {
        path: &args.results,
        file: &file,
        fleets: &fleets,
        vendors: &vendors,
        vendor_basis: format!("{}W facility power each", si(args.power)),
        vendor_table: comparison_table(
            &vendors,
            &a,
            &format!("at {}W facility power each", si(args.power)),
            &CostAssumptions::new(&catalog.costs, &catalog.prices, &a),
        ),
        assumptions,
        timeline,
        timeline_tables,
        command_line: &command_line,
    };
    let page = html::render(&inputs)?;
    Ok(crate::atomic_file::write(&args.html, page.as_bytes())?)
}

/// Before any work: the page can be written, and would not replace the results it shows.
fn check_html_output(args: &ReportArgs) -> Result<()> {
    crate::atomic_file::check_writable(&args.html)
        .map_err(|e| Error::usage(crate::error::chain(&e)))?;
    if crate::atomic_file::same_file(&args.html, &args.results) {
        return Err(Error::usage(format!(
            "--html {} is the results file itself; write the report to another file",
            args.html.display()
        )));
    }
    Ok(())
}

/// Every catalog fleet under the default assumptions, each in the data type `project`
/// would choose for it.
fn fleet_outcomes(catalog: &Catalog, model: &ReferenceModel) -> Vec<FleetOutcome> {
    catalog
        .fleets
        .iter()
        .map(|fleet| {
            let outcome = project_fleet(catalog, fleet, model);
            FleetOutcome {
                id: fleet.id.clone(),
                name: format!("{} ({})", fleet.name, fleet.operator),
                dtype: outcome.as_ref().ok().map(|(d, _)| *d),
                projection: outcome
                    .map(|(_, p)| p)
                    .map_err(|e| -> html::Unprojected { std::sync::Arc::new(e) }),
            }
        })
        .collect()
}

fn project_fleet(
    catalog: &Catalog,
    fleet: &model::Fleet,
    model: &ReferenceModel,
) -> Result<(DType, Projection)> {
    let scenario = Scenario::from_fleet(catalog, fleet, model.clone())?;
    let precision = PrecisionChoice::default().resolve(&scenario.accelerator)?;
    let a = Assumptions::from_defaults(&catalog.defaults, precision);
    Ok((precision.train, model::project(&scenario, &a)?))
}

/// The comparison `compare --accelerators IDS --power P` makes, with default assumptions.
fn vendor_outcomes(
    catalog: &Catalog,
    ids: &[String],
    size: FleetSize,
    model: &ReferenceModel,
) -> Result<(Vec<Compared>, Assumptions)> {
    let accelerators = ids
        .iter()
        .map(|id| catalog.accelerator(id.trim()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let a = Assumptions::from_defaults(&catalog.defaults, SHARED_PRECISION);
    let rows = comparison::compare(
        catalog,
        &accelerators,
        size,
        model,
        &a,
        &PrecisionChoice::default(),
    );
    Ok((rows, a))
}
