//! The fleets seen from a measurement: every chosen fleet projected with the catalog's
//! assumptions (or, with `--mfu measured`, the measured GEMM efficiency as MFU), each also
//! expressed in equivalents of what was measured. `run` prints it after its GEMM table;
//! `project --from FILE` prints it from a saved results file on any machine.

use serde::Serialize;

use super::project::usage;
use crate::bridge::Measured;
use crate::error::{Error, Result};
use crate::model::units::si;
use crate::model::{
    self, Assumptions, Catalog, PrecisionChoice, Range, ReferenceModel, Scenario, Sourced,
};
use crate::report::Table;

/// Where the fleets' utilisation comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MfuChoice {
    /// The catalog's default range (sourced from published runs).
    Catalog,
    /// The measured GEMM efficiency of the local device.
    Measured,
    /// A value the user gave.
    Given(Range),
}

/// Parses `--mfu`: `measured`, a share in (0, 1], or low,central,high.
pub fn parse_mfu(text: &str) -> std::result::Result<MfuChoice, String> {
    if text.trim().eq_ignore_ascii_case("measured") {
        return Ok(MfuChoice::Measured);
    }
    crate::model::units::parse_fraction_range(text, "--mfu").map(MfuChoice::Given)
}

/// One fleet's line: each figure a low / central / high range.
#[derive(Debug, Clone, Serialize)]
pub struct FleetLine {
    pub fleet: String,
    pub accelerator: String,
    /// Training and serving formats, "bf16/fp8".
    pub dtype: String,
    pub count: Range,
    pub power_mw: Option<Range>,
    pub mfu: Range,
    pub mfu_source: String,
    pub training_flops_per_s: Option<Range>,
    pub training_days: Option<Range>,
    pub inference_tokens_per_s: Option<Range>,
    /// Fleet training FLOP/s over the measured FLOP/s.
    pub equivalents_of_measured: Option<Range>,
}

impl crate::report::View for FleetSummary {
    fn tables(&self) -> Vec<Table> {
        vec![summary_table(self)]
    }
}

/// The whole summary, as JSON prints it.
#[derive(Debug, Clone, Serialize)]
pub struct FleetSummary {
    pub measured: Measured,
    pub model: String,
    pub catalog_mfu: Range,
    pub fleets: Vec<FleetLine>,
}

/// Projects `fleet_ids` (all catalog fleets when empty) against a measurement.
pub fn summarise(
    catalog: &Catalog,
    fleet_ids: &[String],
    model: &ReferenceModel,
    measured_for: &dyn Fn(model::DType) -> Result<Measured>,
    mfu: MfuChoice,
) -> Result<FleetSummary> {
    let ids: Vec<String> = if fleet_ids.is_empty() {
        catalog.fleets.iter().map(|f| f.id.clone()).collect()
    } else {
        fleet_ids.to_vec()
    };
    let mut fleets = Vec::new();
    let mut headline = None;
    for id in &ids {
        let scenario = Scenario::from_fleet(catalog, catalog.fleet(id)?, model.clone())?;
        let precision = PrecisionChoice::default()
            .resolve(&scenario.accelerator)
            .map_err(usage)?;
        let measured = measured_for(precision.train)?;
        let mut assumptions = Assumptions::from_defaults(&catalog.defaults, precision);
        assumptions.mfu = mfu_for(mfu, &measured, &assumptions.mfu)?;
        let projection = model::project(&scenario, &assumptions).map_err(usage)?;
        fleets.push(line(&projection, &assumptions, &measured));
        headline.get_or_insert(measured);
    }
    let measured = match headline {
        Some(m) => m,
        None => measured_for(model::DType::Bf16)?,
    };
    Ok(FleetSummary {
        measured,
        model: model.describe(),
        catalog_mfu: catalog.defaults.mfu.value,
        fleets,
    })
}

fn mfu_for(
    choice: MfuChoice,
    measured: &Measured,
    catalog: &Sourced<Range>,
) -> Result<Sourced<Range>> {
    Ok(match choice {
        MfuChoice::Catalog => catalog.clone(),
        MfuChoice::Given(range) => Sourced::user(range, "--mfu"),
        MfuChoice::Measured => measured_mfu(measured)?,
    })
}

