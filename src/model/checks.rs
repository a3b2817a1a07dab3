//! The source articles' own figures checked against the model (`data/checks.toml`): how
//! many GPUs OpenAI has at end-2025, Stargate's share of OpenAI's compute in 2030, what the
//! Stargate, NVIDIA and AMD deals cost, OpenAI's burn against what its fleets cost to run,
//! and the like. Each check names a metric, the claim, how to compare and its source; the
//! outcome shows the model's figure, the ratio model / claim, and pass or fail.

use serde::{Deserialize, Serialize};

use super::assumptions::Sourced;
use super::cost;
use super::error::{CatalogError, EntryProblem, ModelError};
use super::fleet::Fleet;
use super::phase::Date;
use super::range::Range;
use super::timeline::{Figures, Setup, Window};

/// What a check measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// A company's counted accelerators at a year's end.
    Accelerators,
    /// A fleet's H100-equivalents over its company's at a year's end.
    ComputeShare,
    /// The serving share of a company's yearly cost in a year.
    InferenceCostShare,
    /// A fleet's capex (accelerators + facility), fully built.
    Capex,
    /// A fleet's accelerator capex, fully built.
    AcceleratorCapex,
    /// A fleet's capex per GW of facility power, fully built.
    CapexPerGw,
    /// What a company's fleets installed by a year's end cost to own and run for a year.
    YearlyCost,
    /// A company's facility power, every phase fully built.
    Power,
    /// A company's capex, every phase fully built.
    CompanyCapex,
    /// An accelerator's cost per hour to own and run.
    UsdPerHour,
}

impl Metric {
    /// The unit of the metric's values.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Accelerators => "accelerators",
            Metric::ComputeShare | Metric::InferenceCostShare => "share",
            Metric::Capex
            | Metric::AcceleratorCapex
            | Metric::CapexPerGw
            | Metric::YearlyCost
            | Metric::CompanyCapex => "USD",
            Metric::Power => "W",
            Metric::UsdPerHour => "USD/h",
        }
    }
}

/// How a claim is compared with the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Near,
    AtLeast,
    AtMost,
}

/// One check as the catalog writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    pub claim: String,
    pub metric: Metric,
    pub company: Option<String>,
    pub fleet: Option<String>,
    pub accelerator: Option<String>,
    pub year: Option<i32>,
    pub kind: Kind,
    pub value: Range,
    /// For `near`: the factor the model's range is widened by either way.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    pub article: String,
    pub source: String,
    pub status: String,
    pub note: String,
}

fn default_tolerance() -> f64 {
    1.5
}

impl Check {
    /// Checks the fields the metric needs are present.
    pub fn validate(&self) -> Result<(), EntryProblem> {
        let need = |present: bool, what: &'static str| {
            if present {
                Ok(())
            } else {
                Err(EntryProblem::CheckNeeds {
                    metric: self.metric,
                    what,
                })
            }
        };
        match self.metric {
            Metric::Accelerators | Metric::InferenceCostShare | Metric::YearlyCost => {
                need(self.company.is_some(), "company")?;
                need(self.year.is_some(), "year")
            }
            Metric::ComputeShare => {
                need(
                    self.fleet.is_some() && self.company.is_some(),
                    "fleet and company",
                )?;
                need(self.year.is_some(), "year")
            }
            Metric::Capex | Metric::AcceleratorCapex | Metric::CapexPerGw => {
                need(self.fleet.is_some(), "fleet")
            }
            Metric::Power | Metric::CompanyCapex => need(self.company.is_some(), "company"),
            Metric::UsdPerHour => need(self.accelerator.is_some(), "accelerator"),
        }?;
        if !(self.tolerance.is_finite() && self.tolerance >= 1.0) {
            return Err(EntryProblem::Tolerance(self.tolerance));
        }
        Ok(())
    }

    /// The company the check is about (a fleet's company when it names a fleet).
    pub fn company_of<'a>(&'a self, fleets: &'a [Fleet]) -> Option<&'a str> {
        self.company.as_deref().or_else(|| {
            let id = self.fleet.as_deref()?;
            fleets.iter().find(|f| f.id == id).map(|f| f.company())
        })
    }
}

