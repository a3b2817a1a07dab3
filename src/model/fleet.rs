//! One fleet of the catalog: a system named in the source articles (docs/sources.md) or in
//! other public sources, with its operator and company, accelerator, stated count and/or
//! power, PUE, largest site, date, status, the article it comes from, and its dated
//! build-out phases.

use serde::{Deserialize, Serialize};

use super::phase::Phase;
use super::range::Range;

/// How far along a fleet is, as its sources describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FleetStatus {
    Online,
    UnderConstruction,
    Announced,
    Aspiration,
}

impl FleetStatus {
    pub fn label(self) -> &'static str {
        match self {
            FleetStatus::Online => "online",
            FleetStatus::UnderConstruction => "under construction",
            FleetStatus::Announced => "announced",
            FleetStatus::Aspiration => "aspiration",
        }
    }
}

/// The largest single site of a fleet spread over several: one training job stays within
/// it. Given as a count or a power (the model converts a power with the fleet's all-in
/// power per accelerator).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub count: Option<Range>,
    pub power_gw: Option<Range>,
    pub status: String,
    pub source: String,
}

/// A named fleet scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    pub id: String,
    pub name: String,
    pub operator: String,
    pub accelerator: String,
    /// Whether the accelerator generation is stated by the source or assumed, and why.
    pub accelerator_basis: String,
    /// Accelerators as stated by the source (a range when the source gives one).
    pub count: Option<Range>,
    /// Facility power as stated by the source, in GW.
    pub power_gw: Option<Range>,
    /// Fleet-specific PUE; the catalog default applies when absent.
    pub pue: Option<Range>,
    /// The largest site when the fleet spans several; absent when it is one site.
    pub largest_site: Option<Site>,
    pub date: String,
    pub status: FleetStatus,
    /// The source article (its id in docs/sources.md) this fleet comes from; empty when
    /// only other public sources name it.
    pub article: String,
    pub source: String,
    pub source_status: String,
    pub notes: String,
    /// The company whose fleet this is ("openai", "meta"...); the id when absent.
    #[serde(default)]
    pub company: Option<String>,
    /// The fleet that already counts this one (a part of it, or the sites that house it),
    /// with why: a company total counts it once.
    #[serde(default)]
    pub within: Option<Within>,
    /// The dated build-out; empty when no source dates it.
    #[serde(default, rename = "phase")]
    pub phases: Vec<Phase>,
}

/// Another fleet that already counts this one, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Within {
    pub fleet: String,
    pub status: String,
    pub reason: String,
}

impl Fleet {
    /// The company the fleet belongs to.
    pub fn company(&self) -> &str {
        self.company.as_deref().unwrap_or(&self.id)
    }

    /// The accelerator a phase adds: its own, else the fleet's.
    pub fn phase_accelerator<'a>(&'a self, phase: &'a Phase) -> &'a str {
        phase.accelerator.as_deref().unwrap_or(&self.accelerator)
    }

    /// The fleet a phase is already counted in: the phase's own, else the fleet's.
    pub fn phase_within<'a>(&'a self, phase: &'a Phase) -> Option<&'a str> {
        phase
            .within
            .as_deref()
            .or(self.within.as_ref().map(|w| w.fleet.as_str()))
    }
}
