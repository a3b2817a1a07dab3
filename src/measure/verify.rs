//! Verification of a GEMM result against an f64 CPU reference. Small problems are checked
//! entry by entry; large ones at sampled entries (the corners, the last row and column,
//! and random positions), which still catch indexing, padding and race errors. The bound
//! grows with K and the unit round-off u of the type the sums are kept in:
//! |c - ref| <= C0 * K * u * sum_k |a_ik * b_kj|  (C0 = 2 covers multiply-then-add).
//!
//! The reference multiplies the inputs exactly as the GPU reads them (already rounded to
//! the input type), so input rounding is no error here; only the kernel's arithmetic is.
//! - f32: products and sums round at u = 2^-24 each (fma rounds once, multiply-then-add
//!   twice): the classical bound gamma_K <= K u / (1 - K u) per unit of sum|a b|, which
//!   C0 * K * u covers with room for the (1 - K u) term at any K a GPU buffer holds.
//! - f16: the same with u = 2^-11.
//! - f16f32 (mixed): an f16 significand has 11 bits, so the product of two f16 values has
//!   at most 22 and is exact in f32 (24 bits); its exponent stays within f32's normal range
//!   (|a b| >= 2^-48 for subnormal f16 inputs, far above 2^-126). The only rounding is the
//!   f32 accumulation, so the bound is f32's, u = 2^-24: 2^13 = 8192 times tighter than
//!   pure f16's. A kernel that secretly summed in f16 fails it (tested below).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::matrices::GemmInputs;
use crate::kernels::Dtype;

/// Slack factor in the error bound.
const C0: f64 = 2.0;
/// Above this many multiply-adds, verification samples entries instead of checking all.
const FULL_CHECK_MAX_WORK: u64 = 1 << 26;
/// Entries checked at random when sampling.
const RANDOM_SAMPLES: usize = 512;

/// The outcome of checking one result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub verified: bool,
    /// Largest |c - ref| over the checked entries.
    pub max_error: f64,
    /// The bound at the entry closest to (or furthest past) its bound.
    pub error_bound: f64,
    /// How many entries were checked.
    pub checked: usize,
}

/// Checks `c` (row-major, leading dimension `ldc`) against the reference product.
pub fn verify(inputs: &GemmInputs, c: &[f64], ldc: u32, dtype: Dtype) -> Verification {
    let (m, n, k) = (inputs.a.rows, inputs.b.cols, inputs.a.cols);
    let u = dtype.unit_roundoff();
    let mut outcome = Verification {
        verified: true,
        max_error: 0.0,
        error_bound: 0.0,
        checked: 0,
    };
    let mut worst_ratio = f64::NEG_INFINITY;
    for (row, col) in entries_to_check(m, n, k) {
        let (exact, magnitude) = reference_entry(inputs, row, col);
        let got = c[row as usize * ldc as usize + col as usize];
        let error = (got - exact).abs();
        let bound = C0 * f64::from(k) * u * magnitude;
        let ok = error <= bound && got.is_finite();
        let error = if got.is_finite() {
            error
        } else {
            f64::INFINITY
        };
        let ratio = if error == 0.0 {
            0.0
        } else if bound > 0.0 {
            error / bound
        } else {
            f64::INFINITY
        };
        outcome.verified &= ok;
        outcome.max_error = outcome.max_error.max(error);
        if ratio > worst_ratio {
            worst_ratio = ratio;
            outcome.error_bound = bound;
        }
        outcome.checked += 1;
    }
    outcome
}

/// The exact (f64) entry and sum_k |a_ik b_kj|.
fn reference_entry(inputs: &GemmInputs, row: u32, col: u32) -> (f64, f64) {
    let mut sum = 0.0f64;
    let mut magnitude = 0.0f64;
    for i in 0..inputs.a.cols {
        let product = f64::from(inputs.a.at(row, i)) * f64::from(inputs.b.at(i, col));
        sum += product;
        magnitude += product.abs();
    }
    (sum, magnitude)
}

