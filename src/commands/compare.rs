//! `fleetbench compare`: several accelerators side by side at equal facility power
//! (`--power 1GW`) or equal count (`--gpus N`), with one model and one set of
//! assumptions, so vendors are compared on the same footing.

use serde_json::{Value, json};

use super::project::{
    AssumptionArgs, CommonArgs, ModelArgs, NoteKind, power_method_base, projection_json, usage,
};
use crate::error::{Error, Result};
use crate::model::units::{self, range_text, si};
use crate::model::{
    self, Accelerator, Assumptions, Catalog, FleetSize, PrecisionChoice, Projection, Range,
    ReferenceModel, Scenario,
};
use crate::report::{Assembled, Table};

/// Arguments of `fleetbench compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Comma-separated accelerator ids, e.g. h100,b200,mi355x,rubin,tpu-v7,trainium2.
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub accelerators: Vec<String>,
    /// Equal facility power for each, e.g. 1GW.
    #[arg(long, value_parser = units::parse_power, required_unless_present = "gpus")]
    pub power: Option<f64>,
    /// Equal count of each.
    #[arg(long, value_name = "N", value_parser = parse_count, conflicts_with = "power")]
    pub gpus: Option<f64>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn parse_count(s: &str) -> std::result::Result<f64, String> {
    units::parse_positive(s, "--gpus")
}

/// Formats of the shared assumptions before each accelerator resolves its own.
pub const DEFAULT_PRECISION: model::Precision = model::Precision {
    train: model::DType::Bf16,
    serve: model::DType::Fp8,
};

/// One accelerator's outcome: a projection, or why there is none.
pub type Row = (String, std::result::Result<Projection, String>);

/// Runs `fleetbench compare`.
pub fn execute(args: &CompareArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let catalog = Catalog::load(args.common.catalog.as_deref())?;
    let accelerators = args
        .accelerators
        .iter()
        .map(|id| catalog.accelerator(id.trim()))
        .collect::<Result<Vec<_>>>()?;
    if accelerators.is_empty() {
        return Err(Error::usage("--accelerators needs at least one id"));
    }
    let model = args.model.resolve(&catalog)?;
    if args.assumptions.mfu == Some(super::summary::MfuChoice::Measured) {
        return Err(Error::usage(
            "--mfu measured needs a results file: use `fleetbench project --from results.json --mfu measured`",
        ));
    }
    // Each row resolves its own formats; these are the shared assumptions.
    let a = args.assumptions.resolve_in(&catalog, DEFAULT_PRECISION);
    let size = match (args.gpus, args.power) {
        (Some(n), _) => FleetSize::Count(Range::exact(n)),
        (None, Some(w)) => FleetSize::Power(Range::exact(w)),
        (None, None) => return Err(Error::usage("give --power (e.g. 1GW) or --gpus N")),
    };
    let rows = project_each(
        &catalog,
        &accelerators,
        size,
        &model,
        &a,
        &args.assumptions.precision(),
    );
    destination.write(&Assembled {
        json: compare_json(&rows, &a),
        tables: vec![compare_table(&rows, &a, size)],
    })
}

/// Each accelerator projected under the same assumptions, in the formats `choice`
/// resolves to on it (per-accelerator defaults unless the user fixed them).
pub fn project_each(
    catalog: &Catalog,
    accelerators: &[&Accelerator],
    size: FleetSize,
    model: &ReferenceModel,
    a: &Assumptions,
    choice: &PrecisionChoice,
) -> Vec<Row> {
    accelerators
        .iter()
        .map(|acc| {
            let outcome = Scenario::from_accelerator(catalog, &acc.id, size, model.clone())
                .and_then(|s| {
                    let a = a.for_accelerator(acc, choice).map_err(usage)?;
                    model::project(&s, &a).map_err(usage)
                })
                .map_err(|e| e.to_string());
            (acc.id.clone(), outcome)
        })
        .collect()
}

fn compare_json(rows: &[Row], a: &Assumptions) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .map(|(id, outcome)| match outcome {
            Ok(p) => {
                let mut v = projection_json(p, a);
                v["accelerator"] = json!(id);
                v
            }
            Err(e) => json!({ "accelerator": id, "error": e }),
        })
        .collect();
    json!({ "rows": items })
}

