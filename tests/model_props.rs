//! Property tests of the projection: doubling power doubles the fleet, more MFU never
//! lowers training, more memory or bandwidth never lowers serving, a latency target never
//! raises it, the chosen layout is never worse than tensor parallelism alone, every catalog
//! fleet projects every model its memory can hold, every output range is ordered and
//! finite, and parsers never panic.

use fleetbench::model::accelerator::Accelerator;
use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::units::parse_power;
use fleetbench::model::{
    self, Assumptions, Catalog, DType, FleetSize, LatencyTargets, Layout, Precision,
    PrecisionChoice, Projection, Range, ReferenceModel, Scenario, Sourced,
};
use proptest::prelude::*;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap()
}

fn model_named(c: &Catalog, id: &str) -> ReferenceModel {
    scenario::resolve_model(c, Some(id), ModelOverrides::default()).unwrap()
}

fn assumptions(c: &Catalog, serve: DType) -> Assumptions {
    Assumptions::from_defaults(
        &c.defaults,
        Precision {
            train: DType::Bf16,
            serve,
        },
    )
}

fn run(acc: &str, size: FleetSize, model_id: &str, mfu: f64) -> Projection {
    let c = catalog();
    let s = Scenario::from_accelerator(&c, acc, size, model_named(&c, model_id)).unwrap();
    let mut a = assumptions(&c, DType::Fp8);
    a.mfu = Sourced::user(Range::exact(mfu), "test");
    model::project(&s, &a).unwrap()
}

/// Output tokens/s of serving `model_id` on `n` of `acc` (0 when it does not fit).
fn serving(acc: &Accelerator, model_id: &str, n: f64, a: &Assumptions) -> f64 {
    let c = catalog();
    let s = Scenario {
        id: "test".into(),
        accelerator: acc.clone(),
        size: scenario::count(n),
        pue: c.defaults.pue.clone(),
        model: model_named(&c, model_id),
        site: None,
    };
    model::project(&s, a)
        .unwrap()
        .inference
        .map_or(0.0, |i| i.tokens_per_s.central)
}

fn ranges(p: &Projection) -> Vec<Range> {
    let mut out = vec![p.count, p.peak_flops, p.serve_peak_flops, p.pue.value];
    out.extend(p.power_w);
    out.extend(p.count_power_fed);
    if let Some(t) = &p.training {
        out.extend([
            t.flops_per_s,
            t.largest_job.accelerators,
            t.largest_job.goodput,
            t.largest_job.side_by_side,
        ]);
        out.extend(
            [t.tokens_per_s, t.days, t.gpu_hours, t.models_per_year]
                .into_iter()
                .flatten(),
        );
    }
    if let Ok(i) = &p.inference {
        out.extend([
            i.tokens_per_s,
            i.requests_per_s,
            i.replicas,
            i.tpot_ms,
            i.ttft_ms,
            i.users_served,
            i.decode_tokens_per_s_per_accelerator,
            i.prefill_tokens_per_s_per_accelerator,
        ]);
        out.extend([i.joules_per_token, i.tokens_per_mwh].into_iter().flatten());
    }
    out
}

/// Accelerators with a power figure and an fp8 peak, so power-sized runs always work.
const POWERED_FP8: [&str; 8] = [
    "h100",
    "b200",
    "gb200",
    "gb300",
    "mi355x",
    "rubin",
    "tpu-v7",
    "trainium2",
];
/// Models serving can project (parameters and architecture known).
const SERVABLE: [&str; 6] = [
    "llama-3.1-8b",
    "llama-2-70b",
    "llama-3.1-405b",
    "deepseek-v3",
    "mixtral-8x7b",
    "qwen3-235b-a22b",
];

