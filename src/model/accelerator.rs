//! One accelerator of the catalog: dense peak per data type, memory, bandwidth, scale-up
//! fabric, power, and where each figure comes from. The all-in power per accelerator is
//! resolved here, one method per family: system (rack or node) power / accelerators where a
//! system figure exists, else TDP plus an additive host overhead derived from the systems
//! that have figures; either way plus the scale-out network and storage share.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{InputError, ModelError};
use super::range::Range;

/// The numeric formats a projection can use. `bf16` stands for the BF16/FP16 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    Fp64,
    Fp32,
    Tf32,
    Bf16,
    Fp8,
    Fp4,
    Int8,
}

impl DType {
    /// All data types, in catalog column order.
    pub const ALL: [DType; 7] = [
        DType::Fp64,
        DType::Fp32,
        DType::Tf32,
        DType::Bf16,
        DType::Fp8,
        DType::Fp4,
        DType::Int8,
    ];

    /// Bytes per stored weight (TF32 is stored as FP32).
    pub fn bytes(self) -> f64 {
        match self {
            DType::Fp64 => 8.0,
            DType::Fp32 | DType::Tf32 => 4.0,
            DType::Bf16 => 2.0,
            DType::Fp8 | DType::Int8 => 1.0,
            DType::Fp4 => 0.5,
        }
    }

    /// The lowercase name used on the command line and in the catalog.
    pub fn name(self) -> &'static str {
        match self {
            DType::Fp64 => "fp64",
            DType::Fp32 => "fp32",
            DType::Tf32 => "tf32",
            DType::Bf16 => "bf16",
            DType::Fp8 => "fp8",
            DType::Fp4 => "fp4",
            DType::Int8 => "int8",
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DType {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, InputError> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = if lower == "fp16" {
            "bf16"
        } else {
            lower.as_str()
        };
        DType::ALL
            .into_iter()
            .find(|d| d.name() == alias)
            .ok_or_else(|| InputError::UnknownDtype { given: s.into() })
    }
}

/// An accelerator as the catalog describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub class: String,
    pub year: u32,
    /// Dense peak in TFLOP/s (TOP/s for int8); a range when the vendor's basis is unclear.
    pub peak_tflops: BTreeMap<DType, Range>,
    /// What the peaks mean (dense/sparse basis, derivations).
    pub peak_basis: String,
    pub memory_gb: f64,
    pub memory_bw_tbps: f64,
    pub tdp_w: Option<f64>,
    /// Accelerators sharing one scale-up fabric (NVLink domain, pod); 1 without a fabric.
    pub scaleup_domain: u32,
    /// Scale-up bandwidth per accelerator, both directions, in GB/s (needed when the
    /// domain is larger than one accelerator).
    pub scaleup_bw_gbps: Option<f64>,
    /// Rack or system power and how many accelerators share it.
    pub system_kw: Option<Range>,
    pub chips_per_system: Option<u32>,
    /// An explicit all-in figure, used when no system power or TDP is published.
    pub all_in_kw: Option<Range>,
    pub power_status: String,
    pub power_note: String,
    pub status: String,
    pub source: String,
    pub notes: String,
}

/// How an accelerator's all-in IT power was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerMethod {
    Explicit,
    SystemPerChip,
    TdpPlusOverhead,
}

/// The per-accelerator power assumptions every method shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerAssumptions {
    /// Host, in-node network and storage kW added to a TDP where no system figure exists.
    pub host_overhead_kw: Range,
    /// Scale-out network and storage as a share of the accelerators' IT power.
    pub scaleout_share: Range,
}

impl Accelerator {
    /// Dense peak FLOP/s for a data type, or an error naming the types that exist.
    pub fn peak_flops(&self, dtype: DType) -> Result<Range, ModelError> {
        match self.peak_tflops.get(&dtype) {
            Some(tflops) => Ok(tflops.scale(1e12)),
            None => Err(ModelError::NoPeak {
                accelerator: self.id.clone(),
                dtype,
                published: self.dtypes().join(", "),
            }),
        }
    }

