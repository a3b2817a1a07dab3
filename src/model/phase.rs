//! A fleet's build-out over time: dated phases (a year, half-year or month), each adding a
//! count or a power of one accelerator generation, with its status, source and basis
//! (stated, interpolated or assumed). A phase is online from its date, or ramps up to it
//! from an earlier date (linearly from nothing, or geometrically from a stated earlier
//! size) when a source gives only the end point. Dates are read as the end of their period:
//! "2025-H2" and "2025" are both online at the end of 2025.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{EntryProblem, InputError};
use super::fleet::FleetStatus;
use super::range::Range;

/// The earliest and latest years a date or a timeline may name.
pub const FIRST_YEAR: i32 = 2015;
pub const LAST_YEAR: i32 = 2040;

/// A year, a half-year or a month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Date {
    pub year: i32,
    pub period: Period,
}

/// The part of a year a date names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    /// 1 or 2.
    Half(u8),
    /// 1 to 12.
    Month(u8),
}

impl Date {
    /// The end of the period as a fractional year: "2025" and "2025-H2" are 2026.0,
    /// "2026-06" is 2026.5.
    pub fn end(&self) -> f64 {
        let months = match self.period {
            Period::Year => 12,
            Period::Half(h) => 6 * u32::from(h),
            Period::Month(m) => u32::from(m),
        };
        f64::from(self.year) + f64::from(months) / 12.0
    }

    /// The end of a calendar year, as `end` counts it.
    pub fn year_end(year: i32) -> f64 {
        f64::from(year) + 1.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.period {
            Period::Year => write!(f, "{}", self.year),
            Period::Half(h) => write!(f, "{}-H{h}", self.year),
            Period::Month(m) => write!(f, "{}-{m:02}", self.year),
        }
    }
}

impl FromStr for Date {
    type Err = InputError;

    fn from_str(text: &str) -> Result<Self, InputError> {
        let bad = || InputError::NotADate { given: text.into() };
        let (year, rest) = match text.trim().split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text.trim(), None),
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(InputError::DateOutOfSpan { given: text.into() });
        }
        let period = match rest {
            None => Period::Year,
            Some(r) if r.eq_ignore_ascii_case("h1") => Period::Half(1),
            Some(r) if r.eq_ignore_ascii_case("h2") => Period::Half(2),
            Some(r) => match r.parse::<u8>() {
                Ok(m) if (1..=12).contains(&m) => Period::Month(m),
                _ => return Err(bad()),
            },
        };
        Ok(Date { year, period })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How a phase grows to its size when a source gives only the end point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    /// When the build starts.
    pub from: Date,
    /// The size at `from`, in the phase's own unit (accelerators or GW): growth is then
    /// geometric from it; without it, linear from nothing.
    pub start: Option<f64>,
}

/// One dated step of a fleet's build-out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// When the phase is fully online.
    pub online: Date,
    /// The build towards `online`, when the source gives only the end point.
    pub ramp: Option<Ramp>,
    /// Accelerators this phase adds, or the facility power it adds (GW): one of them.
    pub count: Option<Range>,
    pub power_gw: Option<Range>,
    /// The generation; the fleet's own accelerator when absent.
    pub accelerator: Option<String>,
    pub status: FleetStatus,
    /// "stated", "interpolated: …" or "ASSUMED: …", with the reason.
    pub basis: String,
    /// The fleet that already counts this phase (a company total counts it once).
    pub within: Option<String>,
    pub source: String,
    pub source_status: String,
}

/// What a phase adds, in its own unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    Count(Range),
    /// Facility power in watts.
    Power(Range),
}

impl Size {
    pub fn scale(self, k: f64) -> Size {
        match self {
            Size::Count(c) => Size::Count(c.scale(k)),
            Size::Power(p) => Size::Power(p.scale(k)),
        }
    }
}

impl Phase {
    /// The phase's full size (the catalog check guarantees exactly one of the two).
    pub fn size(&self) -> Size {
        match (self.count, self.power_gw) {
            (Some(c), _) => Size::Count(c),
            (None, Some(gw)) => Size::Power(gw.scale(1e9)),
            (None, None) => Size::Count(Range::exact(0.0)),
        }
    }

