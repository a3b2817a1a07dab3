//! One fleet of the catalog: a system named in the source articles (docs/sources.md) or in other public sources,
//! with its operator, accelerator, stated count and/or power, PUE, largest site, date,
//! status and the article it comes from.

use serde::{Deserialize, Serialize};

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
}
