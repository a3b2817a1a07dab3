//! The catalogs (accelerators, fleets with their build-out phases, reference models, default
//! assumptions, prices and cost figures, the articles' checks), embedded in the binary from
//! `src/model/data/` and optionally extended or overridden by a user TOML file
//! (`--catalog FILE`): entries with a known id replace the embedded ones, new ids are
//! added, and a `[costs]` table replaces the cost figures it names. Loading checks every
//! figure, so a projection never meets a bad one.

use std::path::Path;

use serde::Deserialize;

use super::accelerator::{Accelerator, PowerAssumptions};
use super::assumptions::Defaults;
use super::checks::Check;
use super::cost::{CostDefaults, CostOverrides, Price};
use super::error::{CatalogError, EntryProblem, IdKind};
use super::fleet::Fleet;
use super::power;
use super::range::Range;
use super::reference::ReferenceModel;
use super::suggest::unknown_id;

type Result<T> = std::result::Result<T, CatalogError>;

const ACCELERATORS: &str = include_str!("data/accelerators.toml");
const FLEETS: &str = include_str!("data/fleets.toml");
const MODELS: &str = include_str!("data/models.toml");
const ASSUMPTIONS: &str = include_str!("data/assumptions.toml");
const COSTS: &str = include_str!("data/costs.toml");
const CHECKS: &str = include_str!("data/checks.toml");

/// The statuses a figure may carry (the first word of its status text).
pub(super) const STATUSES: [&str; 5] =
    ["verified", "secondary", "derived", "unverified", "assumed"];

/// The model's reading of a fleet's stated count and power.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FleetCheck {
    /// The accelerators the stated power feeds.
    pub count_from_power: Option<Range>,
    /// The facility power the stated count draws, in MW.
    pub power_mw_from_count: Option<Range>,
    /// Set when the stated count and power disagree with the model.
    pub check: Option<String>,
}

/// Everything the model knows before the user says anything.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub accelerators: Vec<Accelerator>,
    pub fleets: Vec<Fleet>,
    pub models: Vec<ReferenceModel>,
    pub defaults: Defaults,
    /// Facility, energy, depreciation and operations figures.
    pub costs: CostDefaults,
    /// Prices per accelerator (one entry per accelerator id).
    pub prices: Vec<Price>,
    /// The articles' own figures to check the model against.
    pub checks: Vec<Check>,
}

/// The shape of a catalog file: any of the lists, and a `[costs]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    accelerator: Vec<Accelerator>,
    #[serde(default)]
    fleet: Vec<Fleet>,
    #[serde(default)]
    model: Vec<ReferenceModel>,
    #[serde(default)]
    price: Vec<Price>,
    costs: Option<CostOverrides>,
}

/// The embedded cost file: the figures and the prices.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostFile {
    #[serde(flatten)]
    defaults: CostDefaults,
    #[serde(default)]
    price: Vec<Price>,
}

/// The embedded checks file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    check: Vec<Check>,
}

impl Catalog {
    /// The embedded catalog.
    pub fn embedded() -> Result<Self> {
        let costs: CostFile = parse(COSTS, "costs.toml")?;
        let catalog = Catalog {
            accelerators: parse::<CatalogFile>(ACCELERATORS, "accelerators.toml")?.accelerator,
            fleets: parse::<CatalogFile>(FLEETS, "fleets.toml")?.fleet,
            models: parse::<CatalogFile>(MODELS, "models.toml")?.model,
            defaults: parse(ASSUMPTIONS, "assumptions.toml")?,
            costs: costs.defaults,
            prices: costs.price,
            checks: parse::<CheckFile>(CHECKS, "checks.toml")?.check,
        };
        catalog.validate("embedded catalog")?;
        Ok(catalog)
    }

    /// The embedded catalog, extended by a user file when one is given.
    pub fn load(user_file: Option<&Path>) -> Result<Self> {
        let catalog = Catalog::embedded()?;
        let Some(path) = user_file else {
            return Ok(catalog);
        };
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        catalog.extended(&text, &path.display().to_string())
    }

    /// This catalog extended by the TOML text of a user catalog (`origin` names it in
    /// errors): entries replace those with the same id, then everything is checked.
    pub fn extended(mut self, text: &str, origin: &str) -> Result<Self> {
        self.merge(parse::<CatalogFile>(text, origin)?);
        self.validate(origin)?;
        Ok(self)
    }