    /// The data types with a peak, in catalog order.
    pub fn dtypes(&self) -> Vec<&'static str> {
        self.peak_tflops.keys().map(|d| d.name()).collect()
    }

    /// All-in IT power per accelerator in kW (scale-out network and storage included)
    /// and how it was obtained; `None` when neither a system power nor a TDP is published.
    pub fn all_in_kw(&self, p: &PowerAssumptions) -> Option<(Range, PowerMethod)> {
        let (node_kw, method) = self.node_kw(p.host_overhead_kw)?;
        Some((node_kw.times(p.scaleout_share.offset(1.0)), method))
    }

    /// Power per accelerator within its node or rack, before the scale-out share.
    fn node_kw(&self, host_overhead_kw: Range) -> Option<(Range, PowerMethod)> {
        if let Some(kw) = self.all_in_kw {
            return Some((kw, PowerMethod::Explicit));
        }
        if let (Some(system), Some(chips)) = (self.system_kw, self.chips_per_system) {
            return Some((
                system.scale(1.0 / f64::from(chips)),
                PowerMethod::SystemPerChip,
            ));
        }
        self.tdp_w.map(|w| {
            (
                host_overhead_kw.offset(w / 1e3),
                PowerMethod::TdpPlusOverhead,
            )
        })
    }

    /// Scale-up bandwidth in one direction, bytes/s (`None` without a fabric figure).
    pub fn scaleup_bytes_per_s(&self) -> Option<f64> {
        self.scaleup_bw_gbps.map(|gbps| gbps * 1e9 / 2.0)
    }

    /// Memory in bytes and bandwidth in bytes/s.
    pub fn memory_bytes(&self) -> f64 {
        self.memory_gb * 1e9
    }

    pub fn bandwidth_bytes_per_s(&self) -> f64 {
        self.memory_bw_tbps * 1e12
    }

    /// A stand-in built from a measured local GPU (issue 4's bridge): one data type's
    /// measured FLOP/s, its memory and bandwidth, no fleet power.
    pub fn local(name: &str, dtype: DType, flops_per_s: f64, memory_gb: f64, bw_tbps: f64) -> Self {
        Accelerator {
            id: "local".into(),
            name: name.into(),
            vendor: "local".into(),
            class: "measured GPU".into(),
            year: 0,
            peak_tflops: BTreeMap::from([(dtype, Range::exact(flops_per_s / 1e12))]),
            peak_basis: "measured on this machine".into(),
            memory_gb,
            memory_bw_tbps: bw_tbps,
            tdp_w: None,
            scaleup_domain: 1,
            scaleup_bw_gbps: None,
            system_kw: None,
            chips_per_system: None,
            all_in_kw: None,
            power_status: "unknown".into(),
            power_note: "no power figure for a measured GPU".into(),
            status: "measured".into(),
            source: "fleetbench run".into(),
            notes: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names_round_trip_and_fp16_aliases_bf16() {
        for d in DType::ALL {
            assert_eq!(d.name().parse::<DType>().unwrap(), d);
        }
        assert_eq!("FP16".parse::<DType>().unwrap(), DType::Bf16);
        assert!(
            "fp6"
                .parse::<DType>()
                .unwrap_err()
                .to_string()
                .contains("unknown data type")
        );
    }

    #[test]
    fn all_in_power_adds_overhead_to_tdp_and_the_scaleout_share_to_every_method() {
        let p = PowerAssumptions {
            host_overhead_kw: Range::exact(0.5),
            scaleout_share: Range::exact(0.1),
        };
        let mut acc = Accelerator::local("x", DType::Fp32, 1e12, 1.0, 1.0);
        acc.tdp_w = Some(1000.0);
        let (kw, method) = acc.all_in_kw(&p).unwrap();
        assert_eq!(method, PowerMethod::TdpPlusOverhead);
        assert!((kw.central - 1.65).abs() < 1e-12);
        acc.system_kw = Some(Range::exact(16.0));
        acc.chips_per_system = Some(8);
        let (kw, method) = acc.all_in_kw(&p).unwrap();
        assert_eq!(method, PowerMethod::SystemPerChip);
        assert!((kw.central - 2.2).abs() < 1e-12);
    }
}
