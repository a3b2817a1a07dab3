//! The projected half of the report: every catalog fleet's training and inference
//! throughput with its low–central–high range (log-scale bars with whiskers), the fleets
//! in "equivalents" of what was measured, and the vendor comparison at equal power, as
//! `fleetbench compare` computes and tabulates it.

use super::bars::{self, Bar, BarChart};
use super::measured::Measured;
use super::{FleetOutcome, INFERENCE_COLOUR, Inputs, TRAINING_COLOUR, doc};
use crate::model::units::{range_text, si};
use crate::model::{Projection, Range, local_equivalents};
use crate::report::Result;
use crate::report::Table;

fn training(p: &Projection) -> Option<Range> {
    p.training.as_ref().map(|t| t.flops_per_s)
}

fn decode(p: &Projection) -> Option<Range> {
    p.inference.as_ref().ok().map(|i| i.tokens_per_s)
}

fn chart(
    title: String,
    axis: &str,
    colour: (u8, u8, u8),
    rows: &[(String, Option<Range>)],
) -> BarChart {
    BarChart {
        title,
        axis: axis.into(),
        colour,
        log: true,
        bars: rows
            .iter()
            .map(|(label, value)| Bar {
                label: label.clone(),
                value: *value,
                marked: false,
            })
            .collect(),
    }
}

fn fleet_rows(
    fleets: &[FleetOutcome],
    figure: fn(&Projection) -> Option<Range>,
) -> Vec<(String, Option<Range>)> {
    fleets
        .iter()
        .map(|f| (f.id.clone(), f.projection.as_ref().ok().and_then(figure)))
        .collect()
}

/// The fleets' charts and their table with equivalents of what was measured.
pub(super) fn fleets_section(inputs: &Inputs<'_>, measured: &Measured<'_>) -> Result<String> {
    let model = inputs
        .fleets
        .iter()
        .find_map(|f| f.projection.as_ref().ok())
        .map(|p| p.model.describe())
        .unwrap_or_default();
    let train = chart(
        "Projected training compute per fleet (achieved)".into(),
        "FLOP/s, log scale (bar: central, whisker: low–high)",
        TRAINING_COLOUR,
        &fleet_rows(inputs.fleets, training),
    );
    let serve = chart(
        format!("Projected serving per fleet (output tokens), {model}"),
        "tokens/s, log scale (bar: central, whisker: low–high)",
        INFERENCE_COLOUR,
        &fleet_rows(inputs.fleets, decode),
    );
    let mut body = doc::para(&format!(
        "Every fleet of the catalog under the default assumptions (listed below), training in bf16 and serving in fp8 where native, model {model}."
    ));
    body.push_str(&doc::figure(
        &bars::svg(&train)?,
        "Training FLOP/s achieved: BF16 peak × MFU × goodput of the largest job, over the whole fleet.",
    ));
    body.push_str(&doc::figure(
        &bars::svg(&serve)?,
        "Fleet output tokens/s with the whole fleet serving (requests of input and output tokens).",
    ));
    body.push_str(&doc::table(&fleet_table(inputs.fleets, measured)));
    Ok(doc::section("fleets", "Fleets, projected", &body))
}

fn fleet_table(fleets: &[FleetOutcome], measured: &Measured<'_>) -> Table {
    let unit = measured.unit();
    let mut t = Table::with_text_columns(
        "fleets",
        [
            "fleet".to_string(),
            "name".into(),
            "dtype".into(),
            "accelerators".into(),
            "training FLOP/s".into(),
            "output tokens/s".into(),
            format!("equivalents of {unit}"),
        ],
    )
    .with_title("Fleets: central (low–high)");
    let text = |r: Option<Range>| r.map_or_else(|| "n/a".into(), |r| range_text(&r, si));
    for f in fleets {
        let dtype = f.dtype.map(|d| d.to_string()).unwrap_or_default();
        match &f.projection {
            Ok(p) => {
                let eq = measured.local_flops(f.dtype).and_then(|(flops, _)| {
                    training(p).and_then(|fleet| local_equivalents(fleet, flops))
                });
                t.push_text_row([
                    f.id.clone(),
                    f.name.clone(),
                    dtype,
                    text(Some(p.count)),
                    text(training(p)),
                    text(decode(p)),
                    text(eq),
                ]);
                if let Err(gap) = &p.inference {
                    t.push_note(format!(
                        "{}: inference not projected: {}",
                        f.id,
                        gap.message()
                    ));
                }
            }
            Err(e) => {
                t.push_text_row([
                    f.id.clone(),
                    f.name.clone(),
                    dtype,
                    "n/a".into(),
                    "n/a".into(),
                    "n/a".into(),
                    "n/a".into(),
                ]);
                t.push_note(format!("{}: {}", f.id, crate::text::chain(e.as_ref())));
            }
        }
    }
    match measured.local_flops(None) {
        Some(_) => t.push_note(format!(
            "equivalents of {unit}: the fleet's achieved training FLOP/s over the best verified \
             measured result (largest problem, then fastest kernel; f16 for 16-bit and narrower \
             fleets where measured, else f32), as `project --from` computes it"
        )),
        None => t.push_note(format!(
            "no equivalents: {unit} has no verified result to compare with"
        )),
    }
    t
}

/// The vendor comparison at equal power: two charts and the `compare` table.
pub(super) fn vendors_section(inputs: &Inputs<'_>) -> Result<String> {
    let rows = |figure: fn(&Projection) -> Option<Range>| -> Vec<(String, Option<Range>)> {
        inputs
            .vendors
            .iter()
            .map(|c| {
                (
                    c.accelerator.clone(),
                    c.outcome.as_ref().ok().and_then(figure),
                )
            })
            .collect()
    };
    let basis = &inputs.vendor_basis;
    let train = chart(
        format!("Training compute at {basis}"),
        "FLOP/s achieved, log scale (bar: central, whisker: low–high)",
        TRAINING_COLOUR,
        &rows(training),
    );
    let serve = chart(
        format!("Inference at {basis}"),
        "output tokens/s, log scale (bar: central, whisker: low–high)",
        INFERENCE_COLOUR,
        &rows(decode),
    );
    let mut body = doc::figure(
        &bars::svg(&train)?,
        "Same model and assumptions for every vendor, as `fleetbench compare`.",
    );
    body.push_str(&doc::figure(&bars::svg(&serve)?, "Fleet output tokens/s."));
    body.push_str(&doc::table(&inputs.vendor_table));
    Ok(doc::section("vendors", "Vendors at equal power", &body))
}
