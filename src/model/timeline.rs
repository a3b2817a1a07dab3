//! Fleets over time: every dated phase of the chosen fleets projected at each year's end
//! (installed accelerators, facility power, H100-equivalents, training compute available
//! and serving capacity at the chosen model, capex and yearly cost), summed per fleet and
//! per company. A company total counts each accelerator once: a fleet or phase that another
//! fleet already counts (`within`) is shown on its own row but left out of the total.
//! H100-equivalents are dense BF16 FLOP/s over the H100's (989.4 TFLOP/s), BF16 derived as
//! FP8 / 2 where unpublished. Training and serving split each phase by the inference share
//! of the year: a ramp interpolated linearly between its points and flat outside them.

use serde::Serialize;

use super::assumptions::{Assumptions, Sourced};
use super::catalog::Catalog;
use super::cost::{self, CostAssumptions};
use super::error::{InputError, WindowEnd, WindowError};
use super::fleet::Fleet;
use super::phase::{Date, FIRST_YEAR, LAST_YEAR, Phase, Size};
use super::power::Binding;
use super::precision::{self, PrecisionChoice};
use super::projection::{self, FleetSize, Scenario};
use super::range::Range;
use super::reference::ReferenceModel;
use crate::text::printable;

/// The years a timeline covers, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: i32,
    pub to: i32,
}

impl Window {
    /// A checked window: both years within the catalog's span, `from` no later than `to`.
    pub fn new(from: i32, to: i32) -> Result<Self, WindowError> {
        for (year, end) in [(from, WindowEnd::First), (to, WindowEnd::Last)] {
            if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
                return Err(WindowError::OutOfRange { end, year });
            }
        }
        if from > to {
            return Err(WindowError::Reversed { from, to });
        }
        Ok(Window { from, to })
    }

    pub fn years(&self) -> impl Iterator<Item = i32> {
        self.from..=self.to
    }

    pub fn contains(&self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }
}

/// The share of each phase serving, by year: one share, or points in increasing years
/// interpolated linearly between them and flat outside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareRamp {
    Constant(f64),
    Points(Vec<(i32, f64)>),
}

impl ShareRamp {
    /// Parses `0.4` or `2025:0.3,2030:0.6` (years increasing, shares in [0, 1]); `what`
    /// names the value in errors.
    pub fn parse(text: &str, what: &str) -> Result<Self, InputError> {
        let given = || printable(text);
        let share = |s: &str| -> Result<f64, InputError> {
            let part = printable(s.trim());
            let Ok(v) = s.trim().parse::<f64>() else {
                return Err(InputError::PartNotANumber {
                    what: what.into(),
                    given: given(),
                    part,
                });
            };
            if !(0.0..=1.0).contains(&v) {
                return Err(InputError::Outside {
                    what: what.into(),
                    interval: "[0, 1]",
                    given: part,
                });
            }
            Ok(v)
        };
        if !text.contains(':') {
            return Ok(ShareRamp::Constant(share(text)?));
        }
        let mut points: Vec<(i32, f64)> = Vec::new();
        for part in text.split(',') {
            let (year, value) = part
                .split_once(':')
                .ok_or_else(|| InputError::NotYearPairs {
                    what: what.into(),
                    given: given(),
                })?;
            let year: i32 = year.trim().parse().map_err(|_| InputError::NotAYear {
                what: what.into(),
                given: given(),
                part: printable(year.trim()),
            })?;
            if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
                return Err(InputError::YearOutOfRange {
                    what: what.into(),
                    year,
                });
            }
            if let Some(&(last, _)) = points.last() {
                if year <= last {
                    return Err(InputError::NotIncreasing {
                        what: what.into(),
                        given: given(),
                        year,
                        last,
                    });
                }
            }
            points.push((year, share(value)?));
        }
        Ok(ShareRamp::Points(points))
    }

    /// The one share, when it is not a ramp of years.
    pub fn single(&self) -> Option<f64> {
        match self {
            ShareRamp::Constant(s) => Some(*s),
            ShareRamp::Points(_) => None,
        }
    }

    /// The share in `year`.
    pub fn at(&self, year: i32) -> f64 {
        let points = match self {
            ShareRamp::Constant(s) => return *s,
            ShareRamp::Points(p) => p,
        };
        let (first, last) = (points[0], points[points.len() - 1]);
        if year <= first.0 {
            return first.1;
        }
        if year >= last.0 {
            return last.1;
        }
        let upper = points.iter().position(|(y, _)| *y >= year).unwrap_or(1);
        let (y0, s0) = points[upper - 1];
        let (y1, s1) = points[upper];
        s0 + (s1 - s0) * f64::from(year - y0) / f64::from(y1 - y0)
    }
}

