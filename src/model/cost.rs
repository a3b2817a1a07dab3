//! Money: what a fleet costs to build and to run, from the sourced cost catalog
//! (`data/costs.toml`: prices per accelerator, facility capex per MW of IT load, electricity
//! per MWh, depreciation and facility lives, yearly operations share). Per accelerator:
//!
//! - capex = price + all-in IT kW × facility $/MW;
//! - yearly cost = price ÷ depreciation years + facility capex ÷ facility life
//!   + facility kW (IT × PUE) × 8,766 h × $/MWh + opex share × price;
//! - $ per accelerator-hour = yearly cost ÷ 8,766 h.
//!
//! From them a projection's fleet capex and yearly cost, $ per training run (the model's
//! accelerator-hours × $/accelerator-hour) and $ per million output tokens (serving
//! accelerators' cost per hour ÷ output tokens per hour at a serving utilisation), and
//! how many accelerators a budget buys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::accelerator::Accelerator;
use super::assumptions::{Assumptions, Sourced};
use super::power;
use super::projection::Projection;
use super::range::Range;

/// Hours in a year (365.25 days).
pub const HOURS_PER_YEAR: f64 = 8_766.0;

/// One accelerator's price, as the catalog writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub accelerator: String,
    /// Per accelerator, or per system with `accelerators_per_system`.
    pub usd: Option<Range>,
    pub usd_per_system: Option<Range>,
    pub accelerators_per_system: Option<u32>,
    pub status: String,
    pub source: String,
}

impl Price {
    /// USD per accelerator.
    pub fn per_accelerator(&self) -> Option<Range> {
        match (self.usd, self.usd_per_system, self.accelerators_per_system) {
            (Some(usd), None, _) => Some(usd),
            (None, Some(system), Some(n)) if n > 0 => Some(system.scale(1.0 / f64::from(n))),
            _ => None,
        }
    }

    pub fn sourced(&self) -> Option<Sourced<Range>> {
        self.per_accelerator().map(|value| Sourced {
            value,
            status: self.status.clone(),
            source: self.source.clone(),
        })
    }
}

/// The cost catalog's figures besides prices.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostDefaults {
    /// Facility capex per MW of IT (critical) load.
    pub facility_usd_per_mw: Sourced<Range>,
    pub electricity_usd_per_mwh: Sourced<Range>,
    /// Life of the accelerators and their servers.
    pub depreciation_years: Sourced<Range>,
    /// Life of the facility.
    pub facility_life_years: Sourced<Range>,
    /// Yearly operations besides energy, as a share of the hardware's price.
    pub opex_share: Sourced<Range>,
}

/// A user file's partial override of the cost defaults (`[costs]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostOverrides {
    pub facility_usd_per_mw: Option<Sourced<Range>>,
    pub electricity_usd_per_mwh: Option<Sourced<Range>>,
    pub depreciation_years: Option<Sourced<Range>>,
    pub facility_life_years: Option<Sourced<Range>>,
    pub opex_share: Option<Sourced<Range>>,
}

impl CostDefaults {
    /// Applies the fields a user file sets.
    pub fn apply(&mut self, o: CostOverrides) {
        let set = |slot: &mut Sourced<Range>, v: Option<Sourced<Range>>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut self.facility_usd_per_mw, o.facility_usd_per_mw);
        set(&mut self.electricity_usd_per_mwh, o.electricity_usd_per_mwh);
        set(&mut self.depreciation_years, o.depreciation_years);
        set(&mut self.facility_life_years, o.facility_life_years);
        set(&mut self.opex_share, o.opex_share);
    }

    /// Every figure with its name, for checks and assumption lists.
    pub fn named(&self) -> [(&'static str, &Sourced<Range>); 5] {
        [
            (
                "facility capex per MW of IT load, USD",
                &self.facility_usd_per_mw,
            ),
            ("electricity, USD per MWh", &self.electricity_usd_per_mwh),
            ("depreciation life, years", &self.depreciation_years),
            ("facility life, years", &self.facility_life_years),
            ("yearly opex share of the hardware price", &self.opex_share),
        ]
    }
}

