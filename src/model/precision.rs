//! Which number formats a projection trains and serves in, and what each format is worth.
//! Training defaults to BF16 and serving to FP8 where the accelerator runs it natively
//! (else BF16, else its only format). MFU figures are quoted against the BF16 dense peak,
//! as published ones are; training in FP8/FP4 gains a sourced speedup range over BF16,
//! never the raw peak ratio.

use serde::Serialize;

use super::accelerator::{Accelerator, DType};
use super::assumptions::{Assumptions, Sourced};
use super::error::ModelError;
use super::range::Range;

/// The training and serving formats of one projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Precision {
    #[serde(rename = "train_dtype")]
    pub train: DType,
    #[serde(rename = "serve_dtype")]
    pub serve: DType,
}

/// The formats a user asked for: one for both, or each on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrecisionChoice {
    pub both: Option<DType>,
    pub train: Option<DType>,
    pub serve: Option<DType>,
}

impl PrecisionChoice {
    /// The formats for `acc`: the user's choice, else the defaults.
    pub fn resolve(&self, acc: &Accelerator) -> Result<Precision, ModelError> {
        let train = match self.train.or(self.both) {
            Some(d) => d,
            None => default_train_dtype(acc)?,
        };
        let serve = match self.serve.or(self.both) {
            Some(d) => d,
            None => default_serve_dtype(acc)?,
        };
        Ok(Precision { train, serve })
    }
}

/// BF16 (its peak published or derived), else the accelerator's first published format.
pub fn default_train_dtype(acc: &Accelerator) -> Result<DType, ModelError> {
    if bf16_peak(acc).is_ok() {
        return Ok(DType::Bf16);
    }
    first_format(acc)
}

/// FP8 where the accelerator runs it natively, else BF16, else its first published format
/// (Rubin CPX: FP4 only).
pub fn default_serve_dtype(acc: &Accelerator) -> Result<DType, ModelError> {
    [DType::Fp8, DType::Bf16]
        .into_iter()
        .find(|d| acc.peak_tflops.contains_key(d))
        .map_or_else(|| first_format(acc), Ok)
}

fn first_format(acc: &Accelerator) -> Result<DType, ModelError> {
    acc.peak_tflops
        .keys()
        .next()
        .copied()
        .ok_or_else(|| ModelError::NoPeak {
            accelerator: acc.id.clone(),
            dtype: DType::Bf16,
            published: "none".into(),
        })
}

/// Where a BF16 dense peak comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bf16Peak {
    pub flops: Range,
    /// `None` when published; otherwise how it was derived.
    pub derived_from: Option<DType>,
}

/// The BF16 dense peak MFU is quoted against: published, else FP8 / 2 or FP4 / 4 (the
/// ratio of every catalogued datacenter part that publishes both).
pub fn bf16_peak(acc: &Accelerator) -> Result<Bf16Peak, ModelError> {
    if let Ok(flops) = acc.peak_flops(DType::Bf16) {
        return Ok(Bf16Peak {
            flops,
            derived_from: None,
        });
    }
    for (dtype, ratio) in [(DType::Fp8, 2.0), (DType::Fp4, 4.0)] {
        if let Ok(flops) = acc.peak_flops(dtype) {
            return Ok(Bf16Peak {
                flops: flops.scale(1.0 / ratio),
                derived_from: Some(dtype),
            });
        }
    }
    acc.peak_flops(DType::Bf16).map(|flops| Bf16Peak {
        flops,
        derived_from: None,
    })
}

/// Useful FLOP/s per accelerator while training (before goodput): BF16 peak × MFU ×
/// the format's speedup over BF16. The wider formats (TF32, FP32, FP64) apply MFU to their
/// own, lower peak; INT8 is refused. Fails when the accelerator lacks the format.
pub fn training_flops(acc: &Accelerator, a: &Assumptions) -> Result<Range, ModelError> {
    let train = a.precision.train;
    if train == DType::Int8 {
        return Err(ModelError::NotATrainingFormat(train));
    }
    let bf16 = bf16_peak(acc)?.flops;
    let peak = match train {
        DType::Bf16 => bf16,
        other => acc.peak_flops(other)?,
    };
    Ok(match training_speedup(train, a) {
        Some(speedup) => bf16
            .times(a.mfu.value)
            .times(speedup.value)
            // A speedup is never more than the format's own peak allows.
            .min(peak.times(a.mfu.value)),
        None => peak.times(a.mfu.value),
    })
}

/// The sourced speedup of training in `dtype` over BF16; `None` outside BF16/FP8/FP4.
pub fn training_speedup(dtype: DType, a: &Assumptions) -> Option<Sourced<Range>> {
    match dtype {
        DType::Bf16 => Some(Sourced {
            value: Range::exact(1.0),
            status: "definition".into(),
            source: "MFU is quoted against the BF16 dense peak".into(),
        }),
        DType::Fp8 => Some(a.fp8_training_speedup.clone()),
        DType::Fp4 => Some(a.fp4_training_speedup.clone()),
        _ => None,
    }
}

/// Bytes per stored KV-cache element: the serving format, at least 8 bits (FP4 serving
/// keeps an FP8 cache).
pub fn kv_bytes(serve: DType) -> f64 {
    serve.bytes().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;

    #[test]
    fn defaults_train_bf16_and_serve_fp8_where_native() {
        let c = Catalog::embedded().unwrap();
        let choose = |id: &str| {
            PrecisionChoice::default()
                .resolve(c.accelerator(id).unwrap())
                .unwrap()
        };
        assert_eq!(
            choose("h100"),
            Precision {
                train: DType::Bf16,
                serve: DType::Fp8
            }
        );
        assert_eq!(choose("a100").serve, DType::Bf16);
        assert_eq!(choose("rubin-cpx").serve, DType::Fp4);
        let local = Accelerator::local("gpu", DType::Fp32, 1e13, 8.0, 0.5);
        let p = PrecisionChoice::default().resolve(&local).unwrap();
        assert_eq!((p.train, p.serve), (DType::Fp32, DType::Fp32));
        let both = PrecisionChoice {
            both: Some(DType::Fp8),
            train: None,
            serve: Some(DType::Fp4),
        }
        .resolve(c.accelerator("b200").unwrap())
        .unwrap();
        assert_eq!((both.train, both.serve), (DType::Fp8, DType::Fp4));
    }

    #[test]
    fn bf16_peak_is_derived_where_unpublished() {
        let c = Catalog::embedded().unwrap();
        let rubin = bf16_peak(c.accelerator("rubin").unwrap()).unwrap();
        assert_eq!(rubin.derived_from, Some(DType::Fp8));
        assert!((rubin.flops.central - 16_700e12 / 2.0).abs() < 1e9);
        assert_eq!(
            bf16_peak(c.accelerator("h100").unwrap())
                .unwrap()
                .derived_from,
            None
        );
    }
}
