//! `fleetbench timeline`: the catalog's fleets over time, `--from` to `--to` (year-end
//! figures), per fleet and per company: installed power, accelerators, H100-equivalents,
//! training compute available and serving capacity at the chosen model, capex and yearly
//! cost, with the source articles' own figures checked as rows that pass or fail.

use super::model_args::ProjectionFlags;
use crate::bridge::MfuChoice;
use crate::error::{Error, Result};
use crate::model::assumptions::Sourced;
use crate::model::comparison::SHARED_PRECISION;
use crate::model::cost::CostAssumptions;
use crate::model::timeline::{self, Setup, ShareRamp, Window};
use crate::model::{
    Assumptions, Catalog, Fleet, ModelError, PrecisionChoice, ReferenceModel, checks,
};
use crate::report::html::Stack;
use crate::report::timeline::TimelineView;
use crate::report::{Table, View};

/// The years shown unless asked otherwise: the articles' span.
const DEFAULT_FROM: i32 = 2024;
const DEFAULT_TO: i32 = 2030;

/// Arguments of `fleetbench timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// First year shown (figures at the year's end).
    #[arg(long, value_name = "YEAR", default_value_t = DEFAULT_FROM)]
    pub from: i32,
    /// Last year shown.
    #[arg(long, value_name = "YEAR", default_value_t = DEFAULT_TO)]
    pub to: i32,
    /// Companies to show (openai, meta, xai, anthropic), repeatable or comma-separated
    /// [default: every fleet].
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub company: Vec<String>,
    /// Fleets to show (ids from `fleetbench fleets`), repeatable or comma-separated.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub fleet: Vec<String>,
    #[command(flatten)]
    pub flags: ProjectionFlags,
}

/// Runs `fleetbench timeline`.
pub fn execute(args: &TimelineArgs) -> Result<()> {
    let destination = args.flags.common.output.destination()?;
    let window = Window::new(args.from, args.to).map_err(ModelError::from)?;
    if args.flags.assumptions.mfu == Some(MfuChoice::Measured) {
        return Err(Error::usage(
            "--mfu measured needs a results file: use `fleetbench project --from results.json --mfu measured`",
        ));
    }
    let catalog = Catalog::load(args.flags.common.catalog.as_deref())?;
    let fleets = select(&catalog, &args.company, &args.fleet, window)?;
    let model = args.flags.model.resolve(&catalog)?;
    let shared = args
        .flags
        .assumptions
        .resolve_in(&catalog, SHARED_PRECISION);
    let ids: Vec<&str> = fleets
        .iter()
        .flat_map(|f| f.phases.iter().map(|p| f.phase_accelerator(p)))
        .collect();
    let costs = args.flags.costs.resolve(&catalog, &shared, &ids)?;
    let setup = Setup {
        catalog: &catalog,
        model: &model,
        assumptions: &shared,
        precision: args.flags.assumptions.precision(),
        costs: &costs,
        inference_share: inference_share(args.flags.assumptions.inference_share.as_ref(), &catalog),
    };
    let timeline = setup.timeline(&fleets, window);
    let outcomes = checks_of(&setup, &fleets, window);
    Ok(destination.write(&TimelineView::new(
        &timeline, &fleets, &outcomes, &setup, &shared,
    ))?)
}

/// The articles' checks about the companies shown, and those about no company.
fn checks_of(setup: &Setup<'_>, fleets: &[&Fleet], window: Window) -> Vec<checks::Outcome> {
    let catalog = setup.catalog;
    let companies: Vec<&str> = fleets.iter().map(|f| f.company()).collect();
    let shown: Vec<checks::Check> = catalog
        .checks
        .iter()
        .filter(|c| {
            c.company_of(&catalog.fleets)
                .is_none_or(|co| companies.contains(&co))
        })
        .cloned()
        .collect();
    checks::evaluate(setup, &catalog.fleets, &shown, window)
}

/// What the HTML report shows of the timeline: every fleet from 2024 to 2030 under the
/// default assumptions, as H100-equivalents per company (stacked) and the per-company and
/// checks tables `fleetbench timeline` prints.
pub fn for_report(catalog: &Catalog, model: &ReferenceModel) -> Result<(Stack, Vec<Table>)> {
    // The default years are the code's own: a window they cannot make is a bug, not input.
    let window = Window::new(DEFAULT_FROM, DEFAULT_TO).map_err(Error::runtime)?;
    let shared = Assumptions::from_defaults(&catalog.defaults, SHARED_PRECISION);
    let costs = CostAssumptions::new(&catalog.costs, &catalog.prices, &shared);
    let setup = Setup {
        catalog,
        model,
        assumptions: &shared,
        precision: PrecisionChoice::default(),
        costs: &costs,
        inference_share: inference_share(None, catalog),
    };
    let fleets: Vec<&Fleet> = catalog.fleets.iter().collect();
    let timeline = setup.timeline(&fleets, window);
    let outcomes = checks_of(&setup, &fleets, window);
    let view = TimelineView::new(&timeline, &fleets, &outcomes, &setup, &shared);
    let tables: Vec<Table> = view
        .tables()
        .into_iter()
        .filter(|t| t.name == "companies" || t.name == "checks")
        .collect();
    Ok((Stack::h100_equivalents(&timeline), tables))
}

/// The serving share per year: the flag's, else the catalog's 2024 split held constant.
fn inference_share(flag: Option<&ShareRamp>, catalog: &Catalog) -> Sourced<ShareRamp> {
    match flag {
        Some(ramp) => Sourced::user(ramp.clone(), "--inference-share"),
        None => {
            let d = &catalog.defaults.timeline_inference_share;
            Sourced {
                value: ShareRamp::Constant(d.value),
                status: d.status.clone(),
                source: d.source.clone(),
            }
        }
    }
}

/// The fleets asked for: by company, by id, or every fleet; a named fleet (or a whole
/// company) with nothing online by the window's end is an error that says why.
fn select<'a>(
    catalog: &'a Catalog,
    companies: &[String],
    ids: &[String],
    window: Window,
) -> Result<Vec<&'a Fleet>> {
    let known: Vec<&str> = {
        let mut c: Vec<&str> = catalog.fleets.iter().map(|f| f.company()).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    for company in companies {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(company.trim())) {
            return Err(Error::usage(format!(
                "unknown company '{}': the catalog's are {}",
                company.trim(),
                known.join(", ")
            )));
        }
    }
    let mut chosen: Vec<&Fleet> = Vec::new();
    for id in ids {
        chosen.push(catalog.fleet(id.trim())?);
    }
    chosen.extend(catalog.fleets.iter().filter(|f| {
        companies
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case(f.company()))
    }));
    if companies.is_empty() && ids.is_empty() {
        chosen = catalog.fleets.iter().collect();
    }
    chosen.dedup_by(|a, b| a.id == b.id);
    let online = |f: &Fleet| timeline::online_by(f, window.to);
    for id in ids {
        let fleet = catalog.fleet(id.trim())?;
        if !online(fleet) {
            return Err(Error::usage(format!(
                "fleet {} has no phase in {}–{}: {}",
                fleet.id,
                window.from,
                window.to,
                timeline::outside_reason(fleet, window)
            )));
        }
    }
    if !chosen.iter().any(|f| online(f)) {
        return Err(Error::usage(format!(
            "{} {} no phase online by the end of {}",
            companies.join(", "),
            if companies.len() == 1 { "has" } else { "have" },
            window.to
        )));
    }
    Ok(chosen)
}
