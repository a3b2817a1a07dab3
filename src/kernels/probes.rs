//! Peak probes: the FMA-throughput (f32, f16), int8 dot-product and bandwidth (read, write,
//! copy) shaders, the configurations each can be compiled in (the search spaces), and the
//! arithmetic that turns their dispatches into operations and bytes. Runs nothing.
//!
//! A probe only reaches a device's ceiling in a configuration that fits it: too many
//! accumulators spill registers, too few leave the arithmetic units waiting on latency;
//! too little memory work per invocation leaves bandwidth to launch overhead. So every
//! probe is a family of variants, searched per device like the GEMM kernels.

use super::dtype::Dtype;
use super::source;

/// Integer operations one `dot4I8Packed` step counts for: 4 multiplies and 3 adds inside
/// the dot product, plus the add that accumulates it.
pub const DOT4_OPS: u64 = 8;

/// How much of a probe's space to search (`run --probes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ProbeSpace {
    /// A few configurations known to cover most devices (`run --quick`).
    Quick,
    /// The default search.
    Full,
    /// Searched when a verified GEMM beat the probe: everything `Full` has and more.
    Wide,
}

impl ProbeSpace {
    /// The space searched when a verified GEMM beat a probe searched in this one; None
    /// when this is already the widest.
    pub fn wider(self) -> Option<ProbeSpace> {
        match self {
            ProbeSpace::Quick => Some(ProbeSpace::Full),
            ProbeSpace::Full => Some(ProbeSpace::Wide),
            ProbeSpace::Wide => None,
        }
    }
}

/// One compilable configuration of the FMA (f32, f16) or dot4 (i8) probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FmaVariant {
    pub dtype: Dtype,
    /// Independent accumulator chains per invocation.
    pub accumulators: u32,
    /// Lanes of each accumulator: 1 (scalar), 2 or 4 (vec2, vec4). Always 1 for i8, whose
    /// accumulators are scalar i32 (`dot4I8Packed` returns one).
    pub width: u32,
    /// Steps of every chain written out in one loop iteration (straight-line code: a
    /// loop, even a constant one, costs a software adapter more than the steps).
    pub depth: u32,
    pub workgroup: u32,
}

trait Accumulator {
    fn accumulator(self) -> Dtype;
}

impl Accumulator for Dtype {
    /// The type the probe's arithmetic runs in.
    fn accumulator(self) -> Dtype {
        match self {
            Dtype::F16F32 => Dtype::F32,
            other => other,
        }
    }
}

impl FmaVariant {
    /// The configuration searched first and used as the reference point.
    pub fn default_for(dtype: Dtype) -> Self {
        match dtype {
            Dtype::I8 => FmaVariant {
                dtype,
                accumulators: 8,
                width: 1,
                depth: 4,
                workgroup: 64,
            },
            Dtype::F32 | Dtype::F16 | Dtype::F16F32 => FmaVariant {
                dtype,
                accumulators: 4,
                width: 4,
                depth: 4,
                workgroup: 64,
            },
        }
    }

