//! The measured bridge: what a results file (one GPU from `run`, or a cluster from
//! `merge`) contributes to a projection. It reads the seam (`results`) and hands the model
//! two numbers: the measured achieved FLOP/s, so a fleet can be expressed in "equivalents
//! of what was measured", and, for a single GPU, the measured GEMM efficiency (achieved
//! over the device's own FMA peak), which can stand in for the fleets' MFU. It also
//! projects every chosen fleet against a measurement (the fleet summary `run` ends with),
//! each fleet also pricing the measured FLOP/s at its own cost of achieved compute.
//! The model never sees wgpu; the engine never sees fleets.

use serde::Serialize;

use crate::kernels::Dtype;
use crate::model::cost::{self, CostAssumptions};
use crate::model::{
    self, Assumptions, Catalog, DType, ModelError, PrecisionChoice, Range, ReferenceModel,
    Scenario, Sourced,
};
use crate::results::{ClusterResults, GemmRecord, ProbeKind, ResultsFile, RunResults};

/// Why a measurement cannot be bridged to a projection.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("the results have no verified {wanted} GEMM to project from")]
    NoVerifiedGemm { wanted: String },
    #[error(
        "the merged file's cluster total misses ranks ({counted} of {expected} counted); merge all ranks first"
    )]
    IncompleteCluster { counted: usize, expected: u32 },
    #[error(
        "{benchmark} reached {percent:.0}% of the FMA peak its probe measured, so the probe understates this device's {dtype} peak and its efficiency cannot stand in for an MFU"
    )]
    EfficiencyAboveOne {
        benchmark: String,
        percent: f64,
        dtype: Dtype,
    },
    #[error("{label} has no measured efficiency for {benchmark} (no FMA peak of that type)")]
    NoEfficiency { label: String, benchmark: String },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("{0}")]
    Catalog(String),
}

/// The figure a projection borrows from a measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// What was measured, e.g. "llvmpipe (vulkan, software)" or "cluster of 2 ranks".
    pub label: String,
    /// The benchmark the figures come from, e.g. "tuned f32 1024x1024x1024".
    pub benchmark: String,
    pub dtype: Dtype,
    /// Achieved FLOP/s (median) of that benchmark: one GPU, or the cluster's total.
    pub flops_per_s: f64,
    /// Achieved over the device's own measured FMA peak; None for a cluster.
    pub efficiency: Option<f64>,
    /// True when the adapter is a CPU rasteriser; None when not recorded (clusters).
    pub software: Option<bool>,
    /// The verified GEMM whose figure is the peak the efficiency divides by, when it beat
    /// the FMA probe of its type even after the probe's wider search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_from_gemm: Option<String>,
}

/// The measured figure to bridge for a fleet computing in `fleet_dtype`: for BF16 fleets
/// (16-bit inputs, f32 sums) the local mixed-precision result when one was verified, then
/// f16, then f32; for narrower fleet types f16, then f32. A results file holds f16 and
/// mixed results only where the adapter had shader-f16.
pub fn measured(file: &ResultsFile, fleet_dtype: DType) -> Result<Measured, BridgeError> {
    match file {
        ResultsFile::Run(run) => from_run(run, fleet_dtype),
        ResultsFile::Cluster(cluster) => from_cluster(cluster),
    }
}

