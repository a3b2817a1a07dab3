//! The fleet model: sourced catalogs of accelerators, fleets (with dated build-out phases),
//! reference models, prices and costs (embedded from `data/`, overridable with a user TOML
//! file), and the projection of a fleet's power, count, training (aggregate and largest
//! job), serving (requests on a chosen layout and batch) and money (capex, yearly cost,
//! $/accelerator-hour, $/training run, $/million tokens) with low / central / high ranges;
//! fleets over time per year and company (`timeline`), and the articles' own figures
//! checked against it (`checks`). It knows nothing of wgpu or of the measuring engine: a
//! measured GPU enters only as an `Accelerator` and an MFU, through the same `project`
//! function.

pub mod accelerator;
pub mod assumptions;
pub mod catalog;
pub mod checks;
pub mod comparison;
pub mod cost;
pub mod error;
pub mod fleet;
pub mod inference;
pub mod phase;
pub mod power;
pub mod precision;
pub mod projection;
pub mod range;
pub mod reference;
pub mod scenario;
pub mod suggest;
pub mod timeline;
pub mod training;
pub mod units;
pub mod users;

pub use accelerator::{Accelerator, DType, PowerMethod};
pub use assumptions::{Assumptions, BatchChoice, Defaults, LatencyTargets, Sourced};
pub use catalog::Catalog;
pub use error::{CatalogError, IdKind, ModelError};
pub use fleet::{Fleet, FleetStatus};
pub use inference::layout::Layout;
pub use inference::{Inference, InferenceGap};
pub use precision::{Precision, PrecisionChoice};
pub use projection::{FleetSize, Projection, Scenario, local_equivalents, project};
pub use range::Range;
pub use reference::ReferenceModel;
pub use training::Training;