    /// The probe's WGSL for this configuration (workgroup size is the `WG_SIZE` override).
    pub fn source(&self) -> String {
        let n = self.accumulators;
        let names = (0..n).map(|i| format!("x{i}"));
        let (template, accumulators, steps): (String, Vec<String>, Vec<String>) = match self.dtype {
            Dtype::I8 => (
                source::PEAK_DOT4.to_string(),
                chain_starts("var x0 = i32(index);", n, "1"),
                repeat(
                    names.map(|x| format!("{x} = dot4I8Packed(bitcast<u32>({x}), b) + {x};")),
                    self.depth,
                ),
            ),
            Dtype::F32 | Dtype::F16 | Dtype::F16F32 => (
                // Mixed precision sums in f32: its arithmetic is the f32 probe's.
                source::with_dtype(source::PEAK_FMA, self.dtype.accumulator()).replacen(
                    "alias Acc = vec4<Elem>;",
                    &format!("alias Acc = {};", self.accumulator_type()),
                    1,
                ),
                chain_starts("var x0 = Acc(seed);", n, "add"),
                repeat(
                    names.map(|x| format!("{x} = fma({x}, mul, add);")),
                    self.depth,
                ),
            ),
        };
        let step_section = if self.dtype == Dtype::I8 {
            "dots"
        } else {
            "fmas"
        };
        let total = (0..n)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" + ");
        let with_starts = replace_section(&template, "accumulators", &accumulators);
        let with_steps = replace_section(&with_starts, step_section, &steps);
        replace_section(&with_steps, "total", &[format!("let total = {total};")])
    }

    fn accumulator_type(&self) -> &'static str {
        match self.width {
            1 => "Elem",
            2 => "vec2<Elem>",
            4 => "vec4<Elem>",
            other => panic!("no accumulator type of width {other}"),
        }
    }

    /// Operations (FLOPs, or integer ops for i8) of one dispatch.
    pub fn operations(&self, invocations: u64, iterations: u32) -> f64 {
        let per_step = match self.dtype {
            Dtype::I8 => DOT4_OPS,
            // One FMA per lane: a multiply and an add.
            Dtype::F32 | Dtype::F16 | Dtype::F16F32 => u64::from(self.width) * 2,
        };
        let steps = u64::from(self.depth) * u64::from(self.accumulators);
        (invocations * u64::from(iterations) * steps * per_step) as f64
    }

    /// Bytes of the probe's output buffer (one accumulator's type per invocation).
    pub fn sink_bytes(&self, invocations: u64) -> u64 {
        let element = match self.dtype {
            Dtype::I8 => 4,
            Dtype::F32 | Dtype::F16 | Dtype::F16F32 => {
                u64::from(self.width) * self.dtype.accumulator().size()
            }
        };
        // Storage arrays of vec3-free types need no padding; keep 16-byte granularity.
        (invocations * element).next_multiple_of(16)
    }

    /// "8 x vec4 accumulators 4 deep, workgroup 64", the configuration as a report shows it.
    pub fn describe(&self) -> String {
        match self.dtype {
            Dtype::I8 => format!(
                "{} dot4I8Packed chains {} deep, workgroup {}",
                self.accumulators, self.depth, self.workgroup
            ),
            Dtype::F32 | Dtype::F16 | Dtype::F16F32 => {
                let kind = match self.width {
                    1 => "scalar".to_string(),
                    w => format!("vec{w}"),
                };
                format!(
                    "{} x {kind} accumulators {} deep, workgroup {}",
                    self.accumulators, self.depth, self.workgroup
                )
            }
        }
    }
}

/// The step of every chain, `depth` times over, interleaved so neighbouring lines are
/// independent.
fn repeat(step: impl Iterator<Item = String>, depth: u32) -> Vec<String> {
    let once: Vec<String> = step.collect();
    let lines = once.len() * depth as usize;
    once.into_iter().cycle().take(lines).collect()
}

/// `first`, then one line per further chain, each its predecessor plus `step`, so the
/// chains start apart and the compiler cannot merge them.
fn chain_starts(first: &str, n: u32, step: &str) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain((1..n).map(|i| format!("var x{i} = x{} + {step};", i - 1)))
        .collect()
}

