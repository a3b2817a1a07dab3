//! Building a `Scenario` from what a user names: a catalog fleet, or an accelerator with
//! a count or a power; and a model, named or custom (parameters, active parameters,
//! tokens, compute, and the architecture serving needs), or the catalog's default.

use super::assumptions::Sourced;
use super::catalog::Catalog;
use super::error::CatalogError;
use super::error::ModelError;
use super::fleet::Fleet;
use super::projection::{FleetSize, Scenario};
use super::range::Range;
use super::reference::ReferenceModel;

type Result<T> = std::result::Result<T, CatalogError>;

/// Custom model figures from the command line; each overrides the named model's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelOverrides {
    pub params: Option<f64>,
    pub active_params: Option<f64>,
    pub tokens: Option<f64>,
    pub compute: Option<f64>,
    pub architecture: ArchitectureOverrides,
}

/// Architecture figures serving needs, from the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ArchitectureOverrides {
    pub layers: Option<u32>,
    pub kv_heads: Option<u32>,
    pub head_dim: Option<u32>,
    pub kv_bytes_per_token: Option<f64>,
    pub hidden: Option<u32>,
    pub experts: Option<u32>,
    pub experts_per_token: Option<u32>,
}

impl ModelOverrides {
    fn any(&self) -> bool {
        *self != ModelOverrides::default()
    }

    fn changes_size(&self) -> bool {
        self.params.is_some() || self.tokens.is_some() || self.active_params.is_some()
    }
}

/// The model to project: named, custom, or the default, with overrides applied and
/// checked.
pub fn resolve_model(
    catalog: &Catalog,
    id: Option<&str>,
    o: ModelOverrides,
) -> Result<ReferenceModel> {
    let model = model_with_overrides(catalog, id, o)?;
    check(&model)?;
    Ok(model)
}

/// The named, custom or default model with overrides applied, not yet checked.
pub fn model_with_overrides(
    catalog: &Catalog,
    id: Option<&str>,
    o: ModelOverrides,
) -> Result<ReferenceModel> {
    let mut model = match (id, o.any()) {
        (Some(id), _) => catalog.model(id)?.clone(),
        (None, true) => custom_model(),
        (None, false) => catalog.model(&catalog.defaults.model.value)?.clone(),
    };
    if o.any() {
        apply(&mut model, o);
    }
    Ok(model)
}

fn custom_model() -> ReferenceModel {
    ReferenceModel {
        id: "custom".into(),
        name: "custom model".into(),
        status: "user".into(),
        source: "command-line figures".into(),
        ..ReferenceModel::default()
    }
}

fn apply(model: &mut ReferenceModel, o: ModelOverrides) {
    if let Some(p) = o.params {
        model.params = Some(p);
        model.active_params = None;
        model.expert_params = None;
    }
    if let Some(a) = o.active_params {
        model.active_params = Some(a);
        model.expert_params = None;
    }
    if let Some(t) = o.tokens {
        model.tokens = Some(t);
    }
    // A stated compute or batch no longer matches changed figures: derive them again.
    model.compute_flop = o.compute.or(if o.changes_size() {
        None
    } else {
        model.compute_flop
    });
    if o.changes_size() {
        model.global_batch_tokens = None;
    }
    let arch = o.architecture;
    if arch.kv_heads.is_some() || arch.head_dim.is_some() || arch.layers.is_some() {
        model.kv_bytes_per_token = None;
        model.kv_latent_dim = None;
    }
    set(&mut model.layers, arch.layers);
    set(&mut model.kv_heads, arch.kv_heads);
    set(&mut model.head_dim, arch.head_dim);
    set(&mut model.kv_bytes_per_token, arch.kv_bytes_per_token);
    set(&mut model.hidden, arch.hidden);
    set(&mut model.experts, arch.experts);
    set(&mut model.experts_per_token, arch.experts_per_token);
    if model.id != "custom" {
        model.id = format!("{} (modified)", model.id);
        model.status = "user".into();
    }
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// Refuses figures that contradict each other or leave nothing to project.
pub fn check(model: &ReferenceModel) -> std::result::Result<(), ModelError> {
    let bad = |m: String| Err(ModelError::ModelFigures(m));
    if let (Some(p), Some(a)) = (model.params, model.active_params) {
        if a > p {
            return bad(format!(
                "active parameters ({a:.3e}) cannot exceed the total parameters ({p:.3e})"
            ));
        }
    }
    if model.active().is_none() && model.training_flop().is_none() {
        return bad(
            "a custom model needs its parameters (with training tokens or compute for training \
             time) or its training compute"
                .into(),
        );
    }
    if model.active_params.is_some() && model.params.is_none() {
        return bad("active parameters need the total parameters as well".into());
    }
    Ok(())
}

impl Scenario {
    /// A catalog fleet, with the stated count and/or power.
    pub fn from_fleet(catalog: &Catalog, fleet: &Fleet, model: ReferenceModel) -> Result<Scenario> {
        let size = match (fleet.count, fleet.power_gw) {
            (Some(count), Some(gw)) => FleetSize::CountAndPower {
                count,
                power_w: gw.scale(1e9),
            },
            (Some(count), None) => FleetSize::Count(count),
            (None, Some(gw)) => FleetSize::Power(gw.scale(1e9)),
            (None, None) => return Err(ModelError::EmptyFleet(fleet.id.clone()).into()),
        };
        let pue = match fleet.pue {
            Some(value) => Sourced {
                value,
                status: fleet.source_status.clone(),
                source: format!("fleet {}: {}", fleet.id, fleet.notes),
            },
            None => catalog.defaults.pue.clone(),
        };
        Ok(Scenario {
            id: fleet.id.clone(),
            accelerator: catalog.accelerator(&fleet.accelerator)?.clone(),
            size,
            pue,
            model,
            site: fleet.largest_site.clone(),
        })
    }

    /// An accelerator by id with a count or a facility power (watts).
    pub fn from_accelerator(
        catalog: &Catalog,
        id: &str,
        size: FleetSize,
        model: ReferenceModel,
    ) -> Result<Scenario> {
        let accelerator = catalog.accelerator(id)?.clone();
        let label = match size {
            FleetSize::Count(c) | FleetSize::CountAndPower { count: c, .. } => {
                format!("{} x {}", accelerator.id, super::units::si(c.central))
            }
            FleetSize::Power(p) => {
                format!("{} at {}W", accelerator.id, super::units::si(p.central))
            }
        };
        Ok(Scenario {
            id: label,
            accelerator,
            size,
            pue: catalog.defaults.pue.clone(),
            model,
            site: None,
        })
    }
}

/// A count given on the command line as a range-free figure.
pub fn count(n: f64) -> FleetSize {
    FleetSize::Count(Range::exact(n))
}
