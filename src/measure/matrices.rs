//! Deterministic GEMM inputs: uniform values in [-1, 1], rounded to the element type so
//! the CPU reference sees exactly what the GPU sees, laid out zero-padded for a kernel.

use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::kernels::{Dtype, GemmShape};

/// A row-major matrix of values exactly representable in the element type.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: u32,
    pub cols: u32,
    pub values: Vec<f32>,
}

impl Matrix {
    /// Random values from a fixed seed, exactly representable in `dtype` (see
    /// `Dtype::random_value`).
    pub fn random(rows: u32, cols: u32, dtype: Dtype, seed: u64) -> Matrix {
        let mut rng = SmallRng::seed_from_u64(seed);
        let count = rows as usize * cols as usize;
        let values = (0..count).map(|_| dtype.random_value(&mut rng)).collect();
        Matrix { rows, cols, values }
    }

    pub fn at(&self, row: u32, col: u32) -> f32 {
        self.values[row as usize * self.cols as usize + col as usize]
    }

    /// The matrix copied into a zero-filled `rows x cols` layout (at least as large).
    pub fn padded(&self, rows: u32, cols: u32) -> Vec<f32> {
        let mut out = vec![0.0f32; rows as usize * cols as usize];
        for r in 0..self.rows as usize {
            let source = &self.values[r * self.cols as usize..(r + 1) * self.cols as usize];
            out[r * cols as usize..r * cols as usize + self.cols as usize].copy_from_slice(source);
        }
        out
    }
}

/// The two inputs of one GEMM.
pub struct GemmInputs {
    pub a: Matrix,
    pub b: Matrix,
}

impl GemmInputs {
    pub fn new(shape: GemmShape, dtype: Dtype) -> GemmInputs {
        GemmInputs {
            a: Matrix::random(shape.m, shape.k, dtype, 0x5eed_a000 ^ u64::from(shape.k)),
            b: Matrix::random(shape.k, shape.n, dtype, 0x5eed_b000 ^ u64::from(shape.n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_keeps_values_and_fills_zeros() {
        let m = Matrix {
            rows: 2,
            cols: 2,
            values: vec![1.0, 2.0, 3.0, 4.0],
        };
        assert_eq!(
            m.padded(3, 4),
            vec![1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn f16_inputs_are_representable_in_f16() {
        let m = Matrix::random(8, 8, Dtype::F16, 7);
        assert!(
            m.values
                .iter()
                .all(|&v| half::f16::from_f32(v).to_f32() == v && v.abs() <= 1.0)
        );
    }
}
