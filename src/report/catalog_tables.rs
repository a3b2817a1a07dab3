//! The catalogs as every format shows them: `accelerators` (dense peaks per data type,
//! memory, power, status and source) and `fleets` (stated figures, the model's reading of
//! them, dates and sources). JSON carries every catalog field plus the resolved all-in
//! power (accelerators) and the model's count/power check (fleets); tables show a short
//! source, CSV raw numbers in SI base units.

use serde::Serialize;

use super::{Cell, Column, Shown, Table, Unit, View};
use crate::model::catalog::FleetCheck;
use crate::model::units::{range_text, sig3};
use crate::model::{Accelerator, Catalog, DType, Fleet, PowerMethod, Range};

/// `fleetbench accelerators`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AcceleratorsView<'a> {
    entries: Vec<AcceleratorJson<'a>>,
    #[serde(skip)]
    catalog: &'a Catalog,
}

#[derive(Debug, Serialize)]
struct AcceleratorJson<'a> {
    #[serde(flatten)]
    accelerator: &'a Accelerator,
    all_in_kw_resolved: Option<AllInKwResolved>,
}

#[derive(Debug, Serialize)]
struct AllInKwResolved {
    value: Range,
    method: PowerMethod,
}

impl<'a> AcceleratorsView<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let power = catalog.power_assumptions();
        let entries = catalog
            .accelerators
            .iter()
            .map(|a| AcceleratorJson {
                accelerator: a,
                all_in_kw_resolved: a
                    .all_in_kw(&power)
                    .map(|(value, method)| AllInKwResolved { value, method }),
            })
            .collect();
        AcceleratorsView { entries, catalog }
    }
}

impl View for AcceleratorsView<'_> {
    fn tables(&self) -> Vec<Table> {
        let peak = |d: DType| {
            Column::range(
                d.name(),
                d.name(),
                Unit::FlopPerSecond,
                Shown::Scaled(1e-12),
            )
        };
        let mut t = Table::new(
            "accelerators",
            vec![
                Column::text("id", "id"),
                Column::text("vendor", "vendor"),
                Column::number("year", "year", Unit::None, Shown::Whole),
                peak(DType::Fp32),
                peak(DType::Bf16),
                peak(DType::Fp8),
                peak(DType::Fp4),
                peak(DType::Int8),
                Column::number("memory", "memory", Unit::Byte, Shown::Si),
                Column::number("bandwidth B/s", "bandwidth", Unit::BytePerSecond, Shown::Si),
                Column::number("TDP W", "tdp", Unit::Watt, Shown::Si),
                Column::range("all-in W", "all_in", Unit::Watt, Shown::Si),
                Column::text("status", "status"),
                Column::text("source", "source").detail(),
            ],
        )
        .with_title("Accelerators: dense peak TFLOP/s (TOP/s for int8) per data type");
        for entry in &self.entries {
            let a = entry.accelerator;
            let mut cells = vec![
                a.id.as_str().into(),
                a.vendor.as_str().into(),
                a.year.into(),
            ];
            cells.extend(
                [
                    DType::Fp32,
                    DType::Bf16,
                    DType::Fp8,
                    DType::Fp4,
                    DType::Int8,
                ]
                .map(|d| Cell::from(a.peak_tflops.get(&d).map(|r| r.scale(1e12)))),
            );
            cells.extend([
                Cell::Number(a.memory_gb * 1e9),
                Cell::Number(a.memory_bw_tbps * 1e12),
                a.tdp_w.into(),
                entry
                    .all_in_kw_resolved
                    .as_ref()
                    .map(|r| r.value.scale(1e3))
                    .into(),
                first_word(&a.status).into(),
                short_source(&a.source).into(),
            ]);
            t.push_row(cells);
        }
        let d = &self.catalog.defaults;
        t.push_note("Ranges are central (low–high): vendor peaks whose dense/sparse basis is not stated, estimates, or power spreads; '-' = not published.");
        t.push_note(format!(
            "all-in = rack/system power / chips where published, else TDP + {} kW host overhead ({}); \
             both x (1 + {} scale-out network and storage share).",
            range_text(&d.host_overhead_kw.value, sig3),
            d.host_overhead_kw.source,
            range_text(&d.scaleout_share.value, sig3)
        ));
        t.push_note("fp64/tf32 peaks, power status, basis notes and full sources: --format json.");
        vec![t]
    }
}

/// `fleetbench fleets`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct FleetsView<'a> {
    entries: Vec<FleetJson<'a>>,
    #[serde(skip)]
    catalog: &'a Catalog,
}

#[derive(Debug, Serialize)]
struct FleetJson<'a> {
    #[serde(flatten)]
    fleet: &'a Fleet,
    model: FleetCheck,
}

impl<'a> FleetsView<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let entries = catalog
            .fleets
            .iter()
            .map(|f| FleetJson {
                fleet: f,
                model: catalog.fleet_check(f),
            })
            .collect();
        FleetsView { entries, catalog }
    }
}

impl View for FleetsView<'_> {
    fn tables(&self) -> Vec<Table> {
        let count = |header: &str, key: &str| Column::range(header, key, Unit::Count, Shown::Si);
        let power = |header: &str, key: &str| Column::range(header, key, Unit::Watt, Shown::Si);
        let mut t = Table::new(
            "fleets",
            vec![
                Column::text("id", "id"),
                Column::text("operator", "operator"),
                Column::text("accelerator", "accelerator"),
                Column::text("generation", "generation").detail(),
                count("stated count", "stated_count"),
                power("stated power", "stated_power"),
                count("model count", "model_count"),
                power("model power", "model_power"),
                Column::text("date", "date"),
                Column::text("status", "status"),
                Column::text("article", "article").detail(),
                Column::text("source", "source").detail(),
                Column::text("source status", "source_status"),
            ],
        )
        .with_title("Fleets named in the source articles and other public sources");
        for entry in &self.entries {
            let (f, m) = (entry.fleet, &entry.model);
            let generation = if f.accelerator_basis.to_ascii_lowercase().contains("assumed") {
                "assumed"
            } else {
                "stated"
            };
            t.push_row(vec![
                f.id.as_str().into(),
                f.operator.as_str().into(),
                f.accelerator.as_str().into(),
                generation.into(),
                f.count.into(),
                f.power_gw.map(|gw| gw.scale(1e9)).into(),
                m.count_from_power.into(),
                m.power_mw_from_count.map(|mw| mw.scale(1e6)).into(),
                f.date.as_str().into(),
                f.status.label().into(),
                if f.article.is_empty() {
                    "other sources"
                } else {
                    f.article.as_str()
                }
                .into(),
                short_source(&f.source).into(),
                first_word(&f.source_status).into(),
            ]);
            if let Some(check) = &m.check {
                t.push_note(format!("{}: MODEL CHECK: {check}", f.id));
            }
        }
        t.push_note(format!(
            "model count = stated power / (all-in power x PUE {}); model power = stated count x all-in power x PUE. Full sources and accelerator basis: --format json.",
            range_text(&self.catalog.defaults.pue.value, sig3)
        ));
        vec![t]
    }
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