    /// The share of the phase online at fractional year `t`, in [0, 1], never falling
    /// as `t` grows.
    pub fn online_share(&self, t: f64) -> f64 {
        let end = self.online.end();
        if t >= end {
            return 1.0;
        }
        let Some(ramp) = self.ramp else { return 0.0 };
        let start = ramp.from.end();
        if t < start || end <= start {
            return 0.0;
        }
        let progress = (t - start) / (end - start);
        match ramp.start {
            Some(at_start) => {
                let full = match self.size() {
                    Size::Count(c) => c.central,
                    Size::Power(w) => w.central / 1e9,
                };
                let first = (at_start / full).clamp(f64::MIN_POSITIVE, 1.0);
                first.powf(1.0 - progress)
            }
            None => progress,
        }
    }

    /// Checks a phase on its own; the catalog checks the accelerator and `within` ids.
    pub fn check(&self) -> Result<(), EntryProblem> {
        match (&self.count, &self.power_gw) {
            (Some(c), None) if c.low > 0.0 => {}
            (None, Some(p)) if p.low > 0.0 => {}
            (Some(_), None) | (None, Some(_)) => return Err(EntryProblem::PhaseSizeNotPositive),
            _ => return Err(EntryProblem::PhaseSize),
        }
        if self.source.trim().is_empty() || self.basis.trim().is_empty() {
            return Err(EntryProblem::PhaseWithoutSource);
        }
        if let Some(ramp) = &self.ramp {
            if ramp.from.end() >= self.online.end() {
                return Err(EntryProblem::RampAfterOnline {
                    from: ramp.from,
                    online: self.online,
                });
            }
            let full = match self.size() {
                Size::Count(c) => c.central,
                Size::Power(w) => w.central / 1e9,
            };
            if let Some(start) = ramp.start {
                if !(start.is_finite() && start > 0.0 && start < full) {
                    return Err(EntryProblem::RampStart { start, full });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(online: &str, ramp: Option<Ramp>) -> Phase {
        Phase {
            online: online.parse().unwrap(),
            ramp,
            count: Some(Range::exact(1000.0)),
            power_gw: None,
            accelerator: None,
            status: FleetStatus::Announced,
            basis: "stated".into(),
            within: None,
            source: "s".into(),
            source_status: "verified".into(),
        }
    }

    #[test]
    fn dates_end_at_the_end_of_their_period() {
        let end = |s: &str| s.parse::<Date>().unwrap().end();
        assert_eq!(end("2025"), 2026.0);
        assert_eq!(end("2025-H2"), 2026.0);
        assert_eq!(end("2026-H1"), 2026.5);
        assert_eq!(end("2026-06"), 2026.5);
        assert_eq!("2025-h2".parse::<Date>().unwrap().to_string(), "2025-H2");
        for bad in ["2025-13", "2025-H3", "mid-2026", "", "1990", "2026-6x"] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_phase_without_a_ramp_is_a_step_at_its_date() {
        let p = phase("2026-H2", None);
        assert_eq!(p.online_share(Date::year_end(2025)), 0.0);
        assert_eq!(p.online_share(Date::year_end(2026)), 1.0);
    }

    #[test]
    fn ramps_grow_linearly_or_geometrically_and_never_fall() {
        let from: Date = "2026".parse().unwrap();
        let linear = phase("2030", Some(Ramp { from, start: None }));
        assert!((linear.online_share(Date::year_end(2028)) - 0.5).abs() < 1e-12);
        let geometric = phase(
            "2030",
            Some(Ramp {
                from,
                start: Some(10.0),
            }),
        );
        // 10 -> 1000 over four years: x10 every two years.
        assert!((geometric.online_share(Date::year_end(2028)) - 0.1).abs() < 1e-12);
        let mut last = 0.0;
        for tenth in 0..100 {
            let t = 2025.0 + f64::from(tenth) * 0.1;
            let share = geometric.online_share(t);
            assert!(share >= last && (0.0..=1.0).contains(&share));
            last = share;
        }
    }

    #[test]
    fn bad_phases_say_why() {
        let mut p = phase("2026", None);
        p.power_gw = Some(Range::exact(1.0));
        assert!(matches!(p.check(), Err(EntryProblem::PhaseSize)));
        let late = phase(
            "2026",
            Some(Ramp {
                from: "2027".parse().unwrap(),
                start: None,
            }),
        );
        assert!(matches!(
            late.check(),
            Err(EntryProblem::RampAfterOnline { .. })
        ));
    }
}
