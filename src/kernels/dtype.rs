//! The element types a kernel can run in, with what verification needs to know of each.

use serde::{Deserialize, Serialize};

/// A GEMM element type. `f16f32` (mixed precision) reads f16 inputs and sums and writes
/// C in f32. `i8` multiplies signed 8-bit integers with `dot4I8Packed` into 32-bit integer
/// sums, which are exact: its error bound is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F32,
    /// f16 inputs, sums and output.
    F16,
    /// f16 inputs, f32 sums and output (mixed precision).
    #[value(name = "f16f32", alias = "mixed")]
    F16F32,
    I8,
}

impl Dtype {
    pub const ALL: [Dtype; 4] = [Dtype::F32, Dtype::F16, Dtype::F16F32, Dtype::I8];

    pub fn as_str(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
            Dtype::F16F32 => "f16f32",
            Dtype::I8 => "i8",
        }
    }

    /// Whether this is a floating-point type (every family but `dot4` runs those).
    pub fn is_float(self) -> bool {
        self != Dtype::I8
    }

    /// Bytes per input element.
    pub fn size(self) -> u64 {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 | Dtype::F16F32 => 2,
            Dtype::I8 => 1,
        }
    }

    /// Bytes per output element (i8 products accumulate into i32, mixed into f32).
    pub fn output_size(self) -> u64 {
        match self {
            Dtype::I8 | Dtype::F16F32 => 4,
            other => other.size(),
        }
    }

    /// Unit round-off u (half the machine epsilon) of the type the sums are kept in:
    /// 2^-24 for f32 and for f16f32 (f32 sums), 2^-11 for f16; zero for i8, whose integer
    /// sums are exact. `measure::verify` explains why this is the whole error of f16f32.
    pub fn unit_roundoff(self) -> f64 {
        match self {
            Dtype::F32 | Dtype::F16F32 => 2f64.powi(-24),
            Dtype::F16 => 2f64.powi(-11),
            Dtype::I8 => 0.0,
        }
    }

    /// A random input value: uniform in [-1, 1] for floats, an integer in [-127, 127]
    /// for i8; always exactly representable in the type.
    pub fn random_value(self, rng: &mut impl rand::Rng) -> f32 {
        match self {
            Dtype::I8 => f32::from(rng.random_range(-127i8..=127)),
            float => float.round(rng.random_range(-1.0f32..=1.0)),
        }
    }

    /// The four-element texture format that holds this type (for texture-read kernels).
    pub fn texel_format(self) -> wgpu::TextureFormat {
        match self {
            Dtype::F32 => wgpu::TextureFormat::Rgba32Float,
            Dtype::F16 | Dtype::F16F32 => wgpu::TextureFormat::Rgba16Float,
            Dtype::I8 => wgpu::TextureFormat::Rgba8Sint,
        }
    }

    /// The wgpu feature the adapter needs for this type, if any.
    pub fn required_feature(self) -> wgpu::Features {
        match self {
            Dtype::F32 => wgpu::Features::empty(),
            Dtype::F16 | Dtype::F16F32 => wgpu::Features::SHADER_F16,
            Dtype::I8 => wgpu::Features::empty(),
        }
    }

    /// Encodes values (already representable in this type) as little-endian bytes.
    pub fn encode(self, values: &[f32]) -> Vec<u8> {
        match self {
            Dtype::F32 => bytemuck::cast_slice(values).to_vec(),
            Dtype::F16 | Dtype::F16F32 => {
                let halves: Vec<half::f16> =
                    values.iter().map(|&v| half::f16::from_f32(v)).collect();
                bytemuck::cast_slice(&halves).to_vec()
            }
            // Values are integers in [-127, 127]; four consecutive ones pack into a u32.
            Dtype::I8 => values.iter().map(|&v| (v as i8) as u8).collect(),
        }
    }

    /// Decodes the output (C) bytes a kernel wrote into f64 values (i32 sums for i8).
    pub fn decode(self, bytes: &[u8]) -> Vec<f64> {
        match self {
            Dtype::F32 | Dtype::F16F32 => bytemuck::cast_slice::<u8, f32>(bytes)
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
            Dtype::F16 => bytemuck::cast_slice::<u8, half::f16>(bytes)
                .iter()
                .map(|v| f64::from(v.to_f32()))
                .collect(),
            Dtype::I8 => bytemuck::cast_slice::<u8, i32>(bytes)
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
        }
    }

    /// Rounds an f32 to the nearest value of this type (so the CPU reference sees exactly
    /// what the GPU sees).
    pub fn round(self, value: f32) -> f32 {
        match self {
            Dtype::F32 => value,
            Dtype::F16 | Dtype::F16F32 => half::f16::from_f32(value).to_f32(),
            Dtype::I8 => value.round().clamp(-127.0, 127.0),
        }
    }
}

impl std::fmt::Display for Dtype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
