//! `Range`: an uncertain positive quantity as low / central / high, and the arithmetic
//! that keeps the order. Every uncertain input (MFU, goodput, PUE, all-in power, vendor
//! peaks of undeclared basis) is a `Range`, so every output carries its spread.

use serde::{Deserialize, Serialize};

use super::error::RangeError;

/// An uncertain quantity with `low <= central <= high`, all finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RangeInput")]
pub struct Range {
    pub low: f64,
    pub central: f64,
    pub high: f64,
}

/// What a catalog may write: a bare number (exact) or a `{low, central, high}` table.
#[derive(Deserialize)]
#[serde(untagged)]
enum RangeInput {
    Exact(f64),
    Spread { low: f64, central: f64, high: f64 },
}

impl TryFrom<RangeInput> for Range {
    type Error = RangeError;

    fn try_from(input: RangeInput) -> Result<Self, RangeError> {
        match input {
            RangeInput::Exact(v) => Range::new(v, v, v),
            RangeInput::Spread { low, central, high } => Range::new(low, central, high),
        }
    }
}

impl Range {
    /// A checked range: finite and ordered, or what is wrong with it.
    pub fn new(low: f64, central: f64, high: f64) -> Result<Self, RangeError> {
        if !(low.is_finite() && central.is_finite() && high.is_finite()) {
            return Err(RangeError::NotFinite { low, central, high });
        }
        if !(low <= central && central <= high) {
            return Err(RangeError::Disordered { low, central, high });
        }
        Ok(Range { low, central, high })
    }

    /// A quantity known exactly.
    pub const fn exact(value: f64) -> Self {
        Range {
            low: value,
            central: value,
            high: value,
        }
    }

    /// True when the three values are finite and ordered.
    pub fn is_valid(&self) -> bool {
        Range::new(self.low, self.central, self.high).is_ok()
    }

    /// True when the three values coincide.
    pub fn is_exact(&self) -> bool {
        self.low == self.central && self.central == self.high
    }

    /// Multiplies every bound by a non-negative constant.
    pub fn scale(self, k: f64) -> Self {
        Range {
            low: self.low * k,
            central: self.central * k,
            high: self.high * k,
        }
    }

    /// Adds a constant to every bound.
    pub fn offset(self, k: f64) -> Self {
        Range {
            low: self.low + k,
            central: self.central + k,
            high: self.high + k,
        }
    }

    /// Sum of two ranges, bound by bound.
    pub fn plus(self, other: Range) -> Self {
        Range {
            low: self.low + other.low,
            central: self.central + other.central,
            high: self.high + other.high,
        }
    }

    /// Product of two non-negative ranges: bounds multiply bound by bound.
    pub fn times(self, other: Range) -> Self {
        Range {
            low: self.low * other.low,
            central: self.central * other.central,
            high: self.high * other.high,
        }
    }

    /// Quotient of non-negative ranges: the low end divides by the other's high end,
    /// so the result stays ordered. The divisor must be strictly positive.
    pub fn per(self, other: Range) -> Self {
        Range {
            low: self.low / other.high,
            central: self.central / other.central,
            high: self.high / other.low,
        }
    }

    /// `k / self` for a strictly positive range.
    pub fn recip_times(self, k: f64) -> Self {
        Range::exact(k).per(self)
    }

    /// Bound-by-bound minimum: still ordered because min is monotone.
    pub fn min(self, other: Range) -> Self {
        Range {
            low: self.low.min(other.low),
            central: self.central.min(other.central),
            high: self.high.min(other.high),
        }
    }

    /// True when `value` lies within `[low, high]` widened by a relative `tolerance`.
    pub fn contains(&self, value: f64, tolerance: f64) -> bool {
        value >= self.low * (1.0 - tolerance) && value <= self.high * (1.0 + tolerance)
    }

    /// True when the two ranges share at least one value.
    pub fn overlaps(&self, other: &Range) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_disordered_and_non_finite_values() {
        assert!(Range::new(1.0, 2.0, 3.0).is_ok());
        assert!(matches!(
            Range::new(2.0, 1.0, 3.0),
            Err(RangeError::Disordered { .. })
        ));
        assert!(matches!(
            Range::new(1.0, f64::NAN, 3.0),
            Err(RangeError::NotFinite { .. })
        ));
        assert!(matches!(
            Range::new(1.0, 2.0, f64::INFINITY),
            Err(RangeError::NotFinite { .. })
        ));
    }

    #[test]
    fn division_keeps_order_by_pairing_opposite_bounds() {
        let r = Range::new(10.0, 20.0, 30.0)
            .unwrap()
            .per(Range::new(1.0, 2.0, 5.0).unwrap());
        assert_eq!((r.low, r.central, r.high), (2.0, 10.0, 30.0));
    }

    #[test]
    fn deserialises_a_bare_number_or_a_table() {
        #[derive(Debug, Deserialize)]
        struct Doc {
            a: Range,
            b: Range,
        }
        let doc: Doc = toml::from_str("a = 2\nb = { low = 1, central = 2, high = 3 }").unwrap();
        assert!(doc.a.is_exact());
        assert_eq!(doc.b.high, 3.0);
        let bad = toml::from_str::<Doc>("a = 2\nb = { low = 3, central = 2, high = 1 }");
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("low <= central <= high")
        );
    }
}