fn cell(r: Option<Range>) -> String {
    r.map(|r| range_text(&r, si))
        .unwrap_or_else(|| "n/a".into())
}

pub fn compare_table(rows: &[Row], a: &Assumptions, size: FleetSize) -> Table {
    let basis = match size {
        FleetSize::Power(p) => format!("at {}W facility power each", si(p.central)),
        FleetSize::Count(c) | FleetSize::CountAndPower { count: c, .. } => {
            format!("at {} accelerators each", si(c.central))
        }
    };
    let model = rows
        .iter()
        .find_map(|(_, o)| o.as_ref().ok())
        .map(|p| p.model.describe())
        .unwrap_or_default();
    let headers = [
        "accelerator",
        "accelerators",
        "power MW",
        "kW all-in",
        "peak/acc FLOP/s",
        "train FLOP/s",
        "days to train",
        "output tokens/s",
        "J/output token",
    ];
    let mut t = Table::with_text_columns("comparison", headers)
        .with_title(format!("compare {basis}, {model}, {}", formats_text(rows)));
    let mut notes = Vec::new();
    for (id, outcome) in rows {
        match outcome {
            Ok(p) => {
                t.push_text_row(projection_cells(p));
                if let Err(gap) = &p.inference {
                    notes.push(format!("{id}: inference not projected: {}", gap.message()));
                }
            }
            Err(e) => {
                let mut cells = vec![id.clone()];
                cells.extend(std::iter::repeat_n("n/a".to_string(), headers.len() - 1));
                t.push_text_row(cells);
                notes.push(format!("{id}: {e}"));
            }
        }
    }
    for n in notes {
        t.push_note(n);
    }
    t.push_note(format!(
        "kW all-in per accelerator: {}; each x (1 + scale-out network and storage share {})",
        power_methods(rows, a),
        range_text(&a.scaleout_share.value, units::sig3)
    ));
    if let Some(p) = rows.iter().find_map(|(_, o)| o.as_ref().ok()) {
        let a = Assumptions {
            precision: p.precision,
            ..a.clone()
        };
        for n in super::project::assumption_notes(p, &a)
            .into_iter()
            .filter(|n| !matches!(n.kind, NoteKind::PowerMethod | NoteKind::Users))
        {
            t.push_note(n.text);
        }
    }
    t
}

fn power_methods(rows: &[Row], a: &Assumptions) -> String {
    let method = |p: &Projection| match p.all_in_kw.map(|(_, m)| m) {
        Some(m) => power_method_base(m, a),
        None => "none published".to_string(),
    };
    rows.iter()
        .filter_map(|(id, o)| o.as_ref().ok().map(|p| format!("{id} {}", method(p))))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "train bf16, serve fp8", or each accelerator's formats when they differ.
fn formats_text(rows: &[Row]) -> String {
    let each: Vec<(String, String)> = rows
        .iter()
        .filter_map(|(id, o)| {
            o.as_ref().ok().map(|p| {
                (
                    id.clone(),
                    format!("train {}, serve {}", p.precision.train, p.precision.serve),
                )
            })
        })
        .collect();
    match each.first() {
        Some((_, first)) if each.iter().all(|(_, f)| f == first) => first.clone(),
        _ => each
            .iter()
            .map(|(id, f)| format!("{id}: {f}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn projection_cells(p: &Projection) -> Vec<String> {
    let training = p.training.as_ref();
    let inference = p.inference.as_ref().ok();
    vec![
        p.accelerator.clone(),
        cell(Some(p.count)),
        cell(p.power_w.map(|w| w.scale(1e-6))),
        cell(p.all_in_kw.map(|(kw, _)| kw)),
        cell(Some(p.peak_flops)),
        cell(training.map(|t| t.flops_per_s)),
        cell(training.and_then(|t| t.days)),
        cell(inference.map(|i| i.tokens_per_s)),
        cell(inference.and_then(|i| i.joules_per_token)),
    ]
}