/// Pass, fail, or why the check was not made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    NotEvaluated(String),
}

impl Verdict {
    pub fn label(&self) -> String {
        match self {
            Verdict::Pass => "PASS".into(),
            Verdict::Fail => "FAIL".into(),
            Verdict::NotEvaluated(why) => format!("not evaluated: {why}"),
        }
    }
}

/// A check made.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub check: Check,
    pub unit: &'static str,
    pub model: Option<Range>,
    /// model / claim, bound by bound.
    pub ratio: Option<Range>,
    pub verdict: Verdict,
}

/// Compares the model's range with a claim.
pub fn judge(kind: Kind, model: Range, claim: Range, tolerance: f64) -> bool {
    match kind {
        Kind::Near => model.low / tolerance <= claim.high && claim.low <= model.high * tolerance,
        Kind::AtLeast => model.high >= claim.central,
        Kind::AtMost => model.low <= claim.central,
    }
}

/// Makes every check whose year (if any) lies in `window`, over all `fleets`.
pub fn evaluate(
    setup: &Setup<'_>,
    fleets: &[Fleet],
    checks: &[Check],
    window: Window,
) -> Vec<Outcome> {
    checks
        .iter()
        .map(|check| {
            let model = match check.year {
                Some(year) if !window.contains(year) => {
                    Err(Unmeasured::OutsideWindow { year, window })
                }
                _ => measure(setup, fleets, check),
            };
            let (model, ratio, verdict) = match model {
                Ok(m) => {
                    let pass = judge(check.kind, m, check.value, check.tolerance);
                    (
                        Some(m),
                        Some(m.per(check.value)),
                        if pass { Verdict::Pass } else { Verdict::Fail },
                    )
                }
                Err(why) => (None, None, Verdict::NotEvaluated(why.to_string())),
            };
            Outcome {
                unit: check.metric.unit(),
                check: check.clone(),
                model,
                ratio,
                verdict,
            }
        })
        .collect()
}