/// Everything a cost figure rests on, after the user's overrides.
#[derive(Debug, Clone, Serialize)]
pub struct CostAssumptions {
    #[serde(flatten)]
    pub defaults: CostDefaults,
    /// USD per accelerator, by accelerator id.
    pub prices: BTreeMap<String, Sourced<Range>>,
    /// Average serving load over serving capacity: output tokens actually sold per hour ÷
    /// the fleet's capacity.
    pub serving_utilisation: Sourced<Range>,
}

impl CostAssumptions {
    /// The catalog's figures, with the serving utilisation derived from the projection
    /// assumptions' peak-to-average provisioning (1 ÷ peak/average).
    pub fn new(defaults: &CostDefaults, prices: &[Price], a: &Assumptions) -> Self {
        let prices = prices
            .iter()
            .filter_map(|p| p.sourced().map(|s| (p.accelerator.clone(), s)))
            .collect();
        let p2a = &a.peak_to_average;
        CostAssumptions {
            defaults: defaults.clone(),
            prices,
            serving_utilisation: Sourced {
                value: p2a.value.recip_times(1.0),
                status: "derived".into(),
                source: format!(
                    "1 / peak-to-average provisioning ({})",
                    status_and_source(&p2a.status, &p2a.source)
                ),
            },
        }
    }

    /// The price of an accelerator, or why there is none.
    pub fn price(&self, accelerator: &str) -> Result<&Sourced<Range>, CostGap> {
        self.prices
            .get(accelerator)
            .ok_or_else(|| CostGap::NoPrice(accelerator.to_string()))
    }
}

/// Why a fleet has no cost figures.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CostGap {
    #[error("{0} has no published price in the cost catalog")]
    NoPrice(String),
    #[error("{0} has no power figure, so its facility and energy cannot be priced")]
    NoPower(String),
}

/// One accelerator's share of the money, each a range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerAccelerator {
    pub price_usd: Range,
    pub facility_usd: Range,
    pub capex_usd: Range,
    /// Yearly: depreciation, facility amortisation, energy, other operations.
    pub depreciation_usd: Range,
    pub facility_amortisation_usd: Range,
    pub energy_usd: Range,
    pub opex_usd: Range,
    pub yearly_usd: Range,
    pub usd_per_hour: Range,
}

/// An accelerator's money per unit from its price, all-in IT kW and PUE.
pub fn per_accelerator(
    price: Range,
    all_in_kw: Range,
    pue: Range,
    c: &CostAssumptions,
) -> PerAccelerator {
    let d = &c.defaults;
    let it_mw = all_in_kw.scale(1e-3);
    let facility_usd = it_mw.times(d.facility_usd_per_mw.value);
    let depreciation_usd = price.per(d.depreciation_years.value);
    let facility_amortisation_usd = facility_usd.per(d.facility_life_years.value);
    let facility_mwh_per_year = it_mw.times(pue).scale(HOURS_PER_YEAR);
    let energy_usd = facility_mwh_per_year.times(d.electricity_usd_per_mwh.value);
    let opex_usd = price.times(d.opex_share.value);
    let yearly_usd = depreciation_usd
        .plus(facility_amortisation_usd)
        .plus(energy_usd)
        .plus(opex_usd);
    PerAccelerator {
        price_usd: price,
        facility_usd,
        capex_usd: price.plus(facility_usd),
        depreciation_usd,
        facility_amortisation_usd,
        energy_usd,
        opex_usd,
        yearly_usd,
        usd_per_hour: yearly_usd.scale(1.0 / HOURS_PER_YEAR),
    }
}

