//! How each `tuned` kernel of a run was chosen: the record `run` writes per element type and
//! shape class, and the shape classes the autotuner searches by.

use serde::{Deserialize, Serialize};

use crate::kernels::{Dtype, GemmShape};

/// Shapes are tuned by class: a winner for one square size is a good start for others,
/// but skinny shapes (few rows, as in decoding) favour different blocks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum ShapeClass {
    Square,
    Skinny,
}

impl ShapeClass {
    /// Skinny when M or N is below 128.
    pub fn of(shape: GemmShape) -> ShapeClass {
        if shape.m.min(shape.n) < 128 {
            ShapeClass::Skinny
        } else {
            ShapeClass::Square
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The shape candidates are timed on.
    pub fn representative(self) -> GemmShape {
        match self {
            ShapeClass::Square => GemmShape::square(512),
            ShapeClass::Skinny => GemmShape {
                m: 32,
                n: 1024,
                k: 1024,
            },
        }
    }
}

/// Where a tuned kernel came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum TuneSource {
    /// Remembered from an earlier search on this adapter, driver and version.
    Cache,
    /// Found by a search in this run.
    Search,
    /// The family's proven default (`--no-tune` with nothing cached).
    Default,
}

impl TuneSource {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How one tuned kernel was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneRecord {
    pub dtype: Dtype,
    pub class: ShapeClass,
    /// Family and geometry of the winner.
    pub kernel: String,
    pub source: TuneSource,
    /// GFLOP/s of the winner on the class's representative shape.
    pub gflops: Option<f64>,
    pub candidates_tried: usize,
    pub candidates_failed: usize,
    pub seconds: f64,
    /// Kernel families this adapter's search space left out in this element type, and
    /// why ("cooperative matrices: not offered by this adapter (...)"). Absent when none
    /// was, and from files written before the field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