/// Replaces the lines between `// @generated NAME` and `// @end NAME` (markers included)
/// with `lines`, at the marker's indent. The sources are compiled in, so a missing or
/// repeated marker is a bug in this crate: it panics naming it.
fn replace_section(source: &str, name: &str, lines: &[String]) -> String {
    let start = format!("// @generated {name}");
    let end = format!("// @end {name}");
    let count = |marker: &str| source.lines().filter(|l| l.trim() == marker).count();
    assert!(
        count(&start) == 1 && count(&end) == 1,
        "probe shader must mark `{start}` … `{end}` exactly once"
    );
    let mut out = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        if line.trim() == start {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.extend(lines.iter().map(|l| format!("{indent}{l}")));
            inside = true;
        } else if line.trim() == end {
            inside = false;
        } else if !inside {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

/// Products of (accumulators, widths, depths, workgroups) a space holds.
type Grid = (
    &'static [u32],
    &'static [u32],
    &'static [u32],
    &'static [u32],
);

/// The FMA or dot4 configurations to search for `dtype`, default first, each fitting
/// `max_workgroup` invocations. Larger spaces contain the smaller ones.
pub fn fma_space(dtype: Dtype, space: ProbeSpace, max_workgroup: u32) -> Vec<FmaVariant> {
    // Quick: the default, many chains, few chains written deep. Full adds chain counts,
    // widths and depths around them; Wide (after a GEMM beat the probe) much more. Deep
    // bodies (32-128 steps of each chain per loop iteration) amortise the loop: on
    // lavapipe 3 x vec4 chains ran at 1.2-1.3x the rate 32-128 deep that they ran 8 deep
    // (BENCHMARKS.md, "Deeper probe bodies"); 128 deep only for the chain count that fits
    // there (a 256-deep body was slower).
    const FLOAT_QUICK: &[Grid] = &[(&[16], &[4], &[4], &[64]), (&[3], &[4], &[32], &[64])];
    const FLOAT_FULL: &[Grid] = &[
        (&[2, 4, 8, 16], &[2, 4], &[4, 8], &[64]),
        (&[4, 16], &[4], &[4], &[256]),
        (&[3, 6, 12], &[1, 2, 4], &[32, 64], &[64]),
        (&[3], &[4], &[128], &[64]),
    ];
    const FLOAT_WIDE: &[Grid] = &[
        (
            &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32],
            &[1, 2, 4],
            &[4, 8],
            &[64],
        ),
        (&[3, 6, 12], &[1, 2, 4], &[16, 128], &[64]),
    ];
    const INT_QUICK: &[Grid] = &[(&[4, 16], &[1], &[4], &[64])];
    const INT_FULL: &[Grid] = &[(&[2, 4, 8, 16, 32], &[1], &[4, 8, 32], &[64, 256])];
    const INT_WIDE: &[Grid] = &[(
        &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32],
        &[1],
        &[2, 4, 8, 32, 64],
        &[64, 256],
    )];
    let (quick, full, wide) = match dtype {
        Dtype::I8 => (INT_QUICK, INT_FULL, INT_WIDE),
        Dtype::F32 | Dtype::F16 | Dtype::F16F32 => (FLOAT_QUICK, FLOAT_FULL, FLOAT_WIDE),
    };
    let grids: Vec<&Grid> = match space {
        ProbeSpace::Quick => quick.iter().collect(),
        ProbeSpace::Full => quick.iter().chain(full).collect(),
        ProbeSpace::Wide => quick.iter().chain(full).chain(wide).collect(),
    };
    let mut variants = vec![FmaVariant::default_for(dtype)];
    for (accumulators, widths, depths, workgroups) in grids {
        for &workgroup in *workgroups {
            for &depth in *depths {
                for &width in *widths {
                    for &accumulators in *accumulators {
                        let variant = FmaVariant {
                            dtype,
                            accumulators,
                            width,
                            depth,
                            workgroup,
                        };
                        if !variants.contains(&variant) {
                            variants.push(variant);
                        }
                    }
                }
            }
        }
    }
    fit_workgroups(variants, max_workgroup, |v| &mut v.workgroup)
}

/// Clamps every variant's workgroup to the adapter's largest and drops the duplicates
/// that makes, keeping the order (so a space is never empty on a small device).
fn fit_workgroups<V: PartialEq + Copy>(
    variants: Vec<V>,
    max_workgroup: u32,
    workgroup: fn(&mut V) -> &mut u32,
) -> Vec<V> {
    let mut fitted: Vec<V> = Vec::new();
    for mut variant in variants {
        let size = workgroup(&mut variant);
        *size = (*size).min(max_workgroup.max(1));
        if !fitted.contains(&variant) {
            fitted.push(variant);
        }
    }
    fitted
}

/// What a bandwidth probe moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Traffic {
    Read,
    Write,
    Copy,
}