    fn merge(&mut self, file: CatalogFile) {
        upsert(&mut self.accelerators, file.accelerator, |a| a.id.clone());
        upsert(&mut self.fleets, file.fleet, |f| f.id.clone());
        upsert(&mut self.models, file.model, |m| m.id.clone());
        upsert(&mut self.prices, file.price, |p| p.accelerator.clone());
        if let Some(costs) = file.costs {
            self.costs.apply(costs);
        }
    }

    /// The catalog's default power assumptions (host overhead, scale-out share).
    pub fn power_assumptions(&self) -> PowerAssumptions {
        PowerAssumptions {
            host_overhead_kw: self.defaults.host_overhead_kw.value,
            scaleout_share: self.defaults.scaleout_share.value,
        }
    }

    /// What the model makes of a fleet's stated figures under the default assumptions:
    /// the count its power feeds, the power its count draws, and whether they agree.
    pub fn fleet_check(&self, f: &Fleet) -> FleetCheck {
        let Ok(acc) = self.accelerator(&f.accelerator) else {
            return FleetCheck::default();
        };
        let pue = f.pue.unwrap_or(self.defaults.pue.value);
        let Some((kw, _)) = acc.all_in_kw(&self.power_assumptions()) else {
            return FleetCheck::default();
        };
        let per_w = power::facility_w_per_accelerator(kw, pue);
        let count_from_power = f
            .power_gw
            .map(|gw| power::count_from_power(gw.scale(1e9), per_w));
        let check = match (f.count, count_from_power, f.power_gw) {
            (Some(stated), Some(modelled), Some(gw)) => {
                power::disagreement(stated, modelled, gw.scale(1e9))
            }
            _ => None,
        };
        FleetCheck {
            count_from_power,
            power_mw_from_count: f
                .count
                .map(|n| power::power_from_count(n, per_w).scale(1e-6)),
            check,
        }
    }

    pub fn accelerator(&self, id: &str) -> Result<&Accelerator> {
        let ids = self.accelerators.iter().map(|a| a.id.as_str());
        self.accelerators
            .iter()
            .find(|a| a.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| unknown_id(IdKind::Accelerator, id, ids))
    }

    pub fn fleet(&self, id: &str) -> Result<&Fleet> {
        let ids = self.fleets.iter().map(|f| f.id.as_str());
        self.fleets
            .iter()
            .find(|f| f.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| unknown_id(IdKind::Fleet, id, ids))
    }

    pub fn model(&self, id: &str) -> Result<&ReferenceModel> {
        let ids = self.models.iter().map(|m| m.id.as_str());
        self.models
            .iter()
            .find(|m| m.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| unknown_id(IdKind::Model, id, ids))
    }

    /// Checks every entry; the first problem is the error, naming the entry.
    fn validate(&self, origin: &str) -> Result<()> {
        let fail = |kind: IdKind, id: &str, problem: EntryProblem| CatalogError::Invalid {
            origin: origin.into(),
            entry: format!("{kind} '{id}'"),
            problem,
        };
        for a in &self.accelerators {
            check_accelerator(a).map_err(|e| fail(IdKind::Accelerator, &a.id, e))?;
        }
        for f in &self.fleets {
            check_fleet(f, self).map_err(|e| fail(IdKind::Fleet, &f.id, e))?;
        }
        for m in &self.models {
            check_model(m).map_err(|e| fail(IdKind::Model, &m.id, e))?;
        }
        let invalid = |entry: String, problem: EntryProblem| CatalogError::Invalid {
            origin: origin.into(),
            entry,
            problem,
        };
        for p in &self.prices {
            check_price(p, self)
                .map_err(|e| invalid(format!("price of '{}'", p.accelerator), e))?;
        }
        for (name, figure) in self.costs.named() {
            check_status(&figure.status)
                .and_then(|()| check_positive_range(&figure.value, name))
                .map_err(|e| invalid("costs".into(), e))?;
        }
        if self.costs.opex_share.value.high > 1.0 {
            return Err(invalid("costs".into(), EntryProblem::OpexShareAboveOne));
        }
        for c in &self.checks {
            c.validate()
                .and_then(|()| check_status(&c.status))
                .map_err(|e| invalid(format!("check '{}'", c.id), e))?;
        }
        Ok(())
    }
}

