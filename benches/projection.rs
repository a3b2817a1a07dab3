//! Criterion bench of the projection: `project --fleet` for one fleet (the layout and batch
//! search included, target < 50 ms), every catalog fleet projected once per iteration, one
//! accelerator comparison at equal power, and `timeline` (every fleet's phases, 2024–2030,
//! with the articles' checks). Kept short for CI (`--warm-up-time 1 --measurement-time 2`).

use criterion::{Criterion, criterion_group, criterion_main};
use fleetbench::model::assumptions::Sourced;
use fleetbench::model::checks;
use fleetbench::model::cost::CostAssumptions;
use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::timeline::{Setup, ShareRamp, Window};
use fleetbench::model::{
    self, Assumptions, Catalog, Fleet, FleetSize, PrecisionChoice, Range, ReferenceModel, Scenario,
};
use std::hint::black_box;

/// A scenario and its default assumptions, as `project` resolves them.
fn resolved(catalog: &Catalog, s: Scenario) -> (Scenario, Assumptions) {
    let precision = PrecisionChoice::default().resolve(&s.accelerator).unwrap();
    (s, Assumptions::from_defaults(&catalog.defaults, precision))
}

fn fleets(catalog: &Catalog, model: &ReferenceModel) -> Vec<(Scenario, Assumptions)> {
    catalog
        .fleets
        .iter()
        .map(|f| {
            resolved(
                catalog,
                Scenario::from_fleet(catalog, f, model.clone()).unwrap(),
            )
        })
        .collect()
}

fn bench_projection(c: &mut Criterion) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let model = scenario::resolve_model(&catalog, None, ModelOverrides::default()).unwrap();
    let all = fleets(&catalog, &model);
    let openai = all.iter().find(|(s, _)| s.id == "openai-2025").unwrap();
    c.bench_function(
        "project --fleet openai-2025 (layout and batch search)",
        |b| b.iter(|| black_box(model::project(black_box(&openai.0), &openai.1).unwrap())),
    );
    let moe =
        scenario::resolve_model(&catalog, Some("deepseek-v3"), ModelOverrides::default()).unwrap();
    let hyperion = fleets(&catalog, &moe)
        .into_iter()
        .find(|(s, _)| s.id == "meta-hyperion")
        .unwrap();
    c.bench_function("project --fleet meta-hyperion --model deepseek-v3", |b| {
        b.iter(|| black_box(model::project(black_box(&hyperion.0), &hyperion.1).unwrap()))
    });
    c.bench_function("project every catalog fleet", |b| {
        b.iter(|| {
            for (s, a) in &all {
                black_box(model::project(black_box(s), a).unwrap());
            }
        })
    });
    let compare: Vec<(Scenario, Assumptions)> =
        ["h100", "b200", "mi355x", "rubin", "tpu-v7", "trainium2"]
            .iter()
            .map(|id| {
                let size = FleetSize::Power(Range::exact(1e9));
                let s = Scenario::from_accelerator(&catalog, id, size, model.clone()).unwrap();
                resolved(&catalog, s)
            })
            .collect();
    c.bench_function("compare six accelerators at 1 GW", |b| {
        b.iter(|| {
            compare
                .iter()
                .map(|(s, a)| model::project(s, a).unwrap().count.central)
                .sum::<f64>()
        })
    });
    bench_timeline(c, &catalog, &model);
    c.bench_function("load the embedded catalog", |b| {
        b.iter(|| black_box(Catalog::embedded().unwrap()))
    });
}

/// `fleetbench timeline` as it runs by default: every fleet, 2024–2030, and the checks.
fn bench_timeline(c: &mut Criterion, catalog: &Catalog, model: &ReferenceModel) {
    let a = Assumptions::from_defaults(&catalog.defaults, model::comparison::SHARED_PRECISION);
    let costs = CostAssumptions::new(&catalog.costs, &catalog.prices, &a);
    let setup = Setup {
        catalog,
        model,
        assumptions: &a,
        precision: PrecisionChoice::default(),
        costs: &costs,
        inference_share: Sourced::user(ShareRamp::Constant(0.31), "bench"),
    };
    let all: Vec<&Fleet> = catalog.fleets.iter().collect();
    let window = Window::new(2024, 2030).unwrap();
    c.bench_function("timeline 2024-2030, every fleet, with the checks", |b| {
        b.iter(|| {
            let t = setup.timeline(black_box(&all), window);
            let checks = checks::evaluate(&setup, &catalog.fleets, &catalog.checks, window);
            black_box((t.companies.len(), checks.len()))
        })
    });
}

criterion_group!(benches, bench_projection);
criterion_main!(benches);
