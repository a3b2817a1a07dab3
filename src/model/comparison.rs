//! Vendors side by side: each accelerator projected at the same facility power or count,
//! with one model and one set of assumptions, each in the formats it runs by default (or
//! the ones the user fixed), so no vendor is compared in another's number format.

use super::accelerator::{Accelerator, DType};
use super::assumptions::Assumptions;
use super::catalog::Catalog;
use super::error::CatalogError;
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