/// Replaces entries with the same id, appends the others.
fn upsert<T>(list: &mut Vec<T>, new: Vec<T>, id: impl Fn(&T) -> String) {
    for item in new {
        match list.iter().position(|old| id(old) == id(&item)) {
            Some(i) => list[i] = item,
            None => list.push(item),
        }
    }
}

/// Parses TOML, turning toml's multi-line report into one line with the line number.
fn parse<T: for<'de> Deserialize<'de>>(text: &str, name: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| CatalogError::Parse {
        name: name.into(),
        line: e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().trim().replace('\n', " "),
    })
}

/// What checking one entry gives: nothing, or its first problem.
type Checked = std::result::Result<(), EntryProblem>;

fn check_status(status: &str) -> Checked {
    let first = status.split_whitespace().next().unwrap_or("");
    if STATUSES.contains(&first) {
        Ok(())
    } else {
        Err(EntryProblem::Status(status.into()))
    }
}

fn check_positive(value: f64, what: &str) -> Checked {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(EntryProblem::NotPositive {
            what: what.into(),
            value,
        })
    }
}

fn check_positive_range(range: &Range, what: &str) -> Checked {
    check_positive(range.low, what)
}

fn check_accelerator(a: &Accelerator) -> Checked {
    check_status(&a.status)?;
    check_status(&a.power_status)?;
    if a.source.trim().is_empty() {
        return Err(EntryProblem::NoSource);
    }
    for (dtype, peak) in &a.peak_tflops {
        check_positive_range(peak, &format!("{dtype} peak"))?;
    }
    check_positive(a.memory_gb, "memory_gb")?;
    check_positive(a.memory_bw_tbps, "memory_bw_tbps")?;
    if let Some(tdp) = a.tdp_w {
        check_positive(tdp, "tdp_w")?;
    }
    if let Some(kw) = a.system_kw.or(a.all_in_kw) {
        check_positive_range(&kw, "power")?;
    }
    if a.system_kw.is_some() && a.chips_per_system.unwrap_or(0) == 0 {
        return Err(EntryProblem::SystemWithoutChips);
    }
    if a.scaleup_domain == 0 {
        return Err(EntryProblem::NoScaleupDomain);
    }
    // Without a fabric bandwidth a replica cannot be tensor-parallel (it still pipelines).
    if let Some(bw) = a.scaleup_bw_gbps {
        check_positive(bw, "scaleup_bw_gbps")?;
    }
    Ok(())
}

fn check_fleet(f: &Fleet, catalog: &Catalog) -> Checked {
    check_status(&f.source_status)?;
    if f.count.is_none() && f.power_gw.is_none() {
        return Err(EntryProblem::FleetWithoutSize);
    }
    if let Some(count) = &f.count {
        check_positive_range(count, "count")?;
    }
    if let Some(power) = &f.power_gw {
        check_positive_range(power, "power_gw")?;
    }
    if let Some(pue) = &f.pue {
        if pue.low < 1.0 {
            return Err(EntryProblem::PueBelowOne(pue.low));
        }
    }
    if let Some(site) = &f.largest_site {
        check_status(&site.status)?;
        match (&site.count, &site.power_gw) {
            (Some(c), None) => check_positive_range(c, "largest_site.count")?,
            (None, Some(p)) => check_positive_range(p, "largest_site.power_gw")?,
            _ => return Err(EntryProblem::SiteSize),
        }
    }
    catalog.accelerator(&f.accelerator)?;
    if let Some(within) = &f.within {
        check_status(&within.status)?;
        check_other_fleet(&within.fleet, f, catalog)?;
    }
    for (i, phase) in f.phases.iter().enumerate() {
        check_phase(f, phase, catalog).map_err(|problem| EntryProblem::Phase {
            number: i + 1,
            online: phase.online,
            problem: Box::new(problem),
        })?;
    }
    Ok(())
}

fn check_other_fleet(id: &str, f: &Fleet, catalog: &Catalog) -> Checked {
    if id == f.id {
        return Err(EntryProblem::WithinItself);
    }
    catalog.fleet(id)?;
    Ok(())
}

