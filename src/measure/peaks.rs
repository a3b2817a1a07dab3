//! Peak probes: the device's own arithmetic throughput (FMA per float type, dot4I8Packed
//! for i8) and memory bandwidth (read, write, copy), so every GEMM figure is also a share
//! of what this device can do.
//!
//! Each probe is searched over its configurations (`kernels::probes`: chain count, width
//! and depth; vectors per invocation and their layout; workgroup size) and the fastest is
//! kept with its configuration. Nothing is assumed about the device's size: the FMA probe doubles the
//! number of invocations until throughput stops growing, and its loop count is calibrated
//! so one dispatch lasts long enough to time; the bandwidth probes cover buffers well
//! beyond caches (bounded by the adapter's binding limit).
//!
//! A peak is never below a verified GEMM on the same adapter (`settle_against_gemm`): when
//! a GEMM beats its probe, the probe is searched over a wider space, and if it still
//! loses, the GEMM's figure is used and the probe's record names it.

use super::pipeline::{Compiled, bind, compile};
use super::sampling::{SamplingPlan, sample};
use super::stats::Summary;
use crate::error::{Error, Result};
use crate::gpu::timing::{Timer, TimingMethod};
use crate::gpu::{GpuContext, buffers};
use crate::kernels::Dtype;
use crate::kernels::probes::{
    BandwidthVariant, FmaVariant, ProbeSpace, Traffic, bandwidth_space, fma_space,
};
use crate::results::{ExceedingGemm, FmaPeaks, GemmRecord, Peaks, ProbeKind, ProbeRecord};

/// How hard to probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbePlan {
    pub sampling: SamplingPlan,
    /// Largest invocation count the FMA probe may try.
    pub max_invocations: u64,
    /// Largest buffer the bandwidth probes may use.
    pub max_copy_bytes: u64,
    /// Target duration of one FMA dispatch when calibrating the loop count.
    pub target_dispatch_seconds: f64,
    /// How many configurations each probe tries.
    pub space: ProbeSpace,
}

/// A probe's best configuration with its record, and how its samples were timed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOutcome<V> {
    pub best: V,
    pub record: ProbeRecord,
    pub methods: Vec<TimingMethod>,
}

/// A compiled probe bound to its buffers, ready to dispatch: what the search times, and
/// what a benchmark can time beside a reference shader.
pub struct PreparedProbe {
    compiled: Compiled,
    bind_group: wgpu::BindGroup,
    groups: u32,
    /// Operations (FMA probes) or bytes moved (bandwidth probes) of one dispatch.
    pub work: f64,
    _buffers: Vec<wgpu::Buffer>,
}

impl PreparedProbe {
    /// Any probe-like shader (entry point `main`) dispatched as `groups` workgroups over
    /// `buffers` (bindings 0, 1, ...), doing `work` per dispatch.
    pub fn from_wgsl(
        ctx: &GpuContext,
        label: &str,
        source: &str,
        constants: &[(&str, f64)],
        buffers: Vec<wgpu::Buffer>,
        groups: u32,
        work: f64,
    ) -> Result<Self> {
        let compiled = compile(ctx, label, source, constants)?;
        let bind_group = bind(ctx, &compiled, &buffers.iter().collect::<Vec<_>>())?;
        Ok(PreparedProbe {
            compiled,
            bind_group,
            groups,
            work,
            _buffers: buffers,
        })
    }