/// The per-accelerator money of an accelerator under these assumptions.
pub fn accelerator_cost(
    acc: &Accelerator,
    a: &Assumptions,
    pue: Range,
    c: &CostAssumptions,
) -> Result<PerAccelerator, CostGap> {
    let price = c.price(&acc.id)?.value;
    let (kw, _) = acc
        .all_in_kw(&a.power())
        .ok_or_else(|| CostGap::NoPower(acc.id.clone()))?;
    Ok(per_accelerator(price, kw, pue, c))
}

/// A projected fleet's money.
#[derive(Debug, Clone, Serialize)]
pub struct FleetCost {
    pub price: Sourced<Range>,
    pub per_accelerator: PerAccelerator,
    /// Accelerators + facility.
    pub capex_usd: Range,
    pub accelerator_capex_usd: Range,
    /// Yearly cost: capital (depreciation, facility amortisation) plus opex.
    pub yearly_usd: Range,
    /// Yearly opex alone: energy and other operations.
    pub yearly_opex_usd: Range,
    pub usd_per_accelerator_hour: Range,
    /// The model's accelerator-hours on the largest job × $/accelerator-hour.
    pub usd_per_training_run: Option<Range>,
    /// Serving cost per million output tokens at the serving utilisation.
    pub usd_per_million_output_tokens: Option<Range>,
    /// The cost figures these rest on.
    pub defaults: CostDefaults,
    pub serving_utilisation: Sourced<Range>,
}

/// The money of a projection: its accelerator's per-unit cost times its count, and the
/// per-run and per-token figures.
pub fn fleet_cost(p: &Projection, c: &CostAssumptions) -> Result<FleetCost, CostGap> {
    let price = c.price(&p.accelerator)?.clone();
    let (kw, _) = p
        .all_in_kw
        .ok_or_else(|| CostGap::NoPower(p.accelerator.clone()))?;
    let unit = per_accelerator(price.value, kw, p.pue.value, c);
    let usd_per_training_run = p
        .training
        .as_ref()
        .and_then(|t| t.gpu_hours)
        .map(|hours| hours.times(unit.usd_per_hour));
    let usd_per_million_output_tokens = p.inference.as_ref().ok().map(|i| {
        serving_usd_per_million_tokens(
            unit.usd_per_hour,
            i.decode_tokens_per_s_per_accelerator,
            c.serving_utilisation.value,
        )
    });
    Ok(FleetCost {
        capex_usd: p.count.times(unit.capex_usd),
        accelerator_capex_usd: p.count.times(unit.price_usd),
        yearly_usd: p.count.times(unit.yearly_usd),
        yearly_opex_usd: p.count.times(unit.energy_usd.plus(unit.opex_usd)),
        usd_per_accelerator_hour: unit.usd_per_hour,
        per_accelerator: unit,
        price,
        usd_per_training_run,
        usd_per_million_output_tokens,
        defaults: c.defaults.clone(),
        serving_utilisation: c.serving_utilisation.clone(),
    })
}

/// USD per million output tokens: an accelerator's cost per hour over the output tokens it
/// sells in an hour (capacity × utilisation). Falls as utilisation rises.
pub fn serving_usd_per_million_tokens(
    usd_per_hour: Range,
    tokens_per_s_per_accelerator: Range,
    utilisation: Range,
) -> Range {
    let tokens_per_hour = tokens_per_s_per_accelerator
        .times(utilisation)
        .scale(3600.0);
    usd_per_hour.per(tokens_per_hour).scale(1e6)
}