impl Traffic {
    pub const ALL: [Traffic; 3] = [Traffic::Read, Traffic::Write, Traffic::Copy];

    /// The probe's WGSL (its configuration is in override constants).
    pub fn source(self) -> &'static str {
        match self {
            Traffic::Read => source::PEAK_READ,
            Traffic::Write => source::PEAK_WRITE,
            Traffic::Copy => source::PEAK_COPY,
        }
    }

    /// Buffers the probe binds, in order: the data, then (read) a one-vector sink or
    /// (copy) the destination; write binds one.
    pub fn buffers(self) -> usize {
        match self {
            Traffic::Write => 1,
            Traffic::Read | Traffic::Copy => 2,
        }
    }

    /// Bytes crossing memory when the probe covers `data_bytes` once: a copy reads and
    /// writes them.
    pub fn bytes_moved(self, data_bytes: u64) -> f64 {
        match self {
            Traffic::Read | Traffic::Write => data_bytes as f64,
            Traffic::Copy => 2.0 * data_bytes as f64,
        }
    }
}

/// One compilable configuration of a bandwidth probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BandwidthVariant {
    pub traffic: Traffic,
    /// vec4s each invocation reads or writes.
    pub vectors: u32,
    pub workgroup: u32,
    /// An invocation's vectors one dispatch-width apart (coalesced on GPUs) rather than
    /// contiguous.
    pub strided: bool,
}

