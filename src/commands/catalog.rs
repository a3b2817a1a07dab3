//! `fleetbench accelerators` and `fleetbench fleets`: the catalogs with every figure's
//! source and status. Tables show a short source; JSON carries the full text, plus the
//! all-in power (accelerators) and the model's count/power check (fleets).

use serde_json::{Value, json};

use super::project::CommonArgs;
use crate::error::Result;
use crate::model::accelerator::PowerAssumptions;
use crate::model::units::{range_text, si, sig3};
use crate::model::{Accelerator, Catalog, DType, Fleet, PowerMethod, Range, power};
use crate::report::{Assembled, Table};

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

/// The first source's site, and how many more there are.
fn short_source(source: &str) -> String {
    let items: Vec<&str> = source
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let first = items.first().copied().unwrap_or("");
    let site = first.split(['/', ' ']).next().unwrap_or(first);
    match items.len() {
        0 | 1 => site.to_string(),
        n => format!("{site} +{}", n - 1),
    }
}

fn first_word(status: &str) -> &str {
    status.split_whitespace().next().unwrap_or(status)
}

fn peak(a: &Accelerator, d: DType) -> String {
    a.peak_tflops
        .get(&d)
        .map(|r| range_text(r, sig3))
        .unwrap_or_else(|| "-".into())
}

fn all_in(a: &Accelerator, c: &Catalog) -> Option<(Range, PowerMethod)> {
    a.all_in_kw(&PowerAssumptions {
        host_overhead_kw: c.defaults.host_overhead_kw.value,
        scaleout_share: c.defaults.scaleout_share.value,
    })
}

/// Runs `fleetbench accelerators`.
pub fn execute_accelerators(args: &AcceleratorsArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let c = Catalog::load(args.common.catalog.as_deref())?;
    destination.write(&Assembled {
        json: json!(
            c.accelerators
                .iter()
                .map(|a| accelerator_json(a, &c))
                .collect::<Vec<_>>()
        ),
        tables: vec![accelerators_table(&c)],
    })
}

fn accelerator_json(a: &Accelerator, c: &Catalog) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    v["all_in_kw_resolved"] = json!(all_in(a, c).map(|(kw, m)| json!({"value": kw, "method": m})));
    v
}

fn accelerators_table(c: &Catalog) -> Table {
    let headers = [
        "id",
        "vendor",
        "year",
        "fp32",
        "bf16",
        "fp8",
        "fp4",
        "int8",
        "mem GB",
        "TB/s",
        "TDP W",
        "kW all-in",
        "status",
        "source",
    ];
    let mut t = Table::with_text_columns("accelerators", headers)
        .with_title("Accelerators: dense peak TFLOP/s (TOP/s for int8) per data type");
    for a in &c.accelerators {
        let kw = all_in(a, c)
            .map(|(kw, _)| range_text(&kw, sig3))
            .unwrap_or_else(|| "n/p".into());
        let mut cells = vec![a.id.clone(), a.vendor.clone(), a.year.to_string()];
        cells.extend(
            [
                DType::Fp32,
                DType::Bf16,
                DType::Fp8,
                DType::Fp4,
                DType::Int8,
            ]
            .map(|d| peak(a, d)),
        );
        cells.extend([
            sig3(a.memory_gb),
            sig3(a.memory_bw_tbps),
            a.tdp_w.map(sig3).unwrap_or_else(|| "n/p".into()),
            kw,
            first_word(&a.status).to_string(),
            short_source(&a.source),
        ]);
        t.push_text_row(cells);
    }
    t.push_note("Ranges are central (low–high): vendor peaks whose dense/sparse basis is not stated, estimates, or power spreads.");
    t.push_note(format!(
        "kW all-in = rack/system power / chips where published, else TDP + {} kW host overhead ({}); \
         both x (1 + {} scale-out network and storage share); n/p = not published.",
        range_text(&c.defaults.host_overhead_kw.value, sig3),
        c.defaults.host_overhead_kw.source,
        range_text(&c.defaults.scaleout_share.value, sig3)
    ));
    t.push_note("fp64/tf32 peaks, power status, basis notes and full sources: --format json.");
    t
}

/// The model's derived count (from power) or power (from count), and its check.
fn fleet_model(f: &Fleet, c: &Catalog) -> (Option<Range>, Option<Range>, Option<String>) {
    let Ok(acc) = c.accelerator(&f.accelerator) else {
        return (None, None, None);
    };
    let pue = f.pue.unwrap_or(c.defaults.pue.value);
    let Some(per_w) = all_in(acc, c).map(|(kw, _)| power::facility_w_per_accelerator(kw, pue))
    else {
        return (None, None, None);
    };
    let count = f
        .power_gw
        .map(|gw| power::count_from_power(gw.scale(1e9), per_w));
    let power_mw = f
        .count
        .map(|n| power::power_from_count(n, per_w).scale(1e-6));
    let check = match (f.count, count, f.power_gw) {
        (Some(stated), Some(modelled), Some(gw)) => {
            power::disagreement(stated, modelled, gw.scale(1e9))
        }
        _ => None,
    };
    (count, power_mw, check)
}

/// Runs `fleetbench fleets`.
pub fn execute_fleets(args: &FleetsArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let c = Catalog::load(args.common.catalog.as_deref())?;
    destination.write(&Assembled {
        json: json!(
            c.fleets
                .iter()
                .map(|f| fleet_json(f, &c))
                .collect::<Vec<_>>()
        ),
        tables: vec![fleets_table(&c)],
    })
}

fn fleet_json(f: &Fleet, c: &Catalog) -> Value {
    let (count, power_mw, check) = fleet_model(f, c);
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    v["model"] =
        json!({ "count_from_power": count, "power_mw_from_count": power_mw, "check": check });
    v
}

fn opt(r: Option<Range>) -> String {
    r.map(|r| range_text(&r, si)).unwrap_or_else(|| "-".into())
}

fn fleets_table(c: &Catalog) -> Table {
    let headers = [
        "id",
        "operator",
        "accelerator",
        "stated count",
        "stated GW",
        "model count",
        "model MW",
        "date",
        "status",
        "article",
        "source",
        "source status",
    ];
    let mut t = Table::with_text_columns("fleets", headers)
        .with_title("Fleets named in the source articles and facts");
    for f in &c.fleets {
        let (count, power_mw, check) = fleet_model(f, c);
        let generation = if f.accelerator_basis.to_ascii_lowercase().contains("assumed") {
            "assumed"
        } else {
            "stated"
        };
        t.push_text_row([
            f.id.clone(),
            f.operator.clone(),
            format!("{} ({generation})", f.accelerator),
            opt(f.count),
            opt(f.power_gw),
            opt(count),
            opt(power_mw),
            f.date.clone(),
            f.status.label().to_string(),
            if f.article.is_empty() {
                "facts only".into()
            } else {
                f.article.clone()
            },
            short_source(&f.source),
            first_word(&f.source_status).to_string(),
        ]);
        if let Some(check) = check {
            t.push_note(format!("{}: MODEL CHECK: {check}", f.id));
        }
    }
    t.push_note(format!(
        "model count = stated GW / (all-in kW x PUE {}); model MW = stated count x all-in kW x PUE. Full sources and accelerator basis: --format json.",
        range_text(&c.defaults.pue.value, sig3)
    ));
    t
}