    /// The FMA or dot4 probe in `variant` over about `invocations`, its loop count grown
    /// until one dispatch lasts `plan.target_dispatch_seconds`.
    pub fn fma(
        ctx: &GpuContext,
        timer: &Timer,
        plan: &ProbePlan,
        variant: &FmaVariant,
        invocations: u64,
    ) -> Result<Self> {
        let groups = (invocations / u64::from(variant.workgroup)).max(1) as u32;
        let invocations = u64::from(groups) * u64::from(variant.workgroup);
        let source = variant.source();
        let label = format!("fma probe {} ({})", variant.dtype, variant.describe());
        let mut compiled = compile(
            ctx,
            &label,
            &source,
            &[("WG_SIZE", f64::from(variant.workgroup))],
        )?;
        let mut iterations = 16u32;
        loop {
            let params = FmaParams {
                iterations,
                pad: [0; 3],
            };
            let buffers = vec![
                buffers::storage_zeroed(ctx, "fma sink", variant.sink_bytes(invocations)),
                buffers::uniform_with(ctx, "fma params", bytemuck::bytes_of(&params)),
            ];
            let bind_group = bind(ctx, &compiled, &buffers.iter().collect::<Vec<_>>())?;
            let probe = PreparedProbe {
                compiled,
                bind_group,
                groups,
                work: variant.operations(invocations, iterations),
                _buffers: buffers,
            };
            let single = timer.time_pass(ctx, |pass| probe.dispatch(pass))?;
            // Grow the loop until one dispatch is long enough that launch cost is negligible.
            if single.seconds >= plan.target_dispatch_seconds || iterations >= (1 << 20) {
                return Ok(probe);
            }
            let factor = (plan.target_dispatch_seconds / single.seconds.max(1e-6))
                .ceil()
                .clamp(2.0, 64.0);
            iterations = iterations.saturating_mul(factor as u32);
            compiled = probe.compiled;
        }
    }

    /// The bandwidth probe in `variant` over the whole workgroups that fit `bytes`.
    pub fn bandwidth(ctx: &GpuContext, variant: &BandwidthVariant, bytes: u64) -> Result<Self> {
        let (groups, covered) = variant
            .dispatch(bytes, ctx.limits.max_compute_workgroups_per_dimension)
            .ok_or_else(|| {
                Error::runtime(format!(
                    "the bandwidth probe's buffer ({bytes} bytes) holds less than one workgroup of {}",
                    variant.describe()
                ))
            })?;
        let mut buffers = vec![buffers::storage_zeroed(ctx, "bandwidth data", covered)];
        // Copy writes a second buffer; read binds a one-vector sink it never writes.
        match variant.traffic {
            Traffic::Copy => buffers.push(buffers::storage_zeroed(ctx, "bandwidth dest", covered)),
            Traffic::Read => buffers.push(buffers::storage_zeroed(ctx, "bandwidth sink", 16)),
            Traffic::Write => {}
        }
        Self::from_wgsl(
            ctx,
            &format!("{} probe ({})", variant.traffic, variant.describe()),
            variant.traffic.source(),
            &variant.constants(),
            buffers,
            groups,
            variant.traffic.bytes_moved(covered),
        )
    }

    /// Records one dispatch into `pass`.
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.compiled.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups, 1, 1);
    }

    /// The rate over `sampling` (work / 1e9 per second: GFLOP/s, GOP/s or GB/s).
    pub fn measure(
        &self,
        ctx: &GpuContext,
        timer: &Timer,
        sampling: &SamplingPlan,
    ) -> Result<(Summary, TimingMethod)> {
        let timings = sample(ctx, timer, sampling, |pass| self.dispatch(pass))?;
        let seconds = Summary::of(&timings.seconds_per_dispatch).expect("samples were taken");
        Ok((seconds.rate(self.work / 1e9), timings.method))
    }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct FmaParams {
    iterations: u32,
    pad: [u32; 3],
}

/// Growth below this factor when doubling invocations means the device is full.
const SATURATION_GAIN: f64 = 1.08;
const START_INVOCATIONS: u64 = 4096;