/// Everything a timeline needs besides the fleets.
pub struct Setup<'a> {
    pub catalog: &'a Catalog,
    pub model: &'a ReferenceModel,
    /// The assumptions every phase starts from (formats are resolved per accelerator).
    pub assumptions: &'a Assumptions,
    pub precision: PrecisionChoice,
    pub costs: &'a CostAssumptions,
    /// The serving share per year, with where it comes from.
    pub inference_share: Sourced<ShareRamp>,
}

/// One fleet's (or one company's) figures at one moment; `None` where a phase lacks the
/// figure (the gaps say why), never a partial sum.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    pub accelerators: Option<Range>,
    /// Facility power, W.
    pub power_w: Option<Range>,
    pub h100_equivalents: Option<Range>,
    /// Achieved training FLOP/s of the training share.
    pub training_flops_per_s: Option<Range>,
    /// Output tokens/s of the serving share at the chosen model.
    pub output_tokens_per_s: Option<Range>,
    /// Cumulative capex of what is installed (accelerators + facility).
    pub capex_usd: Option<Range>,
    pub accelerator_capex_usd: Option<Range>,
    /// Yearly cost of owning and running what is installed.
    pub yearly_cost_usd: Option<Range>,
    /// The part of the yearly cost spent serving (the year's inference share of it).
    pub inference_cost_usd: Option<Range>,
    /// The generations installed.
    pub accelerator_ids: Vec<String>,
    /// Why a figure is missing.
    pub gaps: Vec<String>,
    /// Phases summed so far.
    #[serde(skip)]
    parts: usize,
}

/// One phase projected at one moment.
struct PhaseFigures {
    count: Option<Range>,
    power_w: Option<Range>,
    h100e: Option<Range>,
    training: Option<Range>,
    serving: Option<Range>,
    capex: Option<Range>,
    accelerator_capex: Option<Range>,
    yearly: Option<Range>,
    gaps: Vec<String>,
}

fn add(total: Option<Range>, part: Option<Range>, first: bool) -> Option<Range> {
    match (first, total, part) {
        (true, _, p) => p,
        (false, Some(t), Some(p)) => Some(t.plus(p)),
        _ => None,
    }
}

impl Figures {
    fn is_empty(&self) -> bool {
        self.parts == 0
    }

    /// Adds one phase (or one fleet's total), keeping `None` once any part lacks a figure.
    pub fn add(&mut self, part: &Figures) {
        if part.parts == 0 {
            return;
        }
        let first = self.parts == 0;
        self.parts += part.parts;
        self.accelerators = add(self.accelerators, part.accelerators, first);
        self.power_w = add(self.power_w, part.power_w, first);
        self.h100_equivalents = add(self.h100_equivalents, part.h100_equivalents, first);
        self.training_flops_per_s =
            add(self.training_flops_per_s, part.training_flops_per_s, first);
        self.output_tokens_per_s = add(self.output_tokens_per_s, part.output_tokens_per_s, first);
        self.capex_usd = add(self.capex_usd, part.capex_usd, first);
        self.accelerator_capex_usd = add(
            self.accelerator_capex_usd,
            part.accelerator_capex_usd,
            first,
        );
        self.yearly_cost_usd = add(self.yearly_cost_usd, part.yearly_cost_usd, first);
        self.inference_cost_usd = add(self.inference_cost_usd, part.inference_cost_usd, first);
        for id in &part.accelerator_ids {
            if !self.accelerator_ids.contains(id) {
                self.accelerator_ids.push(id.clone());
            }
        }
        for gap in &part.gaps {
            if !self.gaps.contains(gap) {
                self.gaps.push(gap.clone());
            }
        }
    }

