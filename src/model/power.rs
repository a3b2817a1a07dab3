//! Power <-> count: count = facility power / (all-in power per accelerator × PUE), and
//! the reverse; plus the check that a source's stated count and power agree with it.

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
