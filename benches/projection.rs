//! Criterion bench of the projection: every catalog fleet projected once per iteration,
//! and one accelerator comparison at equal power. Kept short for CI
//! (`--warm-up-time 1 --measurement-time 2`).

use criterion::{Criterion, criterion_group, criterion_main};
use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::{self, Assumptions, Catalog, DType, FleetSize, Range, Scenario};
use std::hint::black_box;

fn bench_projection(c: &mut Criterion) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let model = scenario::resolve_model(&catalog, None, ModelOverrides::default()).unwrap();
    let assumptions = Assumptions::from_defaults(&catalog.defaults, DType::Fp8);
    let fleets: Vec<Scenario> = catalog
        .fleets
        .iter()
        .map(|f| Scenario::from_fleet(&catalog, f, model.clone()).unwrap())
        .collect();
    c.bench_function("project every catalog fleet", |b| {
        b.iter(|| {
            for s in &fleets {
                black_box(model::project(black_box(s), &assumptions).unwrap());
            }
        })
    });
    let compare: Vec<Scenario> = ["h100", "b200", "mi355x", "rubin", "tpu-v7", "trainium2"]
        .iter()
        .map(|id| {
            Scenario::from_accelerator(
                &catalog,
                id,
                FleetSize::Power(Range::exact(1e9)),
                model.clone(),
            )
            .unwrap()
        })
        .collect();
    c.bench_function("compare six accelerators at 1 GW", |b| {
        b.iter(|| {
            compare
                .iter()
                .map(|s| model::project(s, &assumptions).unwrap().count.central)
                .sum::<f64>()
        })
    });
    c.bench_function("load the embedded catalog", |b| {
        b.iter(|| black_box(Catalog::embedded().unwrap()))
    });
}

criterion_group!(benches, bench_projection);
criterion_main!(benches);