/// Every servable model, then GPT-4 (compute only: training without serving).
fn any_model(i: usize) -> &'static str {
    SERVABLE.get(i).copied().unwrap_or("gpt-4")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn doubling_power_doubles_the_fleet_and_never_lowers_throughput(
        i in 0usize..8, m in 0usize..7, gw in 0.01f64..20.0,
    ) {
        let one = run(POWERED_FP8[i], FleetSize::Power(Range::exact(gw * 1e9)), any_model(m), 0.4);
        let two = run(POWERED_FP8[i], FleetSize::Power(Range::exact(2.0 * gw * 1e9)), any_model(m), 0.4);
        prop_assert!((two.count.central / one.count.central - 2.0).abs() < 1e-9);
        let (t1, t2) = (one.training.unwrap(), two.training.unwrap());
        // Goodput can only fall when the largest job grows with the fleet.
        prop_assert!(t2.flops_per_s.central >= t1.flops_per_s.central);
        prop_assert!(t2.flops_per_s.central <= 2.0 * t1.flops_per_s.central * (1.0 + 1e-9));
        if let (Ok(i1), Ok(i2)) = (&one.inference, &two.inference) {
            prop_assert!(i2.tokens_per_s.central >= i1.tokens_per_s.central);
        }
    }

    #[test]
    fn more_mfu_never_lowers_training(i in 0usize..8, lo in 0.01f64..1.0, extra in 0.0f64..1.0) {
        let hi = (lo + extra).min(1.0);
        let a = run(POWERED_FP8[i], scenario::count(1000.0), "llama-3.1-405b", lo).training.unwrap();
        let b = run(POWERED_FP8[i], scenario::count(1000.0), "llama-3.1-405b", hi).training.unwrap();
        prop_assert!(b.flops_per_s.central >= a.flops_per_s.central);
        prop_assert!(b.tokens_per_s.unwrap().central >= a.tokens_per_s.unwrap().central);
        prop_assert!(b.days.unwrap().central <= a.days.unwrap().central);
    }

    #[test]
    fn more_memory_or_bandwidth_never_lowers_serving(
        i in 0usize..8, m in 0usize..6, n in 1.0f64..64.0, more in 1.0f64..3.0,
        input in 16u32..4096, output in 16u32..4096,
    ) {
        let c = catalog();
        let acc = c.accelerator(POWERED_FP8[i]).unwrap().clone();
        let mut a = assumptions(&c, DType::Fp8);
        a.input_tokens = Sourced::user(f64::from(input), "test");
        a.output_tokens = Sourced::user(f64::from(output), "test");
        a.inference_share = Some(1.0);
        let base = serving(&acc, SERVABLE[m], n.floor(), &a);
        let mut bigger = acc.clone();
        bigger.memory_gb *= more;
        prop_assert!(serving(&bigger, SERVABLE[m], n.floor(), &a) >= base * (1.0 - 1e-9));
        let mut faster = acc.clone();
        faster.memory_bw_tbps *= more;
        prop_assert!(serving(&faster, SERVABLE[m], n.floor(), &a) >= base * (1.0 - 1e-9));
    }

    #[test]
    fn a_latency_target_never_raises_serving(
        i in 0usize..8, m in 0usize..6, n in 1.0f64..64.0, tpot in 5.0f64..500.0,
    ) {
        let c = catalog();
        let acc = c.accelerator(POWERED_FP8[i]).unwrap().clone();
        let mut a = assumptions(&c, DType::Fp8);
        a.inference_share = Some(1.0);
        let free = serving(&acc, SERVABLE[m], n.floor(), &a);
        a.latency = LatencyTargets { tpot_ms: Some(tpot), ttft_ms: None };
        let s = Scenario::from_accelerator(&c, &acc.id, scenario::count(n.floor()), model_named(&c, SERVABLE[m])).unwrap();
        // A target no batch meets is refused (exit 2 at the command line): nothing served.
        let held = model::project(&s, &a).ok().and_then(|p| p.inference.ok());
        if let Some(i) = held {
            prop_assert!(i.tokens_per_s.central <= free * (1.0 + 1e-9));
            prop_assert!(i.tpot_ms.central <= tpot * (1.0 + 1e-9));
        }
    }

    #[test]
    fn the_chosen_layout_is_never_worse_than_tensor_parallel_only(
        i in 0usize..8, m in 0usize..6, n in 1.0f64..128.0,
    ) {
        let c = catalog();
        let acc = c.accelerator(POWERED_FP8[i]).unwrap().clone();
        let mut a = assumptions(&c, DType::Fp8);
        a.inference_share = Some(1.0);
        let n = n.floor();
        let fleet_output = |a: &Assumptions| {
            let s = Scenario::from_accelerator(&c, &acc.id, scenario::count(n), model_named(&c, SERVABLE[m])).unwrap();
            model::project(&s, a).ok().and_then(|p| p.inference.ok())
                .map(|i| i.tokens_per_s.central)
        };
        let chosen = fleet_output(&a);
        let mut tp = 1;
        while tp <= acc.scaleup_domain && f64::from(tp) <= n {
            a.layout = Some(Layout { tp, pp: 1, ep: 1 });
            if let Some(tp_only) = fleet_output(&a) {
                prop_assert!(chosen.is_some_and(|best| best >= tp_only * (1.0 - 1e-9)), "TP{tp}");
            }
            tp *= 2;
        }
    }

    #[test]
    fn every_range_is_ordered_and_finite(
        acc in 0usize..27, m in 0usize..7, n in 1.0f64..1e8, d in 0usize..7, mfu in 0.01f64..1.0,
        pue_lo in 1.0f64..1.5, spread in 0.0f64..0.5, share in proptest::option::of(0.0f64..=1.0),
    ) {
        let c = catalog();
        let accelerator = c.accelerators[acc % c.accelerators.len()].clone();
        let serve = DType::ALL[d];
        prop_assume!(accelerator.peak_tflops.contains_key(&serve));
        let s = Scenario::from_accelerator(&c, &accelerator.id, scenario::count(n), model_named(&c, any_model(m))).unwrap();
        let mut a = assumptions(&c, serve);
        a.mfu = Sourced::user(Range::exact(mfu), "test");
        a.pue = Some(Sourced::user(Range::new(pue_lo, pue_lo + spread / 2.0, pue_lo + spread).unwrap(), "test"));
        a.inference_share = share;
        let p = model::project(&s, &a).unwrap();
        for r in ranges(&p) {
            prop_assert!(r.is_valid(), "{r:?}");
        }
    }

    #[test]
    fn parsers_never_panic(text in ".{0,12}") {
        if let Ok(w) = parse_power(&text) {
            prop_assert!(w.is_finite() && w > 0.0);
        }
        if let Ok(layout) = text.parse::<Layout>() {
            prop_assert!(layout.accelerators() >= 1);
        }
    }
}