/// The measured GEMM efficiency as a sourced MFU; a usage error when there is none.
pub fn measured_mfu(measured: &Measured) -> Result<Sourced<Range>> {
    let efficiency = match measured.efficiency {
        Some(e) if e > 0.0 && e <= 1.0 => e,
        Some(e) => {
            return Err(Error::usage(format!(
                "--mfu measured: {} reached {:.0}% of the FMA peak its probe measured, so the \
                 probe understates this device's {} peak; give --mfu a value instead",
                measured.benchmark,
                e * 100.0,
                measured.dtype
            )));
        }
        None => {
            return Err(Error::usage(format!(
                "--mfu measured needs a measured efficiency; {} has none for {}",
                measured.label, measured.benchmark
            )));
        }
    };
    Ok(Sourced {
        value: Range::exact(efficiency),
        status: "measured".into(),
        source: format!(
            "{} on {}, over its measured FMA peak",
            measured.benchmark, measured.label
        ),
    })
}

fn line(p: &model::Projection, a: &Assumptions, measured: &Measured) -> FleetLine {
    let training = p.training.as_ref();
    FleetLine {
        fleet: p.id.clone(),
        accelerator: p.accelerator.clone(),
        dtype: format!("{}/{}", a.precision.train, a.precision.serve),
        count: p.count,
        power_mw: p.power_w.map(|w| w.scale(1e-6)),
        mfu: a.mfu.value,
        mfu_source: a.mfu.status.clone(),
        training_flops_per_s: training.map(|t| t.flops_per_s),
        training_days: training.and_then(|t| t.days),
        inference_tokens_per_s: p.inference.as_ref().ok().map(|i| i.tokens_per_s),
        equivalents_of_measured: training
            .and_then(|t| model::local_equivalents(t.flops_per_s, measured.flops_per_s)),
    }
}

/// The summary as a table, the measurement and assumptions under it.
pub fn summary_table(summary: &FleetSummary) -> Table {
    let m = &summary.measured;
    let mut table = Table::with_text_columns(
        "fleets",
        [
            "fleet",
            "accelerator",
            "count",
            "MW",
            "MFU",
            "training FLOP/s",
            "days to train",
            "output tokens/s",
            "equivalents of measured",
        ],
    )
    .with_title(format!(
        "Projected fleets ({}; accelerator train/serve formats), each also in equivalents of {}",
        summary.model, m.label
    ));
    for f in &summary.fleets {
        table.push_text_row([
            f.fleet.clone(),
            format!("{} {}", f.accelerator, f.dtype),
            si(f.count.central),
            f.power_mw.map_or("-".into(), |w| si(w.central)),
            format!("{:.0}% {}", f.mfu.central * 100.0, f.mfu_source),
            ranged(f.training_flops_per_s),
            ranged(f.training_days),
            ranged(f.inference_tokens_per_s),
            ranged(f.equivalents_of_measured),
        ]);
    }
    let efficiency = m
        .efficiency
        .map_or("not measured".into(), |e| format!("{:.1}%", e * 100.0));
    table.push_note(format!(
        "Measured: {} at {} GFLOP/s, efficiency {efficiency} of its own FMA peak (catalog MFU {}–{}%, central {}%).",
        m.benchmark,
        si(m.flops_per_s / 1e9),
        pct(summary.catalog_mfu.low),
        pct(summary.catalog_mfu.high),
        pct(summary.catalog_mfu.central)
    ));
    if m.software == Some(true) {
        table.push_note("The measured device is a software adapter: equivalents compare fleets with a CPU, not a GPU.");
    }
    if summary
        .fleets
        .iter()
        .any(|f| f.inference_tokens_per_s.is_none())
    {
        table.push_note("Output '-': not projected for that fleet (e.g. the model is larger than its memory); `fleetbench project --fleet ID` says why.");
    }
    table.push_note(
        "Every fleet trains in bf16 (MFU against the bf16 peak) and serves in fp8 where native; days are the largest single job's. Cells: central (low–high). Full assumptions and sources: `fleetbench project --fleet ID`.",
    );
    table
}

fn ranged(value: Option<Range>) -> String {
    value.map_or("-".into(), |r| {
        format!("{} ({}–{})", si(r.central), si(r.low), si(r.high))
    })
}

fn pct(share: f64) -> String {
    format!("{:.0}", share * 100.0)
}