    fn from_phase(p: PhaseFigures, accelerator: &str, share: f64) -> Figures {
        Figures {
            accelerators: p.count,
            power_w: p.power_w,
            h100_equivalents: p.h100e,
            training_flops_per_s: p.training,
            output_tokens_per_s: p.serving,
            capex_usd: p.capex,
            accelerator_capex_usd: p.accelerator_capex,
            yearly_cost_usd: p.yearly,
            inference_cost_usd: p.yearly.map(|y| y.scale(share)),
            accelerator_ids: vec![accelerator.to_string()],
            gaps: p.gaps,
            parts: 1,
        }
    }
}

/// A fleet at one year's end.
#[derive(Debug, Clone, Serialize)]
pub struct FleetYear {
    pub year: i32,
    pub fleet: String,
    pub company: String,
    /// False when another fleet already counts it (it is not in its company's total).
    pub counted: bool,
    pub inference_share: f64,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A company's counted fleets at one year's end.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyYear {
    pub year: i32,
    pub company: String,
    pub fleets: Vec<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A fleet that shows no phase in the window, and why.
#[derive(Debug, Clone, Serialize)]
pub struct OutsideWindow {
    pub fleet: String,
    pub reason: String,
}

/// The whole timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub window: Window,
    pub fleets: Vec<FleetYear>,
    pub companies: Vec<CompanyYear>,
    pub outside_window: Vec<OutsideWindow>,
    pub h100_bf16_flops: f64,
}

impl<'a> Setup<'a> {
    /// The H100's dense BF16 FLOP/s, the unit of H100-equivalents.
    pub fn h100_bf16(&self) -> f64 {
        self.catalog
            .accelerator("h100")
            .ok()
            .and_then(|h| precision::bf16_peak(h).ok())
            .map_or(989.4e12, |p| p.flops.central)
    }

    /// A fleet's figures at fractional year `t` (`f64::INFINITY`: fully built), counting
    /// only phases no other fleet counts when `counted_only`.
    pub fn fleet_at(&self, fleet: &Fleet, t: f64, share: f64, counted_only: bool) -> Figures {
        let scale = self.binding_scale(fleet);
        self.fleet_at_scaled(fleet, t, share, counted_only, scale)
    }

    /// When a fleet states both a count and a power and the count binds (the power would
    /// feed more), `project` projects the count; the phases dated by power are scaled so
    /// the fully built timeline reaches that count too. Never scaled up (an undated
    /// remainder stays out); a fleet with phases dated by count keeps them as stated, even
    /// where the stated power would feed fewer (`project` then says the power binds).
    fn binding_scale(&self, fleet: &Fleet) -> f64 {
        let projected = Scenario::from_fleet(self.catalog, fleet, self.model.clone())
            .ok()
            .and_then(|s| {
                let a = self
                    .assumptions
                    .for_accelerator(&s.accelerator, &self.precision)
                    .ok()?;
                projection::project(&s, &a).ok()
            });
        let all_by_power = fleet
            .phases
            .iter()
            .all(|phase| matches!(phase.size(), Size::Power(_)));
        let Some(p) = projected.filter(|p| all_by_power && p.binding == Some(Binding::Count))
        else {
            return 1.0;
        };
        let built = self.fleet_at_scaled(fleet, f64::INFINITY, 0.0, false, 1.0);
        match built.accelerators {
            Some(b) if b.central > p.count.central => p.count.central / b.central,
            _ => 1.0,
        }
    }