#[test]
fn every_catalog_fleet_projects_every_model_its_memory_can_hold() {
    // Training always; serving whenever the model's weights and one request fit in the
    // serving accelerators' usable memory (the whole fleet, possibly across nodes).
    let c = catalog();
    for fleet in &c.fleets {
        for m in &c.models {
            let s = Scenario::from_fleet(&c, fleet, m.clone()).unwrap();
            let precision = PrecisionChoice::default().resolve(&s.accelerator).unwrap();
            let a = Assumptions::from_defaults(&c.defaults, precision);
            let p = model::project(&s, &a).unwrap();
            let label = format!("{} / {}", fleet.id, m.id);
            let t = p.training.as_ref().expect("training");
            assert!(t.flops_per_s.central > 0.0, "{label}");
            assert_eq!(t.days.is_some(), m.training_flop().is_some(), "{label}");
            let Ok(arch) = m.architecture() else {
                assert!(p.inference.is_err(), "{label}");
                continue;
            };
            let memory = p.count.low * s.accelerator.memory_bytes() * a.memory_usable.value;
            let weights = arch.weights.total() * precision.serve.bytes();
            if weights * 1.01 < memory {
                assert!(p.inference.is_ok(), "{label}: {:?}", p.inference.err());
            }
        }
    }
}
