//! The fleet model: sourced catalogs of accelerators, fleets and reference models
//! (embedded from `data/`, overridable with a user TOML file), and the projection of a
//! fleet's power, count, training (aggregate and largest job) and serving (requests on a
//! chosen layout and batch) with low / central / high ranges. It knows nothing of wgpu or
//! of the measuring engine: a measured GPU enters only as an `Accelerator` and an MFU,
//! through the same `project` function.

pub mod accelerator;
pub mod assumptions;
pub mod catalog;
pub mod comparison;
pub mod error;
pub mod fleet;
pub mod inference;
pub mod power;
pub mod precision;
pub mod projection;
pub mod range;
pub mod reference;
pub mod scenario;
pub mod suggest;
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