/// The best verified result of the preferred local dtype: largest problem first, then
/// fastest kernel (small problems understate a device).
pub fn from_run(run: &RunResults, fleet_dtype: DType) -> Result<Measured, BridgeError> {
    let order: &[Dtype] = match fleet_dtype {
        DType::Fp64 | DType::Fp32 | DType::Tf32 => &[Dtype::F32],
        DType::Bf16 => &[Dtype::F16F32, Dtype::F16, Dtype::F32],
        DType::Fp8 | DType::Fp4 | DType::Int8 => &[Dtype::F16, Dtype::F32],
    };
    let best = order
        .iter()
        .find_map(|&dtype| best_verified(&run.gemm, dtype))
        .ok_or_else(|| {
            let names: Vec<&str> = order.iter().map(|d| d.as_str()).collect();
            BridgeError::NoVerifiedGemm {
                wanted: names.join(" or "),
            }
        })?;
    Ok(Measured {
        label: run.adapter.label(),
        benchmark: best.label(),
        dtype: best.dtype,
        flops_per_s: best.verified_median().unwrap_or(0.0) * 1e9,
        efficiency: best.efficiency,
        software: Some(run.adapter.software),
        peak_from_gemm: run
            .peaks
            .probe(ProbeKind::Fma, Some(best.dtype))
            .and_then(|p| p.exceeded_by.as_ref())
            .map(|g| g.benchmark.clone()),
    })
}

fn best_verified(gemm: &[GemmRecord], dtype: Dtype) -> Option<&GemmRecord> {
    let work = |g: &GemmRecord| g.shape.flops();
    let median = |g: &GemmRecord| g.verified_median().unwrap_or(0.0);
    gemm.iter()
        .filter(|g| g.dtype == dtype && median(g) > 0.0 && g.workload.is_none())
        .max_by(|a, b| {
            work(a)
                .total_cmp(&work(b))
                .then(median(a).total_cmp(&median(b)))
        })
}

fn from_cluster(cluster: &ClusterResults) -> Result<Measured, BridgeError> {
    let total = &cluster.cluster_gflops;
    if !total.complete {
        return Err(BridgeError::IncompleteCluster {
            counted: total.ranks_counted,
            expected: total.ranks_expected,
        });
    }
    Ok(Measured {
        label: format!("cluster of {} ranks", total.ranks_counted),
        benchmark: total.benchmark.clone(),
        dtype: cluster.benchmark.dtype,
        flops_per_s: total.total * 1e9,
        efficiency: None,
        software: None,
        peak_from_gemm: None,
    })
}

/// Where the fleets' utilisation comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MfuChoice {
    /// The catalog's default range (sourced from published runs).
    Catalog,
    /// The measured GEMM efficiency of the local device.
    Measured,
    /// A value the user gave.
    Given(Range),
}

impl MfuChoice {
    /// The MFU this choice gives, with its source.
    pub fn resolve(
        self,
        measured: &Measured,
        catalog: &Sourced<Range>,
    ) -> Result<Sourced<Range>, BridgeError> {
        Ok(match self {
            MfuChoice::Catalog => catalog.clone(),
            MfuChoice::Given(range) => Sourced::user(range, "--mfu"),
            MfuChoice::Measured => measured_mfu(measured)?,
        })
    }
}

/// The measured GEMM efficiency as a sourced MFU.
pub fn measured_mfu(measured: &Measured) -> Result<Sourced<Range>, BridgeError> {
    let efficiency = match measured.efficiency {
        Some(e) if e > 0.0 && e <= 1.0 => e,
        Some(e) => {
            return Err(BridgeError::EfficiencyAboveOne {
                benchmark: measured.benchmark.clone(),
                percent: e * 100.0,
                dtype: measured.dtype,
            });
        }
        None => {
            return Err(BridgeError::NoEfficiency {
                label: measured.label.clone(),
                benchmark: measured.benchmark.clone(),
            });
        }
    };
    Ok(Sourced {
        value: Range::exact(efficiency),
        status: "measured".into(),
        source: match &measured.peak_from_gemm {
            None => format!(
                "{} on {}, over its measured FMA peak",
                measured.benchmark, measured.label
            ),
            Some(gemm) => format!(
                "{} on {}, over the peak set by the verified GEMM {gemm} (above the FMA probe)",
                measured.benchmark, measured.label
            ),
        },
    })
}