fn check_phase(f: &Fleet, phase: &super::phase::Phase, catalog: &Catalog) -> Checked {
    phase.check()?;
    check_status(&phase.source_status)?;
    let acc = catalog.accelerator(f.phase_accelerator(phase))?;
    if phase.power_gw.is_some() && acc.all_in_kw(&catalog.power_assumptions()).is_none() {
        return Err(EntryProblem::PowerWithoutFigure(acc.id.clone()));
    }
    if let Some(within) = &phase.within {
        check_other_fleet(within, f, catalog)?;
    }
    Ok(())
}

fn check_price(p: &Price, catalog: &Catalog) -> Checked {
    check_status(&p.status)?;
    catalog.accelerator(&p.accelerator)?;
    if p.source.trim().is_empty() {
        return Err(EntryProblem::NoSource);
    }
    match p.per_accelerator() {
        Some(usd) => check_positive_range(&usd, "price"),
        None => Err(EntryProblem::PriceWithoutAmount),
    }
}

fn check_model(m: &ReferenceModel) -> Checked {
    check_status(&m.status)?;
    for (value, what) in [
        (m.params, "params"),
        (m.active_params, "active_params"),
        (m.tokens, "tokens"),
        (m.compute_flop, "compute_flop"),
        (m.kv_bytes_per_token, "kv_bytes_per_token"),
        (m.expert_params, "expert_params"),
        (m.global_batch_tokens, "global_batch_tokens"),
    ] {
        if let Some(v) = value {
            check_positive(v, what)?;
        }
    }
    if m.training_flop().is_none() && m.params.is_none() {
        return Err(EntryProblem::ModelWithoutSize);
    }
    // A model serving can use must resolve to a full architecture.
    if m.params.is_some() && m.layers.is_some() {
        m.architecture()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_loads_and_has_every_required_id() {
        let c = Catalog::embedded().unwrap();
        for id in [
            "a100",
            "h100",
            "h200",
            "b200",
            "gb200",
            "b300",
            "gb300",
            "rubin",
            "rubin-cpx",
            "mi300x",
            "mi325x",
            "mi350x",
            "mi355x",
            "mi450",
            "tpu-v5p",
            "tpu-v6e",
            "tpu-v7",
            "trainium2",
            "trainium3",
            "gaudi3",
            "rtx-4090",
            "rtx-5090",
            "rtx-pro-6000",
            "rx-7900-xtx",
            "m3-max",
            "m4-max",
        ] {
            assert!(c.accelerator(id).is_ok(), "missing accelerator {id}");
        }
        for id in [
            "openai-2025",
            "openai-100x",
            "meta-2024",
            "meta-hyperion",
            "meta-prometheus",
            "xai-colossus",
            "xai-colossus-2",
            "nvidia-openai-10gw",
            "nvidia-openai-first-gw",
            "stargate",
            "amd-openai-6gw",
            "openai-broadcom-10gw",
        ] {
            assert!(c.fleet(id).is_ok(), "missing fleet {id}");
        }
        for id in [
            "gpt-3",
            "llama-3-70b",
            "llama-3.1-405b",
            "deepseek-v3",
            "gpt-4",
        ] {
            assert!(c.model(id).is_ok(), "missing model {id}");
        }
    }

    #[test]
    fn every_embedded_accelerator_with_a_fabric_has_its_bandwidth() {
        let c = Catalog::embedded().unwrap();
        for a in c.accelerators.iter().filter(|a| a.scaleup_domain > 1) {
            assert!(a.scaleup_bw_gbps.is_some(), "{}", a.id);
        }
    }

    #[test]
    fn malformed_toml_names_the_line_in_one_line() {
        let err = parse::<CatalogFile>(
            "[[accelerator]]\nid = \"x\"\nmemory_gb = \"lots\"\n",
            "f.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("catalog f.toml: line 3:"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn a_user_entry_replaces_the_embedded_one_by_id() {
        let mut c = Catalog::embedded().unwrap();
        let mut h100 = c.accelerator("h100").unwrap().clone();
        h100.memory_gb = 96.0;
        c.merge(CatalogFile {
            accelerator: vec![h100],
            ..CatalogFile::default()
        });
        assert_eq!(c.accelerator("h100").unwrap().memory_gb, 96.0);
        assert_eq!(c.accelerators.iter().filter(|a| a.id == "h100").count(), 1);
    }
}