    fn fleet_at_scaled(
        &self,
        fleet: &Fleet,
        t: f64,
        share: f64,
        counted_only: bool,
        scale: f64,
    ) -> Figures {
        let mut total = Figures::default();
        for phase in &fleet.phases {
            if counted_only && fleet.phase_within(phase).is_some() {
                continue;
            }
            let online = phase.online_share(t);
            if online <= 0.0 {
                continue;
            }
            let accelerator = fleet.phase_accelerator(phase);
            let figures = self.phase_at(fleet, phase, online * scale, share);
            total.add(&Figures::from_phase(figures, accelerator, share));
        }
        total
    }

    /// One phase, `online` of it installed, projected with `share` of it serving.
    fn phase_at(&self, fleet: &Fleet, phase: &Phase, online: f64, share: f64) -> PhaseFigures {
        let accelerator = fleet.phase_accelerator(phase);
        let size = match phase.size().scale(online) {
            Size::Count(c) => FleetSize::Count(c),
            Size::Power(w) => FleetSize::Power(w),
        };
        let gap = |e: String| PhaseFigures {
            count: None,
            power_w: None,
            h100e: None,
            training: None,
            serving: None,
            capex: None,
            accelerator_capex: None,
            yearly: None,
            gaps: vec![format!("{} ({accelerator}): {e}", fleet.id)],
        };
        let projected = Scenario::from_fleet(self.catalog, fleet, self.model.clone())
            .map_err(|e| e.to_string())
            .and_then(|mut s| {
                s.accelerator = self
                    .catalog
                    .accelerator(accelerator)
                    .map_err(|e| e.to_string())?
                    .clone();
                s.size = size;
                let mut a = self
                    .assumptions
                    .for_accelerator(&s.accelerator, &self.precision)
                    .map_err(|e| e.to_string())?;
                a.inference_share = Some(share);
                projection::project(&s, &a)
                    .map(|p| (s.accelerator, p))
                    .map_err(|e| e.to_string())
            });
        let (acc, p) = match projected {
            Ok(v) => v,
            Err(e) => return gap(e),
        };
        let mut gaps = Vec::new();
        let h100e = match precision::bf16_peak(&acc) {
            Ok(bf16) => Some(p.count.times(bf16.flops).scale(1.0 / self.h100_bf16())),
            Err(e) => {
                gaps.push(format!("{}: {e}", fleet.id));
                None
            }
        };
        if p.power_w.is_none() {
            gaps.push(format!("{}: {accelerator} has no power figure", fleet.id));
        }
        let serving = match (&p.inference, share > 0.0) {
            (Ok(i), _) => Some(i.tokens_per_s),
            (Err(_), false) => Some(Range::exact(0.0)),
            (Err(g), true) => {
                gaps.push(format!("{} ({accelerator}): {}", fleet.id, g.message()));
                None
            }
        };
        let training = match &p.training {
            Some(t) => Some(t.flops_per_s),
            None => Some(Range::exact(0.0)),
        };
        let cost = cost::fleet_cost(&p, self.costs)
            .map_err(|e| gaps.push(format!("{}: {e}", fleet.id)))
            .ok();
        PhaseFigures {
            count: Some(p.count),
            power_w: p.power_w,
            h100e,
            training,
            serving,
            capex: cost.as_ref().map(|c| c.capex_usd),
            accelerator_capex: cost.as_ref().map(|c| c.accelerator_capex_usd),
            yearly: cost.as_ref().map(|c| c.yearly_usd),
            gaps,
        }
    }