/// One fleet's line of the summary: each figure a low / central / high range.
#[derive(Debug, Clone, Serialize)]
pub struct FleetLine {
    pub fleet: String,
    pub accelerator: String,
    /// Training and serving formats, "bf16/fp8".
    pub dtype: String,
    pub count: Range,
    pub power_mw: Option<Range>,
    pub mfu: Range,
    pub mfu_source: String,
    pub training_flops_per_s: Option<Range>,
    pub training_days: Option<Range>,
    pub inference_tokens_per_s: Option<Range>,
    /// Fleet training FLOP/s over the measured FLOP/s.
    pub equivalents_of_measured: Option<Range>,
    /// The fleet's cost per accelerator-hour (None without a price or a power figure).
    pub usd_per_accelerator_hour: Option<Range>,
    /// The measured FLOP/s priced at the fleet's cost of achieved compute, USD per hour.
    pub measured_value_usd_per_hour: Option<Range>,
}

/// Every chosen fleet against one measurement, as `run` and `project --from` show it.
#[derive(Debug, Clone, Serialize)]
pub struct FleetSummary {
    pub measured: Measured,
    pub model: String,
    pub catalog_mfu: Range,
    pub fleets: Vec<FleetLine>,
}

/// Projects `fleet_ids` (all catalog fleets when empty) against a measurement, each in
/// its accelerator's default formats.
pub fn summarise(
    catalog: &Catalog,
    fleet_ids: &[String],
    model: &ReferenceModel,
    measured_for: &dyn Fn(DType) -> Result<Measured, BridgeError>,
    mfu: MfuChoice,
) -> Result<FleetSummary, BridgeError> {
    let ids: Vec<String> = if fleet_ids.is_empty() {
        catalog.fleets.iter().map(|f| f.id.clone()).collect()
    } else {
        fleet_ids.to_vec()
    };
    let mut fleets = Vec::new();
    let mut headline = None;
    for id in &ids {
        let fleet = catalog
            .fleet(id)
            .map_err(|e| BridgeError::Catalog(e.to_string()))?;
        let scenario = Scenario::from_fleet(catalog, fleet, model.clone())
            .map_err(|e| BridgeError::Catalog(e.to_string()))?;
        let precision = PrecisionChoice::default().resolve(&scenario.accelerator)?;
        let measured = measured_for(precision.train)?;
        let mut assumptions = Assumptions::from_defaults(&catalog.defaults, precision);
        assumptions.mfu = mfu.resolve(&measured, &assumptions.mfu)?;
        let projection = model::project(&scenario, &assumptions)?;
        let costs = CostAssumptions::new(&catalog.costs, &catalog.prices, &assumptions);
        fleets.push(line(&projection, &assumptions, &measured, &costs));
        headline.get_or_insert(measured);
    }
    let measured = match headline {
        Some(m) => m,
        None => measured_for(DType::Bf16)?,
    };
    Ok(FleetSummary {
        measured,
        model: model.describe(),
        catalog_mfu: catalog.defaults.mfu.value,
        fleets,
    })
}

