//! Building a `Scenario` from what a user names: a catalog fleet, or an accelerator with
//! a count or a power; and a model, named or custom (`--params`, `--active-params`,
//! `--tokens`, `--compute`), or the catalog's default.

use super::assumptions::Sourced;
use super::catalog::Catalog;
use super::fleet::Fleet;
use super::projection::{FleetSize, Scenario};
use super::range::Range;
use super::reference::ReferenceModel;
use crate::error::{Error, Result};

/// Custom model figures from the command line; each overrides the named model's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelOverrides {
    pub params: Option<f64>,
    pub active_params: Option<f64>,
    pub tokens: Option<f64>,
    pub compute: Option<f64>,
}

impl ModelOverrides {
    fn any(&self) -> bool {
        *self != ModelOverrides::default()
    }
}

/// The model to project: named, custom, or the default, with overrides applied.
pub fn resolve_model(
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
    check(&model)?;
    Ok(model)
}

fn custom_model() -> ReferenceModel {
    ReferenceModel {
        id: "custom".into(),
        name: "custom model".into(),
        status: "user".into(),
        source: "command-line flags".into(),
        notes: "KV cache size unknown: decode counts weights only".into(),
        ..ReferenceModel::default()
    }
}

fn apply(model: &mut ReferenceModel, o: ModelOverrides) {
    if let Some(p) = o.params {
        model.params = Some(p);
        model.active_params = None;
    }
    if let Some(a) = o.active_params {
        model.active_params = Some(a);
    }
    if let Some(t) = o.tokens {
        model.tokens = Some(t);
    }
    // A stated compute no longer matches changed figures: derive 6ND unless --compute.
    model.compute_flop = o.compute.or(
        if o.params.is_some() || o.tokens.is_some() || o.active_params.is_some() {
            None
        } else {
            model.compute_flop
        },
    );
    if model.id != "custom" {
        model.id = format!("{} (modified)", model.id);
        model.status = "user".into();
    }
}

fn check(model: &ReferenceModel) -> Result<()> {
    if let (Some(p), Some(a)) = (model.params, model.active_params) {
        if a > p {
            return Err(Error::usage(format!(
                "--active-params ({a:.3e}) cannot exceed the total parameters ({p:.3e})"
            )));
        }
    }
    if model.active().is_none() && model.training_flop().is_none() {
        return Err(Error::usage(
            "a custom model needs --params (with --tokens or --compute for training time) or --compute",
        ));
    }
    if model.active().is_some() && model.params.is_none() {
        return Err(Error::usage(
            "--active-params needs --params (the total) as well",
        ));
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
            (None, None) => {
                return Err(Error::usage(format!(
                    "fleet '{}' has neither count nor power",
                    fleet.id
                )));
            }
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
        })
    }
}

/// A count given on the command line as a range-free figure.
pub fn count(n: f64) -> FleetSize {
    FleetSize::Count(Range::exact(n))
}