impl BandwidthVariant {
    /// The pipeline-overridable constants of this configuration.
    pub fn constants(&self) -> [(&'static str, f64); 3] {
        [
            ("WG_SIZE", f64::from(self.workgroup)),
            ("VECS", f64::from(self.vectors)),
            ("STRIDED", if self.strided { 1.0 } else { 0.0 }),
        ]
    }

    /// vec4s one workgroup covers; buffers are a whole number of these.
    pub fn vec4s_per_workgroup(&self) -> u64 {
        u64::from(self.vectors) * u64::from(self.workgroup)
    }

    /// Workgroups and bytes of a dispatch covering at most `max_bytes` exactly once, with
    /// at most `max_groups` workgroups; None when not even one workgroup fits.
    pub fn dispatch(&self, max_bytes: u64, max_groups: u32) -> Option<(u32, u64)> {
        let per_group = self.vec4s_per_workgroup() * 16;
        let groups = (max_bytes / per_group).min(u64::from(max_groups));
        (groups > 0).then(|| (groups as u32, groups * per_group))
    }

    /// "4 vec4 per invocation, strided, workgroup 256".
    pub fn describe(&self) -> String {
        format!(
            "{} vec4 per invocation, {}, workgroup {}",
            self.vectors,
            if self.strided {
                "strided"
            } else {
                "contiguous"
            },
            self.workgroup
        )
    }
}

/// The bandwidth configurations to search for `traffic`, default first, each fitting
/// `max_workgroup` invocations. Larger spaces contain the smaller ones.
pub fn bandwidth_space(
    traffic: Traffic,
    space: ProbeSpace,
    max_workgroup: u32,
) -> Vec<BandwidthVariant> {
    let (vectors, workgroups, layouts): (&[u32], &[u32], &[bool]) = match space {
        ProbeSpace::Quick => (&[4, 8], &[256], &[true, false]),
        ProbeSpace::Full => (&[1, 4, 8, 16], &[64, 256], &[true, false]),
        ProbeSpace::Wide => (&[1, 2, 4, 8, 16, 32], &[64, 128, 256], &[true, false]),
    };
    let mut variants = Vec::new();
    for &strided in layouts {
        for &workgroup in workgroups {
            for &vectors in vectors {
                variants.push(BandwidthVariant {
                    traffic,
                    vectors,
                    workgroup,
                    strided,
                });
            }
        }
    }
    fit_workgroups(variants, max_workgroup, |v| &mut v.workgroup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fma_operations_count_every_lane_and_both_operations() {
        let v = FmaVariant {
            dtype: Dtype::F32,
            accumulators: 16,
            width: 4,
            depth: 4,
            workgroup: 64,
        };
        // One invocation, one iteration: 4 deep x 16 vec4 FMAs x 4 lanes x 2 = 512.
        assert_eq!(v.operations(1, 1), 512.0);
        assert_eq!(v.operations(1024, 10), 512.0 * 1024.0 * 10.0);
        let scalar = FmaVariant { width: 1, ..v };
        assert_eq!(scalar.operations(1, 1), 128.0);
    }

    #[test]
    fn a_dot4_step_counts_eight_integer_operations() {
        let v = FmaVariant {
            dtype: Dtype::I8,
            accumulators: 8,
            width: 1,
            depth: 4,
            workgroup: 64,
        };
        // 4 deep x 8 chains x 8 ops.
        assert_eq!(v.operations(1, 1), 256.0);
    }

    #[test]
    fn generated_fma_source_has_one_chain_per_accumulator() {
        let v = FmaVariant {
            dtype: Dtype::F32,
            accumulators: 6,
            width: 2,
            depth: 3,
            workgroup: 64,
        };
        let text = v.source();
        assert_eq!(text.matches("= fma(").count(), 18);
        assert!(text.contains("alias Acc = vec2<Elem>;"));
        assert!(text.contains("let total = x0 + x1 + x2 + x3 + x4 + x5;"));
        assert!(
            !text.lines().any(|l| l.trim().starts_with("// @")),
            "markers left"
        );
    }

    #[test]
    fn spaces_grow_and_start_with_the_default() {
        for dtype in Dtype::ALL {
            let quick = fma_space(dtype, ProbeSpace::Quick, 256);
            let full = fma_space(dtype, ProbeSpace::Full, 256);
            let wide = fma_space(dtype, ProbeSpace::Wide, 256);
            assert_eq!(quick[0], FmaVariant::default_for(dtype));
            assert!(quick.len() < full.len() && full.len() < wide.len());
            assert!(quick.iter().all(|v| full.contains(v)), "{dtype}");
            assert!(full.iter().all(|v| wide.contains(v)), "{dtype}");
        }
        for traffic in Traffic::ALL {
            let full = bandwidth_space(traffic, ProbeSpace::Full, 256);
            let wide = bandwidth_space(traffic, ProbeSpace::Wide, 256);
            let quick = bandwidth_space(traffic, ProbeSpace::Quick, 256);
            assert!(quick.iter().all(|v| full.contains(v)));
            assert!(full.iter().all(|v| wide.contains(v)));
        }
    }

    #[test]
    fn spaces_respect_the_workgroup_limit_and_are_never_empty() {
        for max in [1, 32, 64, 128] {
            for dtype in Dtype::ALL {
                for space in [ProbeSpace::Quick, ProbeSpace::Full, ProbeSpace::Wide] {
                    let fma = fma_space(dtype, space, max);
                    assert!(!fma.is_empty() && fma.iter().all(|v| v.workgroup <= max));
                    let unique: std::collections::HashSet<_> = fma.iter().collect();
                    assert_eq!(unique.len(), fma.len(), "no configuration twice");
                }
            }
            let bandwidth = bandwidth_space(Traffic::Copy, ProbeSpace::Quick, max);
            assert!(!bandwidth.is_empty() && bandwidth.iter().all(|v| v.workgroup <= max));
        }
    }

    #[test]
    fn a_bandwidth_dispatch_covers_whole_workgroups_within_the_limits() {
        let v = BandwidthVariant {
            traffic: Traffic::Copy,
            vectors: 4,
            workgroup: 256,
            strided: true,
        };
        // 4 vec4s x 256 invocations x 16 bytes = 16 KiB a workgroup.
        assert_eq!(v.dispatch(100_000, 65_535), Some((6, 6 * 16_384)));
        assert_eq!(v.dispatch(1 << 30, 10), Some((10, 10 * 16_384)));
        assert_eq!(v.dispatch(1000, 65_535), None);
        assert_eq!(Traffic::Copy.bytes_moved(100), 200.0);
        assert_eq!(Traffic::Read.bytes_moved(100), 100.0);
    }
}