/// The fastest of `candidates`, how many were measured, and every timing method used.
/// Candidates are ranked by their fastest sample: on a shared device other work only ever
/// slows a sample down, so the fastest is the least disturbed (medians of candidates
/// measured moments apart rank the load as much as the configurations). A candidate that fails (a driver refusing a configuration) is skipped;
/// only when every one fails is the first failure returned.
pub fn search<C: Copy>(
    candidates: &[C],
    mut measure: impl FnMut(&C) -> Result<(Summary, TimingMethod)>,
) -> Result<(C, Summary, usize, Vec<TimingMethod>)> {
    let mut best: Option<(C, Summary)> = None;
    let mut first_error = None;
    let mut measured = 0;
    let mut methods = Vec::new();
    for candidate in candidates {
        match measure(candidate) {
            Ok((rate, method)) => {
                measured += 1;
                methods.push(method);
                if best.is_none_or(|(_, b)| rate.max > b.max) {
                    best = Some((*candidate, rate));
                }
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match (best, first_error) {
        (Some((c, rate)), _) => Ok((c, rate, measured, methods)),
        (None, Some(error)) => Err(error),
        (None, None) => panic!("a probe search needs at least one candidate"),
    }
}

/// The FMA (or, for i8, dot4) probe of `dtype`, searched over `space`.
pub fn fma_peak(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    dtype: Dtype,
    space: ProbeSpace,
) -> Result<ProbeOutcome<FmaVariant>> {
    let candidates = fma_space(dtype, space, max_workgroup(ctx));
    let invocations = saturating_invocations(ctx, timer, plan, &candidates[0])?;
    let (best, rate, measured, methods) = search(&candidates, |variant| {
        fma_at(ctx, timer, plan, variant, invocations)
    })?;
    Ok(ProbeOutcome {
        best,
        record: ProbeRecord {
            probe: ProbeKind::Fma,
            dtype: Some(dtype),
            rate,
            configuration: format!("{}, {invocations} invocations", best.describe()),
            candidates: measured,
            exceeded_by: None,
        },
        methods,
    })
}

/// Doubles the invocation count (from 4096, a multiple of every workgroup size) until
/// throughput stops growing or a limit is reached.
fn saturating_invocations(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    variant: &FmaVariant,
) -> Result<u64> {
    let max_groups = u64::from(ctx.limits.max_compute_workgroups_per_dimension);
    let cap = plan
        .max_invocations
        .min(max_groups * u64::from(variant.workgroup))
        .max(u64::from(variant.workgroup));
    let mut invocations = START_INVOCATIONS.min(cap);
    let mut best = 0.0;
    let mut best_invocations = invocations;
    loop {
        let (rate, _) = fma_at(ctx, timer, plan, variant, invocations)?;
        let grew = rate.median > best * SATURATION_GAIN;
        if rate.median > best {
            best = rate.median;
            best_invocations = invocations;
        }
        if !grew || invocations * 2 > cap {
            return Ok(best_invocations);
        }
        invocations *= 2;
    }
}

fn fma_at(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    variant: &FmaVariant,
    invocations: u64,
) -> Result<(Summary, TimingMethod)> {
    PreparedProbe::fma(ctx, timer, plan, variant, invocations)?.measure(ctx, timer, &plan.sampling)
}

/// The read, write or copy probe, searched over `plan.space`, in GB/s.
pub fn bandwidth(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    traffic: Traffic,
) -> Result<ProbeOutcome<BandwidthVariant>> {
    let candidates = bandwidth_space(traffic, plan.space, max_workgroup(ctx));
    let bytes = bandwidth_bytes(ctx, plan);
    let (best, rate, measured, methods) = search(&candidates, |variant| {
        PreparedProbe::bandwidth(ctx, variant, bytes)?.measure(ctx, timer, &plan.sampling)
    })?;
    Ok(ProbeOutcome {
        best,
        record: ProbeRecord {
            probe: match traffic {
                Traffic::Read => ProbeKind::Read,
                Traffic::Write => ProbeKind::Write,
                Traffic::Copy => ProbeKind::Copy,
            },
            dtype: None,
            rate,
            configuration: format!(
                "{}, {} MiB covered",
                best.describe(),
                best.dispatch(bytes, ctx.limits.max_compute_workgroups_per_dimension)
                    .map_or(0, |(_, covered)| covered >> 20)
            ),
            candidates: measured,
            exceeded_by: None,
        },
        methods,
    })
}

/// The bandwidth probes' buffer size: the plan's, within the adapter's binding limit.
pub fn bandwidth_bytes(ctx: &GpuContext, plan: &ProbePlan) -> u64 {
    let limit = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size);
    plan.max_copy_bytes.min(limit) / 16 * 16
}

/// The largest one-dimensional workgroup the adapter runs.
fn max_workgroup(ctx: &GpuContext) -> u32 {
    ctx.limits
        .max_compute_invocations_per_workgroup
        .min(ctx.limits.max_compute_workgroup_size_x)
}

/// Every probe a session needs: FMA for f32 and each other requested type the adapter
/// runs, then read, write and copy bandwidth. `say` names the probe running.
pub fn measure_peaks(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    dtypes: &[Dtype],
    say: &dyn Fn(String),
) -> Result<(Peaks, Vec<TimingMethod>)> {
    let mut peaks = Peaks {
        fma_gflops: FmaPeaks {
            f32: 0.0,
            f16: None,
            i8: None,
        },
        bandwidth_gbps: 0.0,
        probes: Vec::new(),
    };
    let mut methods = Vec::new();
    for dtype in probed_dtypes(dtypes) {
        say(format!("FMA peak {dtype}"));
        let outcome = fma_peak(ctx, timer, plan, dtype, plan.space)?;
        peaks.fma_gflops.set(dtype, outcome.record.rate.median);
        methods.extend(outcome.methods);
        peaks.probes.push(outcome.record);
    }
    for traffic in Traffic::ALL {
        say(format!("{traffic} bandwidth"));
        let outcome = bandwidth(ctx, timer, plan, traffic)?;
        if traffic == Traffic::Copy {
            peaks.bandwidth_gbps = outcome.record.rate.median;
        }
        methods.extend(outcome.methods);
        peaks.probes.push(outcome.record);
    }
    Ok((peaks, methods))
}

/// f32 always (every efficiency table has it), then each other requested type once.
fn probed_dtypes(requested: &[Dtype]) -> Vec<Dtype> {
    let mut dtypes = vec![Dtype::F32];
    // Mixed precision sums in f32: the f32 probe is its ceiling.
    for &dtype in requested.iter().filter(|d| **d != Dtype::F16F32) {
        if !dtypes.contains(&dtype) {
            dtypes.push(dtype);
        }
    }
    dtypes
}

/// The fastest verified GEMM of `dtype` (any kernel, any shape), as (label, median).
pub fn best_verified_gemm(gemm: &[GemmRecord], dtype: Dtype) -> Option<(String, f64)> {
    // Mixed-precision GEMMs share the f32 peak, so they count against the f32 probe.
    let shares_peak = |d: Dtype| d == dtype || (dtype == Dtype::F32 && d == Dtype::F16F32);
    gemm.iter()
        .filter(|g| shares_peak(g.dtype))
        .filter_map(|g| g.verified_median().map(|m| (g.label(), m)))
        .filter(|(_, m)| m.is_finite() && *m > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Whether a probe that measured `probe` must be searched further: a verified GEMM on
/// the same adapter went faster, so the probe has not found the device's ceiling.
pub fn needs_wider_search(probe: f64, best_gemm: Option<f64>) -> bool {
    best_gemm.is_some_and(|g| g > probe)
}

/// The ceiling to divide by, after the wider search: the probe's figure, or the GEMM's
/// when the GEMM still beat it (recorded in the probe's `exceeded_by`).
pub fn ceiling(record: &mut ProbeRecord, best_gemm: Option<(String, f64)>) -> f64 {
    match best_gemm {
        Some((benchmark, gflops)) if gflops > record.rate.median => {
            record.exceeded_by = Some(ExceedingGemm { benchmark, gflops });
            gflops
        }
        _ => {
            record.exceeded_by = None;
            record.rate.median
        }
    }
}

/// Applies the rule "a peak is never below a verified GEMM on the same adapter" to every
/// measured FMA probe: a probe a GEMM beat is searched over the next wider space (the
/// better of both searches kept; `--quick` widens to the default space); if the GEMM still wins, its figure becomes the peak. Then the
/// GEMMs' efficiencies are set against the final peaks.
pub fn settle_against_gemm(
    ctx: &GpuContext,
    timer: &Timer,
    plan: &ProbePlan,
    peaks: &mut Peaks,
    gemm: &mut [GemmRecord],
    search_wider: bool,
    say: &dyn Fn(String),
) -> Result<Vec<TimingMethod>> {
    let mut methods = Vec::new();
    for record in peaks
        .probes
        .iter_mut()
        .filter(|p| p.probe == ProbeKind::Fma)
    {
        let Some(dtype) = record.dtype else { continue };
        let best_gemm = best_verified_gemm(gemm, dtype);
        let wider_space = plan.space.wider().filter(|_| search_wider);
        if let Some(space) = wider_space
            && needs_wider_search(record.rate.median, best_gemm.as_ref().map(|g| g.1))
        {
            say(format!("FMA peak {dtype}: a GEMM beat it, searching wider"));
            let wider = fma_peak(ctx, timer, plan, dtype, space)?;
            methods.extend(wider.methods);
            let tried = record.candidates + wider.record.candidates;
            if wider.record.rate.median > record.rate.median {
                *record = wider.record;
            }
            record.candidates = tried;
        }
        peaks.fma_gflops.set(dtype, ceiling(record, best_gemm));
    }
    for g in gemm.iter_mut() {
        g.efficiency = efficiency(g, &peaks.fma_gflops);
    }
    Ok(methods)
}

/// A GEMM's median over its element type's peak, when both are known.
pub fn efficiency(g: &GemmRecord, fma: &FmaPeaks) -> Option<f64> {
    g.gflops
        .zip(fma.for_dtype(g.dtype))
        .filter(|(_, peak)| *peak > 0.0)
        .map(|(rate, peak)| rate.median / peak)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn summary(median: f64) -> Summary {
        Summary {
            median,
            min: median * 0.9,
            max: median * 1.1,
        }
    }

    fn fma_record(median: f64) -> ProbeRecord {
        ProbeRecord {
            probe: ProbeKind::Fma,
            dtype: Some(Dtype::F16),
            rate: summary(median),
            configuration: "4 x vec4 accumulators, workgroup 64".into(),
            candidates: 3,
            exceeded_by: None,
        }
    }

    #[test]
    fn a_gemm_above_the_probe_becomes_the_labelled_ceiling() {
        let mut record = fma_record(100.0);
        let peak = ceiling(
            &mut record,
            Some(("tuned f16 1024x1024x1024".into(), 123.0)),
        );
        assert_eq!(peak, 123.0);
        let by = record.exceeded_by.expect("labelled");
        assert_eq!(by.benchmark, "tuned f16 1024x1024x1024");
        assert_eq!(by.gflops, 123.0);
    }

    #[test]
    fn a_probe_above_every_gemm_stays_the_ceiling() {
        let mut record = fma_record(100.0);
        assert_eq!(ceiling(&mut record, Some(("naive".into(), 40.0))), 100.0);
        assert_eq!(record.exceeded_by, None);
        assert_eq!(ceiling(&mut record, None), 100.0);
        assert!(!needs_wider_search(100.0, Some(40.0)));
        assert!(!needs_wider_search(100.0, None));
        assert!(needs_wider_search(100.0, Some(100.5)));
    }

    #[test]
    fn the_search_keeps_the_fastest_and_skips_failures() {
        let rates = [3.0, 9.0, -1.0, 7.0];
        let (best, rate, measured, methods) = search(&[0usize, 1, 2, 3], |&i| {
            if rates[i] < 0.0 {
                Err(crate::error::Error::runtime("refused".to_string()))
            } else {
                Ok((summary(rates[i]), TimingMethod::Timestamp))
            }
        })
        .unwrap();
        assert_eq!((best, rate.median, measured, methods.len()), (1, 9.0, 3, 3));
    }

    #[test]
    fn a_search_where_everything_fails_returns_the_failure() {
        let result = search(&[0u8, 1], |_| -> Result<(Summary, TimingMethod)> {
            Err(crate::error::Error::runtime("refused".to_string()))
        });
        assert!(result.is_err());
    }

    proptest! {
        /// Whatever was measured, the search returns the maximum, and the settled
        /// ceiling is never below the probe nor below any verified GEMM.
        #[test]
        fn ceilings_bound_every_measurement(
            rates in prop::collection::vec(0.001f64..1e6, 1..20),
            gemm in prop::option::of(0.001f64..1e6),
        ) {
            let indices: Vec<usize> = (0..rates.len()).collect();
            let (best, rate, _, _) = search(&indices, |&i| {
                Ok((summary(rates[i]), TimingMethod::WallClock))
            }).unwrap();
            let max = rates.iter().copied().fold(f64::MIN, f64::max);
            // summary() puts every sample range at +-10% of the median, so the fastest
            // sample and the highest median agree.
            prop_assert_eq!(rate.median, max);
            prop_assert_eq!(rates[best], max);
            let mut record = fma_record(rate.median);
            let peak = ceiling(&mut record, gemm.map(|g| ("g".to_string(), g)));
            prop_assert!(peak >= rate.median);
            prop_assert!(gemm.is_none_or(|g| peak >= g));
            prop_assert_eq!(record.exceeded_by.is_some(), gemm.is_some_and(|g| g > max));
            prop_assert!(gemm.is_none_or(|g| g / peak <= 1.0));
        }
    }
}
