//! Criterion benchmark of the peak probes against references, side by side in one process
//! (issue 12's targets): the searched f32 FMA probe beside the former fixed probe (16 vec4
//! accumulators, workgroup 64), and the searched copy probe beside a plain vec4 copy with
//! four vectors per invocation written here, independent of the probe's shader. Criterion's
//! throughput is work per second: elements are FLOPs (FMA) or bytes moved (copy), so
//! "Gelem/s" reads as GFLOP/s or GB/s. GPU time comes from the same timer `run` uses.
//! `cargo bench --bench probes -- --warm-up-time 1 --measurement-time 3`.

mod common;

use common::{bench_probe, open_context, probe_plan};
use criterion::{Criterion, criterion_group, criterion_main};
use fleetbench::gpu::buffers;
use fleetbench::gpu::timing::Timer;
use fleetbench::kernels::Dtype;
use fleetbench::kernels::probes::{FmaVariant, ProbeSpace, Traffic};
use fleetbench::measure::peaks::{self, PreparedProbe};

/// The reference copy: one vec4 per load and store, four per invocation, contiguous.
const REFERENCE_COPY: &str = r#"
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let base = gid.x * 4u;
    dst[base] = src[base];
    dst[base + 1u] = src[base + 1u];
    dst[base + 2u] = src[base + 2u];
    dst[base + 3u] = src[base + 3u];
}
"#;

fn probes(c: &mut Criterion) {
    let Some(ctx) = open_context() else { return };
    let timer = Timer::new(&ctx, true);
    let plan = probe_plan();

    let searched =
        peaks::fma_peak(&ctx, &timer, &plan, Dtype::F32, ProbeSpace::Full).expect("fma search");
    eprintln!("searched f32 FMA probe: {}", searched.record.configuration);
    let invocations = 4096;
    let tuned =
        PreparedProbe::fma(&ctx, &timer, &plan, &searched.best, invocations).expect("tuned fma");
    let former = FmaVariant {
        dtype: Dtype::F32,
        accumulators: 16,
        width: 4,
        depth: 4,
        workgroup: 64,
    };
    let former = PreparedProbe::fma(&ctx, &timer, &plan, &former, invocations).expect("former fma");
    let mut group = c.benchmark_group("fma_f32");
    group.sample_size(10);
    bench_probe(&mut group, "searched", &ctx, &timer, &tuned);
    bench_probe(&mut group, "former 16 x vec4", &ctx, &timer, &former);
    group.finish();

    let copy = peaks::bandwidth(&ctx, &timer, &plan, Traffic::Copy).expect("copy search");
    eprintln!("searched copy probe: {}", copy.record.configuration);
    let bytes = peaks::bandwidth_bytes(&ctx, &plan);
    let tuned = PreparedProbe::bandwidth(&ctx, &copy.best, bytes).expect("tuned copy");
    let vec4s = bytes / 16 / 1024 * 1024;
    let reference = PreparedProbe::from_wgsl(
        &ctx,
        "reference vec4 copy",
        REFERENCE_COPY,
        &[],
        vec![
            buffers::storage_zeroed(&ctx, "src", vec4s * 16),
            buffers::storage_zeroed(&ctx, "dst", vec4s * 16),
        ],
        (vec4s / 1024) as u32,
        2.0 * (vec4s * 16) as f64,
    )
    .expect("reference copy");
    let mut group = c.benchmark_group("copy");
    group.sample_size(10);
    bench_probe(&mut group, "searched", &ctx, &timer, &tuned);
    bench_probe(&mut group, "reference vec4 x4", &ctx, &timer, &reference);
    group.finish();
}

criterion_group!(benches, probes);
criterion_main!(benches);
