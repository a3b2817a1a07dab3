//! Vendors side by side: each accelerator projected at the same facility power, count or
//! capex budget, with one model and one set of assumptions, each in the formats it runs by
//! default (or the ones the user fixed), so no vendor is compared in another's number
//! format. At equal money each accelerator gets the count the budget buys: its price plus
//! its share of the facility (see `cost`).

use super::accelerator::{Accelerator, DType};
use super::assumptions::Assumptions;
use super::catalog::Catalog;
use super::cost::{self, CostAssumptions};
use super::error::{CatalogError, ModelError};
use super::precision::{Precision, PrecisionChoice};
use super::projection::{FleetSize, Projection, Scenario, project};
use super::reference::ReferenceModel;

/// The formats of the shared assumptions before each accelerator resolves its own.
pub const SHARED_PRECISION: Precision = Precision {
    train: DType::Bf16,
    serve: DType::Fp8,
};

/// One accelerator's outcome: its projection, or why there is none.
#[derive(Debug)]
pub struct Compared {
    pub accelerator: String,
    pub outcome: Result<Projection, CatalogError>,
    /// The capex each accelerator was given, when compared at equal money.
    pub budget_usd: Option<f64>,
}

impl Compared {
    /// The money of this accelerator's projection; at equal money its capex is the budget
    /// by construction (the count is the budget over the capex per accelerator).
    pub fn cost(&self, costs: &CostAssumptions) -> Option<Result<cost::FleetCost, cost::CostGap>> {
        let p = self.outcome.as_ref().ok()?;
        Some(cost::fleet_cost(p, costs).map(|mut c| {
            if let Some(budget) = self.budget_usd {
                c.capex_usd = super::range::Range::exact(budget);
            }
            c
        }))
    }
}

/// Each accelerator projected at `size` under `shared` assumptions, in the formats
/// `choice` resolves to on it.
pub fn compare(
    catalog: &Catalog,
    accelerators: &[&Accelerator],
    size: FleetSize,
    model: &ReferenceModel,
    shared: &Assumptions,
    choice: &PrecisionChoice,
) -> Vec<Compared> {
    accelerators
        .iter()
        .map(|acc| Compared {
            accelerator: acc.id.clone(),
            outcome: project_one(catalog, acc, size, model, shared, choice),
            budget_usd: None,
        })
        .collect()
}

fn project_one(
    catalog: &Catalog,
    acc: &Accelerator,
    size: FleetSize,
    model: &ReferenceModel,
    shared: &Assumptions,
    choice: &PrecisionChoice,
) -> Result<Projection, CatalogError> {
    let scenario = Scenario::from_accelerator(catalog, &acc.id, size, model.clone())?;
    let assumptions = shared.for_accelerator(acc, choice)?;
    Ok(project(&scenario, &assumptions)?)
}

/// Each accelerator projected with as many accelerators as `budget_usd` of capex buys
/// (accelerators and their facility), under `shared` assumptions; an accelerator without
/// a price or a power figure is reported, not projected.
pub fn compare_at_budget(
    catalog: &Catalog,
    accelerators: &[&Accelerator],
    budget_usd: f64,
    model: &ReferenceModel,
    shared: &Assumptions,
    choice: &PrecisionChoice,
    costs: &CostAssumptions,
) -> Vec<Compared> {
    accelerators
        .iter()
        .map(|acc| {
            let outcome = shared
                .for_accelerator(acc, choice)
                .map_err(CatalogError::from)
                .and_then(|a| {
                    let pue = a.pue.as_ref().unwrap_or(&catalog.defaults.pue).value;
                    let unit = cost::accelerator_cost(acc, &a, pue, costs)?;
                    let count = cost::accelerators_for_budget(&unit, budget_usd);
                    if count.central < 1.0 {
                        return Err(CatalogError::Model(ModelError::BudgetBelowOne {
                            accelerator: acc.id.clone(),
                            budget_usd,
                            accelerators: count.central,
                            unit_usd: unit.capex_usd.central,
                        }));
                    }
                    project_one(catalog, acc, FleetSize::Count(count), model, shared, choice)
                });
            Compared {
                accelerator: acc.id.clone(),
                outcome,
                budget_usd: Some(budget_usd),
            }
        })
        .collect()
}