fn line(
    p: &model::Projection,
    a: &Assumptions,
    measured: &Measured,
    costs: &CostAssumptions,
) -> FleetLine {
    let training = p.training.as_ref();
    let usd_per_hour = cost::fleet_cost(p, costs)
        .ok()
        .map(|c| c.usd_per_accelerator_hour);
    FleetLine {
        fleet: p.id.clone(),
        accelerator: p.accelerator.clone(),
        dtype: format!("{}/{}", a.precision.train, a.precision.serve),
        count: p.count,
        power_mw: p.power_w.map(|w| w.scale(1e-6)),
        mfu: a.mfu.value,
        mfu_source: a.mfu.status.clone(),
        training_flops_per_s: training.map(|t| t.flops_per_s),
        training_days: training.and_then(|t| t.days),
        inference_tokens_per_s: p.inference.as_ref().ok().map(|i| i.tokens_per_s),
        equivalents_of_measured: training
            .and_then(|t| model::local_equivalents(t.flops_per_s, measured.flops_per_s)),
        usd_per_accelerator_hour: usd_per_hour,
        measured_value_usd_per_hour: training.zip(usd_per_hour).and_then(|(t, usd)| {
            cost::value_per_hour(measured.flops_per_s, usd, t.flops_per_s, t.accelerators)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ExceedingGemm, ProbeRecord, Summary};

    /// The fixture run with its f16 probe beaten by `tuned f16 128³`, as a session after
    /// the wider search leaves it: the GEMM's figure is the f16 peak.
    fn run_where_a_gemm_beat_the_f16_probe() -> RunResults {
        let text = include_str!("../tests/fixtures/run-0.1.0-c7203a2.json");
        let mut run: RunResults = serde_json::from_str(text).expect("fixture");
        let best = run
            .gemm
            .iter()
            .filter(|g| g.dtype == Dtype::F16)
            .filter_map(|g| g.verified_median().map(|m| (g.label(), m)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("an f16 GEMM");
        run.peaks.fma_gflops.f16 = Some(best.1);
        run.peaks.probes.push(ProbeRecord {
            probe: ProbeKind::Fma,
            dtype: Some(Dtype::F16),
            rate: Summary {
                median: best.1 / 1.23,
                min: best.1 / 1.3,
                max: best.1 / 1.2,
            },
            configuration: "16 x vec4 accumulators 4 deep, workgroup 64".into(),
            candidates: 40,
            exceeded_by: Some(ExceedingGemm {
                benchmark: best.0,
                gflops: best.1,
            }),
        });
        for g in run.gemm.iter_mut().filter(|g| g.dtype == Dtype::F16) {
            g.efficiency = g.verified_median().map(|m| m / best.1);
        }
        run
    }

    #[test]
    fn mfu_measured_works_when_a_gemm_set_the_peak_and_says_so() {
        let run = run_where_a_gemm_beat_the_f16_probe();
        let measured = from_run(&run, DType::Bf16).expect("an f16 measurement");
        assert_eq!(measured.dtype, Dtype::F16);
        let mfu = measured_mfu(&measured).expect("--mfu measured works");
        assert!(mfu.value.central > 0.0 && mfu.value.central <= 1.0);
        assert!(
            mfu.source.contains("verified GEMM") && mfu.source.contains("above the FMA probe"),
            "{}",
            mfu.source
        );
    }

    #[test]
    fn an_old_file_with_a_gemm_above_its_probe_is_still_refused() {
        let text = include_str!("../tests/fixtures/run-0.1.0-c7203a2.json");
        let mut run: RunResults = serde_json::from_str(text).expect("fixture");
        for g in run.gemm.iter_mut().filter(|g| g.dtype == Dtype::F16) {
            g.efficiency = Some(1.23);
        }
        let measured = from_run(&run, DType::Bf16).unwrap();
        assert!(matches!(
            measured_mfu(&measured),
            Err(BridgeError::EfficiencyAboveOne { .. })
        ));
    }

    /// A saved run with f32 and f16 results (a fixture of an older version).
    fn saved_run() -> RunResults {
        let text = include_str!("../tests/fixtures/run-0.1.0-c7203a2.json");
        match crate::results::parse(text, std::path::Path::new("run.json")) {
            Ok(ResultsFile::Run(run)) => *run,
            other => panic!("fixture: {other:?}"),
        }
    }

    #[test]
    fn bf16_fleets_bridge_from_mixed_precision_where_measured() {
        let mut run = saved_run();
        assert_eq!(from_run(&run, DType::Bf16).unwrap().dtype, Dtype::F16);
        let mut mixed = run.gemm[7].clone(); // tiled f16 128^3
        mixed.dtype = Dtype::F16F32;
        run.gemm.push(mixed);
        assert_eq!(from_run(&run, DType::Bf16).unwrap().dtype, Dtype::F16F32);
        assert_eq!(from_run(&run, DType::Fp8).unwrap().dtype, Dtype::F16);
        assert_eq!(from_run(&run, DType::Fp32).unwrap().dtype, Dtype::F32);
    }
}