/// Why a check could not be measured against the model.
#[derive(Debug, thiserror::Error)]
pub enum Unmeasured {
    #[error("{year} lies outside the window {}–{}", window.from, window.to)]
    OutsideWindow { year: i32, window: Window },
    #[error("fleet {0} is not in the catalog")]
    NoFleet(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Cost(#[from] cost::CostGap),
    /// The model gives no such figure; `why` is its first gap, or "nothing installed".
    #[error("no {what}: {why}")]
    NoFigure { what: &'static str, why: String },
}

fn fleet<'a>(fleets: &'a [Fleet], id: &str) -> Result<&'a Fleet, Unmeasured> {
    fleets
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(|| Unmeasured::NoFleet(id.into()))
}

/// A company's counted fleets summed at `t` with serving share `share`.
fn company_at(setup: &Setup<'_>, fleets: &[Fleet], company: &str, t: f64, share: f64) -> Figures {
    let mut total = Figures::default();
    for f in fleets
        .iter()
        .filter(|f| f.company() == company && f.within.is_none())
    {
        total.add(&setup.fleet_at(f, t, share, true));
    }
    total
}

fn figure(
    value: Option<Range>,
    what: &'static str,
    figures: &Figures,
) -> Result<Range, Unmeasured> {
    value.ok_or_else(|| Unmeasured::NoFigure {
        what,
        why: figures
            .gaps
            .first()
            .cloned()
            .unwrap_or_else(|| "nothing installed".into()),
    })
}

fn measure(setup: &Setup<'_>, fleets: &[Fleet], check: &Check) -> Result<Range, Unmeasured> {
    let company = check.company.as_deref().unwrap_or_default();
    let year = check.year.unwrap_or(0);
    let t = Date::year_end(year);
    let share = setup.inference_share.value.at(year);
    let full = f64::INFINITY;
    let built = |id: &str| -> Result<Figures, Unmeasured> {
        Ok(setup.fleet_at(fleet(fleets, id)?, full, share, false))
    };
    let fleet_id = check.fleet.as_deref().unwrap_or_default();
    match check.metric {
        Metric::Accelerators => {
            let c = company_at(setup, fleets, company, t, share);
            figure(c.accelerators, "accelerators", &c)
        }
        Metric::ComputeShare => {
            let part = setup.fleet_at(fleet(fleets, fleet_id)?, t, share, false);
            let whole = company_at(setup, fleets, company, t, share);
            let part = figure(part.h100_equivalents, "H100-equivalents", &part)?;
            let whole = figure(whole.h100_equivalents, "H100-equivalents", &whole)?;
            Ok(share_of(part, whole))
        }
        Metric::InferenceCostShare => {
            let c = company_at(setup, fleets, company, t, share);
            let yearly = figure(c.yearly_cost_usd, "yearly cost", &c)?;
            let inference = figure(c.inference_cost_usd, "inference cost", &c)?;
            Ok(share_of(inference, yearly))
        }
        Metric::Capex => {
            let f = built(fleet_id)?;
            figure(f.capex_usd, "capex", &f)
        }
        Metric::AcceleratorCapex => {
            let f = built(fleet_id)?;
            figure(f.accelerator_capex_usd, "accelerator capex", &f)
        }
        Metric::CapexPerGw => {
            let f = built(fleet_id)?;
            let capex = figure(f.capex_usd, "capex", &f)?;
            let power = figure(f.power_w, "power", &f)?;
            Ok(capex.per(power.scale(1e-9)))
        }
        Metric::YearlyCost => {
            let c = company_at(setup, fleets, company, t, share);
            figure(c.yearly_cost_usd, "yearly cost", &c)
        }
        Metric::Power => {
            let c = company_at(setup, fleets, company, full, share);
            figure(c.power_w, "power", &c)
        }
        Metric::CompanyCapex => {
            let c = company_at(setup, fleets, company, full, share);
            figure(c.capex_usd, "capex", &c)
        }
        Metric::UsdPerHour => {
            let id = check.accelerator.as_deref().unwrap_or_default();
            let acc = setup.catalog.accelerator(id)?;
            let a = setup.assumptions.for_accelerator(acc, &setup.precision)?;
            let pue = a.pue.as_ref().unwrap_or(&setup.catalog.defaults.pue).value;
            cost::accelerator_cost(acc, &a, pue, setup.costs)
                .map(|u| u.usd_per_hour)
                .map_err(Unmeasured::from)
        }
    }
}

/// `part / whole` for two ranges of the same quantity, where the part is counted within the
/// whole: each bound pairs like with like (a low part with a low whole), clamped to [0, 1].
fn share_of(part: Range, whole: Range) -> Range {
    let ratio = |p: f64, w: f64| {
        if w > 0.0 {
            (p / w).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let values = [
        ratio(part.low, whole.low),
        ratio(part.central, whole.central),
        ratio(part.high, whole.high),
    ];
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(0.0, f64::max);
    Range {
        low,
        central: values[1],
        high,
    }
}

/// A sourced value as it appears in a check's list of assumptions.
pub fn describe(name: &str, s: &Sourced<Range>) -> String {
    format!(
        "{name}: {} — {} — {}",
        super::units::range_text(&s.value, super::units::sig3),
        s.status,
        s.source
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_widens_the_model_by_the_tolerance_either_way() {
        let model = Range::new(80.0, 100.0, 120.0).unwrap();
        assert!(judge(Kind::Near, model, Range::exact(170.0), 1.5));
        assert!(!judge(Kind::Near, model, Range::exact(190.0), 1.5));
        assert!(judge(Kind::Near, model, Range::exact(55.0), 1.5));
        assert!(!judge(Kind::Near, model, Range::exact(50.0), 1.5));
        assert!(judge(Kind::AtLeast, model, Range::exact(120.0), 1.5));
        assert!(!judge(Kind::AtLeast, model, Range::exact(121.0), 1.5));
        assert!(judge(Kind::AtMost, model, Range::exact(80.0), 1.5));
        assert!(!judge(Kind::AtMost, model, Range::exact(79.0), 1.5));
    }

    #[test]
    fn shares_stay_ordered_and_within_the_unit_interval() {
        let s = share_of(
            Range::new(2.0, 3.0, 4.0).unwrap(),
            Range::new(4.0, 5.0, 5.0).unwrap(),
        );
        assert!(s.is_valid() && s.high <= 1.0);
        assert!((s.central - 0.6).abs() < 1e-12);
    }
}