/// Every entry for small problems; corners, edges and random entries for large ones.
fn entries_to_check(m: u32, n: u32, k: u32) -> Vec<(u32, u32)> {
    let work = u64::from(m) * u64::from(n) * u64::from(k);
    if work <= FULL_CHECK_MAX_WORK {
        return (0..m).flat_map(|r| (0..n).map(move |c| (r, c))).collect();
    }
    let mut entries = vec![(0, 0), (0, n - 1), (m - 1, 0), (m - 1, n - 1)];
    let mut rng = SmallRng::seed_from_u64(0x0ec1_f1ed);
    for _ in 0..RANDOM_SAMPLES / 4 {
        entries.push((m - 1, rng.random_range(0..n)));
        entries.push((rng.random_range(0..m), n - 1));
    }
    for _ in 0..RANDOM_SAMPLES {
        entries.push((rng.random_range(0..m), rng.random_range(0..n)));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::GemmShape;

    fn exact_product(inputs: &GemmInputs) -> Vec<f64> {
        let (m, n) = (inputs.a.rows, inputs.b.cols);
        (0..m)
            .flat_map(|r| (0..n).map(move |c| (r, c)))
            .map(|(r, c)| reference_entry(inputs, r, c).0)
            .collect()
    }

    #[test]
    fn an_exact_result_verifies() {
        let inputs = GemmInputs::new(GemmShape { m: 7, n: 5, k: 9 }, Dtype::F32);
        let c = exact_product(&inputs);
        let outcome = verify(&inputs, &c, 5, Dtype::F32);
        assert!(outcome.verified);
        assert_eq!(outcome.checked, 35);
    }

    #[test]
    fn one_wrong_entry_fails() {
        let inputs = GemmInputs::new(GemmShape { m: 7, n: 5, k: 9 }, Dtype::F32);
        let mut c = exact_product(&inputs);
        c[34] += 1e-3;
        let outcome = verify(&inputs, &c, 5, Dtype::F32);
        assert!(!outcome.verified);
        assert!(outcome.max_error >= 1e-3 * 0.99);
    }

    #[test]
    fn rounding_to_f32_stays_within_the_bound() {
        let inputs = GemmInputs::new(
            GemmShape {
                m: 16,
                n: 16,
                k: 256,
            },
            Dtype::F32,
        );
        let c: Vec<f64> = exact_product(&inputs)
            .iter()
            .map(|&v| f64::from(v as f32))
            .collect();
        assert!(verify(&inputs, &c, 16, Dtype::F32).verified);
    }

    #[test]
    fn int8_sums_must_be_exact() {
        let inputs = GemmInputs::new(GemmShape { m: 5, n: 6, k: 33 }, Dtype::I8);
        assert!(
            inputs
                .a
                .values
                .iter()
                .all(|v| v.fract() == 0.0 && v.abs() <= 127.0)
        );
        let mut c = exact_product(&inputs);
        let outcome = verify(&inputs, &c, 6, Dtype::I8);
        assert!(outcome.verified);
        assert_eq!((outcome.max_error, outcome.error_bound), (0.0, 0.0));
        c[7] += 1.0;
        assert!(
            !verify(&inputs, &c, 6, Dtype::I8).verified,
            "off by one is a failure"
        );
    }

    /// The sum of `inputs`' row-by-column products, each step rounded by `round`.
    fn product_rounded_by(inputs: &GemmInputs, round: impl Fn(f64) -> f64) -> Vec<f64> {
        let (m, n, k) = (inputs.a.rows, inputs.b.cols, inputs.a.cols);
        (0..m)
            .flat_map(|r| (0..n).map(move |c| (r, c)))
            .map(|(r, c)| {
                (0..k).fold(0.0, |sum, i| {
                    let product = f64::from(inputs.a.at(r, i)) * f64::from(inputs.b.at(i, c));
                    round(sum + round(product))
                })
            })
            .collect()
    }

    #[test]
    fn mixed_precision_is_held_to_f32_sums_not_f16_ones() {
        let shape = GemmShape { m: 8, n: 8, k: 512 };
        let inputs = GemmInputs::new(shape, Dtype::F16F32);
        let in_f32 = product_rounded_by(&inputs, |v| f64::from(v as f32));
        let in_f16 = product_rounded_by(&inputs, |v| f64::from(half::f16::from_f64(v)));
        let mixed = verify(&inputs, &in_f32, 8, Dtype::F16F32);
        assert!(mixed.verified, "{mixed:?}");
        assert!(verify(&inputs, &in_f16, 8, Dtype::F16).verified);
        let summed_in_f16 = verify(&inputs, &in_f16, 8, Dtype::F16F32);
        assert!(
            !summed_in_f16.verified,
            "f16 sums pass as mixed: {summed_in_f16:?}"
        );
        let pure = verify(&inputs, &in_f16, 8, Dtype::F16);
        assert_eq!(pure.error_bound / mixed.error_bound, 8192.0);
    }

    #[test]
    fn nan_fails() {
        let inputs = GemmInputs::new(GemmShape { m: 2, n: 2, k: 2 }, Dtype::F32);
        let mut c = exact_product(&inputs);
        c[0] = f64::NAN;
        assert!(!verify(&inputs, &c, 2, Dtype::F32).verified);
    }

    #[test]
    fn large_problems_are_sampled_including_the_far_corner() {
        let entries = entries_to_check(2048, 1024, 1024);
        assert!(entries.len() < 2048);
        assert!(entries.contains(&(2047, 1023)));
    }
}
