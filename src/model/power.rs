//! Power <-> count: count = facility power / (all-in power per accelerator × PUE), and
//! the reverse; the check that a source's stated count and power agree; and, when a source
//! states both, which of them binds (the smaller of the stated count and the count the
//! power can feed).

use serde::Serialize;

use super::range::Range;
use super::units::si;

/// Facility watts per accelerator: all-in IT kW × 1000 × PUE.
pub fn facility_w_per_accelerator(all_in_kw: Range, pue: Range) -> Range {
    all_in_kw.scale(1e3).times(pue)
}

/// How many accelerators a facility power feeds.
pub fn count_from_power(power_w: Range, per_accelerator_w: Range) -> Range {
    power_w.per(per_accelerator_w)
}

/// The facility power a count of accelerators draws.
pub fn power_from_count(count: Range, per_accelerator_w: Range) -> Range {
    count.times(per_accelerator_w)
}

/// Which of a stated count and a stated power limits a fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The stated count is no more than the power feeds.
    Count,
    /// The stated power feeds fewer accelerators than the stated count.
    Power,
}

/// The count to project from a stated count and the count the stated power feeds: the
/// smaller, bound by bound, and which binds at the central values.
pub fn binding_count(stated: Range, power_fed: Range) -> (Range, Binding) {
    let binding = if power_fed.central < stated.central {
        Binding::Power
    } else {
        Binding::Count
    };
    (stated.min(power_fed), binding)
}

/// Compares a stated count with the count the model derives from the stated power.
/// Returns a sentence when they disagree (no overlap between the two ranges).
pub fn disagreement(stated: Range, modelled: Range, power_w: Range) -> Option<String> {
    if stated.overlaps(&modelled) {
        return None;
    }
    let direction = if stated.central > modelled.high {
        "more"
    } else {
        "fewer"
    };
    Some(format!(
        "the source's count ({}) is {direction} than the model derives from its power ({}W -> {}–{} accelerators): \
         the stated pair implies {}W per accelerator, outside the model's all-in power x PUE",
        si(stated.central),
        si(power_w.central),
        si(modelled.low),
        si(modelled.high),
        si(power_w.central / stated.central),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_and_power_are_inverse() {
        let per = facility_w_per_accelerator(Range::exact(1.5), Range::exact(1.2));
        let count = count_from_power(Range::exact(1.8e9), per);
        assert!((count.central - 1e6).abs() < 1e-6);
        assert!((power_from_count(count, per).central - 1.8e9).abs() < 1.0);
    }

    #[test]
    fn the_smaller_of_stated_and_power_fed_binds() {
        let stated = Range::new(4e6, 4.5e6, 5e6).unwrap();
        let (count, binding) = binding_count(stated, Range::new(2.4e6, 2.7e6, 3.1e6).unwrap());
        assert_eq!(binding, Binding::Power);
        assert_eq!(count.central, 2.7e6);
        let (count, binding) = binding_count(Range::exact(2e5), Range::exact(3e5));
        assert_eq!((count.central, binding), (2e5, Binding::Count));
    }

    #[test]
    fn overlapping_ranges_agree() {
        let modelled = Range::new(1.2e6, 1.4e6, 1.7e6).unwrap();
        assert!(disagreement(Range::exact(1.3e6), modelled, Range::exact(5e9)).is_none());
        assert!(
            disagreement(Range::exact(4e6), modelled, Range::exact(5e9))
                .unwrap()
                .contains("more")
        );
    }
}