/// What `flops_per_s` of achieved compute is worth per hour at a fleet's cost: its
/// $/accelerator-hour over each accelerator's achieved FLOP/s (the fleet's over its count,
/// bound by bound), times the FLOP/s. The value of a measured FLOP in the fleet's money.
pub fn value_per_hour(
    flops_per_s: f64,
    usd_per_accelerator_hour: Range,
    fleet_flops_per_s: Range,
    accelerators: Range,
) -> Option<Range> {
    let per = |f: f64, n: f64| (n > 0.0).then(|| f / n);
    let mut each = [
        per(fleet_flops_per_s.low, accelerators.low)?,
        per(fleet_flops_per_s.central, accelerators.central)?,
        per(fleet_flops_per_s.high, accelerators.high)?,
    ];
    let central = each[1];
    each.sort_by(f64::total_cmp);
    let per_accelerator = Range::new(each[0], central, each[2]).ok()?;
    (flops_per_s.is_finite() && flops_per_s > 0.0 && per_accelerator.low > 0.0).then(|| {
        usd_per_accelerator_hour
            .per(per_accelerator)
            .scale(flops_per_s)
    })
}

/// How many accelerators (with their share of the facility) a capex budget buys.
pub fn accelerators_for_budget(unit: &PerAccelerator, budget_usd: f64) -> Range {
    unit.capex_usd.recip_times(budget_usd)
}

/// The facility power a count of accelerators draws (W), for a budget row.
pub fn facility_power_w(count: Range, all_in_kw: Range, pue: Range) -> Range {
    power::power_from_count(count, power::facility_w_per_accelerator(all_in_kw, pue))
}

/// "status: source", said once when the source already opens with its status.
fn status_and_source(status: &str, source: &str) -> String {
    if source.starts_with(&format!("{status}:")) {
        source.to_string()
    } else {
        format!("{status}: {source}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Catalog, DType, Precision};

    fn assumptions(c: &Catalog) -> (Assumptions, CostAssumptions) {
        let a = Assumptions::from_defaults(
            &c.defaults,
            Precision {
                train: DType::Bf16,
                serve: DType::Fp8,
            },
        );
        let costs = CostAssumptions::new(&c.costs, &c.prices, &a);
        (a, costs)
    }

    #[test]
    fn per_accelerator_cost_adds_up_by_hand() {
        let c = Catalog::embedded().unwrap();
        let (_, mut costs) = assumptions(&c);
        let d = &mut costs.defaults;
        d.facility_usd_per_mw.value = Range::exact(10e6);
        d.electricity_usd_per_mwh.value = Range::exact(100.0);
        d.depreciation_years.value = Range::exact(5.0);
        d.facility_life_years.value = Range::exact(20.0);
        d.opex_share.value = Range::exact(0.1);
        let u = per_accelerator(
            Range::exact(50_000.0),
            Range::exact(2.0),
            Range::exact(1.5),
            &costs,
        );
        // 2 kW IT = 0.002 MW: $20k of facility; 3 kW facility all year = 26.298 MWh.
        assert!((u.capex_usd.central - 70_000.0).abs() < 1e-6);
        let yearly = 10_000.0 + 1_000.0 + 26.298 * 100.0 + 5_000.0;
        assert!((u.yearly_usd.central - yearly).abs() < 1e-6);
        assert!((u.usd_per_hour.central - yearly / HOURS_PER_YEAR).abs() < 1e-9);
        assert!(u.yearly_usd.is_valid() && u.capex_usd.is_valid());
    }

    #[test]
    fn a_budget_buys_budget_over_capex_and_a_missing_price_is_a_gap() {
        let c = Catalog::embedded().unwrap();
        let (a, costs) = assumptions(&c);
        let h100 = c.accelerator("h100").unwrap();
        let unit = accelerator_cost(h100, &a, c.defaults.pue.value, &costs).unwrap();
        let n = accelerators_for_budget(&unit, 1e9);
        assert!((n.central - 1e9 / unit.capex_usd.central).abs() < 1e-6);
        assert!(n.low <= n.central && n.central <= n.high);
        let trn2 = c.accelerator("trainium2").unwrap();
        assert_eq!(
            accelerator_cost(trn2, &a, c.defaults.pue.value, &costs).unwrap_err(),
            CostGap::NoPrice("trainium2".into())
        );
    }
}
