//! The element types a kernel can run in, with what verification needs to know of each.

use serde::{Deserialize, Serialize};

/// A GEMM element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F32,
    F16,
}

impl Dtype {
    pub const ALL: [Dtype; 2] = [Dtype::F32, Dtype::F16];

    pub fn as_str(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
        }
    }

    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 => 2,
        }
    }

    /// Unit round-off u (half the machine epsilon): 2^-24 for f32, 2^-11 for f16.
    pub fn unit_roundoff(self) -> f64 {
        match self {
            Dtype::F32 => 2f64.powi(-24),
            Dtype::F16 => 2f64.powi(-11),
        }
    }

    /// The four-element texture format that holds this type (for texture-read kernels).
    pub fn texel_format(self) -> wgpu::TextureFormat {
        match self {
            Dtype::F32 => wgpu::TextureFormat::Rgba32Float,
            Dtype::F16 => wgpu::TextureFormat::Rgba16Float,
        }
    }

    /// The wgpu feature the adapter needs for this type, if any.
    pub fn required_feature(self) -> wgpu::Features {
        match self {
            Dtype::F32 => wgpu::Features::empty(),
            Dtype::F16 => wgpu::Features::SHADER_F16,
        }
    }

    /// Encodes values (already representable in this type) as little-endian bytes.
    pub fn encode(self, values: &[f32]) -> Vec<u8> {
        match self {
            Dtype::F32 => bytemuck::cast_slice(values).to_vec(),
            Dtype::F16 => {
                let halves: Vec<half::f16> =
                    values.iter().map(|&v| half::f16::from_f32(v)).collect();
                bytemuck::cast_slice(&halves).to_vec()
            }
        }
    }

    /// Decodes bytes written by a kernel into f64 values.
    pub fn decode(self, bytes: &[u8]) -> Vec<f64> {
        match self {
            Dtype::F32 => bytemuck::cast_slice::<u8, f32>(bytes)
                .iter()
                .map(|&v| f64::from(v))
                .collect(),
            Dtype::F16 => bytemuck::cast_slice::<u8, half::f16>(bytes)
                .iter()
                .map(|v| f64::from(v.to_f32()))
                .collect(),
        }
    }

    /// Rounds an f32 to the nearest value of this type (so the CPU reference sees exactly
    /// what the GPU sees).
    pub fn round(self, value: f32) -> f32 {
        match self {
            Dtype::F32 => value,
            Dtype::F16 => half::f16::from_f32(value).to_f32(),
        }
    }
}

impl std::fmt::Display for Dtype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