    /// The timeline of `fleets` over `window`.
    pub fn timeline(&self, fleets: &[&Fleet], window: Window) -> Timeline {
        let mut fleet_years = Vec::new();
        let mut companies: Vec<CompanyYear> = Vec::new();
        for year in window.years() {
            let t = Date::year_end(year);
            let share = self.inference_share.value.at(year);
            for fleet in fleets {
                let figures = self.fleet_at(fleet, t, share, false);
                if figures.is_empty() {
                    continue;
                }
                fleet_years.push(FleetYear {
                    year,
                    fleet: fleet.id.clone(),
                    company: fleet.company().to_string(),
                    counted: fleet.within.is_none(),
                    inference_share: share,
                    figures,
                });
                if fleet.within.is_some() {
                    continue;
                }
                let counted = self.fleet_at(fleet, t, share, true);
                if counted.is_empty() {
                    continue;
                }
                let company = fleet.company();
                match companies
                    .iter_mut()
                    .find(|c| c.year == year && c.company == company)
                {
                    Some(c) => {
                        c.figures.add(&counted);
                        c.fleets.push(fleet.id.clone());
                    }
                    None => companies.push(CompanyYear {
                        year,
                        company: company.to_string(),
                        fleets: vec![fleet.id.clone()],
                        figures: counted,
                    }),
                }
            }
        }
        Timeline {
            window,
            outside_window: outside(fleets, window),
            fleets: fleet_years,
            companies,
            h100_bf16_flops: self.h100_bf16(),
        }
    }
}

/// True when some phase of the fleet is online (or ramping) by the end of `year`.
pub fn online_by(f: &Fleet, year: i32) -> bool {
    f.phases
        .iter()
        .any(|p| p.online_share(Date::year_end(year)) > 0.0)
}

/// Why a fleet shows nothing by the window's end: no dated phase, or a first phase after it.
pub fn outside_reason(f: &Fleet, window: Window) -> String {
    let first = f
        .phases
        .iter()
        .map(|p| p.ramp.map_or(p.online, |r| r.from))
        .min_by(|a, b| a.end().total_cmp(&b.end()));
    match first {
        None => format!(
            "no dated phase: its source gives no date ({}, {})",
            f.status.label(),
            f.date
        ),
        Some(d) => format!(
            "nothing of it is online by the end of {}: its first phase starts in {d}",
            window.to
        ),
    }
}

/// Fleets with no phase online by the window's end, and why.
fn outside(fleets: &[&Fleet], window: Window) -> Vec<OutsideWindow> {
    fleets
        .iter()
        .filter(|f| !online_by(f, window.to))
        .map(|f| OutsideWindow {
            fleet: f.id.clone(),
            reason: outside_reason(f, window),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_refuse_reversed_and_out_of_range_years() {
        assert!(Window::new(2024, 2030).is_ok());
        assert_eq!(
            Window::new(2030, 2024),
            Err(WindowError::Reversed {
                from: 2030,
                to: 2024
            })
        );
        assert_eq!(
            Window::new(1999, 2030),
            Err(WindowError::OutOfRange {
                end: WindowEnd::First,
                year: 1999
            })
        );
        assert_eq!(
            Window::new(2024, 2100),
            Err(WindowError::OutOfRange {
                end: WindowEnd::Last,
                year: 2100
            })
        );
    }

    #[test]
    fn ramps_interpolate_and_refuse_bad_input() {
        let r = ShareRamp::parse("2025:0.3,2030:0.6", "share").unwrap();
        assert_eq!(r.at(2024), 0.3);
        assert!((r.at(2027) - 0.42).abs() < 1e-12);
        assert_eq!(r.at(2031), 0.6);
        assert_eq!(ShareRamp::parse("0.4", "share").unwrap().at(2030), 0.4);
        for (bad, why) in [
            ("2030:0.6,2025:0.3", "not increasing"),
            ("2025:0.3,2025:0.4", "not increasing"),
            ("2025:1.3", "[0, 1]"),
            ("2025:0.3;2030:0.6", "not a number"),
            ("-0.1", "[0, 1]"),
            ("2025:x", "not a number"),
            ("soon:0.3", "not a year"),
            ("1900:0.3", "out of range"),
        ] {
            let err = ShareRamp::parse(bad, "share").unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
